package continuation

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/stability"
)

// run is the state of one Continue call.
type run struct {
	p      Problem
	s      Settings
	N, M   int
	L      float64
	dirs   [][]float64 // unit direction of each path segment
	vertS  []float64   // s at each vertex
	ev     *evaluator
	br     []*branch
	events []Bifurcation
	stats  Stats
}

// branch is the state of one branch being followed.
type branch struct {
	row      int
	active   bool
	merged   bool // merged into another branch: not in the result
	y        []float64
	seg      int
	jx, ju   []float64
	fac      *bordered // at y, constraint row W tPrev (e_s at the seed)
	t, tPrev []float64
	sp       spectrum
	h        float64
	wx       float64 // the state weight of the step norm (xWeight)
	out      Branch
	tans     [][]float64 // tangent at each point
	steps    []float64   // the step that led to each point
}

// Continue follows every fixed point of p.Start along p.Path (see the
// package documentation). The context is checked between steps; on
// cancellation the branches so far are returned with End Canceled and the
// context's error.
func Continue(ctx context.Context, p Problem, s Settings) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("continuation: internal error: %v", r)
		}
	}()
	start := time.Now()
	if err := p.validate(); err != nil {
		return nil, err
	}
	xmax := 0.0
	for _, pt := range p.Start.Points {
		xmax = math.Max(xmax, maxAbs(pt.X))
	}
	L := p.Path.Length()
	s.fill(L, xmax)
	if err := s.validate(); err != nil {
		return nil, err
	}
	r := &run{p: p, s: s, N: p.Cell.StateSize(), M: p.Cell.InputSize(), L: L}
	for k := 0; k+1 < len(p.Path); k++ {
		r.dirs = append(r.dirs, p.Path.direction(k))
		r.vertS = append(r.vertS, p.Path.vertexS(k))
	}
	r.vertS = append(r.vertS, L)
	seeds := distinctSeeds(p)
	if r.ev, err = newEvaluator(p.Cell, len(seeds), &r.stats); err != nil {
		return nil, err
	}
	if err := r.seed(seeds); err != nil {
		return nil, err
	}
	err = r.loop(ctx)
	res = r.result()
	res.Stats.Elapsed = time.Since(start)
	return res, err
}

