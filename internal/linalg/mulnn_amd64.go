//go:build !openblas && !purego

package linalg

import "golang.org/x/sys/cpu"

// useKernelNN is whether MulNN runs its AVX2 kernel: the CPU has AVX2 and
// the OS saves its registers (x/sys/cpu checks both: CPUID and XCR0).
var useKernelNN = cpu.X86.HasAVX2

// kernNN4x8 sets the 4×8 block of C at c (row stride ldc) to the product
// of A's 4 rows at a (stride lda, k entries each) and B's k×8 block at b
// (stride ldb), or adds the product to it with add, each entry summed in
// order of k from zero or its value, one rounded product and one rounded
// addition a term (no fused multiply-add).
//
//go:noescape
func kernNN4x8(k, lda, ldb int, a, b, c *float64, ldc int, add bool)

// kernNT2x4 adds to the 2×4 block of C at c (row stride ldc) the product
// of A's 2 rows at a (stride lda, k entries each) and the k×4 block of Bᵀ
// at bt (stride ldbt), each entry's sum as gonum's DotUnitary forms it
// (see MulNT), one rounded product and one rounded addition a term.
//
//go:noescape
func kernNT2x4(k, lda, ldbt int, a, bt, c *float64, ldc int)

// KernelsInUse reports whether MulNN and MulNT run their AVX2 kernels (the
// default build on amd64 with AVX2), not blas64.Gemm.
func KernelsInUse() bool { return useKernelNN }

// kernTrsmRow16 sets x (16 values) to (x − Σ c_t b_t) tmp over the n
// terms t whose c_t (at coef, cstride apart) is not zero, in order, b_t
// the 16 values at b + t bstride: one row of a triangular solve, as
// gonum's Dtrsm updates it (an axpy with −c_t a term, then a scaling).
//
//go:noescape
func kernTrsmRow16(n int, coef *float64, cstride int, b *float64, bstride int, x *float64, tmp float64)

// transposeK is Transpose by 4×4 blocks in registers, n a multiple of 4.
//
//go:noescape
func transposeK(n int, a, at *float64)

// mirrorUpperK is MirrorUpper for n a multiple of 4, by 4×4 blocks in
// registers.
//
//go:noescape
func mirrorUpperK(n int, a *float64)

// cholSolve1K is choleskySolve1 in AVX2 registers, the same arithmetic in
// the same order (see mulnn_amd64.s).
//
//go:noescape
func cholSolve1K(n int, u, b *float64)

// kernCholSolve16 overwrites the n×16 row-major b with (UᵀU)⁻¹ b, U the
// n×n upper factor at u: Dpotrs' two Dtrsm solves with TrsmUpper's bits,
// in one call.
//
//go:noescape
func kernCholSolve16(n int, u, b *float64)

// potf2K is potf2Upper for n a multiple of 4 (at most potf2Max), the
// same arithmetic in the same order (see mulnn_amd64.s): each entry's
// sum is its own, so 4-wide blocks aligned to a row's end give the same
// bits as potf2Upper's blocks from the diagonal on.
//
//go:noescape
func potf2K(a *float64, n int) bool

// gruRank4K, gruRank2K, gruGatesPreK, gruGatesPostK, gruJacRowK,
// gruUnitK, gruGramK, gruObjElemsK and matTVecAddK are GRURank4Upper's,
// GRURank2Upper's, GRUGatesPre's, GRUGatesPost's, GRUJacobianRow's,
// GRUUnitCoefs', GRUGramUpper's, GRUObjectiveElems' and AddMatTVec4's
// kernels (gru_amd64.s).
//
//go:noescape
func gruRank4K(h int, S, t, s, p, w, a *float64)

//go:noescape
func gruGatesPreK(h int, rr, rz, d *float64)

//go:noescape
func gruGatesPostK(h int, rr, rz, rh, rn, dn, bhn, tr, tz *float64)

//go:noescape
func gruJacRowK(h int, wz, wn, wr, row *float64, az, an, ar float64)

//go:noescape
func gruUnitK(h int, cr, cz, cn, s, p, w, t, ai, a, c *float64)

//go:noescape
func gruGramK(h int, A, S, hess *float64)

//go:noescape
func matTVecAddK(h, m int, a, wT, v *float64)

//go:noescape
func gruObjElemsK(m int, x, nn, z, hn, r, tz, tr, f, dhn, daz, gr *float64)

//go:noescape
func gruRank2K(h, i int, S, p *float64, cpe float64)
