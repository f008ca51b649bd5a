package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TrsmUpper solves U X = B (trans false) or Uᵀ X = B (trans true) in
// place of B (m×n, row stride ldb), U upper triangular m×m (row stride
// lda) with its diagonal, with the bits of gonum's Dtrsm(Left, Upper,
// NoTrans or Trans, NonUnit, α = 1): each entry of B gets the same terms
// in the same order (gonum's Uᵀ solve updates the rows below a finished
// row, right-looking; here each row takes the finished rows above it in
// the same order), terms of a zero U entry skipped as there, then the
// same scaling by 1/u_ii. Sixteen columns of a row at a time in AVX2
// registers (mulnn_amd64.s) where linalg's kernels are in use, the other
// columns and elsewhere gonum's Dtrsm.
func TrsmUpper(trans bool, m, n int, a []float64, lda int, b []float64, ldb int) {
	tA := blas.NoTrans
	if trans {
		tA = blas.Trans
	}
	nb := 0
	if useKernelNN && m > 0 {
		nb = n / 16 * 16
		_, _ = a[(m-1)*lda+m-1], b[(m-1)*ldb+n-1] // bounds, once
	}
	if nb > 0 {
		if trans {
			for i := 0; i < m; i++ {
				tmp := 1 / a[i*lda+i]
				for j := 0; j < nb; j += 16 {
					// Rows 0..i-1 of B, column i of U.
					kernTrsmRow16(i, &a[i], lda, &b[j], ldb, &b[i*ldb+j], tmp)
				}
			}
		} else {
			for i := m - 1; i >= 0; i-- {
				tmp := 1 / a[i*lda+i]
				if i == m-1 {
					for j := 0; j < nb; j += 16 {
						kernTrsmRow16(0, &a[i*lda+i], 1, &b[j], ldb, &b[i*ldb+j], tmp)
					}
					continue
				}
				for j := 0; j < nb; j += 16 {
					// Rows i+1..m-1 of B, row i of U right of the diagonal.
					kernTrsmRow16(m-1-i, &a[i*lda+i+1], 1, &b[(i+1)*ldb+j], ldb, &b[i*ldb+j], tmp)
				}
			}
		}
	}
	if nb < n {
		plainTrsm(tA, m, n-nb, a, lda, b[nb:], ldb)
	}
}

// plainTrsm is gonum's own Dtrsm(Left, Upper, tA, NonUnit, 1).
func plainTrsm(tA blas.Transpose, m, n int, a []float64, lda int, b []float64, ldb int) {
	gonum.Implementation{}.Dtrsm(blas.Left, blas.Upper, tA, blas.NonUnit, m, n, 1, a, lda, b, ldb)
}
