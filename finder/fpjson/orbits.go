package fpjson

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/orbits"
)

// jsonOrbit is one entry of the top-level "orbits" list.
type jsonOrbit struct {
	Period     int           `json:"period"`
	Points     []jsonFloats  `json:"points"`
	U          jsonFloats    `json:"u"`
	Residual   jsonFloat     `json:"residual"`
	Floquet    jsonComplexes `json:"floquet"`
	Bounds     jsonFloats    `json:"floquet_bounds"`
	Conds      jsonFloats    `json:"floquet_conds"`
	Classes    []string      `json:"floquet_classes"`
	Proved     []bool        `json:"floquet_proved,omitempty"`
	NUnstable  int           `json:"n_unstable"`
	NUndecided int           `json:"n_undecided"`
	Stable     bool          `json:"stable"`
	Proof      *jsonProof    `json:"proof"`
	Reason     string        `json:"proof_reason,omitempty"`
	// Connections: where the unstable directions lead (finder's ends).
	Connections []jsonOrbitConnection `json:"connections,omitempty"`
}

// jsonOrbitConnection is one entry of an orbit's "connections".
type jsonOrbitConnection struct {
	Multiplier int     `json:"multiplier"`
	Direction  float64 `json:"direction"`
	To         int     `json:"to"`
	End        string  `json:"end"`
	Steps      int     `json:"steps"`
}

// jsonProof is an orbit's "proof": null when none.
type jsonProof struct {
	Method        string    `json:"method"`
	Radius        jsonFloat `json:"radius"`
	UniqueRadius  jsonFloat `json:"unique_radius"`
	MinimalPeriod bool      `json:"minimal_period"`
}

func toJSONOrbits(os []orbits.Orbit) []jsonOrbit {
	if len(os) == 0 {
		return nil
	}
	out := make([]jsonOrbit, len(os))
	for i := range os {
		o := &os[i]
		j := jsonOrbit{Period: o.Period, U: o.U, Residual: jsonFloat(o.Residual),
			Floquet: make(jsonComplexes, len(o.Floquet)), Bounds: make(jsonFloats, len(o.Floquet)),
			Conds: make(jsonFloats, len(o.Floquet)), Classes: make([]string, len(o.Floquet)),
			NUnstable: o.NUnstable, NUndecided: o.NUndecided, Stable: o.Stable, Reason: o.ProofReason}
		for _, p := range o.Points {
			j.Points = append(j.Points, p)
		}
		for k, m := range o.Floquet {
			j.Floquet[k], j.Bounds[k], j.Conds[k], j.Classes[k] = m.Value, m.Bound, m.Cond, m.Class.String()
			if m.Proved {
				if j.Proved == nil {
					j.Proved = make([]bool, len(o.Floquet))
				}
				j.Proved[k] = true
			}
		}
		for _, c := range o.Connections {
			j.Connections = append(j.Connections, jsonOrbitConnection{Multiplier: c.Multiplier, Direction: c.Direction, To: c.To, End: c.End, Steps: c.Steps})
		}
		if o.Proof != nil {
			j.Proof = &jsonProof{Method: o.Proof.Method, Radius: jsonFloat(o.Proof.Radius),
				UniqueRadius: jsonFloat(o.Proof.UniqueRadius), MinimalPeriod: o.Proof.MinimalPeriod}
		}
		out[i] = j
	}
	return out
}

