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
