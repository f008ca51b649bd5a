package linalg

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmBlock and gemmMinParBlock are gonum's Dgemm's block size and the
// number of blocks from which it runs a product's blocks concurrently,
// summing an entry's terms in pieces of gemmBlock (see MulNT).
const (
	gemmBlock       = 64
	gemmMinParBlock = 4
)

// MulNT sets C = A Bᵀ, or C = C + A Bᵀ with add, for A m×k (row stride
// lda), B n×k (ldb) and C m×n (ldc), with the bits of
// blas64.Gemm(NoTrans, Trans, 1, A, B, beta, C), beta 0 or 1, in this
// build. gonum's pure-Go Dgemm adds to each entry of C (from zero without
// add) the inner product of A's row and B's row, by its DotUnitary: four
// partial sums, of the terms l ≡ 0, 1, 2, 3 mod 4 in order, the last k mod
// 4 terms on the first, joined as (s1 + s3) + (s0 + s2); when the product
// has at least gemmMinParBlock blocks of 64×64 it does so for each piece
// of 64 terms of k in turn. MulNT sums the same terms in the same order,
// in the default build on amd64 with AVX2 two rows by four columns of C
// at once in vector registers (mulnn_amd64.s) from a transposed copy of B,
// in panels of four columns,
// the remainders by gonum's DotUnitary (its Ddot); with fewer than mulNTMinRows rows, in the openblas
// build and elsewhere it is blas64.Gemm.
func MulNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, add bool) {
	if m == 0 || n == 0 {
		return
	}
	if !useKernelNN || m < mulNTMinRows {
		beta := 0.0
		if add {
			beta = 1
		}
		plainGemm(blas.Trans, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	_ = c[(m-1)*ldc+n-1] // bounds, once
	if k > 0 {
		_, _ = a[(m-1)*lda+k-1], b[(n-1)*ldb+k-1]
	}
	if !add {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	if k == 0 {
		return
	}
	piece := k
	if blocksOf(m)*blocksOf(n) >= gemmMinParBlock {
		piece = gemmBlock
	}
	mb, nb := m/2*2, n/4*4
	// Bᵀ in panels of four columns, k×4 each and one after another, so
	// that the kernel reads each panel in order.
	sc := transPool.Get().(*[]float64)
	if cap(*sc) < k*nb {
		*sc = make([]float64, k*nb)
	}
	bt := (*sc)[:k*nb]
	for j := 0; j < nb; j++ {
		bj, pj := b[j*ldb:j*ldb+k], bt[j/4*4*k+j%4:]
		for l, v := range bj {
			pj[4*l] = v
		}
	}
	for l0 := 0; l0 < k; l0 += piece {
		L := min(piece, k-l0)
		for i := 0; i < mb; i += 2 {
			for j := 0; j < nb; j += 4 {
				kernNT2x4(L, lda, 4, &a[i*lda+l0], &bt[j*k+4*l0], &c[i*ldc+j], ldc)
			}
		}
		// The columns right of the kernel's blocks and the last row.
		for i := 0; i < m; i++ {
			j0 := nb
			if i >= mb {
				j0 = 0
			}
			ai := a[i*lda+l0 : i*lda+l0+L]
			for j := j0; j < n; j++ {
				c[i*ldc+j] += gonum.Implementation{}.Ddot(L, ai, 1, b[j*ldb+l0:j*ldb+l0+L], 1) // DotUnitary
			}
		}
	}
	transPool.Put(sc)
}

// mulNTMinRows is the fewest rows for which MulNT runs its kernel: below,
// the transposed copy of B costs more than it saves, and the product is
// blas64.Gemm's.
const mulNTMinRows = 8

// transPool holds MulNT's transposed copies of B.
var transPool = sync.Pool{New: func() any { return new([]float64) }}

// blocksOf is the number of gonum's Dgemm blocks along a dimension of n.
func blocksOf(n int) int { return (n + gemmBlock - 1) / gemmBlock }
