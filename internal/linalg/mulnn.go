package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// MulNN sets C = A B, or C = C + A B with add, for A m×k (row stride
// lda), B k×n (ldb) and C m×n (ldc), with the bits of
// blas64.Gemm(NoTrans, NoTrans, 1, A, B, beta, C), beta 0 or 1, in this
// build. gonum's pure-Go Dgemm sums each entry of C in order of k, one
// rounded product and one rounded addition a term, from zero or C's entry
// (however it blocks the matrices); in the default build on amd64 with AVX2 MulNN
// sums the same terms in the same order, 4 rows × 8 columns of C at once
// in vector registers (mulnn_amd64.s), where Dgemm's inner loop updates
// one row of C per term (an axpy). Dgemm skips a term whose A entry is
// zero, which changes no sum while B is finite (B must be: the weights of
// a cell) but keeps a −0 of C that adding ±0 may make +0: with add and a
// −0 in C, MulNN is Dgemm. In the openblas build, and elsewhere, MulNN is
// blas64.Gemm.
func MulNN(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, add bool) {
	if m == 0 || n == 0 {
		return
	}
	mb, nb := 0, 0
	if useKernelNN && k > 0 && !(add && negZero(m, n, c, ldc)) {
		mb, nb = m/4*4, n/8*8
		for i := 0; i < mb; i += 4 {
			for j := 0; j < nb; j += 8 {
				// The last element each reads: A's row i+3 up to k, B's
				// row k-1 up to j+8, C's row i+3 up to j+8.
				_ = a[(i+3)*lda+k-1]
				_ = b[(k-1)*ldb+j+7]
				_ = c[(i+3)*ldc+j+7]
				kernNN4x8(k, lda, ldb, &a[i*lda], &b[j], &c[i*ldc+j], ldc, add)
			}
		}
	}
	beta := 0.0
	if add {
		beta = 1
	}
	gemm := func(i0, i1, j0, j1 int) {
		if i1 > i0 && j1 > j0 {
			plainGemm(blas.NoTrans, i1-i0, j1-j0, k, a[i0*lda:], lda, b[j0:], ldb, beta, c[i0*ldc+j0:], ldc)
		}
	}
	gemm(0, mb, nb, n) // the columns right of the kernel's blocks
	gemm(mb, m, 0, n)  // the rows below them
}

// MulNNUpper sets the upper triangle (the diagonal and above) of the n×n
// C = A B, for A n×k (row stride lda) and B k×n (ldb), with MulNN's bits
// (add false); entries below the diagonal are left as they were or set to
// those of A B. Where MulNN runs its kernels it skips their 4×8 blocks
// that lie wholly below the diagonal, a third of them at n = 32: the
// normal matrices AᵀA of the dense refinement need the upper triangle
// only.
func MulNNUpper(n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if n == 0 {
		return
	}
	if !useKernelNN || k == 0 {
		MulNN(n, n, k, a, lda, b, ldb, c, ldc, false)
		return
	}
	mb, nb := n/4*4, n/8*8
	for i := 0; i < mb; i += 4 {
		for j := 0; j < nb; j += 8 {
			if j+7 < i {
				continue // every entry below the diagonal
			}
			_ = a[(i+3)*lda+k-1]
			_ = b[(k-1)*ldb+j+7]
			_ = c[(i+3)*ldc+j+7]
			kernNN4x8(k, lda, ldb, &a[i*lda], &b[j], &c[i*ldc+j], ldc, false)
		}
	}
	if nb < n && mb > 0 {
		plainGemm(blas.NoTrans, mb, n-nb, k, a, lda, b[nb:], ldb, 0, c[nb:], ldc)
	}
	if mb < n {
		plainGemm(blas.NoTrans, n-mb, n, k, a[mb*lda:], lda, b, ldb, 0, c[mb*ldc:], ldc)
	}
}

// negZero reports whether the m×n matrix at c (row stride ldc) holds −0.
func negZero(m, n int, c []float64, ldc int) bool {
	for i := 0; i < m; i++ {
		for _, v := range c[i*ldc : i*ldc+n] {
			if v == 0 && math.Signbit(v) {
				return true
			}
		}
	}
	return false
}

