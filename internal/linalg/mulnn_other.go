//go:build !amd64 || openblas || purego

package linalg

// useKernelNN is false: MulNN is blas64.Gemm.
const useKernelNN = false

func kernNN4x8(k, lda, ldb int, a, b, c *float64, ldc int, add bool) { panic("unreachable") }

func kernNT2x4(k, lda, ldbt int, a, bt, c *float64, ldc int) { panic("unreachable") }

// KernelsInUse reports whether MulNN and MulNT run their AVX2 kernels: not
// in this build, where they are blas64.Gemm.
func KernelsInUse() bool { return false }

func kernTrsmRow16(n int, coef *float64, cstride int, b *float64, bstride int, x *float64, tmp float64) {
	panic("unreachable")
}

func transposeK(n int, a, at *float64) { panic("unreachable") }

func mirrorUpperK(n int, a *float64) { panic("unreachable") }

func cholSolve1K(n int, u, b *float64) { panic("unreachable") }

func kernCholSolve16(n int, u, b *float64) { panic("unreachable") }

func potf2K(a *float64, n int) bool { panic("unreachable") }

func gruRank4K(h int, S, t, s, p, w, a *float64) { panic("unreachable") }

func gruGatesPreK(h int, rr, rz, d *float64) { panic("unreachable") }

func gruGatesPostK(h int, rr, rz, rh, rn, dn, bhn, tr, tz *float64) { panic("unreachable") }

func gruJacRowK(h int, wz, wn, wr, row *float64, az, an, ar float64) { panic("unreachable") }

func gruUnitK(h int, cr, cz, cn, s, p, w, t, ai, a, c *float64) { panic("unreachable") }

func gruGramK(h int, A, S, hess *float64) { panic("unreachable") }

func matTVecAddK(h, m int, a, wT, v *float64) { panic("unreachable") }

func gruObjElemsK(m int, x, nn, z, hn, r, tz, tr, f, dhn, daz, g *float64) { panic("unreachable") }

func gruRank2K(h, i int, S, p *float64, cpe float64) { panic("unreachable") }
