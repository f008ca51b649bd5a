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
func (c *LSTM) StepDriven(x *G.Node, d, p []*G.Node) (*G.Node, error) {
	n, err := c.build(x, d, p)
	if err != nil {
		return nil, err
	}
	return n.f, nil
}

// lstmNodes are the nodes of one LSTM step that its Jacobian reads.
type lstmNodes struct {
	c, i, fg, g, o, c2, tc, f *G.Node
}

// build builds one step from the drives.
func (c *LSTM) build(x *G.Node, d, p []*G.Node) (nd lstmNodes, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nd, err
	}
	defer wrapErr("LSTM step", &err)
	H := c.hidden
	dt := x.Dtype()
	g := x.Graph()
	selH := selectionNode(g, dt, 2*H, H, 0, fmt.Sprintf("lstm%d_select_h", H))
	selC := selectionNode(g, dt, 2*H, H, H, fmt.Sprintf("lstm%d_select_c", H))
	putH := selectionNode(g, dt, H, 2*H, 0, fmt.Sprintf("lstm%d_put_h", H))
	putC := selectionNode(g, dt, H, 2*H, H, fmt.Sprintf("lstm%d_put_c", H))
	h := G.Must(G.Mul(x, selH))
	nd.c = G.Must(G.Mul(x, selC))
	nd.i = G.Must(sigmoid(G.Must(c.recur(h, p, d, 0)), "lstm_i"))
	nd.fg = G.Must(sigmoid(G.Must(c.recur(h, p, d, 1)), "lstm_f"))
	nd.g = G.Must(G.Tanh(G.Must(c.recur(h, p, d, 2))))
	nd.o = G.Must(sigmoid(G.Must(c.recur(h, p, d, 3)), "lstm_o"))
	nd.c2 = G.Must(G.Add(G.Must(G.HadamardProd(nd.fg, nd.c)), G.Must(G.HadamardProd(nd.i, nd.g))))
	nd.tc = G.Must(G.Tanh(nd.c2))
	h2 := G.Must(G.HadamardProd(nd.o, nd.tc))
	nd.f = G.Must(G.Add(G.Must(G.Mul(h2, putH)), G.Must(G.Mul(nd.c2, putC))))
	return nd, nil
}

// StepJacobian builds one step and its Jacobians' terms (see Linearized).
// With c' = f c + i g, h' = o tanh(c'), the gates reading h only, σ' =
// σ(1 − σ) for i, f, o, g' = 1 − g² and k = o (1 − tanh²(c')):
//
//	dc'/dh = diag(c f') W_hf + diag(g i') W_hi + diag(i g') W_hg,  dc'/dc = diag(f)
//	dh'/dh = diag(tanh(c') o') W_ho + diag(k) dc'/dh,             dh'/dc = diag(k f)
//
// and dF/du likewise with the input weights W_i·.
func (c *LSTM) StepJacobian(x *G.Node, d, p []*G.Node) (f *G.Node, terms []JacobianTerm, err error) {
	nd, err := c.build(x, d, p)
	if err != nil {
		return nil, nil, err
	}
	defer wrapErr("LSTM jacobian", &err)
	H := c.hidden
	one := G.NewConstant(constOf(x, 1), G.WithName("lstm_one"))
	mul := func(a, b *G.Node) *G.Node { return G.Must(G.HadamardProd(a, b)) }
	dsig := func(s *G.Node) *G.Node { return mul(s, G.Must(G.Sub(one, s))) }
	cf := mul(nd.c, dsig(nd.fg))
	ci := mul(nd.g, dsig(nd.i))
	cg := mul(nd.i, G.Must(G.Sub(one, mul(nd.g, nd.g))))
	k := mul(nd.o, G.Must(G.Sub(one, mul(nd.tc, nd.tc))))
	co := mul(nd.tc, dsig(nd.o))
	hf, hi, hg := mul(k, cf), mul(k, ci), mul(k, cg)
	// gate: (its param's index, dc'/dh coefficient, dh'/dh coefficient)
	gates := []struct {
		g      int
		cc, hh *G.Node
	}{{1, cf, hf}, {0, ci, hi}, {2, cg, hg}, {3, nil, co}}
	for _, in := range []bool{false, true} {
		if in && c.inputs == 0 {
			break
		}
		for _, gt := range gates {
			par := 4*gt.g + 1
			if in {
				par = 4 * gt.g
			}
			terms = append(terms, JacobianTerm{Input: in, Param: par, Left: gt.hh})
			if gt.cc != nil {
				terms = append(terms, JacobianTerm{Input: in, Row: H, Param: par, Left: gt.cc})
			}
		}
	}
	terms = append(terms,
		JacobianTerm{Row: H, Col: H, Param: -1, Size: H, Left: nd.fg},
		JacobianTerm{Col: H, Param: -1, Size: H, Left: mul(k, nd.fg)})
	return nd.f, terms, nil
}

// selectionNode is a selection matrix (see selection) as a named input node
// of g holding its value. A constant would do the same, but gorgonia hashes
// and names a constant by formatting its whole value, which was half the
// time of building and compiling an LSTM's graphs; an input is hashed by its
// name, so equal names (the same matrix of another step or layer) merge.
func selectionNode(g *G.ExprGraph, dt tensor.Dtype, rows, cols, off int, name string) *G.Node {
	return G.NewMatrix(g, dt, G.WithShape(rows, cols), G.WithName(name), G.WithValue(selection(dt, rows, cols, off)))
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
