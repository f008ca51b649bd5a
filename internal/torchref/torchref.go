// Package torchref is a plain-Go implementation of PyTorch's RNN, GRU and
// LSTM equations, straight from the PyTorch documentation and the
// state_dict layout, for tests to check the gorgonia graphs against, and
// the cells those tests check them on (Cells).
package torchref

import (
	"math"

	"github.com/rnnfp/fixedpoints/cells"
)

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// torchGates returns, for gate g, W_ih[g] u + b_ih[g] and W_hh[g] h + b_hh[g].
func torchGates(sd cells.StateDict, g, H int, u, h []float64) (ui, hh []float64) {
	wih, whh, bih, bhh := sd["weight_ih_l0"], sd["weight_hh_l0"], sd["bias_ih_l0"], sd["bias_hh_l0"]
	M := len(u)
	ui = make([]float64, H)
	hh = make([]float64, H)
	for k := 0; k < H; k++ {
		r := g*H + k
		ui[k] = bih.Data[r]
		for j := 0; j < M; j++ {
			ui[k] += wih.Data[r*M+j] * u[j]
		}
		hh[k] = bhh.Data[r]
		for j := 0; j < H; j++ {
			hh[k] += whh.Data[r*H+j] * h[j]
		}
	}
	return ui, hh
}

// Step returns one step of the cell c from state x under input u, computed
// from its state_dict by PyTorch's equations.
func Step(c cells.TorchCell, x, u []float64) []float64 {
	sd := c.StateDict()
	H := c.Hidden()
	switch c.Kind() {
	case "RNN":
		a, b := torchGates(sd, 0, H, u, x)
		out := make([]float64, H)
		for k := range out {
			out[k] = math.Tanh(a[k] + b[k])
			if v, ok := c.(*cells.Vanilla); ok && v.Act == cells.ReLU {
				out[k] = math.Max(0, a[k]+b[k])
			}
		}
		return out
	case "GRU":
		ri, rh := torchGates(sd, 0, H, u, x)
		zi, zh := torchGates(sd, 1, H, u, x)
		ni, nh := torchGates(sd, 2, H, u, x)
		out := make([]float64, H)
		for k := range out {
			r := sigmoid(ri[k] + rh[k])
			z := sigmoid(zi[k] + zh[k])
			n := math.Tanh(ni[k] + r*nh[k])
			out[k] = (1-z)*n + z*x[k]
		}
		return out
	case "LSTM":
		h, cc := x[:H], x[H:]
		ii, ih := torchGates(sd, 0, H, u, h)
		fi, fh := torchGates(sd, 1, H, u, h)
		gi, gh := torchGates(sd, 2, H, u, h)
		oi, oh := torchGates(sd, 3, H, u, h)
		out := make([]float64, 2*H)
		for k := 0; k < H; k++ {
			i := sigmoid(ii[k] + ih[k])
			f := sigmoid(fi[k] + fh[k])
			g := math.Tanh(gi[k] + gh[k])
			o := sigmoid(oi[k] + oh[k])
			c2 := f*cc[k] + i*g
			out[H+k] = c2
			out[k] = o * math.Tanh(c2)
		}
		return out
	}
	panic("unknown kind")
}
