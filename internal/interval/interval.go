package interval

import "math"

// I is the closed interval [Lo, Hi]. An infinite end means "unbounded on that
// side" (overflow); Lo ≤ Hi always holds for the values this package returns.
type I struct {
	Lo, Hi float64
}

// Point returns the degenerate interval [x, x]; a NaN x gives Entire.
func Point(x float64) I {
	if math.IsNaN(x) {
		return Entire()
	}
	return I{x, x}
}

// New returns [lo, hi]; NaN ends or lo > hi give Entire, so a bad input never
// becomes a tight interval.
func New(lo, hi float64) I {
	if math.IsNaN(lo) || math.IsNaN(hi) || lo > hi {
		return Entire()
	}
	return I{lo, hi}
}

// Entire is (−∞, +∞): the answer when nothing can be said.
func Entire() I { return I{math.Inf(-1), math.Inf(1)} }

// IsFinite reports whether both ends are finite numbers (no overflow, no NaN).
func (x I) IsFinite() bool {
	return !math.IsInf(x.Lo, 0) && !math.IsInf(x.Hi, 0) && !math.IsNaN(x.Lo) && !math.IsNaN(x.Hi)
}

// Contains reports whether v lies in x.
func (x I) Contains(v float64) bool { return x.Lo <= v && v <= x.Hi }

// Within reports whether x lies in the interior of y (Lo > y.Lo and Hi < y.Hi),
// the inclusion Krawczyk's test needs.
func (x I) Within(y I) bool { return x.Lo > y.Lo && x.Hi < y.Hi }

// Subset reports whether x ⊆ y.
func (x I) Subset(y I) bool { return x.Lo >= y.Lo && x.Hi <= y.Hi }

// Width is an upper bound of Hi − Lo.
func (x I) Width() float64 { return up(x.Hi - x.Lo) }

// Mid is a float64 in x near its centre (0 for Entire, ±MaxFloat64 for a half
// line).
func (x I) Mid() float64 {
	switch {
	case math.IsInf(x.Lo, -1) && math.IsInf(x.Hi, 1):
		return 0
	case math.IsInf(x.Lo, -1):
		return -math.MaxFloat64
	case math.IsInf(x.Hi, 1):
		return math.MaxFloat64
	}
	m := x.Lo/2 + x.Hi/2
	return math.Min(math.Max(m, x.Lo), x.Hi)
}

// Mag is max |v| over v in x (the magnitude), exact.
func (x I) Mag() float64 { return math.Max(math.Abs(x.Lo), math.Abs(x.Hi)) }

// Mig is min |v| over v in x (the mignitude), exact.
func (x I) Mig() float64 {
	if x.Lo <= 0 && x.Hi >= 0 {
		return 0
	}
	return math.Min(math.Abs(x.Lo), math.Abs(x.Hi))
}

// Hull is the smallest interval holding a and b.
func Hull(a, b I) I { return I{math.Min(a.Lo, b.Lo), math.Max(a.Hi, b.Hi)} }

// Down and Up move a round-to-nearest result one float64 outward (toward
// −Inf, +Inf), which covers its half-ulp error. They give
// math.Nextafter(x, ∓Inf) bit for bit, without its general case analysis
// (they are in every interval operation, and in the proofs' bounds).
func Down(x float64) float64 {
	switch {
	case x < 0 && x > math.Inf(-1):
		return math.Float64frombits(math.Float64bits(x) + 1)
	case x > 0:
		return math.Float64frombits(math.Float64bits(x) - 1)
	case x == 0:
		return -eta
	}
	return x // NaN, −Inf
}

// Up is Down toward +Inf.
func Up(x float64) float64 {
	switch {
	case x > 0 && x < math.Inf(1):
		return math.Float64frombits(math.Float64bits(x) + 1)
	case x < 0:
		return math.Float64frombits(math.Float64bits(x) - 1)
	case x == 0:
		return eta
	}
	return x // NaN, +Inf
}

func down(x float64) float64 { return Down(x) }
func up(x float64) float64   { return Up(x) }

