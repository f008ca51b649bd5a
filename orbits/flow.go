package orbits

import (
	"fmt"
	"math"
)

// flow integrates dx/dt = F(x, u) - x, the continuous-time reading of a
// cell (finder.Settings.ContinuousTime), with the classical fourth-order
// Runge-Kutta method on evaluator e's graphs.
type flow struct{ e *evaluator }

// field returns f(x) = F(x) - x at the rows of x.
func (fl flow) field(x []float64) ([]float64, error) {
	f, err := fl.e.step(x)
	if err != nil {
		return nil, err
	}
	for i := range f {
		f[i] -= x[i]
	}
	return f, nil
}

// rk4 advances the rows of x by one step of size h, in place.
func (fl flow) rk4(x []float64, h float64) error {
	k1, err := fl.field(x)
	if err != nil {
		return err
	}
	tmp := make([]float64, len(x))
	at := func(k []float64, a float64) []float64 {
		for i := range x {
			tmp[i] = x[i] + a*h*k[i]
		}
		return tmp
	}
	k2, err := fl.field(at(k1, 0.5))
	if err != nil {
		return err
	}
	k3, err := fl.field(at(k2, 0.5))
	if err != nil {
		return err
	}
	k4, err := fl.field(at(k3, 1))
	if err != nil {
		return err
	}
	for i := range x {
		x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
	}
	return nil
}

// flowMap integrates one state x0 (N values) over time T in n RK4 steps
// and returns the end state, the exact derivative of that discrete map
// with respect to x0 (N x N, row-major; the monodromy matrix when x0 lies
// on a cycle of period T) and the states at the n+1 step nodes (for
// drawing and comparing cycles). The derivative is carried through every
// stage with the stage's Jacobian, so Newton's method on the discrete map
// converges quadratically and the multipliers are those of the discrete
// map, within the method's O((T/n)^4) of the flow's.
func (fl flow) flowMap(x0 []float64, T float64, n int) (x, m []float64, nodes [][]float64, err error) {
	return fl.flowMapWith(x0, T, n, true)
}

func (fl flow) flowMapWith(x0 []float64, T float64, n int, deriv bool) (x, m []float64, nodes [][]float64, err error) {
	N := fl.e.N
	if !deriv {
		x = append([]float64(nil), x0...)
		h := T / float64(n)
		for s := 0; s < n; s++ {
			if err := fl.rk4(x, h); err != nil {
				return nil, nil, nil, err
			}
		}
		if !allFinite(x) {
			return nil, nil, nil, fmt.Errorf("orbits: the flow diverged over %d steps: %w", n, ErrNotConverged)
		}
		return x, nil, nil, nil
	}
	h := T / float64(n)
	x = append([]float64(nil), x0...)
	m = identity(N)
	nodes = append(nodes, append([]float64(nil), x...))
	xs := make([]float64, N)
	for s := 0; s < n; s++ {
		var ks [4][]float64  // stage slopes
		var dks [4][]float64 // their derivatives with respect to x0 (N x N)
		for st := 0; st < 4; st++ {
			a := [4]float64{0, 0.5, 0.5, 1}[st]
			dxs := append([]float64(nil), m...) // d(stage point)/dx0
			copy(xs, x)
			if st > 0 {
				for i := range xs {
					xs[i] += a * h * ks[st-1][i]
				}
				for i := range dxs {
					dxs[i] += a * h * dks[st-1][i]
				}
			}
			f, jx, err := fl.e.jacobians(xs)
			if err != nil {
				return nil, nil, nil, err
			}
			for i := range f {
				f[i] -= xs[i]
			}
			ks[st] = f
			// d f(xs)/dx0 = (J - I) dxs.
			dk := matMul(jx, dxs, N)
			for i := range dk {
				dk[i] -= dxs[i]
			}
			dks[st] = dk
		}
		for i := range x {
			x[i] += h / 6 * (ks[0][i] + 2*ks[1][i] + 2*ks[2][i] + ks[3][i])
		}
		for i := range m {
			m[i] += h / 6 * (dks[0][i] + 2*dks[1][i] + 2*dks[2][i] + dks[3][i])
		}
		nodes = append(nodes, append([]float64(nil), x...))
		if !allFinite(x) || !allFinite(m) {
			return nil, nil, nil, fmt.Errorf("orbits: the flow diverged at step %d of %d: %w", s+1, n, ErrNotConverged)
		}
	}
	return x, m, nodes, nil
}

func identity(N int) []float64 {
	m := make([]float64, N*N)
	for i := 0; i < N; i++ {
		m[i*N+i] = 1
	}
	return m
}

// matMul is a b for N x N row-major matrices.
func matMul(a, b []float64, N int) []float64 {
	c := make([]float64, N*N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			aik := a[i*N+k]
			if aik == 0 {
				continue
			}
			for j := 0; j < N; j++ {
				c[i*N+j] += aik * b[k*N+j]
			}
		}
	}
	return c
}

// allFinite reports whether every value of v is finite.
func allFinite(v []float64) bool {
	for _, a := range v {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return false
		}
	}
	return true
}
