package viz

import (
	"math"
	"strconv"
)

// sigDigits is how many significant digits every number in a chart keeps:
// enough for any picture, few enough that the same analysis run on another
// machine (other rounding in the last bits) writes the same bytes.
const sigDigits = 6

// num is a float64 that marshals to JSON with sigDigits significant digits,
// and as null when it is not finite (JSON has no NaN or Inf).
type num float64

func (v num) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	if f == 0 {
		return []byte("0"), nil // also turns -0 into 0
	}
	return strconv.AppendFloat(nil, round(f), 'g', -1, 64), nil
}

// round keeps sigDigits significant digits of f.
func round(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', sigDigits, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// nums converts a slice of float64 to nums.
func nums(x ...float64) []num {
	out := make([]num, len(x))
	for i, v := range x {
		out[i] = num(v)
	}
	return out
}

// fmtG formats f for text (tooltips, tables) with d significant digits.
func fmtG(f float64, d int) string {
	return strconv.FormatFloat(f, 'g', d, 64)
}

// niceCeil rounds x > 0 up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
// power of ten, so that axis ends are round numbers.
func niceCeil(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= x*(1-1e-12) {
			return round(m * p)
		}
	}
	return round(10 * p)
}
