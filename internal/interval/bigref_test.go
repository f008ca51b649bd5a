package interval

import (
	"math"
	"math/big"
)

// The reference: elementary functions in math/big at refPrec bits, far more
// than the 53 of float64, by Taylor series with argument halving.

const refPrec = 320

func bf(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }

// bigExpm1 is e^x − 1 without cancellation for small x.
func bigExpm1(x *big.Float) *big.Float {
	if x.Sign() == 0 {
		return new(big.Float).SetPrec(refPrec)
	}
	if x.MantExp(nil) > -8 {
		e := bigExp(x)
		return e.Sub(e, bf(1))
	}
	sum := new(big.Float).SetPrec(refPrec)
	term := new(big.Float).SetPrec(refPrec).SetInt64(1)
	eps := new(big.Float).SetPrec(refPrec).SetMantExp(bf(1), -refPrec-20)
	for i := int64(1); ; i++ {
		term.Mul(term, x)
		term.Quo(term, new(big.Float).SetPrec(refPrec).SetInt64(i))
		sum.Add(sum, term)
		t := new(big.Float).Abs(term)
		s := new(big.Float).Abs(sum)
		if t.Cmp(s.Mul(s, eps)) < 0 {
			return sum
		}
	}
}

// bigExp is e^x: halve x until it is below 2⁻⁸, sum the series, square back.
func bigExp(x *big.Float) *big.Float {
	k := 0
	if e := x.MantExp(nil); e > -8 {
		k = e + 8
	}
	y := new(big.Float).SetPrec(refPrec+64).SetMantExp(x, -k)
	sum := new(big.Float).SetPrec(refPrec + 64).SetInt64(1)
	term := new(big.Float).SetPrec(refPrec + 64).SetInt64(1)
	eps := new(big.Float).SetPrec(refPrec+64).SetMantExp(bf(1), -refPrec-60)
	for i := int64(1); ; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(refPrec+64).SetInt64(i))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for ; k > 0; k-- {
		sum.Mul(sum, sum)
	}
	return sum.SetPrec(refPrec)
}

// far is a value between 1 and the 320-bit-unrepresentable tanh(x) or
// σ(x) for |x| > 1000, where 1 − tanh is below 2⁻²⁸⁰⁰.
func far(x float64) *big.Float {
	v := new(big.Float).SetPrec(3000).SetMantExp(big.NewFloat(1), -2800)
	v.Sub(new(big.Float).SetPrec(3000).SetInt64(1), v)
	if x < 0 {
		v.Neg(v)
	}
	return v
}

func bigTanh(x float64) *big.Float {
	if math.Abs(x) > 1000 {
		return far(x)
	}
	// tanh x = t/(t+2), t = e^{2x} − 1.
	t := bigExpm1(bf(2 * x))
	d := new(big.Float).SetPrec(refPrec).Add(t, bf(2))
	return t.Quo(t, d)
}

func bigSigmoid(x float64) *big.Float {
	if x > 1000 {
		return far(x)
	}
	if x < -1000 {
		return new(big.Float).SetPrec(3000).SetMantExp(big.NewFloat(1), -2800)
	}
	e := bigExp(bf(-x))
	return new(big.Float).SetPrec(refPrec).Quo(bf(1), e.Add(e, bf(1)))
}

// bigSigmoidDeriv is e^{−x}/(1+e^{−x})².
func bigSigmoidDeriv(x float64) *big.Float {
	if math.Abs(x) > 1000 {
		return new(big.Float).SetPrec(3000).SetMantExp(big.NewFloat(1), -2800)
	}
	e := bigExp(bf(-x))
	d := new(big.Float).SetPrec(refPrec).Add(e, bf(1))
	d.Mul(d, d)
	return e.Quo(e, d)
}

// bigTanhDeriv is 4e^{−2x}/(1+e^{−2x})².
func bigTanhDeriv(x float64) *big.Float {
	if math.Abs(x) > 1000 {
		return new(big.Float).SetPrec(3000).SetMantExp(big.NewFloat(1), -2800)
	}
	e := bigExp(bf(-2 * x))
	d := new(big.Float).SetPrec(refPrec).Add(e, bf(1))
	d.Mul(d, d)
	e.Quo(e, d)
	return e.Mul(e, bf(4))
}

// holds reports whether v ∈ [x.Lo, x.Hi], compared exactly.
func holds(x I, v *big.Float) bool {
	if !math.IsInf(x.Lo, -1) && bf(x.Lo).Cmp(v) > 0 {
		return false
	}
	if !math.IsInf(x.Hi, 1) && bf(x.Hi).Cmp(v) < 0 {
		return false
	}
	return true
}

// ulps is |x − v| in units of ulp(v) as a float64.
func ulps(x float64, v *big.Float) float64 {
	vf, _ := v.Float64()
	u := math.Nextafter(math.Abs(vf), math.Inf(1)) - math.Abs(vf)
	d := new(big.Float).SetPrec(refPrec).Sub(bf(x), v)
	df, _ := d.Float64()
	return math.Abs(df) / u
}

// refExp is e^x, with values beyond float64's range replaced by a number
// between them and the range (e^x > 2^1100 or < 2^-1100 there).
func refExp(x float64) *big.Float {
	switch {
	case x > 800:
		return new(big.Float).SetPrec(refPrec).SetMantExp(big.NewFloat(1), 1100)
	case x < -800:
		return new(big.Float).SetPrec(refPrec).SetMantExp(big.NewFloat(1), -1100)
	}
	return bigExp(bf(x))
}
