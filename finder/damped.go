package finder

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// stepMatrix writes into P (n x n) the matrix of a damped Gauss-Newton
// step for A = J - I: the step from a residual r is d = -P r with
//
//	P = (H + lambda*(diag(H) + tiny))^-1 A^T,  H = A^T A (upper triangle),
//
// and reports whether the damped system was solved. Having P, not a
// factor, makes a step one matrix-vector product, shared by the
// candidates of one Jacobian and damping, and lets quasi-Newton updates
// correct it after each step (see broydenUpdate). work (n x n) is scratch.
//
// LAPACK's potrf/potrs are called directly: mat.Cholesky also estimates the
// condition number, which took three quarters of the time of a step at
// N = 16. A factor whose diagonal spans more than 1e8 (a condition number
// beyond about 1e16) is treated as singular, as mat's solve would; so is
// one that fails. Then P is a short gradient step, A^T / (lambda*(tr(H)/n + 1)).
func stepMatrix(H, A []float64, lambda float64, work, P []float64) (solved bool) {
	n := 0
	for n*n < len(A) {
		n++
	}
	tr := 0.0
	for i := 0; i < n; i++ {
		tr += H[i*n+i]
	}
	tiny := 1e-12 * max(tr/float64(n), 1e-300)
	copy(work, H)
	for i := 0; i < n; i++ {
		work[i*n+i] = H[i*n+i] + lambda*(H[i*n+i]+tiny) + tiny*1e-4
	}
	for i := 0; i < n; i++ { // P = A^T
		for k := 0; k < n; k++ {
			P[i*n+k] = A[k*n+i]
		}
	}
	if _, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: work}); ok {
		lo, hi := abs(work[0]), abs(work[0])
		for i := 1; i < n; i++ {
			v := abs(work[i*n+i])
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo > 1e-8*hi {
			lapack64.Potrs(blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: work},
				blas64.General{Rows: n, Cols: n, Stride: n, Data: P})
			return true
		}
	}
	s := 1 / (lambda * (tr/float64(n) + 1))
	for i := range P {
		P[i] *= s
	}
	return false
}

// trialPoint sets xt = x + d with d = -P r capped by capStep, and ut = u:
// candidate c's next trial point under its step matrix P and residual r.
func trialPoint(c *candidate, P, r, xt, ut []float64) {
	n := len(r)
	blas64.Gemv(blas.NoTrans, -1, blas64.General{Rows: n, Cols: n, Stride: n, Data: P},
		blas64.Vector{N: n, Inc: 1, Data: r}, 0, blas64.Vector{N: n, Inc: 1, Data: xt})
	capStep(xt, c.x)
	for i, v := range c.x {
		xt[i] += v
	}
	copy(ut, c.u)
}
