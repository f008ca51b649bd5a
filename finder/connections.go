package finder

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"github.com/rnnfp/fixedpoints/orbits"
	"github.com/rnnfp/fixedpoints/stability"
)

// Connection is where one unstable mode of a fixed point leads: the state
// x* + eps w, with w a unit vector of the mode, iterated under the map
// x -> F(x, u*) (the same input) until it settles. Together the connections
// of a set are its saddle-attractor graph.
type Connection struct {
	From int // index in Points of the unstable fixed point
	Mode int // index in its Modes of the mode followed
	// Direction is the angle, in degrees, of w in the mode's plane:
	// w = cos(θ) Re v - sin(θ) Im v, normalized. A real mode is followed at
	// 0 (+v) and 180 (-v); a complex pair (its member with Im λ > 0) at 0,
	// 90, 180 and 270.
	Direction float64
	// To is the index in Points where the trajectory settled (ends
	// EndStable, EndFixed), in Result.Orbits (EndStableOrbit, EndOrbit), or
	// -1 when none.
	To    int
	End   string // EndStable, EndFixed, EndStableOrbit, EndOrbit, EndSlow, EndLeft or EndUnsettled
	Steps int    // steps of the map until it settled (Settings.ConnectSteps when it did not)
}

// The ends of a Connection.
const (
	// EndStable: the trajectory came within 1e-2 max(1, max|x_i|) of the
	// certified stable point To (where its contraction takes over).
	EndStable = "stable"
	// EndFixed: it converged (within 1e-6) onto the certified fixed point To,
	// which is not stable: along that point's stable manifold, e.g. from an
	// index-2 saddle to an index-1 saddle on an invariant subspace.
	EndFixed = "fixed"
	// EndStableOrbit: it came within 1e-2 max(1, max|x_i|) of a point of
	// the stable periodic orbit To (in Result.Orbits; Settings.MaxPeriod).
	EndStableOrbit = "stable_orbit"
	// EndOrbit: it converged (within 1e-6) onto a point of the orbit To,
	// which is not stable: along that orbit's stable manifold.
	EndOrbit = "orbit"
	// EndSlow: it stopped (max|F(x) - x| <= 1e-10 scale) or, after
	// ConnectSteps, crawls (<= 1e-6 scale) away from every certified point:
	// a slow region or an uncertified fixed point.
	EndSlow = "slow"
	// EndLeft: some |x_i| exceeded ten times the largest of the fixed
	// points' (and at least 10).
	EndLeft = "left"
	// EndUnsettled: still moving after ConnectSteps steps (a limit cycle, a
	// period-2 flip, chaos, or a very slow approach).
	EndUnsettled = "unsettled"
)

const (
	connectCheck  = 4    // steps between checks for settling
	connectStable = 1e-2 // reach of a stable point, relative to its scale
	connectFixed  = 1e-6 // reach of any fixed point
	connectStop   = 1e-10
	connectSlow   = 1e-6
)

// connectStart is one trajectory to follow: from a fixed point
// (orbit = -1) or from the first point of Result.Orbits[orbit] (c.Mode is
// then the index of the multiplier).
type connectStart struct {
	c     Connection
	orbit int
	u     []float64
	x     []float64
}

// unstableMode reports whether a mode certainly grows, as classify judges
// it: its class from its error bound (an undecided mode is not followed).
func (f *finder) unstableMode(m Mode) bool { return m.Class == ModeUnstable }

// directions returns the starts x + eps w along the eigenvector v of an
// unstable mode or multiplier with eigenvalue lambda: w = cos(θ) Re v -
// sin(θ) Im v normalized, at 0 and 180 degrees for a real lambda and at 0,
// 90, 180 and 270 for the member of a complex pair with Im lambda > 0 (none
// for the other member, which spans the same plane).
func directions(x []float64, lambda complex128, v []complex128, eps float64) (degs []float64, xs [][]float64) {
	if v == nil || cmplx.IsNaN(lambda) || imag(lambda) < 0 && !stability.IsReal(lambda) {
		return nil, nil
	}
	angles := []float64{0, 180}
	if !stability.IsReal(lambda) {
		angles = []float64{0, 90, 180, 270}
	}
	for _, deg := range angles {
		th := deg * math.Pi / 180
		w := make([]float64, len(x))
		norm := 0.0
		for i, vi := range v {
			w[i] = math.Cos(th)*real(vi) - math.Sin(th)*imag(vi)
			norm += w[i] * w[i]
		}
		norm = math.Sqrt(norm)
		if !(norm > 0) {
			continue
		}
		for i := range w {
			w[i] = x[i] + eps*w[i]/norm
		}
		degs, xs = append(degs, deg), append(xs, w)
	}
	return degs, xs
}

