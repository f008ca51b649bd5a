package cells

import (
	"fmt"
	"regexp"
	"strconv"

	G "gorgonia.org/gorgonia"
)

// Stack is a multi-layer nn.RNN, nn.GRU or nn.LSTM (num_layers > 1) as one
// cell. One step runs the layers in order as PyTorch does: layer 0 takes
// the input u, layer k > 0 takes layer k-1's new h as its input.
//
// The state is the layers' states one after the other: for nn.RNN and
// nn.GRU x = [h_0; h_1; ...; h_{L-1}] (N = L*hidden), for nn.LSTM
// x = [h_0; c_0; h_1; c_1; ...] (N = 2*L*hidden), each layer's block being
// the state of the single-layer cell. (PyTorch's h_n, c_n of shape
// (L, B, H) hold the same numbers: x's block k is h_n[k], or h_n[k], c_n[k].)
//
// Its state_dict uses PyTorch's names: weight_ih_l{k}, weight_hh_l{k},
// bias_ih_l{k}, bias_hh_l{k}.
type Stack struct {
	layers []TorchCell
	params []*Param // the layers' params, renamed l{k}_NAME, sharing storage
}

// NewStack returns a zero-weight stack of layers cells of a PyTorch kind
// (see NewTorchCell), each with the given hidden size; layer 0 takes inputs
// inputs. layers must be >= 1.
func NewStack(kind string, hidden, inputs, layers int) (*Stack, error) {
	if layers < 1 {
		return nil, fmt.Errorf("cells: stack of %d layers, want >= 1", layers)
	}
	G, err := kindGates(kind)
	if err != nil {
		return nil, err
	}
	if err := checkWeightMemory(kind, G, hidden, inputs, layers); err != nil {
		return nil, err
	}
	s := &Stack{}
	for k := 0; k < layers; k++ {
		in := hidden
		if k == 0 {
			in = inputs
		}
		c, err := NewTorchCell(kind, hidden, in)
		if err != nil {
			return nil, err
		}
		s.layers = append(s.layers, c)
		for _, p := range c.Params() {
			q := *p // shares Data
			q.Name = "l" + strconv.Itoa(k) + "_" + p.Name
			s.params = append(s.params, &q)
		}
	}
	return s, nil
}

// Layers returns the layer cells (sharing the stack's weights).
func (s *Stack) Layers() []TorchCell { return s.layers }

// NumLayers is L.
func (s *Stack) NumLayers() int { return len(s.layers) }

// Kind is the PyTorch module name: "RNN", "GRU" or "LSTM".
func (s *Stack) Kind() string { return s.layers[0].Kind() }

// Hidden is each layer's hidden size.
func (s *Stack) Hidden() int { return s.layers[0].Hidden() }

// StateSize is the sum of the layers' state sizes.
func (s *Stack) StateSize() int {
	n := 0
	for _, l := range s.layers {
		n += l.StateSize()
	}
	return n
}

// InputSize is layer 0's input size.
func (s *Stack) InputSize() int { return s.layers[0].InputSize() }

// Params returns the layers' params in order, named l{k}_NAME.
func (s *Stack) Params() []*Param { return s.params }

// layerHidden returns the h of a layer's output node (B x state).
func layerHidden(l TorchCell, out *G.Node, k int) (*G.Node, error) {
	if l.StateSize() == l.Hidden() {
		return out, nil
	}
	H := l.Hidden()
	sel := selectionNode(out.Graph(), out.Dtype(), l.StateSize(), H, 0, fmt.Sprintf("stack_l%d_h_of_%dx%d", k, l.StateSize(), H))
	return G.Mul(out, sel)
}

// Step builds one step of all the layers for a batch.
//
// Each layer's block is taken out of x, and put back into the output, by
// products with constant 0/1 matrices (see LSTM.Step for why not slices).
func (s *Stack) Step(x, u *G.Node, p []*G.Node) (out *G.Node, err error) {
	if err := checkStep(s, x, u, p); err != nil {
		return nil, err
	}
	return s.steps(x, p, func(xk *G.Node, pk []*G.Node) (*G.Node, error) { return s.layers[0].Step(xk, u, pk) })
}

// Drives builds layer 0's drives from U (see Driven): the input reaches
// the stack through layer 0 alone; the other layers' inputs are states.
func (s *Stack) Drives(u *G.Node, p []*G.Node) ([]*G.Node, error) {
	if err := checkParams(s, p); err != nil {
		return nil, err
	}
	l0, ok := s.layers[0].(Driven)
	if !ok {
		return nil, fmt.Errorf("cells: stack: layer 0 (%T) has no drives", s.layers[0])
	}
	return l0.Drives(u, p[:len(s.layers[0].Params())])
}

