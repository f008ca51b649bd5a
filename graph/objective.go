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
	s          *step
	m          G.VM
	fV, qV, gV G.Value
	gradT      *tensor.Dense
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
	diff := G.Must(G.Sub(s.f, s.x))
	sq := G.Must(G.Square(diff))
	rowsum := G.Must(G.Sum(sq, 1))
	var half *G.Node
	if d == Float32 {
		half = G.NewConstant(float32(0.5), G.WithName("half"))
	} else {
		half = G.NewConstant(0.5, G.WithName("half"))
	}
	q := G.Must(G.HadamardProd(rowsum, half))
	loss := G.Must(G.Sum(q))
	grads, err := G.Grad(loss, s.x)
	if err != nil {
		return nil, fmt.Errorf("graph: gradient: %w", err)
	}
	outs := G.Nodes{G.Read(s.f, &o.fV), G.Read(q, &o.qV), G.Read(grads[0], &o.gV)}
	if o.m, err = s.compile(outs); err != nil {
		return nil, err
	}
	o.F = make([]float64, B*s.N)
	o.Q = make([]float64, B)
	o.Grad = make([]float64, B*s.N)
	o.gradT = newDense(d, B, s.N, nil)
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
	if err := copyOut(o.F, o.fV.(tensor.Tensor)); err != nil {
		return err
	}
	if err := copyOut(o.Q, o.qV.(tensor.Tensor)); err != nil {
		return err
	}
	if err := copyOut(o.Grad, o.gV.(tensor.Tensor)); err != nil {
		return err
	}
	copyIn(o.gradT, o.Grad)
	return nil
}

// Candidates exposes X and its gradient (from the last Eval) as a
// gorgonia.ValueGrad, so that any gorgonia.Solver can step X in place.
func (o *Objective) Candidates() G.ValueGrad { return candidates{o} }

type candidates struct{ o *Objective }

func (c candidates) Value() G.Value         { return c.o.s.xT }
func (c candidates) Grad() (G.Value, error) { return c.o.gradT, nil }
func (c candidates) Name() string           { return "X" }
