package linalg

import "gonum.org/v1/gonum/blas/blas64"

// Nrm2 is the 2-norm of v (for a matrix, its Frobenius norm), by BLAS's
// overflow-safe scaled sum.
func Nrm2(v []float64) float64 {
	return blas64.Nrm2(blas64.Vector{N: len(v), Inc: 1, Data: v})
}

// Dot is the inner product of a and b (len(a) terms), summed left to right.
func Dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Scal multiplies v by a in place.
func Scal(v []float64, a float64) {
	for i := range v {
		v[i] *= a
	}
}

// GRURank4Upper adds to the h×h S (h a multiple of 4, KernelsInUse), for
// each row j and each block of 4 columns k from j rounded down to a
// multiple of 4, a1[j] t[k] + a2[j] s[k] + a3[j] p[k] + a4[j] w[k], each
// entry's sum formed and then added to it, one rounded product and one
// rounded addition a term (no fused multiply-add): the bits of the GRU's
// Hessian of q's scalar loop on the upper triangle (cells), NaNs' signs
// and payloads included, in its operand order (x86 passes on the first
// operand's NaN where two meet): S + (a4 w + (a3 p + (a2 s + a1 t))), on
// odd rows with t, s, p, w first in the products, on an even row's
// diagonal S + (((t a1 + s a2) + p a3) + w a4). a holds a1, a2, a3, a4 (h
// values each). The entries left of the diagonal in each block get sums
// too.
func GRURank4Upper(h int, S, t, s, p, w, a []float64) {
	_, _, _, _, _, _ = S[h*h-1], t[h-1], s[h-1], p[h-1], w[h-1], a[4*h-1]
	gruRank4K(h, &S[0], &t[0], &s[0], &p[0], &w[0], &a[0])
}

// GRUGramUpper sets, for each row j and each block of 4 columns k from j
// rounded down to a multiple of 4, hess[j][k] = S[j][k] + Σ_i A[i][j]
// A[i][k] (all h×h, h a multiple of 4, KernelsInUse), summed in order of
// i from S[j][k], one rounded product and one rounded addition a term,
// A[i][k] A[i][j] but A[i][j] A[i][k] in the last (4 − j mod 4) mod 4
// columns of row j: the loop's operand order (cells), whose NaN x86
// passes on where two meet.
// The entries left of the diagonal in each block get values too, for the
// caller to overwrite.
func GRUGramUpper(h int, A, S, hess []float64) {
	_, _, _ = A[h*h-1], S[h*h-1], hess[h*h-1]
	gruGramK(h, &A[0], &S[0], &hess[0])
}

// AddMatTVec4 adds Wᵀ v to the h values of a (h a multiple of 4,
// KernelsInUse), wT row-major m×h and v m values: a[i] += v[j] wT[j][i] in
// order of j, skipping each j with v[j] == 0 (NaN is not skipped), one
// rounded product and one rounded addition a term.
func AddMatTVec4(h, m int, a, wT, v []float64) {
	if m == 0 || h == 0 {
		return
	}
	_, _, _ = a[h-1], wT[m*h-1], v[m-1]
	matTVecAddK(h, m, &a[0], &wT[0], &v[0])
}
