package cells

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LSTM is PyTorch's nn.LSTM (one layer), gates in PyTorch's row order
// i, f, g, o. Its state is the concatenation [h; c], so N = 2*hidden:
//
//	i = sigmoid(W_ii u + b_ii + W_hi h + b_hi)   (f, o likewise)
//	g = tanh(W_ig u + b_ig + W_hg h + b_hg)
//	c' = f*c + i*g,  h' = o*tanh(c')
type LSTM struct{ gated }

// NewLSTM returns a zero-weight LSTM with the given sizes.
func NewLSTM(hidden, inputs int) *LSTM {
	return &LSTM{newGated("LSTM", []string{"i", "f", "g", "o"}, hidden, inputs)}
}

// StateSize is 2*hidden: the state is [h; c].
func (c *LSTM) StateSize() int { return 2 * c.hidden }

// Step builds one step for a batch.
func (c *LSTM) Step(x, u *G.Node, p []*G.Node) (out *G.Node, err error) {
	if err := checkStep(c, x, u, p); err != nil {
		return nil, err
	}
	defer wrapErr("LSTM step", &err)
	H := c.hidden
	h := G.Must(G.Slice(x, nil, tensor.S(0, H)))
	cc := G.Must(G.Slice(x, nil, tensor.S(H, 2*H)))
	i := G.Must(G.Sigmoid(G.Must(c.preact(u, h, p, 0))))
	f := G.Must(G.Sigmoid(G.Must(c.preact(u, h, p, 1))))
	g := G.Must(G.Tanh(G.Must(c.preact(u, h, p, 2))))
	o := G.Must(G.Sigmoid(G.Must(c.preact(u, h, p, 3))))
	c2 := G.Must(G.Add(G.Must(G.HadamardProd(f, cc)), G.Must(G.HadamardProd(i, g))))
	h2 := G.Must(G.HadamardProd(o, G.Must(G.Tanh(c2))))
	return G.Concat(1, h2, c2)
}
