package stability

import (
	"math"

	"github.com/rnnfp/fixedpoints/internal/interval"
)

// Upper bounds from floating point in round-to-nearest (Go has no directed
// rounding): every computed nonnegative quantity that must bound a true one
// from above is moved once more toward +Inf with up, which covers the
// half-ulp error of the operation that produced it (also in the subnormal
// range, where additions are exact and a product loses at most half of the
// smallest subnormal). Matrix products are package interval's.

// unitRoundoff is u = 2^-53, the relative error of one float64 operation.
const unitRoundoff = 0x1p-53

// tinyUnderflow is the smallest subnormal float64, 2^-1074: a product that
// underflows loses at most half of it.
const tinyUnderflow = 0x1p-1074

// up returns the next float64 toward +Inf: an upper bound on the exact
// result of the one operation that rounded to x.
func up(x float64) float64 { return interval.Up(x) }

// down returns the next float64 toward -Inf.
func down(x float64) float64 { return interval.Down(x) }

// absUp returns the magnitude bound |a| + r of the interval a +- r,
// entry by entry, rounded upward.
func absUp(a, r []float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = up(math.Abs(v) + r[i])
	}
	return out
}

// mul encloses the product of the N x N interval matrices am +- ar and
// bm +- br (nil radius: a point matrix) with interval.MatMul, Rump's
// midpoint-radius product on the BLAS with its rounding error bounded,
// into mid and rad (N x N each), its temporaries in work (mulWork(N)).
func mul(N int, am, ar, bm, br, mid, rad, work []float64) {
	interval.MatMulTo(interval.Mat{Mid: mid, Rad: rad},
		interval.Mat{Rows: N, Cols: N, Mid: am, Rad: ar}, interval.Mat{Rows: N, Cols: N, Mid: bm, Rad: br}, work)
}

// mulWork is the work mul needs at N: interval.MatMulWork's largest, an
// interval times a point matrix.
func mulWork(N int) int { return 4 * N * N }

// sumUp adds nonnegative values upward.
func sumUp(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s = up(s + x)
	}
	return s
}
