//go:build !openblas

package blasuse

import (
	"math"
	"sync"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

func init() {
	if !linalg.KernelsInUse() {
		return
	}
	blas64.Use(kernels{})
	gorgonia.Use(kernels{})
	name = "gonum (pure Go), its products C = A B and A Bᵀ and upper triangular solves in AVX2 kernels with its bits"
}

// kernels is gonum's BLAS with the triangular solves of Dtrsm below and
// the products C = A B + βC and A Bᵀ + βC (α
// = 1, β = 0 or 1) of at least kernelMinRows rows done by linalg.MulNN and
// MulNT, and C = αAB + βC and αAᵀB + βC (any α, β) by MulNN on αA or αAᵀ
// (scaledA): the same sums in the same order as gonum's Dgemm, so the same
// bits, faster (AVX2 registers where Dgemm's inner loops are axpys and
// dot products). MulNN only for a finite B (Dgemm skips a zero of A, which
// a NaN or Inf of B would show).
type kernels struct{ gonum.Implementation }

// kernelMinRows is the fewest rows of C that kernels hands to MulNN and
// MulNT.
const kernelMinRows = 8

func (kernels) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if tA == blas.NoTrans && alpha == 1 && (beta == 0 || beta == 1) && m >= kernelMinRows && n > 0 && k > 0 &&
		lda >= k && ldc >= n && len(a) >= (m-1)*lda+k && len(c) >= (m-1)*ldc+n {
		switch {
		case tB == blas.NoTrans && ldb >= n && len(b) >= (k-1)*ldb+n && finite(k, n, b, ldb):
			mulNN(m, n, k, a, lda, b, ldb, c, ldc, beta == 1)
			return
		case tB == blas.Trans && ldb >= k && len(b) >= (n-1)*ldb+k:
			linalg.MulNT(m, n, k, a, lda, b, ldb, c, ldc, beta == 1)
			return
		}
	}
	if tB == blas.NoTrans && alpha != 0 && m >= kernelMinRows && n >= 8 && k > 0 && ldb >= n && ldc >= n &&
		len(b) >= (k-1)*ldb+n && len(c) >= (m-1)*ldc+n && finite(k, n, b, ldb) {
		switch {
		case tA == blas.NoTrans && lda >= k && len(a) >= (m-1)*lda+k,
			tA != blas.NoTrans && lda >= m && len(a) >= (k-1)*lda+m:
			if p, ok := scaledA(tA != blas.NoTrans, m, k, alpha, a, lda); ok {
				if beta != 0 && beta != 1 {
					for i := 0; i < m; i++ {
						for j := range c[i*ldc : i*ldc+n] {
							c[i*ldc+j] *= beta
						}
					}
				}
				mulNN(m, n, k, *p, k, b, ldb, c, ldc, beta != 0)
				scaledPool.Put(p)
				return
			}
		}
	}
	gonum.Implementation{}.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// scaledA returns αA (or αAᵀ with trans; m×k, row stride k) in a buffer
// of scaledPool, and whether every entry is finite (else the buffer is
// back in the pool). Gonum's Dgemm with B not transposed, after scaling C
// by β (zeroing it for β = 0), adds (α a_il) b_lj to c_ij in order of l,
// skipping a zero α a_il, whether A is transposed or not: MulNN's sums of
// αA times B, the same terms in the same order (the rounded α a_il as
// Dgemm's tmp), so the same bits. At N = 1024 gonum's axpy loops
// (AxpyUnitary) for these products (Aᵀ B in Dlaqr5, Dlarfb and
// KrylovSchur; α = −1 in Dlarfb and Dlahr2) were 17% of a planted
// network's CPU.
func scaledA(trans bool, m, k int, alpha float64, a []float64, lda int) (*[]float64, bool) {
	p := scaledPool.Get().(*[]float64)
	if cap(*p) < m*k {
		*p = make([]float64, m*k)
	}
	*p = (*p)[:m*k]
	s := *p
	for i := 0; i < m; i++ {
		row := s[i*k : (i+1)*k]
		for l := range row {
			var v float64
			if trans {
				v = a[l*lda+i]
			} else {
				v = a[i*lda+l]
			}
			if alpha != 1 {
				v = alpha * v
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				scaledPool.Put(p)
				return nil, false
			}
			row[l] = v
		}
	}
	return p, true
}

// scaledPool holds scaledA's buffers.
var scaledPool = sync.Pool{New: func() any { return new([]float64) }}

// mulNN is linalg.MulNN, on pieces of C's rows at once where gonum's Dgemm
// would have run concurrently (at least parBlocks blocks of 64 × 64 in C):
// MulNN is serial, and at N = 1024 one product on one core took 247 ms
// against 167 ms for Dgemm on two. Each entry of C is summed on its own in
// order of k, so the split leaves every bit as it was.
func mulNN(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, add bool) {
	if blocks(m)*blocks(n) < parBlocks {
		linalg.MulNN(m, n, k, a, lda, b, ldb, c, ldc, add)
		return
	}
	linalg.ParallelMin(m, 64, func(lo, hi int) {
		linalg.MulNN(hi-lo, n, k, a[lo*lda:], lda, b, ldb, c[lo*ldc:], ldc, add)
	})
}

// parBlocks is gonum's minParBlock: Dgemm runs concurrently from this many
// 64 × 64 blocks of C.
const parBlocks = 4

// blocks is the number of 64-long pieces of n.
func blocks(n int) int { return (n + 63) / 64 }

// Dtrsm hands the solves of U X = B and Uᵀ X = B (Left, Upper, NonUnit,
// α = 1: Cholesky solves) of at least kernelMinRows rows and 16 columns
// to linalg.TrsmUpper, gonum's Dtrsm's arithmetic in the same order.
func (kernels) Dtrsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if s == blas.Left && ul == blas.Upper && d == blas.NonUnit && alpha == 1 && m >= kernelMinRows && n >= 16 &&
		(tA == blas.NoTrans || tA == blas.Trans || tA == blas.ConjTrans) &&
		lda >= m && ldb >= n && len(a) >= (m-1)*lda+m && len(b) >= (m-1)*ldb+n {
		linalg.TrsmUpper(tA != blas.NoTrans, m, n, a, lda, b, ldb)
		return
	}
	gonum.Implementation{}.Dtrsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// finite reports whether the r×s matrix at b (row stride ldb) holds no
// NaN or Inf.
func finite(r, s int, b []float64, ldb int) bool {
	for i := 0; i < r; i++ {
		for _, v := range b[i*ldb : i*ldb+s] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}