// fromJSONOrbits checks and converts the "orbits" of a file of N states
// and M inputs: each orbit's points (period of them, N finite values each),
// its input, its multipliers (N, each with a bound, a condition number and
// a class) and its counts, which must agree with its classes, and its
// connections, each from an unstable multiplier to one of the nFixed fixed
// points or of the orbits (or nowhere, -1, for the ends that name none).
func fromJSONOrbits(js []jsonOrbit, N, M, nFixed int) ([]orbits.Orbit, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]orbits.Orbit, len(js))
	for i := range js {
		j := &js[i]
		bad := func(format string, a ...any) error {
			return fmt.Errorf("orbits: orbit %d: "+format, append([]any{i}, a...)...)
		}
		if j.Period < 1 || len(j.Points) != j.Period {
			return nil, bad("period %d with %d points", j.Period, len(j.Points))
		}
		o := orbits.Orbit{Period: j.Period, U: append([]float64{}, j.U...), Residual: float64(j.Residual),
			NUnstable: j.NUnstable, NUndecided: j.NUndecided, Stable: j.Stable, ProofReason: j.Reason}
		for k, p := range j.Points {
			if len(p) != N || !allFinite(p) {
				return nil, bad("point %d has %d values (want %d finite)", k, len(p), N)
			}
			o.Points = append(o.Points, append([]float64(nil), p...))
		}
		if len(j.U) != M || !allFinite(j.U) {
			return nil, bad("input has %d values (want %d finite)", len(j.U), M)
		}
		n := len(j.Floquet)
		if n != N || len(j.Bounds) != n || len(j.Conds) != n || len(j.Classes) != n {
			return nil, bad("%d multipliers with %d bounds, %d condition numbers and %d classes, want %d of each", n, len(j.Bounds), len(j.Conds), len(j.Classes), N)
		}
		if j.Proved != nil && len(j.Proved) != n {
			return nil, bad("%d floquet_proved flags for %d multipliers", len(j.Proved), n)
		}
		if j.Proved != nil && j.Proof == nil {
			return nil, bad("multipliers proved without a proof of the orbit")
		}
		var unstable, undecided int
		for k, z := range j.Floquet {
			c, ok := finder.ParseModeClass(j.Classes[k])
			if !ok {
				return nil, bad("multiplier %d has an unknown class", k)
			}
			switch c {
			case finder.ModeUnstable:
				unstable++
			case finder.ModeUndecided:
				undecided++
			}
			proved := j.Proved != nil && j.Proved[k]
			if proved && c == finder.ModeUndecided {
				return nil, bad("multiplier %d is proved but undecided", k)
			}
			o.Floquet = append(o.Floquet, orbits.Multiplier{Value: z, LogAbs: math.Log(math.Hypot(real(z), imag(z))),
				Bound: j.Bounds[k], Cond: j.Conds[k], Class: c, Proved: proved})
		}
		if unstable != j.NUnstable || undecided != j.NUndecided || j.Stable != (unstable == 0 && undecided == 0) {
			return nil, bad("n_unstable %d, n_undecided %d and stable %v disagree with the multipliers' classes", j.NUnstable, j.NUndecided, j.Stable)
		}
		if p := j.Proof; p != nil {
			if !(p.Radius > 0 && p.UniqueRadius >= p.Radius) || math.IsInf(float64(p.UniqueRadius), 0) {
				return nil, bad("proof radius %g and uniqueness radius %g, want 0 < radius <= uniqueness radius, finite", float64(p.Radius), float64(p.UniqueRadius))
			}
			o.Proof = &orbits.Proof{Method: p.Method, Radius: float64(p.Radius), UniqueRadius: float64(p.UniqueRadius), MinimalPeriod: p.MinimalPeriod}
		}
		for k, c := range j.Connections {
			if err := checkConnectionEnd(c.End, c.To, nFixed, len(js)); err != nil {
				return nil, bad("connection %d: %w", k, err)
			}
			if c.Multiplier < 0 || c.Multiplier >= n || o.Floquet[c.Multiplier].Class != finder.ModeUnstable {
				return nil, bad("connection %d follows multiplier %d, want the index of an unstable one of %d", k, c.Multiplier, n)
			}
			if math.IsNaN(c.Direction) || math.IsInf(c.Direction, 0) || c.Steps < 0 {
				return nil, bad("connection %d: direction %g, steps %d, want finite and >= 0", k, c.Direction, c.Steps)
			}
			o.Connections = append(o.Connections, orbits.Connection{Multiplier: c.Multiplier, Direction: c.Direction, To: c.To, End: c.End, Steps: c.Steps})
		}
		out[i] = o
	}
	return out, nil
}

