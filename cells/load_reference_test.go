package cells_test

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
)

// torchRef is a plain-Go single-layer PyTorch RNN/GRU/LSTM, written from the
// equations of the PyTorch documentation and the state_dict layout, with no
// gorgonia: the independent ground truth for the fixtures. For gate g, rows
// g*H..(g+1)*H-1 of weight_ih_l0 (G*H x M), weight_hh_l0 (G*H x H),
// bias_ih_l0 and bias_hh_l0 hold W_i*, W_h*, b_i*, b_h*, in PyTorch's gate
// order: RNN (h), GRU (r, z, n), LSTM (i, f, g, o).
type torchRef struct {
	kind               string
	H, M               int
	wih, whh, bih, bhh []float64
}

func newTorchRef(kind string, sd cells.StateDict) (torchRef, error) {
	r := torchRef{kind: kind}
	whh, wih := sd["weight_hh_l0"], sd["weight_ih_l0"]
	if len(whh.Shape) != 2 || len(wih.Shape) != 2 {
		return r, fmt.Errorf("reference: weight shapes %v, %v", whh.Shape, wih.Shape)
	}
	r.H, r.M = whh.Shape[1], wih.Shape[1]
	r.wih, r.whh, r.bih, r.bhh = wih.Data, whh.Data, sd["bias_ih_l0"].Data, sd["bias_hh_l0"].Data
	return r, nil
}

func (r torchRef) stateSize() int {
	if r.kind == "lstm" {
		return 2 * r.H
	}
	return r.H
}

// in returns W_i[g][k,:] . u + b_i[g][k]; hid returns W_h[g][k,:] . h + b_h[g][k].
func (r torchRef) in(g, k int, u []float64) float64  { return affineRow(r.wih, r.bih, g*r.H+k, u) }
func (r torchRef) hid(g, k int, h []float64) float64 { return affineRow(r.whh, r.bhh, g*r.H+k, h) }

// affineRow is row `row` of W v + b, W having len(v) columns.
func affineRow(w, b []float64, row int, v []float64) float64 {
	s := b[row]
	for j, x := range v {
		s += w[row*len(v)+j] * x
	}
	return s
}

func sigm(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// step returns the next state from state x and input u.
func (r torchRef) step(x, u []float64) []float64 {
	H := r.H
	out := make([]float64, r.stateSize())
	switch r.kind {
	case "rnn": // h' = tanh(W_ih u + b_ih + W_hh h + b_hh)
		for k := 0; k < H; k++ {
			out[k] = math.Tanh(r.in(0, k, u) + r.hid(0, k, x))
		}
	case "rnn_relu":
		for k := 0; k < H; k++ {
			out[k] = math.Max(0, r.in(0, k, u)+r.hid(0, k, x))
		}
	case "gru":
		// r = σ(W_ir u + b_ir + W_hr h + b_hr), z likewise,
		// n = tanh(W_in u + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
		for k := 0; k < H; k++ {
			rg := sigm(r.in(0, k, u) + r.hid(0, k, x))
			z := sigm(r.in(1, k, u) + r.hid(1, k, x))
			n := math.Tanh(r.in(2, k, u) + rg*r.hid(2, k, x))
			out[k] = (1-z)*n + z*x[k]
		}
	case "lstm":
		// i, f, o = σ(...), g = tanh(...), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'); state [h; c].
		h, c := x[:H], x[H:]
		for k := 0; k < H; k++ {
			i := sigm(r.in(0, k, u) + r.hid(0, k, h))
			f := sigm(r.in(1, k, u) + r.hid(1, k, h))
			g := math.Tanh(r.in(2, k, u) + r.hid(2, k, h))
			o := sigm(r.in(3, k, u) + r.hid(3, k, h))
			c2 := f*c[k] + i*g
			out[H+k] = c2
			out[k] = o * math.Tanh(c2)
		}
	default:
		panic("reference: unknown kind " + r.kind)
	}
	return out
}

// simulate returns the B x T x N states after each input, as graph.Simulate.
func (r torchRef) simulate(x0, inputs []float64, B, T int) []float64 {
	N := r.stateSize()
	out := make([]float64, 0, B*T*N)
	for b := 0; b < B; b++ {
		x := x0[b*N : (b+1)*N]
		for t := 0; t < T; t++ {
			x = r.step(x, inputs[(b*T+t)*r.M:(b*T+t+1)*r.M])
			out = append(out, x...)
		}
	}
	return out
}