// connect follows every unstable mode of every analyzed point of fp (with
// eigenvectors) and every unstable multiplier of every orbit in orbs (with
// its eigenvector) under the map, batched, and returns where each fixed
// point's trajectory settles; the orbits' go into orbs[i].Connections.
// Both are judged by the same rules (settled), which know the stable
// orbits as well as the fixed points.
func (f *finder) connect(ctx context.Context, fp *FixedPoints, orbs []orbits.Orbit) ([]Connection, error) {
	N, M := f.N, f.M
	region := 10.0
	for i := range fp.Points {
		region = max(region, 10*scale(fp.Points[i].X))
	}
	for i := range orbs {
		for _, x := range orbs[i].Points {
			region = max(region, 10*scale(x))
		}
	}
	var starts []connectStart
	for pi := range fp.Points {
		p := &fp.Points[pi]
		if !p.Stability.Analyzed || p.Stability.NUnstable == 0 {
			continue
		}
		eps := f.s.ConnectEps * scale(p.X)
		for mi, m := range p.Modes {
			if !f.unstableMode(m) {
				continue
			}
			degs, xs := directions(p.X, m.Value, m.Right, eps)
			for k := range degs {
				starts = append(starts, connectStart{c: Connection{From: pi, Mode: mi, Direction: degs[k], To: -1}, orbit: -1, u: p.U, x: xs[k]})
			}
		}
	}
	nFixed := len(starts)
	for oi := range orbs {
		o := &orbs[oi]
		if o.NUnstable == 0 || len(o.Points) == 0 || len(o.U) != M {
			continue
		}
		eps := f.s.ConnectEps * scale(o.Points[0])
		for mi, m := range o.Floquet {
			if m.Class != ModeUnstable || len(m.Right) != N {
				continue
			}
			degs, xs := directions(o.Points[0], m.Value, m.Right, eps)
			for k := range degs {
				starts = append(starts, connectStart{c: Connection{From: oi, Mode: mi, Direction: degs[k], To: -1}, orbit: oi, u: o.U, x: xs[k]})
			}
		}
	}
	if len(starts) == 0 {
		return nil, nil
	}
	active := make([]int, len(starts))
	for i := range active {
		active[i] = i
	}
	var x, u, out []float64
	for step := 1; step <= f.s.ConnectSteps && len(active) > 0; step++ {
		if ctx.Err() != nil {
			f.canceled = true
			break
		}
		B := batchRows(len(active), N)
		x, u, out = growTo(x, B*N), growTo(u, B*M), growTo(out, B*N)
		for row, si := range active {
			copy(x[row*N:(row+1)*N], starts[si].x)
			copy(u[row*M:(row+1)*M], starts[si].u)
		}
		for row := len(active); row < B; row++ {
			copy(x[row*N:(row+1)*N], x[:N])
			copy(u[row*M:(row+1)*M], u[:M])
		}
		st, err := f.steps.get(B)
		if err != nil {
			return nil, err
		}
		if err := st.Step(x, u, out); err != nil {
			return nil, err
		}
		check := step%connectCheck == 0 || step == f.s.ConnectSteps
		next := active[:0]
		for row, si := range active {
			s := &starts[si]
			xn := out[row*N : (row+1)*N]
			copy(s.x, xn)
			if !check {
				next = append(next, si)
				continue
			}
			speed := residual(xn, x[row*N:(row+1)*N])
			if s.c.End = f.settled(fp, orbs, s.x, s.u, speed, region, &s.c.To); s.c.End != "" {
				s.c.Steps = step
				continue
			}
			if step == f.s.ConnectSteps {
				s.c.Steps = step
				s.c.End = EndUnsettled
				if speed <= connectSlow*scale(s.x) {
					s.c.End = EndSlow
				}
				continue
			}
			next = append(next, si)
		}
		active = next
	}
	for i := range starts {
		if starts[i].c.End == "" {
			starts[i].c.End = EndUnsettled
		}
	}
	for _, s := range starts[nFixed:] {
		o := &orbs[s.orbit]
		o.Connections = append(o.Connections, orbits.Connection{Multiplier: s.c.Mode, Direction: s.c.Direction, End: s.c.End, To: s.c.To, Steps: s.c.Steps})
	}
	if nFixed == 0 {
		return nil, nil
	}
	out2 := make([]Connection, nFixed)
	for i := range out2 {
		out2[i] = starts[i].c
	}
	return out2, nil
}

