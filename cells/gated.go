package cells

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	G "gorgonia.org/gorgonia"
)

// gated holds the weights shared by PyTorch's single-layer RNN, GRU and LSTM:
// for each gate g (in PyTorch's row order) the input and recurrent matrices,
// stored transposed so that a batch step is X*W, and the two biases.
//
// Separate per-gate matrices avoid slicing the fused PyTorch matrices on
// every step (column slices of a batch are strided and slow in gorgonia).
type gated struct {
	self   Cell // the cell that embeds this, for shape checks
	kind   string
	gates  []string // gate names in PyTorch row order
	hidden int
	inputs int
	params []*Param // per gate: Wih_T (M x H), Whh_T (H x H), b_ih (1 x H), b_hh (1 x H)
}

func newGated(kind string, gates []string, hidden, inputs int) gated {
	c := gated{kind: kind, gates: gates, hidden: hidden, inputs: inputs}
	for _, g := range gates {
		c.params = append(c.params,
			NewParam("w_ih_"+g+"_T", inputs, hidden),
			NewParam("w_hh_"+g+"_T", hidden, hidden),
			NewParam("b_ih_"+g, 1, hidden),
			NewParam("b_hh_"+g, 1, hidden))
	}
	return c
}

// Hidden is the number of hidden units H.
func (c *gated) Hidden() int { return c.hidden }

// InputSize is M.
func (c *gated) InputSize() int { return c.inputs }

// Params returns the per-gate weights (see the type's documentation).
func (c *gated) Params() []*Param { return c.params }

// Kind is the PyTorch module name: "RNN", "GRU" or "LSTM".
func (c *gated) Kind() string { return c.kind }

// InitUniform draws every weight from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's
// default initialisation, from the given seed.
func (c *gated) InitUniform(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	k := 1 / math.Sqrt(float64(c.hidden))
	for _, p := range c.params {
		for i := range p.Data {
			p.Data[i] = (2*r.Float64() - 1) * k
		}
	}
}

// gateNodes returns the four nodes of gate g.
func (c *gated) gateNodes(p []*G.Node, g int) (wih, whh, bih, bhh *G.Node) {
	return p[4*g], p[4*g+1], p[4*g+2], p[4*g+3]
}

// Drives builds the input drive of every gate, U*W_ih_g + b_ih_g + b_hh_g
// (B x H), or with no inputs the biases alone (1 x H). GRU's n gate leaves
// b_hn out: it stays inside the reset product. It implements Driven.
func (c *gated) Drives(u *G.Node, p []*G.Node) (d []*G.Node, err error) {
	if err := checkParams(c.self, p); err != nil {
		return nil, err
	}
	defer wrapErr(c.kind+" drives", &err)
	for g := range c.gates {
		wih, _, bih, bhh := c.gateNodes(p, g)
		b := bih
		if !(c.kind == "GRU" && g == 2) {
			b = G.Must(G.Add(bih, bhh))
		}
		if c.inputs > 0 {
			if u == nil {
				return nil, fmt.Errorf("cells: %s takes %d inputs but no input node was given", c.kind, c.inputs)
			}
			b = G.Must(affine(u, wih, b))
		}
		d = append(d, b)
	}
	return d, nil
}

// recur builds h*Whh_T + d_g for gate g.
func (c *gated) recur(h *G.Node, p, d []*G.Node, g int) (*G.Node, error) {
	_, whh, _, _ := c.gateNodes(p, g)
	hw, err := G.Mul(h, whh)
	if err != nil {
		return nil, err
	}
	return addDrive(hw, d[g])
}

// checkDriven checks the nodes given to StepDriven.
func (c *gated) checkDriven(x *G.Node, d, p []*G.Node) error {
	if sx := x.Shape(); len(sx) != 2 || sx[1] != c.self.StateSize() {
		return fmt.Errorf("cells: state node has shape %v, want (B, %d)", sx, c.self.StateSize())
	}
	if len(d) != len(c.gates) {
		return fmt.Errorf("cells: %s: %d drives, want %d", c.kind, len(d), len(c.gates))
	}
	return checkParams(c.self, p)
}

