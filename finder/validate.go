package finder

import (
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
)

// Validate reports the first inconsistency of fp: N < 1, M < 0, a dtype
// other than "float64" or "float32", or a point whose vectors have the wrong
// lengths (empty optional ones aside), whose x or u holds a NaN or Inf, or
// whose counts of modes are out of range, or coverage hit counts and
// connections that do not match the points. Every set that Validate accepts
// round-trips exactly through the fixedpoints/v1 JSON format (package
// fpjson), which refuses to write any other.
func (fp *FixedPoints) Validate() error {
	if err := fp.checkHeader(); err != nil {
		return err
	}
	N, M := fp.N, fp.M
	for i := range fp.Points {
		if err := checkPoint(&fp.Points[i], N, M); err != nil {
			return fmt.Errorf("point %d: %w", i, err)
		}
	}
	return fp.checkGraph()
}

func (fp *FixedPoints) checkHeader() error {
	if fp.N < 1 || fp.M < 0 {
		return fmt.Errorf("n_states %d and n_inputs %d, want n_states >= 1 and n_inputs >= 0", fp.N, fp.M)
	}
	if fp.Dtype != "float64" && fp.Dtype != "float32" {
		return fmt.Errorf("dtype %q, want \"float64\" or \"float32\"", fp.Dtype)
	}
	if fp.Alpha != 0 && !(fp.Alpha > 0 && fp.Alpha <= 1) {
		return fmt.Errorf("alpha = dt/tau %g, want 0 < alpha <= 1 (or 0: no flow)", fp.Alpha)
	}
	return nil
}

func checkPoint(p *Point, N, M int) error {
	lengths := []struct {
		name     string
		got      int
		want     int
		optional bool
	}{
		{"x", len(p.X), N, false},
		{"u", len(p.U), M, false},
		{"x_init", len(p.XInit), N, true},
		{"f", len(p.F), N, true},
		{"jacobian", len(p.Jacobian), N * N, true},
		{"input_jacobian", len(p.InputJacobian), N * M, true},
	}
	for _, l := range lengths {
		if l.got != l.want && !(l.optional && l.got == 0) {
			return fmt.Errorf("%s has %d values, want %d", l.name, l.got, l.want)
		}
	}
	// A candidate that diverged (q not finite, as Find leaves it in
	// Result.All) may have a state that is not finite either; any other
	// point's state, and every input, must be finite.
	diverged := math.IsNaN(p.Q) || math.IsInf(p.Q, 0)
	for _, v := range []struct {
		name   string
		x      []float64
		finite bool
	}{{"x", p.X, !diverged}, {"u", p.U, true}} {
		for k, x := range v.x {
			if v.finite && (math.IsNaN(x) || math.IsInf(x, 0)) {
				return fmt.Errorf("%s[%d] is %v (q = %v)", v.name, k, x, p.Q)
			}
		}
	}
	if len(p.Modes) > N {
		return fmt.Errorf("%d modes, want at most N=%d", len(p.Modes), N)
	}
	for k, m := range p.Modes {
		if len(m.Right) != 0 && len(m.Right) != N || len(m.Left) != 0 && len(m.Left) != N {
			return fmt.Errorf("mode %d has eigenvectors of %d and %d values, want N=%d", k, len(m.Right), len(m.Left), N)
		}
	}
	if s := p.Stability; s.NUnstable < 0 || s.NUnstable > N || s.NMarginal < 0 || s.NMarginal > N {
		return fmt.Errorf("n_unstable %d and n_marginal %d, want each in [0, N=%d]", s.NUnstable, s.NMarginal, N)
	}
	return nil
}

// checkGraph checks that the coverage and the connections refer to points
// that exist.
func (fp *FixedPoints) checkGraph() error {
	if c := fp.Coverage; c != nil {
		if c.Hits != nil && len(c.Hits) != len(fp.Points) {
			return fmt.Errorf("coverage: %d hit counts for %d points", len(c.Hits), len(fp.Points))
		}
		if c.EstimatedUnseen < 0 || math.IsNaN(c.EstimatedUnseen) || math.IsInf(c.EstimatedUnseen, 0) {
			return fmt.Errorf("coverage: estimated unseen %v, want a finite value >= 0", c.EstimatedUnseen)
		}
	}
	for i, c := range fp.Connections {
		if !IsConnectionEnd(c.End) {
			return fmt.Errorf("connection %d: unknown end %q", i, c.End)
		}
		if c.End == EndStableOrbit || c.End == EndOrbit {
			// To indexes the search's orbits, which a reader checks (fpjson).
			if c.From < 0 || c.From >= len(fp.Points) || c.To < 0 {
				return fmt.Errorf("connection %d: from %d to orbit %d, want a point index in [0, %d) and an orbit index >= 0", i, c.From, c.To, len(fp.Points))
			}
		} else if c.From < 0 || c.From >= len(fp.Points) || c.To < -1 || c.To >= len(fp.Points) {
			return fmt.Errorf("connection %d: from %d to %d, want point indices in [0, %d) (to may be -1)", i, c.From, c.To, len(fp.Points))
		}
		if m := fp.Points[c.From].Modes; m != nil && (c.Mode < 0 || c.Mode >= len(m)) {
			return fmt.Errorf("connection %d: mode %d of a point with %d modes", i, c.Mode, len(m))
		}
	}
	return nil
}

// Sentinel errors of Find, for errors.Is. Bad shapes and NaN/Inf values
// wrap cells.ErrShape and cells.ErrNotFinite, the same errors the weight
// readers return.
var (
	// ErrSettings: a setting is out of range (negative tolerance, ...).
	ErrSettings = errors.New("invalid setting")
	// ErrEmpty: there are no initial states.
	ErrEmpty = errors.New("no initial states")
)

// checkFinite returns an error wrapping cells.ErrNotFinite that names the
// first NaN or Inf in v, read as rows of width cols.
func checkFinite(what string, v []float64, cols int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("finder: %w: %s row %d, column %d is %v", cells.ErrNotFinite, what, i/max(cols, 1), i%max(cols, 1), x)
		}
	}
	return nil
}
