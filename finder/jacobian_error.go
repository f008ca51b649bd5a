package finder

import (
	"context"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/graph"
	"gonum.org/v1/gonum/mat"
)

// newtonCorrection returns the minimum-norm Newton correction
// d = -(J - I)^+ r for the n x n row-major Jacobian j and residual
// r = F(x) - x, with singular values of J - I below n * eps64 * sigma_max
// taken as zero (the numerical null space, e.g. along a line attractor).
// A well-conditioned J - I (condition estimate below 1e10) is solved by LU,
// several times cheaper than the SVD the others take.
func newtonCorrection(j, r []float64) (d []float64, err error) {
	n := len(r)
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("factorization of J - I panicked: %v", p)
		}
	}()
	a := mat.NewDense(n, n, append([]float64(nil), j...))
	for i := 0; i < n; i++ {
		a.Set(i, i, a.At(i, i)-1)
	}
	var lu mat.LU
	lu.Factorize(a)
	if c := lu.Cond(); c < 1e10 {
		var dv mat.VecDense
		if err := lu.SolveVecTo(&dv, false, mat.NewVecDense(n, append([]float64(nil), r...))); err == nil {
			d = make([]float64, n)
			for i := range d {
				d[i] = -dv.AtVec(i)
			}
			return d, nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("SVD of J - I did not converge")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	sv := svd.Values(nil)
	tol := float64(n) * 0x1p-52 * sv[0] // the SVD runs in float64
	c := make([]float64, n)             // c = -Sigma^+ U^T r
	for k, s := range sv {
		if s <= tol || s == 0 {
			continue
		}
		dot := 0.0
		for i := 0; i < n; i++ {
			dot += u.At(i, k) * r[i]
		}
		c[k] = -dot / s
	}
	d = make([]float64, n)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			d[i] += v.At(i, k) * c[k]
		}
	}
	return d, nil
}

// jacobianErrors computes JacobianErrorBound for every point: the Newton
// correction from its Jacobian js[k] and residual fs[k] - xs[k], and the
// Jacobians at the corrected states through jac (those whose correction
// moves the state at all).
func jacobianErrors(ctx context.Context, jac *graph.Jacobians, xs, us, fs, js [][]float64, eps float64) ([]float64, error) {
	n, N := len(xs), jac.N()
	out := make([]float64, n)
	var moved []int
	var xc, uc [][]float64
	for k := range xs {
		r := make([]float64, N)
		for i := range r {
			r[i] = fs[k][i] - xs[k][i]
		}
		out[k] = JacobianErrorBound(js[k], nil, N, eps)
		d, err := newtonCorrection(js[k], r)
		if err != nil || !finite(d) {
			out[k] = math.Inf(1) // no estimate of the distance: no bound
			continue
		}
		x := make([]float64, N)
		same := true
		for i := range x {
			x[i] = xs[k][i] + d[i]
			same = same && x[i] == xs[k][i]
		}
		if !same {
			moved = append(moved, k)
			xc, uc = append(xc, x), append(uc, us[k])
		}
	}
	if len(moved) == 0 {
		return out, nil
	}
	jd, _, _, err := evalJacobians(ctx, jac, xc, uc)
	if ctx.Err() != nil {
		return nil, err
	}
	if err != nil {
		// Not finite at the corrected states: the correction is no
		// estimate of the distance to a fixed point.
		for _, k := range moved {
			out[k] = math.Inf(1)
		}
		return out, nil
	}
	for i, k := range moved {
		out[k] = JacobianErrorBound(js[k], jd[i], N, eps)
	}
	return out, nil
}
