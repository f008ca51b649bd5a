package interval

import "math"

// expm1Bounds encloses e^x − 1 for a float64 x. math.Expm1 is pure Go
// (FreeBSD's) with an error below 1 ulp, so two steps outward cover it.
func expm1Bounds(x float64) (lo, hi float64) {
	switch {
	case math.IsNaN(x):
		return math.NaN(), math.NaN()
	case math.IsInf(x, 1):
		return math.MaxFloat64, math.Inf(1)
	case math.IsInf(x, -1):
		return -1, -1
	case x == 0:
		return 0, 0
	}
	e := math.Expm1(x)
	lo, hi = down(down(e)), up(up(e))
	if x < 0 {
		lo, hi = math.Max(lo, -1), math.Min(hi, 0)
	} else {
		lo = math.Max(lo, 0)
	}
	return lo, hi
}

// expBounds encloses e^x for a float64 x, with relative accuracy on both
// sides of 0: 1 + expm1(x) for x ≥ −1 and 1/e^{−x} below. Near the ends of
// the float64 range it squares e^{x/2} (x/2 is exact): math.Expm1 returns
// +Inf a little below the true overflow point (at 709.782712893384, e^x is
// 2.4e-14 below MaxFloat64), and 1/e^{−x} loses the subnormal results.
func expBounds(x float64) (lo, hi float64) {
	switch {
	case math.IsNaN(x):
		return math.NaN(), math.NaN()
	case x > 710: // e^710 > 2.2e308 > MaxFloat64
		return math.MaxFloat64, math.Inf(1)
	case x < -746: // e^−746 < 1.1e-324, below the smallest subnormal
		return 0, math.SmallestNonzeroFloat64
	case x > 700 || x < -700:
		l, h := expBounds(x / 2)
		return math.Max(mulDown(l, l), 0), mulUp(h, h)
	case x >= -1:
		l, h := expm1Bounds(x)
		return math.Max(addDown(1, l), 0), addUp(1, h)
	}
	l, h := expBounds(-x) // e^{−x} > e
	return math.Max(divDown(1, h), 0), divUp(1, l)
}

// Exp is e^x.
func Exp(x I) I {
	lo, _ := expBounds(x.Lo)
	_, hi := expBounds(x.Hi)
	return fix(lo, hi)
}

// tanhBounds encloses tanh(x) for a float64 x ≥ 0.
func tanhBounds(x float64) (lo, hi float64) {
	switch {
	case math.IsNaN(x):
		return math.NaN(), math.NaN()
	case x == 0:
		return 0, 0
	case x < 0.5:
		// tanh x = t/(t+2) with t = e^{2x} − 1 ≥ 0, increasing in t; 2x is exact.
		tl, th := expm1Bounds(2 * x)
		lo, hi = divDown(tl, addUp(tl, 2)), divUp(th, addDown(th, 2))
	default:
		// tanh x = 1 − 2/(E+1) with E = e^{2x}; E may overflow to +Inf,
		// which gives hi = 1 and lo just below 1, both true.
		return tanhFromExp(expBounds(2 * x))
	}
	return math.Max(lo, 0), math.Min(hi, 1)
}

// tanhFromExp is tanhBounds(x) from [el, eh] = expBounds(2x), x ≥ 0.5.
func tanhFromExp(el, eh float64) (lo, hi float64) {
	lo = addDown(1, -divUp(2, addDown(el, 1)))
	hi = addUp(1, -math.Max(divDown(2, addUp(eh, 1)), 0))
	return math.Max(lo, 0), math.Min(hi, 1)
}

// Tanh is tanh x.
func Tanh(x I) I {
	var lo, hi float64
	if x.Lo >= 0 {
		lo, _ = tanhBounds(x.Lo)
	} else {
		_, h := tanhBounds(-x.Lo)
		lo = -h
	}
	if x.Hi >= 0 {
		_, hi = tanhBounds(x.Hi)
	} else {
		l, _ := tanhBounds(-x.Hi)
		hi = -l
	}
	return fix(lo, hi)
}

// sigmoidBounds encloses σ(x) for a float64 x: 1/(1 + e^{−x}) for x ≥ 0 and
// E/(1 + E) with E = e^x below, so that σ of a very negative x keeps its
// relative accuracy down to the subnormals. Both increase with x.
func sigmoidBounds(x float64) (lo, hi float64) {
	if math.IsNaN(x) {
		return math.NaN(), math.NaN()
	}
	el, eh := expBounds(-math.Abs(x))
	return sigmoidFromExp(x, el, eh)
}

// sigmoidFromExp is sigmoidBounds(x) from [el, eh] = expBounds(−|x|)
// (e^{−x} for x ≥ 0, e^x below), x not NaN.
func sigmoidFromExp(x, el, eh float64) (lo, hi float64) {
	if x >= 0 {
		lo = divDown(1, addUp(1, eh))
		hi = divUp(1, addDown(1, el))
	} else {
		lo = divDown(el, addUp(1, el))
		hi = divUp(eh, addDown(1, eh))
	}
	return math.Max(lo, 0), math.Min(hi, 1)
}

