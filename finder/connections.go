package finder

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"sync"

	"github.com/rnnfp/fixedpoints/internal/linalg"
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
// then the index of the multiplier), with x its state while it is
// followed.
type connectStart struct {
	c     Connection
	orbit int
	u     []float64
	x     []float64
	steps int
}

// connectMode is an unstable mode to follow: Modes[mode] of the fixed
// point from (orbit = -1), or Floquet[mode] of Result.Orbits[orbit].
type connectMode struct{ orbit, from, mode int }

// unstableMode reports whether a mode certainly grows, as classify judges
// it: its class from its error bound (an undecided mode is not followed).
func (f *finder) unstableMode(m Mode) bool { return m.Class == ModeUnstable }

// directionAngles returns the angles at which an unstable mode or
// multiplier with eigenvalue lambda and eigenvector v is followed: 0 and
// 180 degrees for a real lambda, 0, 90, 180 and 270 for the member of a
// complex pair with Im lambda > 0, none for the other member (it spans the
// same plane) or without v.
func directionAngles(lambda complex128, v []complex128) []float64 {
	if v == nil || cmplx.IsNaN(lambda) || imag(lambda) < 0 && !stability.IsReal(lambda) {
		return nil
	}
	if !stability.IsReal(lambda) {
		return []float64{0, 90, 180, 270}
	}
	return []float64{0, 180}
}

// direction returns x + eps w with w = cos(θ) Re v - sin(θ) Im v
// normalized, θ = deg, or nil when w is zero (or not finite).
func direction(x []float64, v []complex128, deg, eps float64) []float64 {
	w, norm := directionVec(v, deg)
	if !(norm > 0) {
		return nil
	}
	for i := range w {
		w[i] = x[i] + eps*w[i]/norm
	}
	return w
}

// directionVec returns w = cos(θ) Re v - sin(θ) Im v, θ = deg, and its
// 2-norm: the direction that direction starts along, before scaling.
func directionVec(v []complex128, deg float64) (w []float64, norm float64) {
	th := deg * math.Pi / 180
	w = make([]float64, len(v))
	for i, vi := range v {
		w[i] = math.Cos(th)*real(vi) - math.Sin(th)*imag(vi)
		norm += w[i] * w[i]
	}
	return w, math.Sqrt(norm)
}

// directions returns the starts x + eps w along the eigenvector v of an
// unstable mode or multiplier with eigenvalue lambda (directionAngles,
// direction), and their angles.
func directions(x []float64, lambda complex128, v []complex128, eps float64) (degs []float64, xs [][]float64) {
	for _, deg := range directionAngles(lambda, v) {
		if w := direction(x, v, deg, eps); w != nil {
			degs, xs = append(degs, deg), append(xs, w)
		}
	}
	return degs, xs
}

// connectRows bounds the trajectories followed at once: their states,
// inputs and next states fill about 3 connectRows float64s (96 MiB).
const connectRows = 1 << 22

// connectModes lists, by rank, the unstable modes of every analyzed point
// of fp and the unstable multipliers of every orbit in orbs that have
// eigenvectors: byRank[r] holds each point's r-th (by |lambda|, as sorted),
// the fixed points' first, each in order. It also returns how many there
// are, counting the unstable modes whose right vectors Find dropped above
// Settings.KeepMatricesMaxN (rightKeeper: modes that could not start), so
// that the count is the one every vector kept gives.
func (f *finder) connectModes(fp *FixedPoints, orbs []orbits.Orbit) (byRank [][]connectMode, n int) {
	add := func(rank int, m connectMode) {
		if rank == len(byRank) {
			byRank = append(byRank, nil)
		}
		byRank[rank] = append(byRank[rank], m)
		n++
	}
	// Above KeepMatricesMaxN, every mode had its vectors until the lean
	// linearization dropped them, unless none were computed.
	dropped := !f.s.keepMatrices(f.N) && !f.s.NoEigenvectors
	for pi := range fp.Points {
		p := &fp.Points[pi]
		if !p.Stability.Analyzed || p.Stability.NUnstable == 0 {
			continue
		}
		rank := 0
		for mi, m := range p.Modes {
			switch {
			case !f.unstableMode(m):
			case len(directionAngles(m.Value, m.Right)) > 0:
				add(rank, connectMode{-1, pi, mi})
				rank++
			case dropped && m.Right == nil && len(directionAngles(m.Value, []complex128{})) > 0:
				n++
			}
		}
	}
	for oi := range orbs {
		o := &orbs[oi]
		if o.NUnstable == 0 || len(o.Points) == 0 || len(o.U) != f.M {
			continue
		}
		rank := 0
		for mi, m := range o.Floquet {
			if m.Class == ModeUnstable && len(m.Right) == f.N && len(directionAngles(m.Value, m.Right)) > 0 {
				add(rank, connectMode{oi, oi, mi})
				rank++
			}
		}
	}
	return byRank, n
}

