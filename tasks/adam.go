package tasks

import "math"

// adam is PyTorch's Adam (no weight decay, no amsgrad) over flat parameter
// vectors, updating them in place.
type adam struct {
	lr, beta1, beta2, eps float64
	t                     int
	m, v                  [][]float64
}

func newAdam(lr float64, sizes []int) *adam {
	a := &adam{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8}
	for _, n := range sizes {
		a.m = append(a.m, make([]float64, n))
		a.v = append(a.v, make([]float64, n))
	}
	return a
}

// step applies one update with the gradients scaled by scale (for clipping).
func (a *adam) step(params, grads [][]float64, scale float64) {
	a.t++
	bc1 := 1 - math.Pow(a.beta1, float64(a.t))
	bc2 := 1 - math.Pow(a.beta2, float64(a.t))
	stepSize := a.lr / bc1
	sqrtBC2 := math.Sqrt(bc2)
	for i, p := range params {
		m, v, g := a.m[i], a.v[i], grads[i]
		for k := range p {
			gk := g[k] * scale
			m[k] = a.beta1*m[k] + (1-a.beta1)*gk
			v[k] = a.beta2*v[k] + (1-a.beta2)*gk*gk
			p[k] -= stepSize * m[k] / (math.Sqrt(v[k])/sqrtBC2 + a.eps)
		}
	}
}

// globalNorm is the 2-norm of all gradients together.
func globalNorm(grads [][]float64) float64 {
	s := 0.0
	for _, g := range grads {
		for _, v := range g {
			s += v * v
		}
	}
	return math.Sqrt(s)
}
