//go:build !purego

package cells

import "golang.org/x/sys/cpu"

// useQHessianKernels is whether the GRU's QHessianInto and addMatTVec
// run their AVX2 kernels (for a hidden size that is a multiple of 4): the
// CPU has AVX2 and the OS saves its registers.
var useQHessianKernels = cpu.X86.HasAVX2

// gruRank4 adds to the h×h S (h a multiple of 4), for each row j and each
// block of 4 columns k from j rounded down to a multiple of 4,
//
//	a1[j] t[k] + a2[j] s[k] + a3[j] p[k] + a4[j] w[k]
//
// each entry's sum formed left to right and then added to it, one rounded
// product and one rounded addition a term (no fused multiply-add): the
// bits of the scalar loop on the upper triangle. a holds a1, a2, a3, a4
// (h values each). The entries left of the diagonal in each block get
// sums too; QHessianInto never reads them.
//
//go:noescape
func gruRank4(h int, S, t, s, p, w, a *float64)

// gruGram sets, for each row j and each block of 4 columns k from j
// rounded down to a multiple of 4, hess[j][k] = S[j][k] + Σ_i A[i][j] A[i][k]
// (A and S h×h, h a multiple of 4), summed in order of i from S[j][k], one
// rounded product and one rounded addition a term: the bits of the scalar
// loop on the upper triangle. The entries left of the diagonal in each
// block get values too, for the caller to overwrite.
//
//go:noescape
func gruGram(h int, A, S, hess *float64)

// matTVecAdd adds Wᵀ v to the h values at a (h a multiple of 4), wT
// row-major m×h and v m values: a[i] += v[j] wT[j][i] in order of j,
// skipping each j with v[j] == 0, one rounded product and one rounded
// addition a term: addMatTVec's bits.
//
//go:noescape
func matTVecAdd(h, m int, a, wT, v *float64)