// modeStarts returns the trajectories of mode m, their states set.
func (f *finder) modeStarts(fp *FixedPoints, orbs []orbits.Orbit, m connectMode) []connectStart {
	var x, u []float64
	var lambda complex128
	var v []complex128
	if m.orbit < 0 {
		p := &fp.Points[m.from]
		x, u, lambda, v = p.X, p.U, p.Modes[m.mode].Value, p.Modes[m.mode].Right
	} else {
		o := &orbs[m.orbit]
		x, u, lambda, v = o.Points[0], o.U, o.Floquet[m.mode].Value, o.Floquet[m.mode].Right
	}
	eps := f.s.ConnectEps * scale(x)
	out := []connectStart{} // not nil: a mode without directions still counts as started
	degs, xs := directions(x, lambda, v, eps)
	for k, deg := range degs {
		out = append(out, connectStart{c: Connection{From: m.from, Mode: m.mode, Direction: deg, To: -1}, orbit: m.orbit, u: u, x: xs[k]})
	}
	return out
}

// connect follows every unstable mode of every analyzed point of fp (with
// eigenvectors) and every unstable multiplier of every orbit in orbs (with
// its eigenvector) under the map, batched, and returns where each fixed
// point's trajectory settles; the orbits' go into orbs[i].Connections.
// Both are judged by the same rules (settled), which know the stable
// orbits as well as the fixed points.
//
// Settings.ConnectBudget bounds the steps of the map summed over the
// trajectories: a trajectory starts only when the steps taken plus
// ConnectSteps for it and for each one still followed fit in it, the
// lower mode ranks of all points first (each point's leading modes before
// any point's next ones), a mode's directions together. Every trajectory
// started is followed to its end; the modes never started are left out of
// the result and counted in a warning. A trajectory's state exists only
// while it is followed.
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
	byRank, nModes := f.connectModes(fp, orbs)
	if nModes == 0 {
		return nil, nil
	}
	budget := f.connectBudget()
	rows := max(1, connectRows/max(N, M, 1))
	reach := connectReach(fp)
	var (
		trajs         []connectStart // every trajectory started, in start order
		active        []int          // indices in trajs of those still followed
		pending       []connectStart // the next mode's trajectories not started yet
		rank, k       int            // byRank[rank][k] is the next mode
		modesStarted  int
		spent, booked int64 // steps taken; steps still booked by the active ones
		x, u, out     []float64
	)
	steps := int64(f.s.ConnectSteps)
	for {
		if ctx.Err() != nil {
			f.canceled = true
			break
		}
		started := false
		for {
			if pending == nil {
				for rank < len(byRank) && k == len(byRank[rank]) {
					rank, k = rank+1, 0
				}
				if rank == len(byRank) {
					break
				}
				pending = f.modeStarts(fp, orbs, byRank[rank][k])
				k++
			}
			n := len(pending)
			if len(active) > 0 && len(active)+n > rows || budget >= 0 && spent+booked+int64(n)*steps > budget {
				break
			}
			for _, s := range pending {
				active = append(active, len(trajs))
				trajs = append(trajs, s)
			}
			booked += int64(n) * steps
			modesStarted++
			pending, started = nil, true
		}
		if len(active) == 0 {
			break
		}
		if started { // the rows in the order of the result, as when all start at once
			slices.SortFunc(active, func(a, b int) int { return cmpStart(&trajs[a], &trajs[b]) })
		}
		// fewRows, not batchRows' floor of 1024/N rows: trajectories end
		// at different times, and the last few would be padded to 64 rows
		// at N = 16 for hundreds of steps (the GRU-16's 54 trajectories
		// take 468 steps, 11,504 real rows, 29,952 padded), where a step's
		// cost grows with its rows (a GRU-16 step of 64 rows costs about 4
		// times one of 4). It changes no value (see fewRows).
		B := fewRows(len(active), N)
		x, u, out = growTo(x, B*N), growTo(u, B*M), growTo(out, B*N)
		for row, ti := range active {
			copy(x[row*N:(row+1)*N], trajs[ti].x)
			copy(u[row*M:(row+1)*M], trajs[ti].u)
		}
		for row := len(active); row < B; row++ {
			copy(x[row*N:(row+1)*N], x[:N])
			copy(u[row*M:(row+1)*M], u[:M])
		}
		if t := f.tanhStepper(); t != nil {
			// A tanh RNN's rows in Go with the graph's arithmetic, as
			// stepFew's (only the real rows are read; a row's values are
			// its own): a graph run cost 60-70 µs for a few µs of rows.
			// 16 rows or more to a CPU: the RNN-16's 54 trajectories
			// are below Parallel's 64 a range.
			linalg.ParallelMin(len(active), 16, func(lo, hi int) {
				t.rows(x[lo*N:hi*N], u[lo*M:hi*M], out[lo*N:hi*N], hi-lo)
			})
		} else if g := f.rowStepper(); g != nil {
			// A GRU's or LSTM's rows in Go with the graph's arithmetic (only the
			// real rows are read; a row's values are its own).
			f.paddedRows(g, x, u, out, len(active), len(active))
		} else {
			st, err := f.steps.get(B)
			if err != nil {
				return nil, err
			}
			if err := st.Step(x, u, out); err != nil {
				return nil, err
			}
		}
		spent += int64(len(active))
		booked -= int64(len(active))
		keep := active[:0]
		for row, ti := range active {
			s := &trajs[ti]
			s.steps++
			step := s.steps
			xn := out[row*N : (row+1)*N]
			copy(s.x, xn)
			if step%connectCheck != 0 && step != f.s.ConnectSteps {
				keep = append(keep, ti)
				continue
			}
			speed := residual(xn, x[row*N:(row+1)*N])
			end := f.settled(fp, orbs, s.x, s.u, speed, region, reach, &s.c.To)
			if end == "" && step == f.s.ConnectSteps {
				end = EndUnsettled
				if speed <= connectSlow*scale(s.x) {
					end = EndSlow
				}
			}
			if end == "" {
				keep = append(keep, ti)
				continue
			}
			s.c.End, s.c.Steps, s.x = end, step, nil
			booked -= steps - int64(step) // its unused steps go back
		}
		active = keep
	}
	if left := nModes - modesStarted; left > 0 {
		f.stats.Warnings = append(f.stats.Warnings, fmt.Sprintf(
			"connections: %d trajectories followed, of %d of the %d unstable modes, within ConnectBudget = %d steps of the map; the %d modes left out are the points' lower-ranked ones (smaller |lambda|)", len(trajs), modesStarted, nModes, budget, left))
	}
	slices.SortFunc(trajs, func(a, b connectStart) int { return cmpStart(&a, &b) })
	var cs []Connection
	for i := range trajs {
		s := &trajs[i]
		if s.c.End == "" {
			s.c.End = EndUnsettled
		}
		if s.orbit < 0 {
			cs = append(cs, s.c)
			continue
		}
		o := &orbs[s.orbit]
		o.Connections = append(o.Connections, orbits.Connection{Multiplier: s.c.Mode, Direction: s.c.Direction, End: s.c.End, To: s.c.To, Steps: s.c.Steps})
	}
	return cs, nil
}

