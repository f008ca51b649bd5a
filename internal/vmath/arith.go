package vmath

// Add sets dst[i] = x[i] + y[i] for i < len(dst); x and y must be at least
// as long. Sub and Mul are the same with − and ×. Each value is one IEEE
// operation with x's value first, as Go's loop computes it (the same
// bits, NaNs included); in the default build on amd64 with AVX2, 4 at
// once. dst may be x or y (not otherwise overlapping them).
func Add(dst, x, y []float64) { arith(addKern, '+', dst, x, y) }

// Sub sets dst[i] = x[i] − y[i]; see Add.
func Sub(dst, x, y []float64) { arith(subKern, '-', dst, x, y) }

// Mul sets dst[i] = x[i] × y[i]; see Add.
func Mul(dst, x, y []float64) { arith(mulKern, '*', dst, x, y) }

func arith(kern func(dst, x, y *float64, n int), op byte, dst, x, y []float64) {
	x, y = x[:len(dst)], y[:len(dst)]
	n := 0
	if useArith {
		n = len(dst) &^ 3
		if n > 0 {
			kern(&dst[0], &x[0], &y[0], n)
		}
	}
	dst, x, y = dst[n:], x[n:], y[n:]
	switch op {
	case '+':
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case '-':
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case '*':
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	}
}
