package graph

import (
	"fmt"

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
// An Objective belongs to one goroutine.
type Objective struct {
	s *step
	m G.VM
	// The graph's outputs are read into fT and gT (G.Read copies into a
	// value it is given); in float64 F and Grad are their backing arrays.
	fV, gV     G.Value
	fT, gT     *tensor.Dense
	F, Q, Grad []float64 // the last Eval's outputs: B x N, B, B x N
}

// NewObjective builds and compiles the objective for batch size B.
func NewObjective(cell cells.Cell, B int, d Dtype) (o *Objective, err error) {
	s, err := buildStep(cell, B, d)
	if err != nil {
		return nil, err
	}
	defer recoverErr("build objective", &err)
	o = &Objective{s: s}
	// dq_b/dx_b = J_b^T r_b - r_b with r = F - X: one vector-Jacobian
	// product seeded with r. Differentiating through the square, the row
	// sums and the total instead costs a dozen more nodes, three of them
	// B x N (the ones of the total broadcast back over the batch). q is
	// summed in Go from F and X.
	diff := G.Must(G.Sub(s.f, s.x))
	vjp, err := G.Backpropagate(G.Nodes{s.f}, G.Nodes{diff}, G.Nodes{s.x})
	if err != nil {
		return nil, fmt.Errorf("graph: gradient: %w", err)
	}
	grad := G.Must(G.Sub(vjp[0], diff))
	o.fT, o.gT = newDense(d, B, s.N, nil), newDense(d, B, s.N, nil)
	o.fV, o.gV = o.fT, o.gT
	outs := G.Nodes{G.Read(s.f, &o.fV), G.Read(grad, &o.gV)}
	if o.m, err = s.compile(outs); err != nil {
		return nil, err
	}
	if d == Float64 {
		o.F, o.Grad = o.fT.Float64s(), o.gT.Float64s()
	} else {
		o.F, o.Grad = make([]float64, B*s.N), make([]float64, B*s.N)
	}
	o.Q = make([]float64, B)
	return o, nil
}

// B, N and M are the batch size, state size and input size.
func (o *Objective) B() int { return o.s.B }
func (o *Objective) N() int { return o.s.N }
func (o *Objective) M() int { return o.s.M }

// Dtype is the type the graph computes in.
func (o *Objective) Dtype() Dtype { return o.s.dtype }

// SetInputs sets U: B x M values, or M values broadcast to every row.
func (o *Objective) SetInputs(u []float64) error { return o.s.setU(u) }

// SetStates sets X (B x N values).
func (o *Objective) SetStates(x []float64) error { return o.s.setX(x) }

// States returns the current X as float64 (a copy).
func (o *Objective) States() []float64 {
	out := make([]float64, o.s.B*o.s.N)
	_ = copyOut(out, o.s.xT)
	return out
}

// Eval runs the graph at the current X and U and fills F, Q and Grad.
func (o *Objective) Eval() error {
	if err := run(o.m); err != nil {
		return err
	}
	if o.fV != G.Value(o.fT) || o.gV != G.Value(o.gT) {
		return fmt.Errorf("graph: objective outputs were not read in place")
	}
	if o.s.dtype != Float64 {
		if err := copyOut(o.F, o.fT); err != nil {
			return err
		}
		if err := copyOut(o.Grad, o.gT); err != nil {
			return err
		}
	}
	N := o.s.N
	switch x := o.s.xT.Data().(type) {
	case []float64:
		for b := range o.Q {
			o.Q[b] = halfSquares(o.F[b*N:(b+1)*N], x[b*N:(b+1)*N])
		}
	case []float32:
		for b := range o.Q {
			o.Q[b] = halfSquares32(o.F[b*N:(b+1)*N], x[b*N:(b+1)*N])
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

func (c candidates) Value() G.Value         { return c.o.s.xT }
func (c candidates) Grad() (G.Value, error) { return c.o.gT, nil }
func (c candidates) Name() string           { return "X" }