// settled judges a trajectory at x (moving max|F(x) - x| = speed) at the
// input u: it returns its end and sets *to, or "" while it goes on. A
// point of an orbit counts as the orbit: the trajectory is checked every
// connectCheck steps, at whichever point of it it is near.
func (f *finder) settled(fp *FixedPoints, orbs []orbits.Orbit, x, u []float64, speed, region float64, to *int) string {
	if scaleOver(x, region) {
		return EndLeft
	}
	best, bd := -1, math.Inf(1)
	for k := range fp.Points {
		q := &fp.Points[k]
		if !slices.Equal(q.U, u) {
			continue
		}
		if d := math.Sqrt(dist2(q.X, x)); d < bd {
			best, bd = k, d
		}
	}
	if best >= 0 {
		q := &fp.Points[best]
		sc := scale(q.X)
		if q.Stability.Analyzed && q.Stability.Stable && bd <= connectStable*sc {
			*to = best
			return EndStable
		}
		if bd <= connectFixed*sc {
			*to = best
			return EndFixed
		}
	}
	best, bd, sc := -1, math.Inf(1), 1.0
	for k := range orbs {
		if !slices.Equal(orbs[k].U, u) {
			continue
		}
		for _, p := range orbs[k].Points {
			if d := math.Sqrt(dist2(p, x)); d < bd {
				best, bd, sc = k, d, scale(p)
			}
		}
	}
	if best >= 0 {
		if orbs[best].Stable && bd <= connectStable*sc {
			*to = best
			return EndStableOrbit
		}
		if bd <= connectFixed*sc {
			*to = best
			return EndOrbit
		}
	}
	if speed <= connectStop*scale(x) {
		return EndSlow
	}
	return ""
}

// growTo returns buf resized to n, reallocated when too small.
func growTo(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// connectionEnds lists the ends of a connection, in the order counted.
var connectionEnds = []string{EndStable, EndFixed, EndStableOrbit, EndOrbit, EndSlow, EndLeft, EndUnsettled}

// IsConnectionEnd reports whether end is one of the End constants.
func IsConnectionEnd(end string) bool { return slices.Contains(connectionEnds, end) }

// ConnectionCounts says in one line how many trajectories ended each way,
// e.g. "54 trajectories: 54 stable".
func ConnectionCounts(cs []Connection) string {
	ends := make([]string, len(cs))
	for i, c := range cs {
		ends[i] = c.End
	}
	return countEnds(ends)
}

// OrbitConnectionCounts is ConnectionCounts for the connections of all the
// orbits in os.
func OrbitConnectionCounts(os []orbits.Orbit) string {
	var ends []string
	for _, o := range os {
		for _, c := range o.Connections {
			ends = append(ends, c.End)
		}
	}
	return countEnds(ends)
}

func countEnds(ends []string) string {
	n := map[string]int{}
	for _, e := range ends {
		n[e]++
	}
	s := fmt.Sprintf("%d trajectories:", len(ends))
	sep := " "
	for _, e := range connectionEnds {
		if n[e] > 0 {
			s += fmt.Sprintf("%s%d %s", sep, n[e], e)
			sep = ", "
		}
	}
	return s
}
