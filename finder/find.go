package finder

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// Problem is a fixed-point search: a cell, where to start, and the constant
// input under which fixed points are sought.
type Problem struct {
	Cell cells.Cell
	// InitialStates holds B candidate states, B x N row-major.
	InitialStates []float64
	// Inputs is one row of M values shared by every candidate, or B x M
	// values, one row per candidate. It may be nil when M = 0; a nil Inputs
	// with M > 0 means zero input.
	Inputs []float64
	// Conditions optionally labels each candidate (B values), e.g. with the
	// id of the input condition; it is carried to Point.Condition.
	Conditions []int
	// Trajectories, when not nil, are the network's own trajectories: the
	// median step length along them is the speed against which a candidate
	// is a slow region (Settings.SlowRegionSpeed). Without them the median
	// ||F(x) - x|| over the initial states is used.
	Trajectories *Trajectories
}

// finder is the working state of one Find call.
type finder struct {
	cell     cells.Cell
	s        Settings
	N, M     int
	cands    []*candidate
	objs     bySize[*graph.Objective]
	rowObjs  bySize[*graph.Objective] // rowEval's, when the search's dtype is another (SearchFloat32)
	jacs     bySize[*graph.Jacobians]
	steps    bySize[*graph.Stepper]
	jvps     bySize[*graph.JVP]
	lm       *lmScratch // the refinement's buffers (scratch), back to their pool on release
	tanhS    *tanhStep  // tanhStepper's; a zero one once decided there is none
	gruS     *cells.GRU // gruStepper's, decided once gruSD
	gruSD    bool
	lstmS    *cells.LSTM // lstmStepper's, decided once lstmSD
	lstmSD   bool
	stats    Stats
	start    time.Time
	canceled bool
	// stepHook, when set (by tests), sees the batch's states before and
	// after each first-order step, and the candidate of each row (rows past
	// len(active) are padding).
	stepHook func(before, after []float64, active []int)
	// refineStop, when set (completion's seeds), ends the refinement of
	// the candidates it reports true for after a round.
	refineStop func(ci int) bool
	// parent[i] is the initial state's candidate from which completion
	// candidate nInit()+i descends (its input and condition id).
	parent []int
	// roots are the roots proved so far (prove.go).
	roots []*provedRoot
	// early holds the roots proved during the search's refinement and the
	// candidates frozen in their boxes (prove.go, freezeAtRoots).
	early earlyRoots
	// ahead is the linearization of the points known when completion
	// started, under way (linAhead), or nil.
	ahead *linAhead
	// problem is Find's (its trajectories and initial states give the
	// network's speed, see speed), and netSpeed that speed once computed.
	problem  Problem
	netSpeed struct {
		v    float64
		from string
		done bool
	}
}

// Find searches for the fixed points of p.Cell from p.InitialStates.
// A nil settings means DefaultSettings. On context cancellation it returns
// promptly with the work so far and Status Canceled (and a nil error).
func Find(ctx context.Context, p Problem, settings *Settings) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("finder: internal error: %v", r)
		}
	}()
	var s Settings
	if settings != nil {
		s = *settings
	}
	s.fill()
	if err := s.validate(); err != nil {
		return nil, err
	}
	f, err := newFinder(p, s)
	if err != nil {
		return nil, err
	}
	f.scratch() // now, while the last Find's set is still in the pool
	res, err = f.run(ctx, p)
	if err == nil {
		f.release() // after a failure they are dropped instead
	}
	return res, err
}

