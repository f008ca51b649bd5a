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
type GRU struct{ gated }

// NewGRU returns a zero-weight GRU with the given sizes.
func NewGRU(hidden, inputs int) *GRU {
	return &GRU{newGated("GRU", []string{"r", "z", "n"}, hidden, inputs)}
}

// StateSize is the hidden size.
func (c *GRU) StateSize() int { return c.hidden }

// Step builds one step for a batch.
func (c *GRU) Step(x, u *G.Node, p []*G.Node) (out *G.Node, err error) {
	if err := checkStep(c, x, u, p); err != nil {
		return nil, err
	}
	defer wrapErr("GRU step", &err)
	r := G.Must(sigmoid(G.Must(c.preact(u, x, p, 0)), "gru_r"))
	z := G.Must(sigmoid(G.Must(c.preact(u, x, p, 1)), "gru_z"))
	wih, whh, bih, bhh := c.gateNodes(p, 2)
	hn := G.Must(affine(x, whh, bhh))
	rn := G.Must(G.HadamardProd(r, hn))
	var in *G.Node
	if c.inputs > 0 {
		in = G.Must(affine(u, wih, bih))
	} else {
		in = G.Must(G.BroadcastAdd(rn, bih, nil, []byte{0}))
		rn = nil
	}
	if rn != nil {
		in = G.Must(G.Add(in, rn))
	}
	n := G.Must(G.Tanh(in))
	// h' = n + z*(h - n): the same value without a constant 1.
	d := G.Must(G.Sub(x, n))
	return G.Add(n, G.Must(G.HadamardProd(z, d)))
}

// wrapErr turns a gorgonia panic raised by G.Must into an error.
func wrapErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("cells: %s: %v", what, r)
	}
}
