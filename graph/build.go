package graph

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// step is one cell step built over a batch in its own graph: the inputs
// X (B x N), U (B x M, nil when M = 0), the weight nodes and F(X, U).
type step struct {
	cell    cells.Cell
	dtype   Dtype
	B, N, M int
	g       *G.ExprGraph
	x, u    *G.Node
	params  []*G.Node // nil for empty params (e.g. input weights when M = 0)
	f       *G.Node
	xT, uT  *tensor.Dense
	d       []*G.Node // the drives' input nodes (cells.Driven), instead of U
	drv     *drives   // the program that computes them, nil without
}

// checkBatch reports why cell cannot be built for batch size B, if it cannot.
func checkBatch(cell cells.Cell, B int) error {
	if cell == nil {
		return fmt.Errorf("graph: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if N <= 0 || M < 0 {
		return fmt.Errorf("graph: cell has state size %d and input size %d", N, M)
	}
	if B <= 0 {
		return fmt.Errorf("graph: batch size %d, want > 0", B)
	}
	if err := cells.CheckFinite(cell); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	return nil
}

// buildStepOn builds F(X, U) with X bound to xT (B x N) and U to uT (B x M,
// nil when M = 0). The caller may share their storage with other steps:
// the graph reads them on every run.
func buildStepOn(cell cells.Cell, d Dtype, xT, uT *tensor.Dense) (s *step, err error) {
	defer recoverErr("build step", &err)
	B, N, M := xT.Shape()[0], cell.StateSize(), cell.InputSize()
	s = &step{cell: cell, dtype: d, B: B, N: N, M: M, g: G.NewGraph(), xT: xT, uT: uT}
	dt := d.tensor()
	s.x = G.NewMatrix(s.g, dt, G.WithShape(B, N), G.WithName("X"), G.WithValue(s.xT))
	if M > 0 {
		s.u = G.NewMatrix(s.g, dt, G.WithShape(B, M), G.WithName("U"), G.WithValue(s.uT))
	}
	s.params = paramNodes(s.g, cell, d)
	if err := s.setF(cell.Step(s.x, s.u, s.params)); err != nil {
		return nil, err
	}
	return s, nil
}

// setF takes what the cell's step returned as F, after checking that it
// is a B x N node.
func (s *step) setF(f *G.Node, err error) error {
	if err != nil {
		return fmt.Errorf("graph: cell step: %w", err)
	}
	if sh := f.Shape(); len(sh) != 2 || sh[0] != s.B || sh[1] != s.N {
		return fmt.Errorf("graph: cell step returned shape %v, want (%d, %d)", sh, s.B, s.N)
	}
	s.f = f
	return nil
}

// chain applies the cell k-1 more times to s.f in s's graph, with the same
// inputs (or drives) and weights, so that s.f becomes F^k(X, U). Cells are
// built to be stepped repeatedly in one graph (training unrolls them), and
// their named constants are equal at every step, so merging them is safe.
func (s *step) chain(k int) (err error) {
	defer recoverErr("chain steps", &err)
	for j := 1; j < k; j++ {
		var f *G.Node
		if s.drv != nil {
			f, err = s.cell.(cells.Driven).StepDriven(s.f, s.d, s.params)
		} else {
			f, err = s.cell.Step(s.f, s.u, s.params)
		}
		if err := s.setF(f, err); err != nil {
			return fmt.Errorf("graph: step %d of %d: %w", j+1, k, err)
		}
	}
	return nil
}

// paramNodes makes one input node per param of cell in g, bound to a copy
// of its current values (nil for an empty param, e.g. input weights when
// M = 0).
func paramNodes(g *G.ExprGraph, cell cells.Cell, d Dtype) []*G.Node {
	var out []*G.Node
	for i, p := range cell.Params() {
		if p.Rows*p.Cols == 0 {
			out = append(out, nil)
			continue
		}
		v := newDense(d, p.Rows, p.Cols, p.Data)
		out = append(out, G.NewMatrix(g, d.tensor(), G.WithShape(p.Rows, p.Cols), G.WithName(fmt.Sprintf("param%d_%s", i, p.Name)), G.WithValue(v)))
	}
	return out
}

// inputs lists the bound input nodes, for CompileFunction.
func (s *step) inputs() G.Nodes {
	ns := G.Nodes{s.x}
	if s.u != nil {
		ns = append(ns, s.u)
	}
	ns = append(ns, s.d...)
	return append(ns, usedParams(s.g, s.params)...)
}

// usedParams lists the param nodes that some node of g reads:
// CompileFunction refuses inputs it does not need (a driven step does not
// read the input weights; the drives read no recurrent ones).
func usedParams(g *G.ExprGraph, ps []*G.Node) G.Nodes {
	var out G.Nodes
	for _, p := range ps {
		if p != nil && g.To(p.ID()).Len() > 0 {
			out = append(out, p)
		}
	}
	return out
}

// setStates copies B x N states x into xT.
func setStates(xT *tensor.Dense, x []float64, B, N int) error {
	if len(x) != B*N {
		return fmt.Errorf("graph: %d state values, want %d x %d", len(x), B, N)
	}
	copyIn(xT, x)
	return nil
}

// setInputs copies B x M inputs u into uT (nil when M = 0); one row of M
// values is broadcast to all rows.
func setInputs(uT *tensor.Dense, u []float64, B, M int) error {
	if M == 0 {
		if len(u) != 0 {
			return fmt.Errorf("graph: cell takes no input, got %d input values", len(u))
		}
		return nil
	}
	switch len(u) {
	case B * M:
		copyIn(uT, u)
	case M:
		full := make([]float64, B*M)
		for b := 0; b < B; b++ {
			copy(full[b*M:], u)
		}
		copyIn(uT, full)
	default:
		return fmt.Errorf("graph: %d input values, want %d (one row) or %d x %d", len(u), M, B, M)
	}
	return nil
}

// compile compiles only the given outputs (each a G.Read node) into a machine.
func (s *step) compile(outputs G.Nodes, extra ...*G.Node) (m G.VM, err error) {
	defer recoverErr("compile", &err)
	in := append(s.inputs(), extra...)
	prog, locMap, err := G.CompileFunction(s.g, in, outputs)
	if err != nil {
		return nil, fmt.Errorf("graph: compile: %w", err)
	}
	opts := []G.VMOpt{G.WithPrecompiled(prog, locMap), G.WithWatchlist()}
	return &planned{VM: G.NewTapeMachine(s.g, append(opts, withReuse(s.g)...)...)}, nil
}

// planned is a machine built here with its tapePlan, made once after its
// first run (nil: gorgonia's loop runs it). The plan lives here, with the
// machine's holder, and not in its engine: every value the machine
// computes refers to its engine, and some of those values (a weight
// reshaped in place) outlive the machine, so that a plan held by the
// engine kept whole machines alive (TestRefinementWithinBudget's peak heap
// doubled).
type planned struct {
	G.VM
	plan  *tapePlan
	tried bool
}

// tapeOf is the machine m wraps, m itself when it wraps none.
func tapeOf(m G.VM) G.VM {
	if p, ok := m.(*planned); ok {
		return p.VM
	}
	return m
}

// G.WithWatchlist() (no arguments: watch everything) is there for speed,
// not for logging. Without a logger the machine logs nothing either way,
// but a machine that watches only some registers and nodes asks, for each
// of the 3 + (inputs) log calls of every op it runs, whether the op is
// watched, looking its node up in a map (gorgonia 0.9.18,
// tapeMachine.watchedLogf): 12% of a small LSTM objective's run. Watching
// all skips that question; the watch-all flag is read nowhere else by a
// tape machine, and no value changes (TestRewoundMachinesMatchFresh).

// run runs a machine once and rewinds it, turning panics into errors.
// A machine with a reuseEngine runs by its tapePlan from its second run
// on (the first, by gorgonia's loop, fills the registers the plan reads).
func run(m G.VM) (err error) {
	defer recoverErr("run", &err)
	pm, _ := m.(*planned)
	if pm != nil && pm.plan != nil && runInlineOn && planOn {
		defer pm.plan.rewind()
		if err := pm.plan.run(); err != nil {
			return fmt.Errorf("graph: run: %w", err)
		}
		return nil
	}
	m = tapeOf(m)
	defer rewind(m)
	ok, err := runInline(m)
	if !ok {
		err = m.RunAll()
	}
	if err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	if ok && pm != nil && !pm.tried && planOn {
		pm.tried = true
		pm.plan = newPlan(m)
	}
	return nil
}

var errQueuedClosures = errors.New("the machine queued closures (dual values bound), which an inline run does not run")

// rewind readies a tape machine for its next run by setting its program
// counter back to 0 and keeping its registers. Reset would also drop every
// register's value, so that each run allocated (and the runtime cleared)
// every intermediate anew: a quarter of a 16-unit GRU's Find was that
// allocation. Kept registers are what gorgonia's machine is built for: its
// alloc instruction keeps a register of the right shape, each op writes
// into its register's value (UsePreallocDo, or Do when the shapes
// differ), and G.Read copies into the value it filled on the first run.
// TestRewoundMachinesMatchFresh checks every kind of program built here
// against fresh machines, bit for bit. A VM without the field (another
// gorgonia version) is Reset.
func rewind(m G.VM) {
	m = tapeOf(m)
	if e := engineOf(m); e != nil {
		e.rewound()
	}
	if pc := pcOf(m); pc != nil {
		*pc = 0
		return
	}
	m.Reset()
}

// pcOf is the address of a *gorgonia.tapeMachine's program counter, nil
// when m is not one or has no such field.
func pcOf(m G.VM) *int {
	m = tapeOf(m)
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("pc")
	if !f.IsValid() || f.Kind() != reflect.Int || !f.CanAddr() {
		return nil
	}
	return (*int)(unsafe.Pointer(f.UnsafeAddr()))
}

// minPartValues is the least work, in state values (rows x N), worth a
// graph and a goroutine of its own. Below it a second core gains nothing
// (measured on 2 cores: a tanh RNN and an LSTM of hidden size 16 lose at
// 1024 values a part, gain 8% and 17% at 2048, 19% and 25% at 4096).
const minPartValues = 4096

// maxParts is the most row blocks a batch is split into, whatever the
// number of CPUs. Above 64 states gonum's blocked matrix products round a
// row according to the rows of the product it is in, so a split that
// followed GOMAXPROCS (as it once did) gave other last bits on another
// number of cores; a split fixed by the sizes gives every machine the
// answer of every other. Two is what this 2-core machine ran with (the
// speed golden was written with it); a machine with more cores still
// spreads each large product's blocks over all of them (gonum's Dgemm, in
// an order of its own that never changes a value) and the per-candidate
// algebra and proofs over all its cores (linalg.Parallel, ParallelEach),
// but runs at most two graph evaluations of a batch at once. A variable
// only for the tests, which set it to 1 to build one graph.
var maxParts = 2

// partBounds splits B rows of N values into contiguous blocks to run
// concurrently: at most maxParts, each of at least minPartValues values,
// by the sizes only, so that no value depends on the number of CPUs. It
// returns the bounds 0 = lo_0 < lo_1 < ... < lo_P = B.
func partBounds(B, N int) []int {
	P := max(1, min(maxParts, B*N/minPartValues))
	b := make([]int, P+1)
	for p := range b {
		b[p] = p * B / P
	}
	return b
}

// runAll runs the machines once each, concurrently when there are several
// (each machine is used by one goroutine at a time), and returns the error
// of the first that failed.
func runAll(ms []G.VM) error {
	return linalg.Concurrently(len(ms), func(i int) error { return run(ms[i]) })
}

func recoverErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("graph: %s: gorgonia panicked: %v", what, r)
	}
}

// CheckFinite returns an error naming the first NaN or Inf in v, read as
// rows of width cols.
func CheckFinite(what string, v []float64, cols int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if cols > 0 {
				return fmt.Errorf("%s: value at row %d, column %d is %v", what, i/cols, i%cols, x)
			}
			return fmt.Errorf("%s: value %d is %v", what, i, x)
		}
	}
	return nil
}
