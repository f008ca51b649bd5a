package finder

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// searchObjective is what firstOrder reads of a batch's objective: a
// *graph.Objective, or a goObjective.
type searchObjective interface {
	B() int
	SetStates(x []float64) error
	SetInputs(u []float64) error
	Eval() error
	StatesInto(dst []float64) error
	States() []float64
	Q() []float64
	F() []float64
	Candidates() G.ValueGrad
}

// rowsObjective is a cell whose objective rows are computed in Go with the
// graph objective's arithmetic (cells.LSTM.ObjectiveRows,
// cells.GRU.ObjectiveRows).
type rowsObjective interface {
	ObjectiveRows(n int, x, u, q, f, g []float64) bool
}

// goObjective is graph.Objective's batch of B rows evaluated by the cell's
// ObjectiveRows (the same bits: TestLSTMObjectiveMatchesGraph), rows
// spread over the CPUs, without a graph run's fixed cost: a retry's last
// few candidates (retryStalled) run for a hundred iterations or more, each
// a graph run of a few rows on one core.
type goObjective struct {
	cell       rowsObjective
	b, n, m    int
	xT, gT     *tensor.Dense
	x, g, u    []float64
	f, q       []float64
	candidates goCandidates
}

func newGoObjective(cell rowsObjective, B, N, M int) *goObjective {
	if p, ok := goObjectives.Load([3]int{B, N, M}); ok {
		if o, ok := p.(*sync.Pool).Get().(*goObjective); ok {
			o.cell = cell
			return o
		}
	}
	o := &goObjective{cell: cell, b: B, n: N, m: M, x: make([]float64, B*N), g: make([]float64, B*N),
		u: make([]float64, B*M), f: make([]float64, B*N), q: make([]float64, B)}
	o.xT = tensor.New(tensor.WithShape(B, N), tensor.WithBacking(o.x))
	o.gT = tensor.New(tensor.WithShape(B, N), tensor.WithBacking(o.g))
	o.candidates = goCandidates{o}
	return o
}

// goObjectives pools goObjectives by batch shape ([B, N, M]): firstOrder
// takes one of each size its batch shrinks through, 1024 rows of 16 states
// and down, half a megabyte and more of buffers a Find allocated and
// cleared. Every value is written before it is read (SetStates,
// SetInputs, Eval), so what a pooled one held changes nothing.
var goObjectives sync.Map

// putObjective hands ob back to goObjectives when it is a goObjective;
// the caller does not use it afterwards.
func putObjective(ob searchObjective) {
	o, ok := ob.(*goObjective)
	if !ok {
		return
	}
	o.cell = nil
	p, _ := goObjectives.LoadOrStore([3]int{o.b, o.n, o.m}, new(sync.Pool))
	p.(*sync.Pool).Put(o)
}

func (o *goObjective) B() int            { return o.b }
func (o *goObjective) Q() []float64      { return o.q }
func (o *goObjective) F() []float64      { return o.f }
func (o *goObjective) States() []float64 { return append([]float64(nil), o.x...) }

func (o *goObjective) SetStates(x []float64) error {
	if len(x) != len(o.x) {
		return fmt.Errorf("finder: %d values for the states of %d x %d", len(x), o.b, o.n)
	}
	copy(o.x, x)
	return nil
}

func (o *goObjective) SetInputs(u []float64) error {
	if len(u) != len(o.u) {
		return fmt.Errorf("finder: %d values for the inputs of %d x %d", len(u), o.b, o.m)
	}
	copy(o.u, u)
	return nil
}

func (o *goObjective) StatesInto(dst []float64) error {
	if len(dst) != len(o.x) {
		return fmt.Errorf("finder: %d values for the states of %d x %d", len(dst), o.b, o.n)
	}
	copy(dst, o.x)
	return nil
}

func (o *goObjective) Eval() error {
	objectiveRowsOver(o.cell, o.b, o.n, o.m, o.x, o.u, o.q, o.f, o.g)
	return nil
}