// StateDict returns the weights in PyTorch's layout and names
// (weight_ih_l0: G*H x M, weight_hh_l0: G*H x H, bias_ih_l0, bias_hh_l0: G*H).
func (c *gated) StateDict() StateDict {
	H, M, NG := c.hidden, c.inputs, len(c.gates)
	wih := Tensor{Shape: []int{NG * H, M}, Data: make([]float64, NG*H*M)}
	whh := Tensor{Shape: []int{NG * H, H}, Data: make([]float64, NG*H*H)}
	bih := Tensor{Shape: []int{NG * H}, Data: make([]float64, NG*H)}
	bhh := Tensor{Shape: []int{NG * H}, Data: make([]float64, NG*H)}
	for g := range c.gates {
		pi, ph, pbi, pbh := c.params[4*g], c.params[4*g+1], c.params[4*g+2], c.params[4*g+3]
		for k := 0; k < H; k++ {
			row := g*H + k
			for j := 0; j < M; j++ {
				wih.Data[row*M+j] = pi.At(j, k)
			}
			for j := 0; j < H; j++ {
				whh.Data[row*H+j] = ph.At(j, k)
			}
			bih.Data[row] = pbi.Data[k]
			bhh.Data[row] = pbh.Data[k]
		}
	}
	return StateDict{"weight_ih_l0": wih, "weight_hh_l0": whh, "bias_ih_l0": bih, "bias_hh_l0": bhh}
}

// LoadStateDict sets the weights from a PyTorch state_dict of a single-layer
// module (names without prefix). Every tensor must be present with the
// cell's shape and finite values; on error the cell is unchanged.
func (c *gated) LoadStateDict(sd StateDict) error {
	H, M, NG := c.hidden, c.inputs, len(c.gates)
	want := []struct {
		name  string
		shape []int
	}{
		{"weight_ih_l0", []int{NG * H, M}},
		{"weight_hh_l0", []int{NG * H, H}},
		{"bias_ih_l0", []int{NG * H}},
		{"bias_hh_l0", []int{NG * H}},
	}
	ts := make([]Tensor, len(want))
	for i, w := range want {
		t, ok := sd[w.name]
		if !ok {
			return fmt.Errorf("cells: %s state_dict: %w %q (have %s)", c.kind, ErrMissing, w.name, nameList(sd))
		}
		if !slices.Equal(t.Shape, w.shape) {
			return fmt.Errorf("cells: %s state_dict: %w: tensor %q has shape %v, want %v (hidden %d, inputs %d)", c.kind, ErrShape, w.name, t.Shape, w.shape, H, M)
		}
		if len(t.Data) != prod(t.Shape) {
			return fmt.Errorf("cells: %s state_dict: %w: tensor %q has %d values for shape %v", c.kind, ErrShape, w.name, len(t.Data), t.Shape)
		}
		for k, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("cells: %s state_dict: %w: tensor %q holds %v at flat index %d", c.kind, ErrNotFinite, w.name, v, k)
			}
		}
		ts[i] = t
	}
	wih, whh, bih, bhh := ts[0], ts[1], ts[2], ts[3]
	for g := range c.gates {
		pi, ph, pbi, pbh := c.params[4*g], c.params[4*g+1], c.params[4*g+2], c.params[4*g+3]
		for k := 0; k < H; k++ {
			row := g*H + k
			for j := 0; j < M; j++ {
				pi.Set(j, k, wih.Data[row*M+j])
			}
			for j := 0; j < H; j++ {
				ph.Set(j, k, whh.Data[row*H+j])
			}
			pbi.Data[k] = bih.Data[row]
			pbh.Data[k] = bhh.Data[row]
		}
	}
	return nil
}

func prod(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}
