package unroll

import "math"

func relErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(1e-3, math.Max(math.Abs(a), math.Abs(b)))
}