// objectiveRowsOver evaluates c's objective rows (q, F and ∇q) at the n
// states x (inputs u), 16 rows or more to a CPU (goObjective, the slow
// descent's rowEval).
func objectiveRowsOver(c rowsObjective, n, N, M int, x, u, q, f, g []float64) {
	linalg.ParallelMin(n, 16, func(lo, hi int) {
		c.ObjectiveRows(hi-lo, x[lo*N:hi*N], u[lo*M:hi*M], q[lo:hi], f[lo*N:hi*N], g[lo*N:hi*N])
	})
}

func (o *goObjective) Candidates() G.ValueGrad { return o.candidates }

// goCandidates is graph's candidates for a goObjective: X and its gradient
// for the solvers to step X in place.
type goCandidates struct{ o *goObjective }

func (c goCandidates) Value() G.Value         { return c.o.xT }
func (c goCandidates) Grad() (G.Value, error) { return c.o.gT, nil }
func (c goCandidates) Name() string           { return "X" }

// searchObjectiveOf is firstOrder's objective of B rows: a goObjective for
// an LSTM, a GRU or a one-layer tanh RNN under lstmStepper's, gruStepper's
// or tanhStepper's conditions when the search runs in the cell's dtype
// (float64), else the search's graph.
func (f *finder) searchObjectiveOf(B int) (searchObjective, error) {
	if searchDtype(f.s) == f.s.Dtype {
		if c, ok := f.rowStepper().(rowsObjective); ok {
			return newGoObjective(c, B, f.N, f.M), nil
		}
		if t := f.tanhStepper(); t != nil {
			return newGoObjective(t, B, f.N, f.M), nil
		}
	}
	return f.objs.get(B)
}

// pack returns the states and inputs of the candidates idx as B rows,
// padding by repeating the last (a compiled graph has a fixed batch).
func (f *finder) pack(idx []int, B int) (x, u []float64) {
	return f.packInto(idx, make([]float64, B*f.N), make([]float64, B*f.M))
}

// packInto is pack into x and u, of B rows each.
func (f *finder) packInto(idx []int, x, u []float64) ([]float64, []float64) {
	N, M := f.N, f.M
	B := len(x) / N
	for r := 0; r < B; r++ {
		c := f.cands[idx[min(r, len(idx)-1)]]
		copy(x[r*N:], c.x)
		copy(u[r*M:], c.u)
	}
	return x, u
}

// load packs the candidates idx into ob.
func (f *finder) load(ob searchObjective, idx []int) error {
	x, u := f.pack(idx, ob.B())
	if err := ob.SetStates(x); err != nil {
		return err
	}
	return ob.SetInputs(u)
}

