package cells

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Nonlinearity selects the vanilla RNN's activation, as PyTorch's
// nonlinearity argument.
type Nonlinearity int

const (
	Tanh Nonlinearity = iota // nonlinearity="tanh", PyTorch's default
	ReLU                     // nonlinearity="relu"
)

// Vanilla is PyTorch's nn.RNN (one layer):
//
//	h' = act(W_ih u + b_ih + W_hh h + b_hh), act = tanh or relu.
type Vanilla struct {
	gated
	Act Nonlinearity
}

// NewVanilla returns a zero-weight vanilla RNN with the given sizes.
func NewVanilla(hidden, inputs int, act Nonlinearity) *Vanilla {
	c := &Vanilla{gated: newGated("RNN", []string{"h"}, hidden, inputs), Act: act}
	c.self = c
	return c
}

// StateSize is the hidden size.
func (c *Vanilla) StateSize() int { return c.hidden }

// Step builds one step for a batch.
func (c *Vanilla) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drives (see Driven).
func (c *Vanilla) StepDriven(x *G.Node, d, p []*G.Node) (*G.Node, error) {
	f, _, err := c.build(x, d, p)
	return f, err
}

// StepJacobian builds one step and its Jacobians' terms (see Linearized):
// with F = act(pre), dF/dx = diag(act'(pre)) W_hh and dF/du = diag(act'(pre))
// W_ih, where tanh' = 1 − F² and relu' = [pre >= 0] (gorgonia's Rectify is
// pre·[pre >= 0]).
func (c *Vanilla) StepJacobian(x *G.Node, d, p []*G.Node) (f *G.Node, terms []JacobianTerm, err error) {
	f, pre, err := c.build(x, d, p)
	if err != nil {
		return nil, nil, err
	}
	defer wrapErr("RNN jacobian", &err)
	var s *G.Node
	if c.Act == ReLU {
		zero := G.NewConstant(constOf(x, 0), G.WithName("rnn_relu_zero"))
		s = G.Must(G.Gte(pre, zero, true))
	} else {
		one := G.NewConstant(constOf(x, 1), G.WithName("rnn_one"))
		s = G.Must(G.Sub(one, G.Must(G.HadamardProd(f, f))))
	}
	terms = []JacobianTerm{{Param: 1, Left: s}}
	if c.inputs > 0 {
		terms = append(terms, JacobianTerm{Input: true, Param: 0, Left: s})
	}
	return f, terms, nil
}

// build builds F and the pre-activation.
func (c *Vanilla) build(x *G.Node, d, p []*G.Node) (f, pre *G.Node, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nil, nil, err
	}
	pre, err = c.recur(x, p, d, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("cells: RNN step: %w", err)
	}
	if c.Act == ReLU {
		f, err = G.Rectify(pre)
	} else {
		f, err = G.Tanh(pre)
	}
	return f, pre, err
}

func checkStep(c Cell, x, u *G.Node, p []*G.Node) error {
	if err := checkXU(c, x, u); err != nil {
		return err
	}
	return checkParams(c, p)
}
