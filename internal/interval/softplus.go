package interval

import "math"

// softplusBounds encloses softplus(x) = log(1 + e^x) for a float64 x as
// max(x, 0) + log1p(e^{−|x|}): e^{−|x|} enclosed by expBounds, log1p
// (accurate to within one ulp, increasing) widened by two ulps each way,
// and the sum rounded outward.
func softplusBounds(x float64) (lo, hi float64) {
	if math.IsNaN(x) {
		return math.NaN(), math.NaN()
	}
	el, eh := expBounds(-math.Abs(x))
	ll := math.Max(down(down(math.Log1p(el))), 0)
	lh := up(up(math.Log1p(eh)))
	r := math.Max(x, 0)
	return math.Max(addDown(r, ll), 0), addUp(r, lh)
}

// Softplus is log(1 + e^x), exactly (no threshold above which it is x);
// its derivative is Sigmoid.
func Softplus(x I) I {
	lo, _ := softplusBounds(x.Lo)
	_, hi := softplusBounds(x.Hi)
	return fix(lo, hi)
}