// cmpStart orders trajectories as the result lists them: the fixed
// points' before the orbits', then by point, mode and direction.
func cmpStart(a, b *connectStart) int {
	return cmp.Or(cmp.Compare(min(a.orbit, 0), min(b.orbit, 0)), cmp.Compare(a.c.From, b.c.From), cmp.Compare(a.c.Mode, b.c.Mode), cmp.Compare(a.c.Direction, b.c.Direction))
}

// stepFew is stepRows for few rows: fewer than batchRows' floor of 1024/N
// run in one batch of fewRows(n, N) rows instead of that floor
// (deflation's line search steps its last few starts for many
// iterations); more go to stepRows. The batch's padding rows repeat the
// last real one; trial, tu and fout hold at least batchRows(n, N) rows.
func (f *finder) stepFew(trial, tu, fout []float64, n int) error {
	N, M := f.N, f.M
	B := fewRows(n, N)
	if B >= batchRows(1, N) {
		return f.stepRows(trial, tu, fout, n)
	}
	if t := f.tanhStepper(); t != nil {
		t.padded(trial, tu, fout, n, B)
		f.stats.GradEvals++
		return nil
	}
	if g := f.rowStepper(); g != nil {
		f.paddedRows(g, trial, tu, fout, n, B)
		f.stats.GradEvals++
		return nil
	}
	for row := n; row < B; row++ {
		copy(trial[row*N:(row+1)*N], trial[(n-1)*N:n*N])
		copy(tu[row*M:(row+1)*M], tu[(n-1)*M:n*M])
	}
	st, err := f.steps.get(B)
	if err != nil {
		return err
	}
	if err := st.Step(trial[:B*N], tu[:B*M], fout[:B*N]); err != nil {
		return err
	}
	f.stats.GradEvals++
	return nil
}