// firstOrder runs the first-order search on the candidates idx, all in one
// batch (joint). It returns the number of batch iterations and whether it
// was canceled.
func (f *finder) firstOrder(ctx context.Context, idx []int) error {
	s := &f.s
	cs := f.cands
	N := f.N
	if s.Optimizer == ReferenceAdam {
		return f.referenceAdam(ctx, idx)
	}
	active := append([]int(nil), idx...)
	ob, err := f.searchObjectiveOf(searchRows(len(active), N))
	if err != nil {
		return err
	}
	defer func() { putObjective(ob) }()
	if err := f.load(ob, active); err != nil {
		return err
	}
	solver, err := newRowSolver(s, ob.B(), N, len(active)) // padding rows never move
	if err != nil {
		return err
	}
	for r, ci := range active {
		if c := cs[ci]; c.retry && solver.adam != nil {
			solver.adam.LR[r] = c.lr // a retry goes on with the rate it needs
		}
	}
	var xbuf []float64 // the states after each evaluation
	for it := 1; ; it++ {
		if err := ob.Eval(); err != nil {
			return err
		}
		f.stats.GradEvals++
		x := grow(&xbuf, ob.B()*N)
		if err := ob.StatesInto(x); err != nil {
			return err
		}
		nActive := 0
		for r, ci := range active {
			c := cs[ci]
			if c.done {
				continue
			}
			q := ob.Q()[r]
			copy(c.x, x[r*N:(r+1)*N])
			copy(c.f, ob.F()[r*N:(r+1)*N])
			if it > 1 {
				c.dq = math.Abs(q - c.q)
			} else {
				// No step taken yet in this call: a retry (retryStalled)
				// starts where it stopped, and a change of q measured
				// against that would be 0, a stall before any step.
				c.dq = math.Inf(1)
				c.checkpoint, c.q0 = q, q
			}
			c.q = q
			c.lr = solver.rate(r)
			c.keepBest()
			switch {
			case math.IsNaN(q) || math.IsInf(q, 0):
				c.done, c.stop = true, ReasonDiverged
			case q < s.TolQ:
				c.done, c.stop = true, ReasonTolQ
			case c.dq < s.TolDQ*solver.rate(r):
				c.done, c.stop = true, ReasonStall
			case !s.NoRefine && q < c.handoff():
				c.done = true
			case !s.NoRefine && q > c.q0:
				// Uphill from the start: the step overshot a basin that
				// Levenberg-Marquardt can take from the best point seen.
				c.revert()
				c.done, c.stop = true, ReasonRise
			case !s.NoRefine && c.iters > 0 && c.iters%s.StallIters == 0:
				if q > 0.5*c.checkpoint {
					c.done, c.stop = true, ReasonStall
				}
				c.checkpoint = q
			}
			if !c.done && c.iters >= s.MaxIters {
				c.done, c.stop = true, ReasonIterationLimit
			}
			if c.done {
				solver.freeze(r)
				continue
			}
			solver.observe(r, q)
			nActive++
		}
		f.stats.Iters = max(f.stats.Iters, it-1)
		f.report("search", it-1, active)
		if nActive == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			f.canceled = true
			return nil
		}
		// Shrink the batch when a smaller size holds the candidates left
		// (down to fewRows' floor: a retry's last few candidates run for
		// a hundred iterations or more).
		if nb := searchRows(nActive, N); nb < ob.B() {
			keep, rows := []int{}, []int{}
			for r, ci := range active {
				if !cs[ci].done {
					keep = append(keep, ci)
					rows = append(rows, r)
				}
			}
			old := ob
			if ob, err = f.searchObjectiveOf(nb); err != nil {
				return err
			}
			putObjective(old)
			if err := f.load(ob, keep); err != nil {
				return err
			}
			if solver, err = solver.subset(rows, nb); err != nil {
				return err
			}
			active = keep
			if err := ob.Eval(); err != nil { // gradient at the packed states
				return err
			}
			f.stats.GradEvals++
		}
		var before []float64
		if f.stepHook != nil {
			before = ob.States()
		}
		if err := solver.step(ob.Candidates()); err != nil {
			return err
		}
		if f.stepHook != nil {
			f.stepHook(before, ob.States(), active)
		}
		for _, ci := range active {
			if !cs[ci].done {
				cs[ci].iters++
			}
		}
	}
}

// searchRows is the batch firstOrder runs n candidates of N states in:
// fewRows(n, N), or three quarters of it when that holds them and a row's
// values do not depend on its batch (N <= batchFreeN), so that a batch is
// padded by at most a third instead of doubled. On the LSTM-16 the retry
// of 163 stalled candidates (retryStalled) ran 34 iterations at 256 rows
// for 145 active; at 192 the search evaluates a fifth fewer rows. The
// sizes are 4, 8, 12, 16, 24, ... 768, 1024: each a graph built once per
// process (graph.Shared).
func searchRows(n, N int) int {
	b := fewRows(n, N)
	if t := b / 4 * 3; N <= batchFreeN && b >= 16 && t >= n {
		return t
	}
	return b
}

