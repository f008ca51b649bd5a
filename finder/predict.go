package finder

import "fmt"

// Predict returns the linearized one-step prediction of the map at p,
//
//	F(x, u) ~ F(x*, u*) + J (x - x*) + B (u - u*),
//
// with J = p.Jacobian and B = p.InputJacobian. F(x*, u*) is p.F when it is
// stored and p.X otherwise (equal at a fixed point, up to its residual); the
// Taylor expansion of F about x* is the right one for slow points too. A nil
// u means u = u*. Predict needs the Jacobians (Linearize) and returns an
// error for vectors of the wrong length.
func (p *Point) Predict(x, u []float64) ([]float64, error) {
	N, M := len(p.X), len(p.U)
	if len(p.Jacobian) != N*N {
		return nil, fmt.Errorf("finder: predict: point has %d Jacobian values, want %d x %d (run Linearize)", len(p.Jacobian), N, N)
	}
	if len(x) != N {
		return nil, fmt.Errorf("finder: predict: %d state values, want %d", len(x), N)
	}
	if u != nil && len(u) != M {
		return nil, fmt.Errorf("finder: predict: %d input values, want %d", len(u), M)
	}
	useU := u != nil && M > 0
	if useU && len(p.InputJacobian) != N*M {
		return nil, fmt.Errorf("finder: predict: point has %d input Jacobian values, want %d x %d", len(p.InputJacobian), N, M)
	}
	base := p.X
	if len(p.F) == N {
		base = p.F
	}
	dx := make([]float64, N)
	for k := range dx {
		dx[k] = x[k] - p.X[k]
	}
	var du []float64
	if useU {
		du = make([]float64, M)
		for k := range du {
			du[k] = u[k] - p.U[k]
		}
	}
	out := make([]float64, N)
	for i := range out {
		s := base[i]
		row := p.Jacobian[i*N : (i+1)*N]
		for k, d := range dx {
			s += row[k] * d
		}
		if useU {
			row := p.InputJacobian[i*M : (i+1)*M]
			for k, d := range du {
				s += row[k] * d
			}
		}
		out[i] = s
	}
	return out, nil
}