// Sigmoid is σ(x) = 1/(1 + e^{−x}). For 1 − σ(x) use Sigmoid(Neg(x)).
func Sigmoid(x I) I {
	lo, _ := sigmoidBounds(x.Lo)
	_, hi := sigmoidBounds(x.Hi)
	return fix(lo, hi)
}

// sigmoidDerivBounds encloses σ'(y) = e^{−y}/(1 + e^{−y})² for a float64
// y ≥ 0: the formula σ(y)·σ(−y) without the cancellation of 1 − σ.
func sigmoidDerivBounds(y float64) (lo, hi float64) {
	if math.IsNaN(y) {
		return math.NaN(), math.NaN()
	}
	el, eh := expBounds(-y)
	return sigmoidDerivFromExp(el, eh)
}

// sigmoidDerivFromExp is sigmoidDerivBounds(y) from [el, eh] =
// expBounds(−y), y not NaN.
func sigmoidDerivFromExp(el, eh float64) (lo, hi float64) {
	// E/(1+E)² increases with E = e^{−y} on [0, 1], so each end takes its
	// own end of E, each operation rounded its own way.
	dl := addUp(1, el)
	dh := addDown(1, eh)
	lo = divDown(el, mulUp(dl, dl))
	hi = divUp(eh, mulDown(dh, dh))
	return math.Max(lo, 0), math.Min(hi, 0.25)
}

// SigmoidSet returns Sigmoid(x) and SigmoidDeriv(x), and with more also
// Sigmoid(Neg(x)) and Exp(x), bit for bit as those give them, from the
// exponentials at x's two ends: each of those functions evaluates
// e^{−|end|} at the same ends (Exp its own at an end above 0), so that the
// four together cost what two did (a gated cell's gates need σ and σ',
// and the LSTM's forget gate all four).
func SigmoidSet(x I, more bool) (s, d, neg, e I) {
	if math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		s, d = Sigmoid(x), SigmoidDeriv(x)
		if more {
			neg, e = Sigmoid(Neg(x)), Exp(x)
		}
		return s, d, neg, e
	}
	al, ah := math.Abs(x.Lo), math.Abs(x.Hi)
	ll, lh := expBounds(-al) // at x.Lo
	hl, hh := expBounds(-ah) // at x.Hi
	lo, _ := sigmoidFromExp(x.Lo, ll, lh)
	_, hi := sigmoidFromExp(x.Hi, hl, hh)
	s = fix(lo, hi)
	// SigmoidDeriv: evenDecreasing's lower end at Mag, upper at Mig.
	var dlo, dhi float64
	if math.Max(al, ah) == al {
		dlo, _ = sigmoidDerivFromExp(ll, lh)
	} else {
		dlo, _ = sigmoidDerivFromExp(hl, hh)
	}
	switch mig := x.Mig(); {
	case mig == 0:
		_, dhi = sigmoidDerivBounds(0)
	case mig == al:
		_, dhi = sigmoidDerivFromExp(ll, lh)
	default:
		_, dhi = sigmoidDerivFromExp(hl, hh)
	}
	d = fix(dlo, dhi)
	if !more {
		return s, d, neg, e
	}
	// Sigmoid(Neg(x)) = [σ(−Hi), σ(−Lo)]: the same ends' exponentials.
	nlo, _ := sigmoidFromExp(-x.Hi, hl, hh)
	_, nhi := sigmoidFromExp(-x.Lo, ll, lh)
	neg = fix(nlo, nhi)
	// Exp: expBounds at each end, e^{−|end|} already for an end <= 0.
	elo, ehi := ll, hh
	if x.Lo > 0 {
		elo, _ = expBounds(x.Lo)
	}
	if x.Hi > 0 {
		_, ehi = expBounds(x.Hi)
	}
	e = fix(elo, ehi)
	return s, d, neg, e
}

// evenDecreasing encloses an even function of x that decreases in |x| and
// whose bounds at a float64 y ≥ 0 are f(y): its maximum is at the point of x
// nearest 0, its minimum at the farthest.
func evenDecreasing(x I, f func(float64) (float64, float64)) I {
	if math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		return Entire()
	}
	lo, _ := f(x.Mag())
	_, hi := f(x.Mig())
	return fix(lo, hi)
}

// SigmoidDeriv is σ'(x) = σ(x)·σ(−x), evaluated without subtraction.
func SigmoidDeriv(x I) I { return evenDecreasing(x, sigmoidDerivBounds) }

// TanhDeriv is tanh'(x) = 1 − tanh²(x) = 4σ'(2x), evaluated without the
// cancellation of 1 − tanh² near |tanh| = 1. It is
// evenDecreasing(x, y ↦ (4σ'_lo(2y), min(4σ'_hi(2y), 1))) with σ' by
// sigmoidDerivBounds, bit for bit, each end computing only its own side
// (about half the directed operations; a proof's Jacobians take it at
// every pre-activation).
func TanhDeriv(x I) I {
	if math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		return Entire()
	}
	// sigmoidDerivFromExp's lower end at E = e^{−2·Mag}'s lower end, its
	// upper end at e^{−2·Mig}'s upper end; 2y and 4· are exact.
	el := expLo(-2 * x.Mag())
	dl := addUp(1, el)
	lo := 4 * math.Max(divDown(el, mulUp(dl, dl)), 0)
	eh := expHi(-2 * x.Mig())
	dh := addDown(1, eh)
	hi := math.Min(4*math.Min(divUp(eh, mulDown(dh, dh)), 0.25), 1)
	return fix(lo, hi)
}

