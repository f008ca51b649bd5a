package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Cholesky overwrites the upper triangle of the n x n row-major symmetric
// a with its upper Cholesky factor U (a = U^T U) and reports whether the
// factorization succeeded with a diagonal of U spanning less than 1e8, a
// condition number below about 1e16. Otherwise the matrix is to be treated
// as singular: the damped solves of finder and manifold then raise their
// damping or fall back. LAPACK's potrf is called directly: mat.Cholesky
// also estimates the condition number, which took three quarters of the
// time of a Levenberg-Marquardt step at N = 16.
func Cholesky(a []float64, n int) bool {
	if _, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: a}); !ok {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < n; i++ {
		v := math.Abs(a[i*n+i])
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo > 1e-8*hi
}

// CholeskySolve overwrites the n x k row-major b with (U^T U)^-1 b, U the
// factor from Cholesky.
func CholeskySolve(u []float64, n int, b []float64, k int) {
	if k == 1 && n > 0 {
		choleskySolve1(u, n, b)
		return
	}
	lapack64.Potrs(blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: u},
		blas64.General{Rows: n, Cols: k, Stride: k, Data: b})
}

// choleskySolve1 is CholeskySolve of one right-hand side, the same
// arithmetic as gonum's Dpotrs there (two Dtrsm calls, each one column, so
// every AxpyUnitary and ScalUnitary of theirs is of length 1), in the same
// order, bit for bit (TestCholeskySolveOneColumn), without their calls'
// overhead: a solve at N = 16 took 2 µs that way, more than its
// arithmetic. A column of any size stays in gonum's Dtrsm in the openblas
// build too (blasuse.Large is false for one column).
func choleskySolve1(u []float64, n int, b []float64) {
	b = b[:n]
	// U^T y = b: Dtrsm(Left, Upper, Trans, NonUnit).
	for k := 0; k < n; k++ {
		b[k] *= 1 / u[k*n+k]
		bk := b[k]
		rest := b[k+1:]
		for i, v := range u[k*n+k+1 : k*n+n] {
			if v != 0 {
				rest[i] += float64(-v * bk) // the conversion rounds the product (no fused multiply-add)
			}
		}
	}
	// U x = y: Dtrsm(Left, Upper, NoTrans, NonUnit).
	for i := n - 1; i >= 0; i-- {
		bi := b[i]
		rest := b[i+1:]
		for j, v := range u[i*n+i+1 : i*n+n] {
			if v != 0 {
				bi += float64(-v * rest[j])
			}
		}
		b[i] = bi * (1 / u[i*n+i])
	}
}
