package cells

import (
	"fmt"

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
	c := &LSTM{newGated("LSTM", []string{"i", "f", "g", "o"}, hidden, inputs)}
	c.self = c
	return c
}

// StateSize is 2*hidden: the state is [h; c].
func (c *LSTM) StateSize() int { return 2 * c.hidden }

// Step builds one step for a batch.
//
// h and c are taken out of X, and put back into the output, by products
// with constant selection matrices rather than Slice and Concat: gorgonia
// v0.9.18 hashes a slice by the low byte of its bounds, so Slice(0, H) and
// Slice(H, 2H) are merged into one node when H is a multiple of 256 (and
// Concat's gradient slices likewise); products have no such trap and no
// strided copies.
func (c *LSTM) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drives (see Driven).
func (c *LSTM) StepDriven(x *G.Node, d, p []*G.Node) (out *G.Node, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nil, err
	}
	defer wrapErr("LSTM step", &err)
	H := c.hidden
	dt := x.Dtype()
	selH := G.NewConstant(selection(dt, 2*H, H, 0), G.WithName(fmt.Sprintf("lstm%d_select_h", H)))
	selC := G.NewConstant(selection(dt, 2*H, H, H), G.WithName(fmt.Sprintf("lstm%d_select_c", H)))
	putH := G.NewConstant(selection(dt, H, 2*H, 0), G.WithName(fmt.Sprintf("lstm%d_put_h", H)))
	putC := G.NewConstant(selection(dt, H, 2*H, H), G.WithName(fmt.Sprintf("lstm%d_put_c", H)))
	h := G.Must(G.Mul(x, selH))
	cc := G.Must(G.Mul(x, selC))
	i := G.Must(sigmoid(G.Must(c.recur(h, p, d, 0)), "lstm_i"))
	f := G.Must(sigmoid(G.Must(c.recur(h, p, d, 1)), "lstm_f"))
	gg := G.Must(G.Tanh(G.Must(c.recur(h, p, d, 2))))
	o := G.Must(sigmoid(G.Must(c.recur(h, p, d, 3)), "lstm_o"))
	c2 := G.Must(G.Add(G.Must(G.HadamardProd(f, cc)), G.Must(G.HadamardProd(i, gg))))
	h2 := G.Must(G.HadamardProd(o, G.Must(G.Tanh(c2))))
	return G.Add(G.Must(G.Mul(h2, putH)), G.Must(G.Mul(c2, putC)))
}

// selection returns a rows x cols 0/1 matrix with ones at (k+off, k) when
// rows > cols (taking columns out) or at (k, k+off) when cols > rows
// (putting them back).
func selection(dt tensor.Dtype, rows, cols, off int) *tensor.Dense {
	m := tensor.New(tensor.Of(dt), tensor.WithShape(rows, cols))
	n := min(rows, cols)
	for k := 0; k < n; k++ {
		r, c := k+off, k
		if cols > rows {
			r, c = k, k+off
		}
		if dt == tensor.Float32 {
			m.SetAt(float32(1), r, c)
		} else {
			m.SetAt(1.0, r, c)
		}
	}
	return m
}
