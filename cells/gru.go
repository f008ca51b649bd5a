package cells

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// GRU is PyTorch's nn.GRU (one layer), gates in PyTorch's row order r, z, n:
//
//	r = sigmoid(W_ir u + b_ir + W_hr h + b_hr)
//	z = sigmoid(W_iz u + b_iz + W_hz h + b_hz)
//	n = tanh(W_in u + b_in + r * (W_hn h + b_hn))
//	h' = (1 - z) * n + z * h
//
// With ResetBeforeLinear (ONNX's GRU with linear_before_reset = 0, Keras'
// reset_after = False) the reset gate acts before the recurrent product:
//
//	n = tanh(W_in u + b_in + W_hn (r * h) + b_hn)
//
// The flag is not part of the state_dict.
type GRU struct {
	gated
	ResetBeforeLinear bool
}

// NewGRU returns a zero-weight GRU with the given sizes.
func NewGRU(hidden, inputs int) *GRU {
	c := &GRU{gated: newGated("GRU", []string{"r", "z", "n"}, hidden, inputs)}
	c.self = c
	return c
}

// StateSize is the hidden size.
func (c *GRU) StateSize() int { return c.hidden }

// Step builds one step for a batch.
func (c *GRU) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drives (see Driven).
func (c *GRU) StepDriven(x *G.Node, d, p []*G.Node) (out *G.Node, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nil, err
	}
	defer wrapErr("GRU step", &err)
	r := G.Must(sigmoid(G.Must(c.recur(x, p, d, 0)), "gru_r"))
	z := G.Must(sigmoid(G.Must(c.recur(x, p, d, 1)), "gru_z"))
	_, whh, _, bhh := c.gateNodes(p, 2)
	var n *G.Node
	if c.ResetBeforeLinear {
		rhn := G.Must(affine(G.Must(G.HadamardProd(r, x)), whh, bhh))
		n = G.Must(G.Tanh(G.Must(addDrive(rhn, d[2]))))
	} else {
		hn := G.Must(affine(x, whh, bhh))
		n = G.Must(G.Tanh(G.Must(addDrive(G.Must(G.HadamardProd(r, hn)), d[2]))))
	}
	// h' = n + z*(h - n): the same value without a constant 1.
	diff := G.Must(G.Sub(x, n))
	return G.Add(n, G.Must(G.HadamardProd(z, diff)))
}

// wrapErr turns a gorgonia panic raised by G.Must into an error.
func wrapErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("cells: %s: %v", what, r)
	}
}