func newFinder(p Problem, s Settings) (*finder, error) {
	if p.Cell == nil {
		return nil, fmt.Errorf("finder: problem has no cell")
	}
	if err := cells.CheckFinite(p.Cell); err != nil {
		return nil, fmt.Errorf("finder: %w", err)
	}
	N, M := p.Cell.StateSize(), p.Cell.InputSize()
	if N <= 0 {
		return nil, fmt.Errorf("finder: cell state size is %d", N)
	}
	if len(p.InitialStates) == 0 {
		return nil, fmt.Errorf("finder: %w", ErrEmpty)
	}
	if len(p.InitialStates)%N != 0 {
		return nil, fmt.Errorf("finder: %w: initial states have %d values, not a multiple of the cell's state size %d", cells.ErrShape, len(p.InitialStates), N)
	}
	B := len(p.InitialStates) / N
	if err := checkFinite("initial state", p.InitialStates, N); err != nil {
		return nil, err
	}
	switch len(p.Inputs) {
	case 0, M, B * M:
	default:
		return nil, fmt.Errorf("finder: %w: inputs have %d values, want %d (one row of the cell's input size) or %d x %d (one row per initial state)", cells.ErrShape, len(p.Inputs), M, B, M)
	}
	if err := checkFinite("input", p.Inputs, M); err != nil {
		return nil, err
	}
	if p.Conditions != nil && len(p.Conditions) != B {
		return nil, fmt.Errorf("finder: %w: %d condition ids for %d initial states", cells.ErrShape, len(p.Conditions), B)
	}
	if tr := p.Trajectories; tr != nil {
		if tr.N != N {
			return nil, fmt.Errorf("finder: %w: trajectories of %d units, the cell has %d", cells.ErrShape, tr.N, N)
		}
		if err := tr.check(); err != nil {
			return nil, fmt.Errorf("finder: trajectories: %w", err)
		}
	}
	if s.CompleteBudget == 0 {
		s.CompleteBudget = completeBudget(N)
	}
	f := &finder{cell: p.Cell, s: s, N: N, M: M,
		objs:  newBySize(p.Cell, searchDtype(s), graph.Shared.Objective),
		jacs:  newBySize(p.Cell, s.Dtype, graph.Shared.Jacobians),
		steps: newBySize(p.Cell, s.Dtype, graph.Shared.Stepper),
		jvps:  newBySize(p.Cell, s.Dtype, newForwardJVP),
		start: time.Now(),
	}
	// The candidates and their vectors in two allocations, where each
	// took five (5,000 of an RNN-16 Find's 36,000); every vector is
	// sliced to its own capacity, so that an append never reaches the next.
	cs := make([]candidate, B)
	vals := make([]float64, B*(3*N+M))
	vec := func(n int) []float64 {
		v := vals[:n:n]
		vals = vals[n:]
		return v
	}
	f.cands = make([]*candidate, 0, B)
	for b := 0; b < B; b++ {
		c := &cs[b]
		*c = candidate{x: vec(N), xInit: vec(N), u: vec(M), f: vec(N), q: math.Inf(1), hand: s.HandoffQ}
		copy(c.x, p.InitialStates[b*N:(b+1)*N])
		copy(c.xInit, p.InitialStates[b*N:(b+1)*N])
		switch len(p.Inputs) {
		case M:
			copy(c.u, p.Inputs)
		case B * M:
			copy(c.u, p.Inputs[b*M:(b+1)*M])
		}
		f.cands = append(f.cands, c)
	}
	f.stats.Candidates = B
	if s.Dtype == graph.Float32 {
		if s.TolQ < 1e-12 || s.TolResidual < 1e-6 {
			f.stats.Warnings = append(f.stats.Warnings, fmt.Sprintf(
				"float32 computes residuals to about 1e-7 and q to about 1e-14: TolQ %g / TolResidual %g may be unreachable; use float64", s.TolQ, s.TolResidual))
		}
	}
	return f, nil
}

// search runs the first-order phase and the refinement on every candidate.
func (f *finder) search(ctx context.Context) error {
	all := make([]int, len(f.cands))
	for i := range all {
		all[i] = i
	}
	t0 := time.Now()
	switch f.s.Batching {
	case Joint:
		if err := f.firstOrder(ctx, all); err != nil {
			return err
		}
	case Sequential:
		for _, i := range all {
			if err := f.firstOrder(ctx, []int{i}); err != nil {
				return err
			}
			if f.canceled {
				break
			}
		}
	}
	f.stats.SearchTime = time.Since(t0)
	if f.s.NoRefine && f.s.SearchFloat32 && f.s.Dtype == graph.Float64 {
		return f.evalFloat64(all) // the search's F and q were float32
	}
	if f.s.NoRefine || f.canceled {
		return nil
	}
	t1 := time.Now()
	err := f.refine(ctx, all)
	f.stats.RefineTime = time.Since(t1)
	if err != nil {
		return err
	}
	if err := f.retryStalled(ctx); err != nil {
		return err
	}
	t2 := time.Now()
	err = f.slowDescent(ctx)
	f.stats.SlowTime = time.Since(t2)
	return err
}