// expLo and expHi are expBounds' lower and upper ends, each computed
// alone, bit for bit (the same operations on the same side).
func expLo(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case x > 710:
		return math.MaxFloat64
	case x < -746:
		return 0
	case x > 700 || x < -700:
		l := expLo(x / 2)
		return math.Max(mulDown(l, l), 0)
	case x >= -1:
		return math.Max(addDown(1, expm1Lo(x)), 0)
	}
	return math.Max(divDown(1, expHi(-x)), 0)
}

func expHi(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return math.SmallestNonzeroFloat64
	case x > 700 || x < -700:
		h := expHi(x / 2)
		return mulUp(h, h)
	case x >= -1:
		return addUp(1, expm1Hi(x))
	}
	return divUp(1, expLo(-x))
}

// expm1Lo and expm1Hi are expm1Bounds' lower and upper ends alone.
func expm1Lo(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case math.IsInf(x, 1):
		return math.MaxFloat64
	case math.IsInf(x, -1):
		return -1
	case x == 0:
		return 0
	}
	lo := down(down(math.Expm1(x)))
	if x < 0 {
		return math.Max(lo, -1)
	}
	return math.Max(lo, 0)
}

func expm1Hi(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case math.IsInf(x, 1):
		return math.Inf(1)
	case math.IsInf(x, -1):
		return -1
	case x == 0:
		return 0
	}
	hi := up(up(math.Expm1(x)))
	if x < 0 {
		return math.Min(hi, 0)
	}
	return hi
}

// TanhSet returns Tanh(x) and TanhDeriv(x), bit for bit as those give
// them, with one exponential at an end of magnitude a in (0.5, 350] where
// each evaluated its own: tanh's e^{2a} gives the derivative's e^{−2a} as
// expBounds computes it there (the reciprocal of e^{2a}'s bounds).
func TanhSet(x I) (t, d I) {
	if math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		return Tanh(x), TanhDeriv(x)
	}
	al, ah := math.Abs(x.Lo), math.Abs(x.Hi)
	ltl, lth, ldl, ldh := tanhEnd(al)
	htl, hth, hdl, hdh := tanhEnd(ah)
	// Tanh: tanhBounds at each end's magnitude, signed.
	lo, hi := ltl, hth
	if x.Lo < 0 {
		lo = -lth
	}
	if x.Hi < 0 {
		hi = -htl
	}
	t = fix(lo, hi)
	// TanhDeriv: evenDecreasing's lower end at Mag, upper at Mig.
	dlo := hdl
	if math.Max(al, ah) == al {
		dlo = ldl
	}
	var dhi float64
	switch mig := x.Mig(); {
	case mig == 0:
		_, _, _, dhi = tanhEnd(0)
	case mig == al:
		dhi = ldh
	default:
		dhi = hdh
	}
	return t, fix(dlo, dhi)
}

// tanhEnd is tanhBounds(a) and TanhDeriv's bounds at a (4σ'(2a), at most
// 1) for a float64 a ≥ 0, not NaN.
func tanhEnd(a float64) (tl, th, dl, dh float64) {
	if a > 0.5 && a <= 350 {
		// expBounds(−2a), −700 <= −2a < −1: 1/e^{2a}, each end rounded
		// its own way.
		el, eh := expBounds(2 * a)
		tl, th = tanhFromExp(el, eh)
		dl, dh = sigmoidDerivFromExp(math.Max(divDown(1, eh), 0), divUp(1, el))
	} else {
		tl, th = tanhBounds(a)
		dl, dh = sigmoidDerivBounds(2 * a)
	}
	return tl, th, 4 * dl, math.Min(4*dh, 1)
}

// ReLU is max(x, 0).
func ReLU(x I) I { return fix(math.Max(x.Lo, 0), math.Max(x.Hi, 0)) }

// ReLUDeriv encloses the (Clarke) derivative of max(x, 0): 0 below 0, 1 above,
// [0, 1] when x holds 0. The mean-value inclusion Krawczyk's test needs holds
// with it, although relu has no derivative at 0.
func ReLUDeriv(x I) I {
	switch {
	case math.IsNaN(x.Lo) || math.IsNaN(x.Hi):
		return Entire()
	case x.Hi < 0:
		return I{0, 0}
	case x.Lo > 0:
		return I{1, 1}
	}
	return I{0, 1}
}

// Dot is Σ x_i·y_i in inf–sup arithmetic (each operation rounded outward).
// It panics if the lengths differ, as a programming error.
func Dot(x, y []I) I {
	if len(x) != len(y) {
		panic("interval: Dot of vectors of different lengths")
	}
	s := I{}
	for i := range x {
		s = Add(s, Mul(x[i], y[i]))
	}
	return s
}
