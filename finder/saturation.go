package finder

import (
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// saturatedOnly reports whether the certified point x (input u) of cell is
// a fixed point of the rounded map only: a gate rounds to exactly 1 in
// floating point, so that F_i(x) = x_i holds along a whole continuum of
// states, while the real map, whose gate is 1 - delta with delta > 0 tiny,
// has no root there.
//
// For the PyTorch GRU, h'_i = n_i + z_i (h_i - n_i) = h_i + (1 - z_i)(n_i - h_i):
// once z_i's pre-activation passes -ln(eps) (about 36 in float64, 16 in
// float32), 1 - z_i < eps and the computed h'_i is h_i. The real map's
// residual (1 - z_i)(n_i - h_i) vanishes exactly when n_i = h_i, so the
// point is a root of the real map only if |n_i - h_i| <= tol for every
// such unit. For the LSTM, c'_i = f_i c_i + i_i g_i with f_i rounding to 1:
// the real residual is i_i g_i - (1 - f_i) c_i, which vanishes when
// c_i = i_i g_i / (1 - f_i), checked to tol likewise.
//
// The equations are evaluated here in float64 from the cell's weights,
// independently of the graph. Cells other than *cells.GRU and *cells.LSTM
// (one layer) are not checked (false).
func saturatedOnly(cell cells.Cell, x, u []float64, d graph.Dtype, tol float64) bool {
	limit := -math.Log(d.Eps()) // 1 - sigmoid(limit) = eps, about
	switch c := cell.(type) {
	case *cells.GRU:
		H := c.Hidden()
		p := c.Params()
		h := x[:H]
		zPre, rPre := gatePre(p, 1, H, h, u), gatePre(p, 0, H, h, u)
		for i := 0; i < H; i++ {
			if zPre[i] <= limit {
				continue
			}
			r := sigmoid(rPre[i])
			n := math.Tanh(inputPre(p, 2, H, u, i) + r*recurPre(p, 2, H, h, i))
			if !(math.Abs(n-h[i]) <= tol) {
				return true
			}
		}
	case *cells.LSTM:
		H := c.Hidden()
		p := c.Params()
		h, cc := x[:H], x[H:2*H]
		fPre, iPre, gPre := gatePre(p, 1, H, h, u), gatePre(p, 0, H, h, u), gatePre(p, 2, H, h, u)
		for k := 0; k < H; k++ {
			if fPre[k] <= limit {
				continue
			}
			ig := sigmoid(iPre[k]) * math.Tanh(gPre[k])
			oneMinusF := sigmoid(-fPre[k]) // accurate, unlike 1 - sigmoid
			if !(math.Abs(cc[k]-ig/oneMinusF) <= tol) {
				return true
			}
		}
	}
	return false
}

// gatePre is gate g's pre-activation u W_ih + b_ih + h W_hh + b_hh for the
// gated cell's per-gate parameters p (Wih_T M x H, Whh_T H x H, b_ih, b_hh).
func gatePre(p []*cells.Param, g, H int, h, u []float64) []float64 {
	out := make([]float64, H)
	for i := range out {
		out[i] = inputPre(p, g, H, u, i) + recurPre(p, g, H, h, i)
	}
	return out
}

// inputPre is unit i of u W_ih + b_ih of gate g.
func inputPre(p []*cells.Param, g, H int, u []float64, i int) float64 {
	wih, bih := p[4*g], p[4*g+2]
	s := bih.Data[i]
	for j, v := range u {
		s += v * wih.At(j, i)
	}
	return s
}

// recurPre is unit i of h W_hh + b_hh of gate g.
func recurPre(p []*cells.Param, g, H int, h []float64, i int) float64 {
	whh, bhh := p[4*g+1], p[4*g+3]
	s := bhh.Data[i]
	for j, v := range h {
		s += v * whh.At(j, i)
	}
	return s
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