// checkConnectionEnd checks a connection's end and the index To it names:
// a fixed point (of nFixed) for "stable" and "fixed", an orbit (of
// nOrbits) for "stable_orbit" and "orbit", -1 otherwise.
func checkConnectionEnd(end string, to, nFixed, nOrbits int) error {
	if !finder.IsConnectionEnd(end) {
		return fmt.Errorf("unknown end %q", end)
	}
	n, what := 0, "none"
	switch end {
	case finder.EndStable, finder.EndFixed:
		n, what = nFixed, "a fixed point"
	case finder.EndStableOrbit, finder.EndOrbit:
		n, what = nOrbits, "an orbit"
	}
	if n == 0 && to != -1 || n > 0 && (to < 0 || to >= n) {
		return fmt.Errorf("end %q names %d, want %s (of %d; -1 for none)", end, to, what, n)
	}
	return nil
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// jsonCycle is one entry of the top-level "cycles" list: a limit cycle of
// the flow dx/dt = F(x) - x.
type jsonCycle struct {
	Period           jsonFloat     `json:"period"`
	X0               jsonFloats    `json:"x0"`
	Points           []jsonFloats  `json:"points"`
	U                jsonFloats    `json:"u"`
	Residual         jsonFloat     `json:"residual"`
	IntegrationError jsonFloat     `json:"integration_error"`
	Floquet          jsonComplexes `json:"floquet"`
	Bounds           jsonFloats    `json:"floquet_bounds"`
	Conds            jsonFloats    `json:"floquet_conds"`
	Classes          []string      `json:"floquet_classes"`
	Trivial          int           `json:"trivial"`
	NUnstable        int           `json:"n_unstable"`
	NUndecided       int           `json:"n_undecided"`
	Stable           bool          `json:"stable"`
}

func toJSONCycles(cs []orbits.Cycle) []jsonCycle {
	if len(cs) == 0 {
		return nil
	}
	out := make([]jsonCycle, len(cs))
	for i := range cs {
		c := &cs[i]
		j := jsonCycle{Period: jsonFloat(c.Period), X0: c.X0, U: c.U, Residual: jsonFloat(c.Residual),
			IntegrationError: jsonFloat(c.IntegrationError), Trivial: c.Trivial,
			NUnstable: c.NUnstable, NUndecided: c.NUndecided, Stable: c.Stable,
			Floquet: make(jsonComplexes, len(c.Floquet)), Bounds: make(jsonFloats, len(c.Floquet)),
			Conds: make(jsonFloats, len(c.Floquet)), Classes: make([]string, len(c.Floquet))}
		for _, p := range c.Points {
			j.Points = append(j.Points, p)
		}
		for k, m := range c.Floquet {
			j.Floquet[k], j.Bounds[k], j.Conds[k], j.Classes[k] = m.Value, m.Bound, m.Cond, m.Class.String()
		}
		out[i] = j
	}
	return out
}

// fromJSONCycles checks and converts the "cycles" of a file of N states and
// M inputs: a finite period > 0, the point x0 and the samples (N finite
// values each), the input, N multipliers each with a bound, a condition
// number and a class, the trivial multiplier's index, and counts (of the
// other multipliers) that agree with the classes.
func fromJSONCycles(js []jsonCycle, N, M int) ([]orbits.Cycle, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]orbits.Cycle, len(js))
	for i := range js {
		j := &js[i]
		bad := func(format string, a ...any) error {
			return fmt.Errorf("cycles: cycle %d: "+format, append([]any{i}, a...)...)
		}
		T := float64(j.Period)
		if !(T > 0) || math.IsInf(T, 0) {
			return nil, bad("period %g, want a finite value > 0", T)
		}
		if len(j.X0) != N || !allFinite(j.X0) || len(j.U) != M || !allFinite(j.U) || len(j.Points) == 0 {
			return nil, bad("x0 of %d values, input of %d, %d points: want %d and %d finite values and some points", len(j.X0), len(j.U), len(j.Points), N, M)
		}
		c := orbits.Cycle{Period: T, X0: append([]float64(nil), j.X0...), U: append([]float64{}, j.U...),
			Residual: float64(j.Residual), IntegrationError: float64(j.IntegrationError), Trivial: j.Trivial,
			NUnstable: j.NUnstable, NUndecided: j.NUndecided, Stable: j.Stable}
		for k, p := range j.Points {
			if len(p) != N || !allFinite(p) {
				return nil, bad("point %d has %d values (want %d finite)", k, len(p), N)
			}
			c.Points = append(c.Points, append([]float64(nil), p...))
		}
		n := len(j.Floquet)
		if n != N || len(j.Bounds) != n || len(j.Conds) != n || len(j.Classes) != n || j.Trivial < 0 || j.Trivial >= n {
			return nil, bad("%d multipliers with %d bounds, %d condition numbers, %d classes and trivial index %d, want %d of each and an index below", n, len(j.Bounds), len(j.Conds), len(j.Classes), j.Trivial, N)
		}
		var unstable, undecided int
		for k, z := range j.Floquet {
			cl, ok := finder.ParseModeClass(j.Classes[k])
			if !ok {
				return nil, bad("multiplier %d has an unknown class", k)
			}
			if k != j.Trivial {
				switch cl {
				case finder.ModeUnstable:
					unstable++
				case finder.ModeUndecided:
					undecided++
				}
			}
			c.Floquet = append(c.Floquet, orbits.Multiplier{Value: z, LogAbs: math.Log(math.Hypot(real(z), imag(z))),
				Bound: j.Bounds[k], Cond: j.Conds[k], Class: cl})
		}
		if unstable != j.NUnstable || undecided != j.NUndecided || j.Stable != (unstable == 0 && undecided == 0) {
			return nil, bad("n_unstable %d, n_undecided %d and stable %v disagree with the multipliers' classes", j.NUnstable, j.NUndecided, j.Stable)
		}
		out[i] = c
	}
	return out, nil
}