// report calls the progress callback, if any.
func (f *finder) report(stage string, it int, active []int) {
	if f.s.Progress == nil {
		return
	}
	done, maxQ := 0, 0.0
	for _, c := range f.cands {
		if c.done {
			done++
		}
		if c.q > maxQ {
			maxQ = c.q
		}
	}
	f.s.Progress(Progress{Stage: stage, Iter: it, MaxIters: f.s.MaxIters, Done: done, Total: len(f.cands), MaxQ: maxQ, Elapsed: time.Since(f.start)})
}

// reportCount calls the progress callback, if any, for a stage that counts
// its own items (the linearization counts fixed points, not candidates).
func (f *finder) reportCount(stage string, done, total int) {
	if f.s.Progress != nil {
		f.s.Progress(Progress{Stage: stage, Done: done, Total: total, Elapsed: time.Since(f.start)})
	}
}

// searchDtype is the type the first-order search computes in: float32
// with Settings.SearchFloat32 (the refinement and certification stay in
// Settings.Dtype), else Settings.Dtype.
func searchDtype(s Settings) graph.Dtype {
	if s.SearchFloat32 {
		return graph.Float32
	}
	return s.Dtype
}

// evalFloat64 recomputes F(x) and q in float64 at the candidates idx after
// a float32 search, so that the refinement and the certificate start from
// float64 values: the search's F and q carry float32 rounding (q ~ 1e-14
// at best).
func (f *finder) evalFloat64(idx []int) error {
	N, M := f.N, f.M
	var live []int
	for _, ci := range idx {
		if c := f.cands[ci]; !(c.q != c.q) && c.q < 1e300 {
			live = append(live, ci)
		}
	}
	chunk := max(1, min(len(live), 4096))
	for lo := 0; lo < len(live); lo += chunk {
		part := live[lo:min(lo+chunk, len(live))]
		B := batchRows(len(part), N)
		x, u := make([]float64, B*N), make([]float64, B*M)
		for r, ci := range part {
			copy(x[r*N:], f.cands[ci].x)
			copy(u[r*M:], f.cands[ci].u)
		}
		out := make([]float64, B*N)
		if err := f.stepRows(x, u, out, len(part)); err != nil {
			return err
		}
		for r, ci := range part {
			c := f.cands[ci]
			copy(c.f, out[r*N:(r+1)*N])
			c.q = halfSq(c.f, c.x)
		}
	}
	return nil
}

// ObjectiveRows is graph.Objective's rows for the one-layer tanh RNN
// (rowsObjective): F at the n states x (inputs u) into f, by rows
// (tanhStep.rows), q = ½‖F − x‖² into q and ∇q = Wᵀ-product into g, with
// the graph's arithmetic: r = F − x, the seed (1 − F⊙F)⊙r (gorgonia's
// tanh derivative: each product rounded, then 1 − it), its product with
// W_hhᵀ as the graph's C = A·Bᵀ (linalg.MulNT, Dgemm's sums), then minus
// r (TestTanhObjectiveMatchesGraph). A row's values are its own.
func (t *tanhStep) ObjectiveRows(n int, x, u, q, f, g []float64) bool {
	N := t.n
	t.rows(x, u, f, n)
	sp := seedPool.Get().(*[]float64)
	defer seedPool.Put(sp)
	if cap(*sp) < n*N {
		*sp = make([]float64, n*N)
	}
	seed := (*sp)[:n*N] // every value written before it is read
	for r := 0; r < n; r++ {
		q[r] = halfSq(f[r*N:(r+1)*N], x[r*N:(r+1)*N])
	}
	for k := range seed {
		d := f[k] - x[k]
		s := 1 - float64(f[k]*f[k]) // the conversions round the products (no fused multiply-add)
		seed[k] = float64(s * d)
	}
	linalg.MulNT(n, N, N, seed, N, t.whh, N, g, N, false)
	for k := range seed {
		g[k] -= f[k] - x[k]
	}
	return true
}

// seedPool holds tanhStep.ObjectiveRows' seeds, a batch's worth each.
var seedPool = sync.Pool{New: func() any { return new([]float64) }}