// points converts the candidates to Points.
func (f *finder) points(conds []int) *FixedPoints {
	fp := &FixedPoints{N: f.N, M: f.M, Dtype: f.s.Dtype.String(), Points: make([]Point, 0, len(f.cands))}
	if e, ok := f.cell.(cells.EulerStep); ok {
		fp.Alpha = e.StepAlpha()
	}
	// The points' X, XInit, U and F in one allocation, each slice capped
	// at its length (an append to one copies it rather than overwrite the
	// next).
	n := 0
	for _, c := range f.cands {
		n += len(c.x) + len(c.xInit) + len(c.u) + len(c.f)
	}
	buf := make([]float64, n)
	take := func(v []float64) []float64 {
		if len(v) == 0 {
			return nil // as append([]float64(nil), v...)
		}
		n := copy(buf, v)
		out := buf[:n:n]
		buf = buf[n:]
		return out
	}
	for i, c := range f.cands {
		p := Point{
			X: take(c.x), XInit: take(c.xInit),
			U: take(c.u), F: take(c.f),
			Q: c.q, DQ: c.dq, Iters: c.iters, Refines: c.refines,
			Residual: residual(c.f, c.x),
			Outcome:  c.outcome, Reason: c.reason, Gradient: c.grad,
			GResidual: c.gRes, ProofReason: c.proofFail,
		}
		if c.outcome == OutcomeFixed {
			p.Proof = c.pf
		}
		if c.checked {
			p.HessianMin, p.HessianError, p.RelativeSpeed = c.hessMin, c.hessErr, c.relSpeed
		}
		if math.IsInf(c.q, 1) {
			p.Residual = math.Inf(1)
		}
		if conds != nil {
			id := conds[i]
			p.Condition = &id
		}
		fp.Points = append(fp.Points, p)
	}
	return fp
}

// bySize caches compiled graphs by batch size: a compiled graph has a fixed
// batch, and the batches come in few sizes (powers of two, see batchRows),
// so each size is checked out of graph.Shared once per Find (built there
// unless an earlier Find of an equal cell handed one back) and handed
// back by release when the Find is done.
type bySize[T any] struct {
	build func(B int) (T, error)
	m     map[int]T
}

func newBySize[T any](cell cells.Cell, d graph.Dtype, build func(cells.Cell, int, graph.Dtype) (T, error)) bySize[T] {
	return bySize[T]{build: func(B int) (T, error) { return build(cell, B, d) }, m: map[int]T{}}
}

// release hands every graph the Find checked out back to graph.Shared.
// The Find must not use them afterwards.
func (f *finder) release() {
	f.objs.release()
	f.rowObjs.release()
	f.jacs.release()
	f.steps.release()
	f.jvps.release()
	f.releaseScratch()
}

func (c *bySize[T]) release() {
	for B, g := range c.m {
		if p, ok := any(g).(graph.Cached); ok {
			graph.Shared.Put(p)
		}
		delete(c.m, B)
	}
}

func (c *bySize[T]) get(B int) (T, error) {
	return c.getAt(B, 0)
}

// getEach sets gs[i] to a graph of batch size sizes[i], a graph of its
// own for each entry of sizes (getAt), for batches run at once.
func (c *bySize[T]) getEach(sizes []int, gs []T) error {
	seen := map[int]int{}
	for i, B := range sizes {
		g, err := c.getAt(B, seen[B])
		if err != nil {
			return err
		}
		gs[i], seen[B] = g, seen[B]+1
	}
	return nil
}

// getAt is get's i-th graph of batch size B (get's is the 0th): batches
// that run at once, on goroutines of their own, need graphs of their own.
func (c *bySize[T]) getAt(B, i int) (T, error) {
	key := B + i<<32
	if g, ok := c.m[key]; ok {
		return g, nil
	}
	g, err := c.build(B)
	if err != nil {
		return g, err
	}
	c.m[key] = g
	return g, nil
}