// distinctSeeds drops repeated starting points.
func distinctSeeds(p Problem) []int {
	var out []int
	for k, pt := range p.Start.Points {
		dup := false
		for _, j := range out {
			if dist(pt.X, p.Start.Points[j].X) <= 1e-9*math.Max(1, maxAbs(pt.X)) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// seed polishes the starting points at s = 0 and computes their tangents.
func (r *run) seed(seeds []int) error {
	N := r.N
	es := make([]float64, N+1)
	es[N] = 1
	for b, k := range seeds {
		y := make([]float64, N+1)
		copy(y, r.p.Start.Points[k].X)
		br := &branch{row: b, active: true, y: y, h: r.s.InitialStep, tPrev: append([]float64(nil), es...), wx: xWeight(y[:N])}
		br.out.Seeds = []int{k}
		r.br = append(r.br, br)
		r.ev.set(b, y[:N], r.uAt(0, 0))
	}
	if err := r.ev.jacobians(); err != nil {
		return err
	}
	var tasks []*task
	for _, br := range r.br {
		fac, err := factor(N, r.M, r.ev.rowJx(br.row), r.ev.rowJu(br.row), r.dirs[0], es, &r.stats)
		if err != nil {
			br.active, br.out.End = false, StepTooSmall
			continue
		}
		tasks = append(tasks, &task{row: br.row, y: br.y, yp: append([]float64(nil), br.y...), fac: fac})
	}
	if err := r.correct(tasks); err != nil {
		return err
	}
	for _, t := range tasks {
		if !t.ok {
			r.br[t.row].active, r.br[t.row].out.End = false, StepTooSmall
		}
	}
	return r.accept(nil, func(br *branch) []float64 { return es })
}

// accept evaluates the Jacobians at the active branches' current points
// (except those in skip), factors their bordered systems with constraint
// rows c(br), and sets their tangents and spectra.
func (r *run) accept(skip map[int]bool, c func(*branch) []float64) error {
	N := r.N
	for _, br := range r.br {
		if br.active && !skip[br.row] {
			r.ev.set(br.row, br.y[:N], r.uAt(br.seg, br.y[N]))
		}
	}
	if err := r.ev.jacobians(); err != nil {
		return err
	}
	for _, br := range r.br {
		if !br.active || skip[br.row] {
			continue
		}
		if err := r.linearize(br, r.ev.rowJx(br.row), r.ev.rowJu(br.row), c(br)); err != nil {
			br.active, br.out.End = false, StepTooSmall
			continue
		}
		br.tans = append(br.tans, br.t)
		br.steps = append(br.steps, 0)
		br.out.Points = append(br.out.Points, r.point(br, residual(r.ev.rowF(br.row), br.y[:r.N])))
	}
	return nil
}

// linearize sets br's Jacobians (from the evaluator's row), factor,
// tangent and spectrum at br.y, with constraint row c.
func (r *run) linearize(br *branch, jx, ju, c []float64) error {
	N := r.N
	br.jx = append(br.jx[:0], jx...)
	br.ju = append(br.ju[:0], ju...)
	fac, err := factor(N, r.M, br.jx, br.ju, r.dirs[br.seg], c, &r.stats)
	if err != nil {
		return err
	}
	t, err := fac.tangent(br.wx)
	if err != nil {
		return err
	}
	vals, bounds, partial, err := eigenBounds(N, br.jx, r.s.DenseEigenMax, &r.stats)
	if err != nil {
		return err
	}
	br.fac, br.t = fac, t
	br.sp = classify(vals, r.s.MarginalTol, r.s.ContinuousTime, bounds...)
	br.sp.partial = partial
	return nil
}

// point is br's current point for the result, its counts proved when
// proveCounts can.
func (r *run) point(br *branch, res float64) Point {
	N := r.N
	p := Point{S: br.y[N], U: r.uAt(br.seg, br.y[N]), X: append([]float64(nil), br.y[:N]...),
		NUnstable: br.sp.nUnstable, NUndecided: br.sp.nUndecided,
		Stable: br.sp.nUnstable == 0 && br.sp.nUndecided == 0 && !br.sp.partial, Residual: res}
	r.proveCounts(br, &p)
	return p
}

// proveCounts replaces p's counts by proved ones (stability.ProveRoot on
// br's Jacobian and eigenvalues) when the cell is Factored, N <=
// Settings.ProveStabilityMaxN, the spectrum is complete and every mode's
// class is proved; otherwise p keeps the estimated counts. The detectors
// keep using br.sp.
func (r *run) proveCounts(br *branch, p *Point) {
	fc, ok := r.p.Cell.(cells.Factored)
	N := r.N
	if !ok || N > r.s.ProveStabilityMaxN || br.sp.partial || len(br.sp.vals) != N {
		return
	}
	modes := make([]stability.Mode, N)
	for i, z := range br.sp.vals {
		if r.s.ContinuousTime {
			z -= 1
		}
		modes[i] = stability.Mode{Value: z, Bound: math.Inf(1)}
	}
	if n, _ := stability.ProveRoot(fc, p.X, p.U, br.jx, modes, r.s.ContinuousTime); n != N {
		return
	}
	p.NUnstable, p.NUndecided, p.Proved = 0, 0, true
	for _, m := range modes {
		if m.Class == stability.ModeUnstable {
			p.NUnstable++
		}
	}
	p.Stable = p.NUnstable == 0
}

// step is one branch's attempt in an iteration.
type step struct {
	br     *branch
	task   *task
	landed bool
	landAt float64
	jx, ju []float64 // at the corrected point
	res    float64   // its residual
	f      []float64 // F there
}

// loop steps all active branches together until none is left.
func (r *run) loop(ctx context.Context) error {
	N := r.N
	for {
		if err := ctx.Err(); err != nil {
			for _, br := range r.br {
				if br.active {
					br.active, br.out.End = false, Canceled
				}
			}
			return err
		}
		var steps []*step
		var tasks []*task
		for _, br := range r.br {
			if !br.active {
				continue
			}
			y := make([]float64, N+1)
			for k := range y {
				y[k] = br.y[k] + br.h*br.t[k]
			}
			st := &step{br: br, task: &task{row: br.row, y: y, yp: append([]float64(nil), y...), fac: br.fac, seg: br.seg}}
			steps = append(steps, st)
			tasks = append(tasks, st.task)
		}
		if len(steps) == 0 {
			return nil
		}
		if err := r.correct(tasks); err != nil {
			return err
		}
		// Points past a vertex or an end of the path land on it.
		var lands []*task
		for _, st := range steps {
			if !st.task.ok {
				continue
			}
			br := st.br
			sNew := st.task.y[N]
			lo, hi := r.vertS[br.seg], r.vertS[br.seg+1]
			var v float64
			switch {
			case sNew > hi:
				v = hi
			case sNew < lo:
				v = lo
			default:
				continue
			}
			st.landed, st.landAt = true, v
			es := make([]float64, N+1)
			es[N] = 1
			fac, err := factor(N, r.M, br.jx, br.ju, r.dirs[br.seg], es, &r.stats)
			if err != nil {
				st.task.ok, st.task.failed = false, true
				continue
			}
			w := (v - br.y[N]) / (sNew - br.y[N])
			y := make([]float64, N+1)
			for k := range y {
				y[k] = br.y[k] + w*(st.task.y[k]-br.y[k])
			}
			y[N] = v
			lt := &task{row: br.row, y: y, yp: append([]float64(nil), y...), fac: fac, seg: br.seg}
			lands = append(lands, lt)
			st.task = lt
		}
		if len(lands) > 0 {
			if err := r.correct(lands); err != nil {
				return err
			}
		}
		// Linearize the converged points.
		skip := map[int]bool{}
		any := false
		for _, st := range steps {
			if st.task.ok {
				r.ev.set(st.br.row, st.task.y[:N], r.uAt(st.br.seg, st.task.y[N]))
				any = true
			} else {
				skip[st.br.row] = true
			}
		}
		if any {
			if err := r.ev.jacobians(); err != nil {
				return err
			}
		}
		for _, st := range steps {
			if st.task.ok {
				st.jx = append([]float64(nil), r.ev.rowJx(st.br.row)...)
				st.ju = append([]float64(nil), r.ev.rowJu(st.br.row)...)
				st.f = append([]float64(nil), r.ev.rowF(st.br.row)...)
				st.res = residual(st.f, st.task.y[:N])
			}
		}
		for _, st := range steps {
			if err := r.advance(st); err != nil {
				return err
			}
		}
	}
}

// advance accepts or rejects st after the corrector and the Jacobians.
func (r *run) advance(st *step) error {
	N := r.N
	br := st.br
	if !br.active {
		return nil // merged into another branch earlier in this iteration
	}
	if !st.task.ok {
		r.reject(br)
		return nil
	}
	old := *br
	old.jx = append([]float64(nil), br.jx...)
	old.ju = append([]float64(nil), br.ju...)
	newSeg := br.seg
	if st.landed {
		dir := 1.0
		if st.landAt < br.y[N] {
			dir = -1
		}
		if st.landAt > 0 && st.landAt < r.L {
			newSeg = br.seg + int(dir)
		}
	}
	nb := &branch{row: br.row, y: append([]float64(nil), st.task.y...), seg: newSeg, wx: br.wx}
	if err := r.linearize(nb, st.jx, st.ju, weighted(br.t, br.wx)); err != nil {
		r.reject(br)
		return nil
	}
	if !st.landed {
		ok, err := r.refine(br, nb, st)
		if err != nil {
			return err
		}
		if !ok {
			r.reject(br)
			return nil
		}
	}
	if wdot(nb.t, br.t, br.wx) < math.Cos(r.s.MaxTurn) && !(st.landed && newSeg != br.seg) {
		r.reject(br)
		return nil
	}
	// Accept.
	hUsed := wnorm(diff(nb.y, br.y), br.wx)
	br.tPrev, br.t = br.t, nb.t
	br.wx = xWeight(nb.y[:N])
	unit(br.t, br.wx)
	br.y, br.seg, br.jx, br.ju, br.fac, br.sp = nb.y, nb.seg, nb.jx, nb.ju, nb.fac, nb.sp
	br.out.Steps++
	r.stats.Steps++
	br.out.Points = append(br.out.Points, r.point(br, st.res))
	br.tans = append(br.tans, br.t)
	br.steps = append(br.steps, hUsed)
	if err := r.detect(&old, br, len(br.out.Points)-2); err != nil {
		return err
	}
	switch it := st.task.iters; {
	case it <= 5:
		br.h = math.Min(1.5*br.h, r.s.MaxStep)
	case it >= 9:
		br.h *= 0.7
	}
	switch {
	case st.landed && st.landAt >= r.L:
		br.active, br.out.End = false, PathEnd
	case st.landed && st.landAt <= 0:
		br.active, br.out.End = false, PathStart
	case maxAbs(br.y[:N]) > r.s.Bound:
		br.active, br.out.End = false, LeftRegion
	case br.out.Steps >= r.s.MaxSteps:
		br.active, br.out.End = false, Budget
	}
	r.join(br)
	return nil
}

// reject halves br's step, ending the branch below MinStep.
func (r *run) reject(br *branch) {
	r.stats.Rejected++
	br.h /= 2
	if br.h < r.s.MinStep {
		br.active, br.out.End = false, StepTooSmall
	}
}

// residual is max|f - x|.
func residual(f, x []float64) float64 {
	res := 0.0
	for i, v := range x {
		res = math.Max(res, math.Abs(f[i]-v))
	}
	return res
}

func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// join merges br with another branch it has run into, traversed from the
// other end: br's newest point lies near a point of the other branch and
// their tangents are opposite. The merged curve runs from br's seed to the
// other's; the other is dropped from the result.
func (r *run) join(a *branch) {
	P := a.y
	ha := a.steps[len(a.steps)-1]
	for _, b := range r.br {
		if b == a || b.merged {
			continue
		}
		for j, q := range b.out.Points {
			hb := 0.0
			if j+1 < len(b.steps) {
				hb = b.steps[j+1]
			}
			tol := 0.5 * math.Max(ha, math.Max(hb, b.steps[j]))
			qy := append(append([]float64(nil), q.X...), q.S)
			cos := wdot(a.t, b.tans[j], a.wx) / (wnorm(a.t, a.wx) * wnorm(b.tans[j], a.wx))
			if wnorm(diff(P, qy), a.wx) > tol || cos > -0.9 {
				continue
			}
			r.merge(a, b, j)
			return
		}
	}
}

// merge appends b's points before j, reversed, to a.
func (r *run) merge(a, b *branch, j int) {
	La := len(a.out.Points)
	ia, ib := r.index(a), r.index(b)
	kept := r.events[:0]
	for _, e := range r.events {
		if e.Branch == ib {
			i := e.After
			if i >= j {
				continue // a has covered it
			}
			e.Branch, e.After = ia, La+j-2-i
		}
		kept = append(kept, e)
	}
	r.events = kept
	for i := j - 1; i >= 0; i-- {
		a.out.Points = append(a.out.Points, b.out.Points[i])
		a.tans = append(a.tans, b.tans[i])
		a.steps = append(a.steps, 0)
	}
	a.out.Seeds = append(a.out.Seeds, b.out.Seeds...)
	a.out.Steps += b.out.Steps
	a.active, a.out.End = false, Joined
	b.active, b.merged = false, true
}

func (r *run) index(b *branch) int {
	for i, x := range r.br {
		if x == b {
			return i
		}
	}
	return -1
}

// result collects the branches not merged away.
func (r *run) result() *Result {
	res := &Result{N: r.N, M: r.M, Path: r.p.Path, ContinuousTime: r.s.ContinuousTime, Stats: r.stats}
	newIndex := make([]int, len(r.br))
	for i, b := range r.br {
		newIndex[i] = -1
		if b.merged {
			continue
		}
		newIndex[i] = len(res.Branches)
		res.Branches = append(res.Branches, b.out)
	}
	for _, e := range r.events {
		if newIndex[e.Branch] < 0 {
			continue
		}
		e.Branch = newIndex[e.Branch]
		res.Bifurcations = append(res.Bifurcations, e)
	}
	return res
}
