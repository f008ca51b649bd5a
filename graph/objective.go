package graph

import (
	"fmt"
	"slices"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Objective is the compiled batched fixed-point objective of a cell for a
// fixed batch size B: F(X, U), q_b = 0.5*||F(x_b,u_b) - x_b||^2 and the
// gradient of loss = sum_b q_b with respect to X, whose row b is dq_b/dx_b
// (the rows do not interact). Summing rather than averaging keeps each row's
// gradient independent of B; divide by B for the reference's mean(q).
//
// Because the rows do not interact, a large batch is cut into blocks of
// rows, each with its own graph, run concurrently (see partBounds); the
// results are the same, bit for bit, as one graph's.
//
// An Objective belongs to one goroutine.
type Objective struct {
	dtype   Dtype
	b, n, m int
	k       int // steps chained: the objective is of F^k
	// The whole batch; each part's graph reads and writes rows of these.
	xT, uT, fT, gT *tensor.Dense
	parts          []*objectivePart
	machines       []G.VM
	steps          []*step
	stale          bool        // U changed since the drives were computed
	lastU          []float64   // the inputs last set, nil before (or after a failed set)
	f, q, grad     []float64   // the last Eval's outputs: B x N, B, B x N
	bytes          int64       // estimated, for Cache
	ce             *cacheEntry // set when checked out of a Cache
}

// objectivePart is the graph of a block of rows. G.Read copies its outputs
// into the values it is given: fV and gV hold views of the rows of fT and
// gT, so the outputs land in place.
type objectivePart struct {
	fV, gV G.Value
	fT, gT *tensor.Dense
}

// NewObjective builds and compiles the objective for batch size B.
func NewObjective(cell cells.Cell, B int, d Dtype) (*Objective, error) {
	return NewObjectiveSteps(cell, B, 1, d)
}

// MaxSteps bounds the k of NewObjectiveSteps: a graph of k chained steps
// holds k copies of the cell's nodes and their backward pass.
const MaxSteps = 64

// NewObjectiveSteps builds and compiles the objective of the k-step map
// F^k = F o ... o F (k cells chained in one graph, the input held
// constant): F() is F^k(X, U), q_b = 0.5*||F^k(x_b, u_b) - x_b||^2 and Grad
// its gradient, one backward pass through the k steps. Its zeros are the
// points of the orbits of period dividing k. k = 1 is NewObjective.
func NewObjectiveSteps(cell cells.Cell, B, k int, d Dtype) (*Objective, error) {
	if err := checkBatch(cell, B); err != nil {
		return nil, err
	}
	if k < 1 || k > MaxSteps {
		return nil, fmt.Errorf("graph: %d chained steps, want 1 to %d", k, MaxSteps)
	}
	N, M := cell.StateSize(), cell.InputSize()
	o := &Objective{dtype: d, b: B, n: N, m: M, k: k,
		xT: newDense(d, B, N, nil), fT: newDense(d, B, N, nil), gT: newDense(d, B, N, nil)}
	if M > 0 {
		o.uT = newDense(d, B, M, nil)
	}
	bounds := partBounds(B, N)
	for p := 0; p+1 < len(bounds); p++ {
		lo, hi := bounds[p], bounds[p+1]
		var uT *tensor.Dense
		if M > 0 {
			uT = rowsOf(o.uT, lo, hi)
		}
		part := &objectivePart{fT: rowsOf(o.fT, lo, hi), gT: rowsOf(o.gT, lo, hi)}
		m, st, err := buildObjectivePart(cell, d, k, rowsOf(o.xT, lo, hi), uT, part)
		if err != nil {
			return nil, err
		}
		o.steps = append(o.steps, st)
		o.parts = append(o.parts, part)
		o.machines = append(o.machines, m)
	}
	if d == Float64 {
		o.f, o.grad = o.fT.Float64s(), o.gT.Float64s()
	} else {
		o.f, o.grad = make([]float64, B*N), make([]float64, B*N)
	}
	o.q = make([]float64, B)
	for _, s := range o.steps {
		o.bytes += graphBytes(s.g)
	}
	o.stale = true // the drives of U = 0 are not computed yet
	return o, nil
}

// buildObjectivePart builds and compiles the objective of F^k over the rows
// xT, uT, reading F^k and the gradient into part.
func buildObjectivePart(cell cells.Cell, d Dtype, k int, xT, uT *tensor.Dense, part *objectivePart) (m G.VM, s *step, err error) {
	s, err = buildDrivenStepOn(cell, d, xT, uT)
	if err != nil {
		return nil, nil, err
	}
	if err := s.chain(k); err != nil {
		return nil, nil, err
	}
	defer recoverErr("build objective", &err)
	// dq_b/dx_b = J_b^T r_b - r_b with r = F - X: one vector-Jacobian
	// product seeded with r. Differentiating through the square, the row
	// sums and the total instead costs a dozen more nodes, three of them
	// B x N (the ones of the total broadcast back over the batch). q is
	// summed in Go from F and X.
	diff := G.Must(G.Sub(s.f, s.x))
	vjp, err := G.Backpropagate(G.Nodes{s.f}, G.Nodes{diff}, G.Nodes{s.x})
	if err != nil {
		return nil, nil, fmt.Errorf("graph: gradient: %w", err)
	}
	grad := G.Must(G.Sub(vjp[0], diff))
	part.fV, part.gV = part.fT, part.gT
	m, err = s.compile(G.Nodes{G.Read(s.f, &part.fV), G.Read(grad, &part.gV)})
	return m, s, err
}

// B is the batch size: the number of candidate rows.
func (o *Objective) B() int { return o.b }

// Steps is k, the number of chained steps (1 for NewObjective).
func (o *Objective) Steps() int { return o.k }

// N is the state size.
func (o *Objective) N() int { return o.n }

// M is the input size.
func (o *Objective) M() int { return o.m }

// Dtype is the type the graph computes in.
func (o *Objective) Dtype() Dtype { return o.dtype }

// F is F(X, U) (F^k(X, U) for k chained steps) from the last Eval, B x N row-major. The slice belongs to
// o and is overwritten by the next Eval.
func (o *Objective) F() []float64 { return o.f }

// Q is q_b = 0.5*||F(x_b, u_b) - x_b||^2 for each row b from the last Eval.
// The slice belongs to o and is overwritten by the next Eval.
func (o *Objective) Q() []float64 { return o.q }

// Grad is dq_b/dx_b for each row b from the last Eval, B x N row-major. The
// slice belongs to o and is overwritten by the next Eval (in float64 it is
// the storage of the gradient Candidates hands to a solver).
func (o *Objective) Grad() []float64 { return o.grad }

// SetInputs sets U: B x M values, or M values broadcast to every row.
func (o *Objective) SetInputs(u []float64) error {
	if o.lastU != nil && slices.Equal(o.lastU, u) {
		return nil // U holds them and the drives are (or will be) theirs
	}
	o.stale, o.lastU = true, nil
	if err := setInputs(o.uT, u, o.b, o.m); err != nil {
		return err
	}
	o.lastU = append(make([]float64, 0, len(u)), u...)
	return nil
}

// SetStates sets X (B x N values).
func (o *Objective) SetStates(x []float64) error { return setStates(o.xT, x, o.b, o.n) }

// States returns the current X as float64 (a copy).
func (o *Objective) States() []float64 {
	out := make([]float64, o.b*o.n)
	_ = copyOut(out, o.xT)
	return out
}

// StatesInto writes the current X into dst (B x N values) as float64:
// States without a new slice each call (the search reads the states after
// every evaluation).
func (o *Objective) StatesInto(dst []float64) error {
	if len(dst) != o.b*o.n {
		return fmt.Errorf("graph: %d values for the states of %d x %d", len(dst), o.b, o.n)
	}
	return copyOut(dst, o.xT)
}

// Eval runs the graph at the current X and U and fills F, Q and Grad.
func (o *Objective) Eval() error {
	if o.stale {
		if err := refreshDrives(o.steps); err != nil {
			return err
		}
		o.stale = false
	}
	if err := runAll(o.machines); err != nil {
		return err
	}
	for _, p := range o.parts {
		if p.fV != G.Value(p.fT) || p.gV != G.Value(p.gT) {
			return fmt.Errorf("graph: objective outputs were not read in place")
		}
	}
	if o.dtype != Float64 {
		if err := copyOut(o.f, o.fT); err != nil {
			return err
		}
		if err := copyOut(o.grad, o.gT); err != nil {
			return err
		}
	}
	N := o.n
	switch x := o.xT.Data().(type) {
	case []float64:
		for b := range o.q {
			o.q[b] = halfSquares(o.f[b*N:(b+1)*N], x[b*N:(b+1)*N])
		}
	case []float32:
		for b := range o.q {
			o.q[b] = halfSquares32(o.f[b*N:(b+1)*N], x[b*N:(b+1)*N])
		}
	}
	return nil
}

// halfSquares is 0.5*||f - x||^2.
func halfSquares(f, x []float64) float64 {
	s := 0.0
	for i, v := range f {
		d := v - x[i]
		s += d * d
	}
	return 0.5 * s
}

// halfSquares32 is 0.5*||f - x||^2 for float32 states (exact differences).
func halfSquares32(f []float64, x []float32) float64 {
	s := 0.0
	for i, v := range f {
		d := v - float64(x[i])
		s += d * d
	}
	return 0.5 * s
}

// Candidates exposes X and its gradient (from the last Eval) as a
// gorgonia.ValueGrad, so that any gorgonia.Solver can step X in place.
// In float64 the gradient shares storage with Grad.
func (o *Objective) Candidates() G.ValueGrad { return candidates{o} }

type candidates struct{ o *Objective }

func (c candidates) Value() G.Value         { return c.o.xT }
func (c candidates) Grad() (G.Value, error) { return c.o.gT, nil }
func (c candidates) Name() string           { return "X" }
