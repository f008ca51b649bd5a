package finder

import (
	"context"
	"fmt"
	"math"
	"slices"

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
	To        int    // index in Points where the trajectory settled; -1 when none
	End       string // EndStable, EndFixed, EndSlow, EndLeft or EndUnsettled
	Steps     int    // steps of the map until it settled (Settings.ConnectSteps when it did not)
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

// connectStart is one trajectory to follow.
type connectStart struct {
	c Connection
	x []float64
}

// unstableMode reports whether a mode certainly grows, as classify judges
// it: its class from its error bound (an undecided mode is not followed).
func (f *finder) unstableMode(m Mode) bool { return m.Class == ModeUnstable }

// connect follows every unstable mode of every analyzed point of fp (with
// eigenvectors) under the map, batched, and returns where each settles.
func (f *finder) connect(ctx context.Context, fp *FixedPoints) ([]Connection, error) {
	N, M := f.N, f.M
	region := 10.0
	for i := range fp.Points {
		region = max(region, 10*scale(fp.Points[i].X))
	}
	var starts []connectStart
	for pi := range fp.Points {
		p := &fp.Points[pi]
		if !p.Stability.Analyzed || p.Stability.NUnstable == 0 {
			continue
		}
		eps := f.s.ConnectEps * scale(p.X)
		for mi, m := range p.Modes {
			if m.Right == nil || !f.unstableMode(m) || imag(m.Value) < 0 && !stability.IsReal(m.Value) {
				continue
			}
			angles := []float64{0, 180}
			if !stability.IsReal(m.Value) {
				angles = []float64{0, 90, 180, 270}
			}
			for _, deg := range angles {
				th := deg * math.Pi / 180
				w := make([]float64, N)
				norm := 0.0
				for i, v := range m.Right {
					w[i] = math.Cos(th)*real(v) - math.Sin(th)*imag(v)
					norm += w[i] * w[i]
				}
				norm = math.Sqrt(norm)
				if !(norm > 0) {
					continue
				}
				for i := range w {
					w[i] = p.X[i] + eps*w[i]/norm
				}
				starts = append(starts, connectStart{c: Connection{From: pi, Mode: mi, Direction: deg, To: -1}, x: w})
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
			copy(u[row*M:(row+1)*M], fp.Points[starts[si].c.From].U)
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
			if s.c.End = f.settled(fp, s.x, fp.Points[s.c.From].U, speed, region, &s.c.To); s.c.End != "" {
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
	out2 := make([]Connection, len(starts))
	for i := range starts {
		out2[i] = starts[i].c
		if out2[i].End == "" {
			out2[i].End = EndUnsettled
		}
	}
	return out2, nil
}

// settled judges a trajectory at x (moving max|F(x) - x| = speed): it
// returns its end and sets *to, or "" while it goes on.
func (f *finder) settled(fp *FixedPoints, x, u []float64, speed, region float64, to *int) string {
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

// ConnectionCounts says in one line how many trajectories ended each way,
// e.g. "54 trajectories: 54 stable".
func ConnectionCounts(cs []Connection) string {
	n := map[string]int{}
	for _, c := range cs {
		n[c.End]++
	}
	s := fmt.Sprintf("%d trajectories:", len(cs))
	sep := " "
	for _, e := range []string{EndStable, EndFixed, EndSlow, EndLeft, EndUnsettled} {
		if n[e] > 0 {
			s += fmt.Sprintf("%s%d %s", sep, n[e], e)
			sep = ", "
		}
	}
	return s
}