// fix turns a NaN anywhere into Entire.
func fix(lo, hi float64) I {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return Entire()
	}
	return I{lo, hi}
}

// Neg is −x (exact).
func Neg(x I) I { return I{-x.Hi, -x.Lo} }

// Add is x + y.
func Add(x, y I) I { return fix(addDown(x.Lo, y.Lo), addUp(x.Hi, y.Hi)) }

// Sub is x − y.
func Sub(x, y I) I { return fix(addDown(x.Lo, -y.Hi), addUp(x.Hi, -y.Lo)) }

// AddScalar is x + c for a float64 c.
func AddScalar(x I, c float64) I { return Add(x, Point(c)) }

// mulEnd is a·b with 0·∞ = 0: an infinite end stands for finite values, and
// 0 times any of them is 0. The product is exact when it is 0 because a
// factor is.
func mulEnd(a, b float64) (lo, hi float64) {
	if a == 0 || b == 0 {
		return 0, 0
	}
	return mulDir(a, b)
}

// Mul is x·y. The signs of the ends say which two end products bound the
// result (one pair where both intervals straddle 0), so each end is one
// product rounded its own way instead of four rounded both ways.
func Mul(x, y I) I {
	a, b, c, d := x.Lo, x.Hi, y.Lo, y.Hi
	if math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(c) || math.IsNaN(d) {
		return Entire()
	}
	switch {
	case a >= 0:
		switch {
		case c >= 0:
			return fix(mulLo(a, c), mulHi(b, d))
		case d <= 0:
			return fix(mulLo(b, c), mulHi(a, d))
		}
		return fix(mulLo(b, c), mulHi(b, d))
	case b <= 0:
		switch {
		case c >= 0:
			return fix(mulLo(a, d), mulHi(b, c))
		case d <= 0:
			return fix(mulLo(b, d), mulHi(a, c))
		}
		return fix(mulLo(a, d), mulHi(a, c))
	}
	switch { // a < 0 < b
	case c >= 0:
		return fix(mulLo(a, d), mulHi(b, d))
	case d <= 0:
		return fix(mulLo(b, c), mulHi(a, c))
	}
	return fix(min(mulLo(a, d), mulLo(b, c)), max(mulHi(a, c), mulHi(b, d)))
}

// mulLo and mulHi are the ends of mulEnd(a, b).
func mulLo(a, b float64) float64 { lo, _ := mulEnd(a, b); return lo }
func mulHi(a, b float64) float64 { _, hi := mulEnd(a, b); return hi }

// Scale is c·x for a float64 c.
func Scale(c float64, x I) I { return Mul(Point(c), x) }

// Sqr is x², tighter than Mul(x, x) when x holds 0.
func Sqr(x I) I {
	a, b := x.Mig(), x.Mag()
	lo, _ := mulEnd(a, a)
	_, hi := mulEnd(b, b)
	return fix(math.Max(lo, 0), hi)
}

// Div is x / y; a divisor holding 0 gives Entire.
func Div(x, y I) I {
	if y.Lo <= 0 && y.Hi >= 0 {
		return Entire()
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, n := range [2]float64{x.Lo, x.Hi} {
		for _, d := range [2]float64{y.Lo, y.Hi} {
			if n == 0 || math.IsInf(d, 0) && !math.IsInf(n, 0) {
				// 0/d and finite/∞ tend to 0 exactly.
				lo, hi = math.Min(lo, 0), math.Max(hi, 0)
				continue
			}
			ql, qh := divDir(n, d)
			lo, hi = math.Min(lo, ql), math.Max(hi, qh)
		}
	}
	return fix(lo, hi)
}

// Sqrt is √x on the part of x that is ≥ 0; x entirely below 0 gives Entire.
func Sqrt(x I) I {
	if x.Hi < 0 || math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		return Entire()
	}
	lo := 0.0
	if x.Lo > 0 {
		l, _ := sqrtDir(x.Lo)
		lo = math.Max(l, 0)
	}
	_, hi := sqrtDir(x.Hi)
	return fix(lo, hi)
}