// rightKeeper drops the eigenvectors of Find's fixed points as the lean
// linearization (Settings.KeepMatricesMaxN) finishes each point, keeping
// only the right vectors of the unstable modes connect may start from.
//
// connect starts the modes of the fixed points by rank, then point (see
// connectModes), each only once every one before it has started, and
// only while spent + booked + n ConnectSteps <= ConnectBudget for its n
// trajectories; a started trajectory ends at a check (every connectCheck
// steps, or at ConnectSteps), so it has spent or booked at least
// least = min(connectCheck, ConnectSteps) steps. A mode e can therefore
// start only if
//
//	least * (trajectories of the modes before e) + ConnectSteps * n_e <= ConnectBudget,
//
// and the modes that can start are a prefix of that order; the orbits'
// modes, and the points not yet linearized, only add to the left side. So
// after each point the keeper keeps the longest prefix, over the points
// linearized so far, in which every mode passes this test, and drops the
// right vectors of the rest (for each point, its lower ranks: the ranks
// of the modes it keeps do not change). The modes connect starts are all
// kept, and with them the same trajectories; the vectors kept are at most
// ConnectBudget / least, whatever the number of points.
type rightKeeper struct {
	mu           sync.Mutex
	fp           *FixedPoints
	none         bool  // NoConnections: keep no vector
	budget       int64 // ConnectBudget, negative: no bound (keep every unstable mode's)
	steps, least int64
	kept         []keptRight // by rank, then point
}

// keptRight is a mode whose right vector is kept: Modes[mode] of point,
// its rank among the point's modes connect follows, and its trajectories.
type keptRight struct{ rank, point, mode, cost int }

// newRightKeeper returns the rightKeeper of Find's fixed points fp.
func (f *finder) newRightKeeper(fp *FixedPoints) *rightKeeper {
	steps := int64(max(f.s.ConnectSteps, 1))
	return &rightKeeper{fp: fp, none: f.s.NoConnections, budget: f.connectBudget(), steps: steps, least: min(connectCheck, steps)}
}

