package interval

import (
	"math"
	"math/big"
	"testing"
)

// bigSoftplus is max(x, 0) + log(1 + e^{−|x|}) at refPrec bits, the
// logarithm by Newton's method on e^y = 1 + e^{−|x|} (bigExp), or by its
// series when e^{−|x|} is tiny.
func bigSoftplus(x float64) *big.Float {
	e := bigExp(bf(-math.Abs(x)))
	if e.MantExp(nil) < -60 { // log1p(E) = E − E²/2 + E³/3 − ..., far below refPrec after three terms
		e2 := new(big.Float).SetPrec(refPrec).Mul(e, e)
		e3 := new(big.Float).SetPrec(refPrec).Mul(e2, e)
		y := new(big.Float).SetPrec(refPrec).Sub(e, e2.Quo(e2, bf(2)))
		y.Add(y, e3.Quo(e3, bf(3)))
		return y.Add(y, bf(math.Max(x, 0)))
	}
	one := new(big.Float).SetPrec(refPrec).Add(bf(1), e)
	y := bf(math.Log1p(math.Exp(-math.Abs(x))))
	for k := 0; k < 8; k++ { // y ← y − 1 + (1 + E)/e^y, quadratic
		q := new(big.Float).SetPrec(refPrec).Quo(one, bigExp(y))
		y.Sub(y, bf(1))
		y.Add(y, q)
	}
	return y.Add(y, bf(math.Max(x, 0)))
}

// TestSoftplusHoldsBigReference: at points from the subnormal tail to
// 700, Softplus of the point holds the 320-bit value and is within 16 ulps
// of it; on a box it holds the values at both ends and at a middle point.
func TestSoftplusHoldsBigReference(t *testing.T) {
	worst := 0.0
	for _, x := range []float64{-745, -700, -100, -37.5, -20, -3, -1, -0.5, -1e-8, 0, 1e-8, 0.3, 1, 2.5, 16.5, 19.9, 20.1, 36, 50, 300, 700} {
		ref := bigSoftplus(x)
		got := Softplus(Point(x))
		if !holds(got, ref) {
			t.Errorf("Softplus(%g) = [%g, %g] does not hold %s", x, got.Lo, got.Hi, ref.Text('g', 20))
		}
		if got.Lo > 1e-300 { // normal numbers: the subnormals have no relative accuracy
			worst = math.Max(worst, math.Max(ulps(got.Lo, ref), ulps(got.Hi, ref)))
		}
	}
	t.Logf("widest end: %.1f ulps from the reference", worst)
	if worst > 16 {
		t.Errorf("Softplus enclosures reach %.1f ulps, want <= 16", worst)
	}
	b := Softplus(New(-3, 2))
	for _, x := range []float64{-3, -0.25, 2} {
		if !holds(b, bigSoftplus(x)) {
			t.Errorf("Softplus([-3, 2]) = [%g, %g] does not hold softplus(%g)", b.Lo, b.Hi, x)
		}
	}
}
