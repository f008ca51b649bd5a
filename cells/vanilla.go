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
	if err := c.checkDriven(x, d, p); err != nil {
		return nil, err
	}
	pre, err := c.recur(x, p, d, 0)
	if err != nil {
		return nil, fmt.Errorf("cells: RNN step: %w", err)
	}
	if c.Act == ReLU {
		return G.Rectify(pre)
	}
	return G.Tanh(pre)
}

func checkStep(c Cell, x, u *G.Node, p []*G.Node) error {
	if err := checkXU(c, x, u); err != nil {
		return err
	}
	return checkParams(c, p)
}
