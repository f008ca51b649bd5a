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
	if n <= potf2Max {
		if !potf2Upper(a, n) {
			return false
		}
	} else if _, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: a}); !ok {
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
	if k == 16 && n > 0 && useKernelNN {
		// Both solves in one call (kernCholSolve16), each row as
		// TrsmUpper's kernel forms it: the calls through Potrs, Dtrsm
		// and TrsmUpper, a row at a time, cost a finder's 16-unit step
		// matrix a third of its solve.
		_, _ = u[n*n-1], b[n*16-1]
		kernCholSolve16(n, &u[0], &b[0])
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
	if useKernelNN {
		_ = u[n*n-1]
		cholSolve1K(n, &u[0], &b[0]) // the same bits, the first solve 4 entries at once
		return
	}
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

// potf2Max is the largest n that gonum's Dpotrf factors unblocked, by
// Dpotf2 (its block size from Ilaenv, 64).
const potf2Max = 64

// potf2Upper is gonum's Dpotf2 of the upper triangle of the n x n
// row-major a (n <= potf2Max, where Dpotrf calls it), the same arithmetic
// in the same order, bit for bit (TestCholeskyMatchesPotrf), without its
// calls: a Ddot, a Dgemv and a Dscal for each column, whose checks and
// calls took more time than their arithmetic at N = 16 (the dense
// refinement factors one matrix per Jacobian and damping). Ddot's
// strided sum (gonum's DotInc) keeps the terms of even and odd index
// apart, the last of an odd count with the odd ones, and adds the two
// sums at the end; Dgemv(Trans)'s update adds each row's term to the
// entry in order of the rows; Dscal multiplies by 1/u_jj.
func potf2Upper(a []float64, n int) bool {
	a = a[:n*n]
	if useKernelNN && n%4 == 0 && n > 0 {
		return potf2K(&a[0], n) // the same bits, in AVX2 registers
	}
	for j := 0; j < n; j++ {
		ajj := a[j*n+j]
		if j != 0 {
			even, odd := 0.0, 0.0
			i := 0
			for ; i+1 < j; i += 2 {
				v, w := a[i*n+j], a[(i+1)*n+j]
				even += v * v
				odd += w * w
			}
			if i < j {
				v := a[i*n+j]
				odd += v * v
			}
			ajj -= odd + even
		}
		if ajj <= 0 || math.IsNaN(ajj) {
			a[j*n+j] = ajj
			return false
		}
		ajj = math.Sqrt(ajj)
		a[j*n+j] = ajj
		if j < n-1 {
			// Entry (j, k) gains -u_ik u_ij for i < j in order of i, four
			// entries at once (independent sums, in registers).
			inv := 1 / ajj
			k := j + 1
			for ; k+3 < n; k += 4 {
				s0, s1, s2, s3 := a[j*n+k], a[j*n+k+1], a[j*n+k+2], a[j*n+k+3]
				for i := 0; i < j; i++ {
					t := -a[i*n+j]
					r := a[i*n+k : i*n+k+4]
					s0 += float64(t * r[0]) // the conversions round the products (no fused multiply-add)
					s1 += float64(t * r[1])
					s2 += float64(t * r[2])
					s3 += float64(t * r[3])
				}
				a[j*n+k], a[j*n+k+1], a[j*n+k+2], a[j*n+k+3] = s0*inv, s1*inv, s2*inv, s3*inv
			}
			for ; k < n; k++ {
				s0 := a[j*n+k]
				for i := 0; i < j; i++ {
					s0 += float64(-a[i*n+j] * a[i*n+k])
				}
				a[j*n+k] = s0 * inv
			}
			if inv == 0 {
				// u_jj = +∞: Dscal by 0 sets the row to zero, where
				// the products above left NaN for infinite sums.
				clear(a[j*n+j+1 : (j+1)*n])
			}
		}
	}
	return true
}