// add drops every left vector of point pi of fp, the right vectors of
// its modes connect never follows (connectModes' test), and those of any
// point's modes that can no longer start.
func (k *rightKeeper) add(pi int) {
	if k == nil {
		return
	}
	p := &k.fp.Points[pi]
	var mine []keptRight
	if !k.none && p.Stability.Analyzed && p.Stability.NUnstable > 0 {
		for mi, m := range p.Modes {
			if m.Class == ModeUnstable && len(directionAngles(m.Value, m.Right)) > 0 {
				mine = append(mine, keptRight{len(mine), pi, mi, directionCount(m.Value, m.Right)})
			}
		}
	}
	for mi := range p.Modes {
		m := &p.Modes[mi]
		m.Left = nil
		if !slices.ContainsFunc(mine, func(e keptRight) bool { return e.mode == mi }) {
			m.Right = nil
		}
	}
	if k.budget < 0 || len(mine) == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kept = append(k.kept, mine...)
	slices.SortFunc(k.kept, func(a, b keptRight) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.point, b.point)) })
	var before int64 // trajectories of the modes before
	for i, e := range k.kept {
		if k.least*before+k.steps*int64(e.cost) > k.budget {
			for _, d := range k.kept[i:] {
				k.fp.Points[d.point].Modes[d.mode].Right = nil
			}
			k.kept = k.kept[:i]
			break
		}
		before += int64(e.cost)
	}
}

// directionCount is the number of starts directions makes along the
// eigenvector v of an unstable mode with eigenvalue lambda: its angles
// whose direction is not zero.
func directionCount(lambda complex128, v []complex128) int {
	n := 0
	for _, deg := range directionAngles(lambda, v) {
		if _, norm := directionVec(v, deg); norm > 0 {
			n++
		}
	}
	return n
}

// connectBudget is Settings.ConnectBudget with its default, 2^30 /
// (N^2 + 64 N) steps of the map (about 2^30 multiply-adds of a vanilla
// cell's weights, plus the per-unit work of a step and its check; about a
// second on one core), at least 4 ConnectSteps; negative means none.
func (f *finder) connectBudget() int64 {
	switch b := f.s.ConnectBudget; {
	case b < 0:
		return -1
	case b > 0:
		return int64(b)
	}
	n := int64(max(f.N, 1))
	return max(4*int64(f.s.ConnectSteps), (int64(1)<<30)/(n*n+64*n))
}

// settled judges a trajectory at x (moving max|F(x) - x| = speed) at the
// input u: it returns its end and sets *to, or "" while it goes on. A
// point of an orbit counts as the orbit: the trajectory is checked every
// connectCheck steps, at whichever point of it it is near.
//
// reach is the largest distance at which any point of fp counts
// (connectReach).
func (f *finder) settled(fp *FixedPoints, orbs []orbits.Orbit, x, u []float64, speed, region, reach float64, to *int) string {
	if scaleOver(x, region) {
		return EndLeft
	}
	best, bd := -1, math.Inf(1)
	// The nearest point counts only within its reach, at most reach: a
	// point's distance is summed only while it can still be both (the
	// partial sums never decrease), which leaves the nearest within reach
	// and its distance exactly as a full search finds them.
	cut, bd2 := 4*reach*reach, math.Inf(1)
	for k := range fp.Points {
		q := &fp.Points[k]
		if !slices.Equal(q.U, u) {
			continue
		}
		if d2, ok := pairDist2Below(q.X, nil, x, nil, min(cut, bd2)); ok {
			if d := math.Sqrt(d2); d < bd {
				best, bd, bd2 = k, d, d2
			}
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

// connectReach is the largest distance from a point of fp at which a
// trajectory settles there (settled): connectStable of a stable point's
// scale, connectFixed of any other's.
func connectReach(fp *FixedPoints) float64 {
	r := 0.0
	for i := range fp.Points {
		q := &fp.Points[i]
		k := connectFixed
		if q.Stability.Analyzed && q.Stability.Stable {
			k = connectStable
		}
		r = max(r, k*scale(q.X))
	}
	return r
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