// plainGemm is blas64.Gemm(NoTrans, tB, 1, A, B, beta, C) of the sizes
// given, or gonum's own Dgemm where blas64's may be these kernels
// (blasuse's default build): MulNN's and MulNT's remainders and
// fallbacks.
func plainGemm(tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if useKernelNN {
		gonum.Implementation{}.Dgemm(blas.NoTrans, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	rb, cb := k, n
	if tB == blas.Trans {
		rb, cb = n, k
	}
	blas64.Gemm(blas.NoTrans, tB, 1,
		blas64.General{Rows: m, Cols: k, Stride: lda, Data: a},
		blas64.General{Rows: rb, Cols: cb, Stride: ldb, Data: b},
		beta, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}

// GRUUnitCoefs sets s, p and w to the h values h apart from the start of
// cr, cz and cn (column i of W_hr, W_hz and W_hn as stored), then, for h
// values (h a multiple of 4, KernelsInUse) and c = (r, hdr, odn, ndz,
// ctt, cpt, css, csw, cpp), t = r w + hdr s, ai = odn t − ndz p, and a's
// four rows (h values each) to ctt t + cpt p, css s + csw w, cpp p + cpt t
// and csw s, each product rounded and then the sum or difference (no
// fused multiply-add): the GRU's Hessian of q's coefficients of unit i
// (cells), 4 values at once, in its loop's operand order ((s hdr) + (w r),
// t odn − p ndz, ctt t + p cpt, css s + w csw, cpp p + t cpt, s csw: x86
// passes on the first operand's NaN where two meet).
func GRUUnitCoefs(h int, cr, cz, cn, s, p, w, t, ai, a []float64, c *[9]float64) {
	_, _, _ = cr[(h-1)*h], cz[(h-1)*h], cn[(h-1)*h]
	_, _, _, _, _, _ = s[h-1], p[h-1], w[h-1], t[h-1], ai[h-1], a[4*h-1]
	gruUnitK(h, &cr[0], &cz[0], &cn[0], &s[0], &p[0], &w[0], &t[0], &ai[0], &a[0], &c[0])
}

// Transpose sets the n×n row-major at to aᵀ: by 4×4 blocks in AVX2
// registers where linalg's kernels run and n is a multiple of 4 (the
// refinement's normal matrices transpose each Jacobian), else entry by
// entry. The values are moved, never computed.
func Transpose(n int, a, at []float64) {
	if n == 0 {
		return
	}
	a, at = a[:n*n], at[:n*n]
	if useKernelNN && n%4 == 0 {
		transposeK(n, &a[0], &at[0])
		return
	}
	for i := 0; i < n; i++ {
		for j, v := range a[i*n : (i+1)*n] {
			at[j*n+i] = v
		}
	}
}

// GRUJacobianRow sets the h values of row (h a multiple of 4,
// KernelsInUse) to ((0 + az wz) + an wn) + ar wr, 4 at once, each product
// rounded and then added, one at a time in that order: the GRU's closed-
// form Jacobian's row off the diagonal (cells).
func GRUJacobianRow(h int, wz, wn, wr, row []float64, az, an, ar float64) {
	_, _, _, _ = wz[h-1], wn[h-1], wr[h-1], row[h-1]
	gruJacRowK(h, &wz[0], &wn[0], &wr[0], &row[0], az, an, ar)
}

// GRUGatesPre sets, for h values (h a multiple of 4, KernelsInUse), rr =
// (rr + d_r) 0.5 and rz = (rz + d_z) 0.5, d_r and d_z d's first h and
// next h values: the GRU's gates' arguments of tanh before σ (cells), 4
// at once, each sum rounded and then halved.
func GRUGatesPre(h int, rr, rz, d []float64) {
	_, _, _ = rr[h-1], rz[h-1], d[2*h-1]
	gruGatesPreK(h, &rr[0], &rz[0], &d[0])
}

// GRUGatesPost sets, for h values (h a multiple of 4, KernelsInUse), tr
// and tz to rr and rz when they are not nil, then rr = (rr 0.5) + 0.5, rz
// = (rz 0.5) + 0.5 (σ from tanh), rh = rh + bhn and rn = (rr rh) + dn:
// the GRU's gates and n's argument (cells), 4 at once, each operation
// rounded in that order.
func GRUGatesPost(h int, rr, rz, rh, rn, dn, bhn, tr, tz []float64) {
	_, _, _, _, _, _ = rr[h-1], rz[h-1], rh[h-1], rn[h-1], dn[h-1], bhn[h-1]
	var ptr, ptz *float64
	if tr != nil {
		_, _ = tr[h-1], tz[h-1]
		ptr, ptz = &tr[0], &tz[0]
	}
	gruGatesPostK(h, &rr[0], &rz[0], &rh[0], &rn[0], &dn[0], &bhn[0], ptr, ptz)
}

// GRUObjectiveElems is the elementwise part of the GRU's objective and its
// backward pass (cells' ObjectiveRows), for m values (m a multiple of 4,
// KernelsInUse), 4 at once: diff = x − nn, f = nn + z diff, dF = f − x, g =
// z dF, dn = dF + (−g), da_n = (1 − nn nn) dn, dhn = r da_n, daz = 0.5((1
// − tz tz)(0.5 diff dF)), and tr = 0.5((1 − tr tr)(0.5 hn da_n)) in place,
// each operation rounded as the loop rounds it, with its operand order.
func GRUObjectiveElems(m int, x, nn, z, hn, r, tz, tr, f, dhn, daz, g []float64) {
	_, _, _, _, _, _ = x[m-1], nn[m-1], z[m-1], hn[m-1], r[m-1], tz[m-1]
	_, _, _, _, _ = tr[m-1], f[m-1], dhn[m-1], daz[m-1], g[m-1]
	gruObjElemsK(m, &x[0], &nn[0], &z[0], &hn[0], &r[0], &tz[0], &tr[0], &f[0], &dhn[0], &daz[0], &g[0])
}

// MirrorUpper copies the strict upper triangle of the n×n row-major a into
// its lower triangle (a[k n + j] = a[j n + k] for j < k): 4×4 blocks in
// registers where the kernels run (n a multiple of 4), where the loop's
// stores run down columns.
func MirrorUpper(n int, a []float64) {
	if n == 0 {
		return
	}
	a = a[:n*n]
	if useKernelNN && n%4 == 0 {
		mirrorUpperK(n, &a[0])
		return
	}
	for j := 0; j < n; j++ {
		for k := j + 1; k < n; k++ {
			a[k*n+j] = a[j*n+k]
		}
	}
}

// GRURank2Upper adds cpe (p e_iᵀ + e_i pᵀ) to the upper triangle of the
// h×h row-major S (KernelsInUse): S[k h + i] += cpe p_k for k < i, then
// S[i h + k] += cpe p_k for k ≥ i, then S[i h + i] once more, each product
// rounded and then added, as the GRU's Hessian loop does (cells); row i 4
// entries at once.
func GRURank2Upper(h, i int, S, p []float64, cpe float64) {
	_, _, _ = S[h*h-1], p[h-1], p[i]
	gruRank2K(h, i, &S[0], &p[0], cpe)
}
