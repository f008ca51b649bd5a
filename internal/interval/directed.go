package interval

import "math"

// Directed rounding emulated from round-to-nearest: each operation's exact
// error is known in sign (TwoSum for + and −, a fused multiply-add for ×,
// ÷ and √), so a result is stepped outward only when it is on the wrong
// side of the exact value, and an exact result (common: Sterbenz's
// subtraction of near values, products of short mantissas) not at all.
// The bounds are those of true directed rounding, one ulp wide at most
// where the plain step outward made two: an enclosure through a chain of
// operations (tanh, σ, G = n − h) is about half as wide, and proofs on
// ill-conditioned roots need that width. Where the error term could
// underflow (results below 2⁻⁹⁶⁰) or a result overflows, the plain step
// outward is taken.

// tiny bounds the magnitudes below which an error term may underflow.
const tiny = 0x1p-960

func exactable(v float64) bool {
	a := math.Abs(v)
	return a >= tiny && a <= math.MaxFloat64
}

// sumErr is (a + b) − s exactly, for s = fl(a + b) finite (TwoSum).
func sumErr(a, b, s float64) float64 {
	bp := s - a
	return (a - (s - bp)) + (b - bp)
}

// addDown and addUp are a + b rounded toward −Inf and +Inf.
// An error term that is not a number (never expected for a finite s) takes
// the plain step, as does every case not known to be exact or inward.
func addDown(a, b float64) float64 {
	s := a + b
	if math.IsInf(s, 0) || math.IsNaN(s) || !(sumErr(a, b, s) >= 0) {
		return down(s)
	}
	return s
}

func addUp(a, b float64) float64 {
	s := a + b
	if math.IsInf(s, 0) || math.IsNaN(s) || !(sumErr(a, b, s) <= 0) {
		return up(s)
	}
	return s
}

// mulDir returns a·b rounded toward −Inf and +Inf (finite nonzero a, b or
// not: infinities and NaN take the plain step).
func mulDir(a, b float64) (lo, hi float64) {
	p := a * b
	if !exactable(p) {
		return down(p), up(p)
	}
	e := math.FMA(a, b, -p) // a·b − p exactly
	return stepBy(p, e)
}

// divDir returns n/d rounded toward −Inf and +Inf: with q = fl(n/d) the
// remainder q·d − n is exact (no underflow), and q − n/d has its sign
// times d's.
func divDir(n, d float64) (lo, hi float64) {
	q := n / d
	if !exactable(q) || !exactable(n) || !exactable(d) {
		return down(q), up(q)
	}
	r := math.FMA(q, d, -n) // (q − n/d)·d exactly
	if d < 0 {
		r = -r
	}
	return stepBy(q, -r)
}

func mulDown(a, b float64) float64 { lo, _ := mulDir(a, b); return lo }
func mulUp(a, b float64) float64   { _, hi := mulDir(a, b); return hi }
func divDown(n, d float64) float64 { lo, _ := divDir(n, d); return lo }
func divUp(n, d float64) float64   { _, hi := divDir(n, d); return hi }

// sqrtDir returns √x (x ≥ 0) rounded toward −Inf and +Inf: s² − x is
// exact by a fused multiply-add and has the sign of s − √x.
func sqrtDir(x float64) (lo, hi float64) {
	s := math.Sqrt(x)
	if !exactable(x) || !exactable(s) {
		return down(s), up(s)
	}
	r := math.FMA(s, s, -x) // s² − x: the sign of s − √x
	return stepBy(s, -r)
}

// stepBy returns the bounds of a value v + e (e the exact error's sign
// carrier: the true value minus v): v itself on the side e does not cross,
// one float64 outward on the side it does, and both steps for a NaN e.
func stepBy(v, e float64) (lo, hi float64) {
	lo, hi = v, v
	if !(e >= 0) {
		lo = down(v)
	}
	if !(e <= 0) {
		hi = up(v)
	}
	return lo, hi
}