// StepDriven builds one step from layer 0's drives (see Driven).
func (s *Stack) StepDriven(x *G.Node, d, p []*G.Node) (*G.Node, error) {
	if sx := x.Shape(); len(sx) != 2 || sx[1] != s.StateSize() {
		return nil, fmt.Errorf("cells: state node has shape %v, want (B, %d)", sx, s.StateSize())
	}
	if err := checkParams(s, p); err != nil {
		return nil, err
	}
	l0, ok := s.layers[0].(Driven)
	if !ok {
		return nil, fmt.Errorf("cells: stack: layer 0 (%T) has no drives", s.layers[0])
	}
	return s.steps(x, p, func(xk *G.Node, pk []*G.Node) (*G.Node, error) { return l0.StepDriven(xk, d, pk) })
}

// steps builds the layers' steps in order, layer 0's by first.
func (s *Stack) steps(x *G.Node, p []*G.Node, first func(xk *G.Node, pk []*G.Node) (*G.Node, error)) (out *G.Node, err error) {
	defer wrapErr("stack step", &err)
	if len(s.layers) == 1 {
		return first(x, p)
	}
	N, dt := s.StateSize(), x.Dtype()
	off, np := 0, 0
	var in *G.Node
	for k, l := range s.layers {
		n, m := l.StateSize(), len(l.Params())
		sel := selectionNode(x.Graph(), dt, N, n, off, fmt.Sprintf("stack_sel_%d_%d_%d", N, n, off))
		put := selectionNode(x.Graph(), dt, n, N, off, fmt.Sprintf("stack_put_%d_%d_%d", N, n, off))
		xk := G.Must(G.Mul(x, sel))
		var yk *G.Node
		if k == 0 {
			yk, err = first(xk, p[np:np+m])
		} else {
			yk, err = l.Step(xk, in, p[np:np+m])
		}
		if err != nil {
			return nil, fmt.Errorf("cells: layer %d: %w", k, err)
		}
		placed := G.Must(G.Mul(yk, put))
		if out == nil {
			out = placed
		} else {
			out = G.Must(G.Add(out, placed))
		}
		if in, err = layerHidden(l, yk, k); err != nil {
			return nil, err
		}
		off += n
		np += m
	}
	return out, nil
}

// layerKey matches a PyTorch recurrent tensor name with its layer index.
var layerKey = regexp.MustCompile(`^(weight_ih|weight_hh|bias_ih|bias_hh)_l([0-9]+)$`)

// StateDict returns the weights under PyTorch's names for num_layers = L.
func (s *Stack) StateDict() StateDict {
	sd := StateDict{}
	for k, l := range s.layers {
		for name, t := range l.StateDict() {
			sd[name[:len(name)-1]+strconv.Itoa(k)] = t // "_l0" -> "_l{k}"
		}
	}
	return sd
}

// LoadStateDict sets every layer's weights from a PyTorch state_dict of a
// multi-layer module (names without prefix). On error the stack is
// unchanged.
func (s *Stack) LoadStateDict(sd StateDict) error {
	per := make([]StateDict, len(s.layers))
	for k := range per {
		per[k] = StateDict{}
	}
	for name, t := range sd {
		m := layerKey.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		k, err := strconv.Atoi(m[2])
		if err != nil || k >= len(s.layers) {
			return fmt.Errorf("cells: %s stack of %d layers: tensor %q is of layer %s", s.Kind(), len(s.layers), name, m[2])
		}
		per[k][m[1]+"_l0"] = t
	}
	for k := range per {
		for _, base := range []string{"weight_ih", "weight_hh", "bias_ih", "bias_hh"} {
			if _, ok := per[k][base+"_l0"]; !ok {
				return fmt.Errorf("cells: %s stack of %d layers: %w %q (have %s)", s.Kind(), len(s.layers), ErrMissing, base+"_l"+strconv.Itoa(k), nameList(sd))
			}
		}
	}
	snap := make([][]float64, len(s.params))
	for i, p := range s.params {
		snap[i] = append([]float64(nil), p.Data...)
	}
	for k, l := range s.layers {
		if err := l.LoadStateDict(per[k]); err != nil {
			for i, p := range snap {
				copy(s.params[i].Data, p)
			}
			return fmt.Errorf("cells: layer %d: %w", k, err)
		}
	}
	return nil
}

// A stack is Driven: the finder computes layer 0's input drives once per
// input instead of on every iteration.
var _ Driven = (*Stack)(nil)
