package interval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// adversarial arguments: rounding boundaries of tanh and σ at 1, exp's
// overflow and underflow thresholds, denormals, huge values, ±0.
var adversarial = []float64{
	0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	0x1p-1022, 1e-300, 1e-17, 1e-8, 2.9e-8, 0.1, 0.49999999999999994, 0.5, 0.5000000000000001,
	0.625, 1, 2, 18.714973875118524, 19.061547465398498, 19.0615474653985, 22, 36.04365338911715,
	36.7368005696771, 36.73680056967711, 37.42994775023705, 44, 100, 354.89, 354.9, 372.5, 372.6,
	700, 709.782712893384, 709.7827128933841, 710, 744.44, 745.1332191019411, 745.2, 800,
	1e10, 1e300, math.MaxFloat64,
}

func randomArgs(rng *rand.Rand, n int) []float64 {
	out := append([]float64(nil), adversarial...)
	for _, x := range adversarial {
		out = append(out, -x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)))
	}
	for range n {
		// log-uniform magnitudes from 1e-20 to 1e3, random sign.
		x := math.Pow(10, -20+23*rng.Float64())
		if rng.IntN(2) == 0 {
			x = -x
		}
		out = append(out, x)
		out = append(out, (rng.Float64()-0.5)*80)
	}
	return out
}

type fn struct {
	name   string
	iv     func(I) I
	ref    func(float64) *big.Float
	crit   []float64 // points inside an interval where the extremum may be
	range_ I
}

var fns = []fn{
	{"exp", Exp, refExp, nil, I{0, math.Inf(1)}},
	{"tanh", Tanh, bigTanh, nil, I{-1, 1}},
	{"sigmoid", Sigmoid, bigSigmoid, nil, I{0, 1}},
	{"sigmoid'", SigmoidDeriv, bigSigmoidDeriv, []float64{0}, I{0, 0.25}},
	{"tanh'", TanhDeriv, bigTanhDeriv, []float64{0}, I{0, 1}},
}

// TestElementaryPointEnclosures: at every argument, the interval holds the
// 320-bit value and is at most a few ulps wide (so the test fails both for a
// missing outward step and for a lazy, wide answer).
func TestElementaryPointEnclosures(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	args := randomArgs(rng, 3000)
	for _, f := range fns {
		worst := 0.0
		for _, x := range args {
			got := f.iv(Point(x))
			want := f.ref(x)
			if !holds(got, want) {
				wf, _ := want.Float64()
				t.Fatalf("%s(%g) = [%g, %g] misses %.20g", f.name, x, got.Lo, got.Hi, wf)
			}
			if !got.Subset(f.range_) {
				t.Fatalf("%s(%g) = [%g, %g] leaves the range", f.name, x, got.Lo, got.Hi)
			}
			wf, _ := want.Float64()
			if math.IsInf(wf, 0) {
				if !math.IsInf(got.Hi, 1) {
					t.Fatalf("%s(%g) overflows but Hi = %g", f.name, x, got.Hi)
				}
				continue
			}
			// width in ulps of the true value (absolute eta near underflow)
			u := math.Max(math.Nextafter(math.Abs(wf), math.Inf(1))-math.Abs(wf), 0x1p-1074)
			w := (got.Hi - got.Lo) / u
			worst = math.Max(worst, w)
			if w > 64 {
				t.Errorf("%s(%g) = [%g, %g]: %.0f ulps wide", f.name, x, got.Lo, got.Hi, w)
			}
		}
		t.Logf("%s: widest point enclosure %.1f ulps over %d arguments", f.name, worst, len(args))
	}
}

// TestExpm1ErrorBelowOneUlp checks the premise of the two outward steps:
// math.Expm1 is within 1 ulp of the 320-bit value.
func TestExpm1ErrorBelowOneUlp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	for _, x := range randomArgs(rng, 20000) {
		if x > 709 || x < -40 {
			continue
		}
		e := ulps(math.Expm1(x), bigExpm1(bf(x)))
		worst = math.Max(worst, e)
		if e >= 1 {
			t.Fatalf("math.Expm1(%g) is %.2f ulps off", x, e)
		}
	}
	t.Logf("math.Expm1: worst error %.3f ulp", worst)
}

// TestElementaryIntervalEnclosures: on random intervals, the enclosure holds
// the function at both ends, at random interior points and at the extremum.
func TestElementaryIntervalEnclosures(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	args := randomArgs(rng, 400)
	for _, f := range fns {
		for k := 0; k < 1500; k++ {
			a, b := args[rng.IntN(len(args))], args[rng.IntN(len(args))]
			if a > b {
				a, b = b, a
			}
			x := I{a, b}
			got := f.iv(x)
			pts := []float64{a, b, a + (b-a)*rng.Float64(), a/2 + b/2}
			for _, c := range f.crit {
				if x.Contains(c) {
					pts = append(pts, c)
				}
			}
			for _, p := range pts {
				if p < a || p > b || math.IsInf(p, 0) || math.IsNaN(p) {
					continue
				}
				if !holds(got, f.ref(p)) {
					t.Fatalf("%s([%g, %g]) = [%g, %g] misses f(%g)", f.name, a, b, got.Lo, got.Hi, p)
				}
			}
		}
	}
}

// exact arithmetic reference: big.Float wide enough that +, −, × of float64
// are exact (2200 bits span the whole exponent range).
func ex(x float64) *big.Float { return new(big.Float).SetPrec(2200).SetFloat64(x) }

func holdsExact(x I, v *big.Float) bool {
	if !math.IsInf(x.Lo, -1) && ex(x.Lo).Cmp(v) > 0 {
		return false
	}
	if !math.IsInf(x.Hi, 1) && ex(x.Hi).Cmp(v) < 0 {
		return false
	}
	return true
}

// TestArithmeticEnclosures: +, −, ×, ÷, √ on random and adversarial
// intervals hold every exact end combination (÷ and √ at 200+ bits), and a
// point operation is at most 2 ulps wide.
func TestArithmeticEnclosures(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	vals := []float64{0, 1, -1, 0.1, 0.2, 0.3, 1.0 / 3, 1e308, -1e308, math.MaxFloat64, 1e-308,
		math.SmallestNonzeroFloat64, 0x1p-1022, 1 + 0x1p-52, 1e16, -1e16, 3}
	for range 300 {
		vals = append(vals, math.Ldexp(rng.Float64()-0.5, rng.IntN(200)-100))
	}
	pick := func() I {
		a, b := vals[rng.IntN(len(vals))], vals[rng.IntN(len(vals))]
		if rng.IntN(3) == 0 {
			b = a
		}
		return New(min(a, b), max(a, b))
	}
	type op struct {
		name string
		iv   func(I, I) I
		ref  func(x, y float64) *big.Float // nil result: undefined
	}
	ops := []op{
		{"+", Add, func(x, y float64) *big.Float { return new(big.Float).SetPrec(2200).Add(ex(x), ex(y)) }},
		{"-", Sub, func(x, y float64) *big.Float { return new(big.Float).SetPrec(2200).Sub(ex(x), ex(y)) }},
		{"*", Mul, func(x, y float64) *big.Float { return new(big.Float).SetPrec(2200).Mul(ex(x), ex(y)) }},
		{"/", Div, func(x, y float64) *big.Float {
			if y == 0 {
				return nil
			}
			return new(big.Float).SetPrec(2200).Quo(ex(x), ex(y))
		}},
	}
	for _, o := range ops {
		for range 20000 {
			x, y := pick(), pick()
			got := o.iv(x, y)
			for _, a := range []float64{x.Lo, x.Hi} {
				for _, b := range []float64{y.Lo, y.Hi} {
					v := o.ref(a, b)
					if v == nil {
						continue
					}
					if !holdsExact(got, v) {
						t.Fatalf("[%g,%g] %s [%g,%g] = [%g,%g] misses %g %s %g", x.Lo, x.Hi, o.name, y.Lo, y.Hi, got.Lo, got.Hi, a, o.name, b)
					}
				}
			}
			// Directed rounding (directed.go): a point operation is one
			// ulp wide at most, and exact results (v a float64) are
			// points, except where an error term may underflow.
			if x.Lo == x.Hi && y.Lo == y.Hi && got.IsFinite() && got.Lo != got.Hi {
				v := o.ref(x.Lo, y.Lo)
				f, acc := v.Float64()
				if exactable(f) && exactable(x.Lo) && exactable(y.Lo) && (up(got.Lo) < got.Hi || acc == big.Exact) {
					t.Fatalf("%g %s %g = [%g, %g]: more than 1 ulp wide, or wide around the exact %g", x.Lo, o.name, y.Lo, got.Lo, got.Hi, f)
				}
			}
		}
	}
	for range 5000 {
		x := pick()
		got := Sqrt(x)
		for _, a := range []float64{x.Lo, x.Hi} {
			if a < 0 {
				continue
			}
			v := new(big.Float).SetPrec(400).Sqrt(ex(a))
			if !holdsExact(got, v) {
				t.Fatalf("sqrt([%g,%g]) = [%g,%g] misses sqrt(%g)", x.Lo, x.Hi, got.Lo, got.Hi, a)
			}
		}
	}
	// Sqr and Scale agree with Mul's enclosure on the same ends.
	for range 5000 {
		x := pick()
		s := Sqr(x)
		for _, a := range []float64{x.Lo, x.Hi, x.Mid()} {
			v := new(big.Float).SetPrec(2200).Mul(ex(a), ex(a))
			if !holdsExact(s, v) {
				t.Fatalf("sqr([%g,%g]) = [%g,%g] misses %g²", x.Lo, x.Hi, s.Lo, s.Hi, a)
			}
		}
	}
}

// TestOverflowIsSaid: an exact result beyond float64 gives an infinite end,
// never a finite (false) tight interval; undefined operations give Entire.
func TestOverflowIsSaid(t *testing.T) {
	big := math.MaxFloat64
	cases := []struct {
		name string
		got  I
	}{
		{"exp(710)", Exp(Point(710))},
		{"exp([0, 1e300])", Exp(I{0, 1e300})},
		{"1e200*1e200", Mul(Point(1e200), Point(1e200))},
		{"max+max", Add(Point(big), Point(big))},
		{"-max-max", Sub(Point(-big), Point(big))},
		{"1/[−1, 1]", Div(Point(1), I{-1, 1})},
		{"1e308/1e-308", Div(Point(1e308), Point(1e-308))},
		{"new(NaN)", New(math.NaN(), 1)},
		{"new(2, 1)", New(2, 1)},
		{"sqrt(−1)", Sqrt(Point(-1))},
		{"mul entire by 0..1", Mul(Entire(), I{0, 1})},
	}
	for _, c := range cases {
		if c.got.IsFinite() {
			t.Errorf("%s = [%g, %g]: finite, hides the overflow", c.name, c.got.Lo, c.got.Hi)
		}
	}
	// Saturating functions stay finite and true at huge arguments.
	if g := Tanh(Point(1e308)); g.Hi != 1 || g.Lo >= 1 || g.Lo < 0.99 {
		t.Errorf("tanh(1e308) = [%g, %g]", g.Lo, g.Hi)
	}
	if g := Sigmoid(Point(-1e308)); g.Lo != 0 || g.Hi <= 0 || g.Hi > 1e-300 {
		t.Errorf("σ(−1e308) = [%g, %g]", g.Lo, g.Hi)
	}
	if g := Sigmoid(Entire()); g.Lo != 0 || g.Hi != 1 {
		t.Errorf("σ(entire) = [%g, %g]", g.Lo, g.Hi)
	}
	if g := Tanh(Entire()); g.Lo != -1 || g.Hi != 1 {
		t.Errorf("tanh(entire) = [%g, %g]", g.Lo, g.Hi)
	}
	// 1 − σ(30) as σ(−30) keeps its relative accuracy (9.4e-14), where 1 − σ
	// would round.
	if g := Sigmoid(Point(-30)); !holds(g, bigSigmoid(-30)) || g.Lo < 9.35e-14 || g.Hi > 9.36e-14 {
		t.Errorf("σ(−30) = [%g, %g]", g.Lo, g.Hi)
	}
	// Relu and its Clarke derivative.
	if g := ReLU(I{-2, 3}); g != (I{0, 3}) {
		t.Errorf("relu([−2, 3]) = %v", g)
	}
	for _, c := range []struct{ x, want I }{{I{-2, -1}, I{0, 0}}, {I{1, 2}, I{1, 1}}, {I{-1, 0}, I{0, 1}}, {I{0, 0}, I{0, 1}}} {
		if g := ReLUDeriv(c.x); g != c.want {
			t.Errorf("relu'(%v) = %v, want %v", c.x, g, c.want)
		}
	}
}

// TestDot: the inf–sup dot product holds the exact value at random vertices.
func TestDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 300 {
		n := 1 + rng.IntN(30)
		x, y := make([]I, n), make([]I, n)
		for i := range x {
			a, b := rng.NormFloat64()*math.Pow(10, float64(rng.IntN(20)-10)), rng.NormFloat64()
			x[i] = I{a, a + math.Abs(a)*rng.Float64()*1e-3}
			y[i] = I{b, b}
		}
		got := Dot(x, y)
		for range 5 {
			s := new(big.Float).SetPrec(2200)
			for i := range x {
				xi := x[i].Lo + (x[i].Hi-x[i].Lo)*float64(rng.IntN(2))
				s.Add(s, new(big.Float).SetPrec(2200).Mul(ex(xi), ex(y[i].Lo)))
			}
			if !holdsExact(got, s) {
				t.Fatalf("dot misses a vertex value")
			}
		}
	}
}

// TestSigmoidSetIsSeparate: SigmoidSet gives Sigmoid, SigmoidDeriv,
// Sigmoid(Neg(x)) and Exp bit for bit, on intervals with ends of both
// signs, ±0, at the exponentials' range limits (±700, ±710, ±746),
// infinite and NaN, points and wide ones.
func TestSigmoidSetIsSeparate(t *testing.T) {
	ends := []float64{0, math.Copysign(0, -1), 1e-300, 5e-324, 0.3, 1, 2.5, 36, 699.9, 700.5, 709.8, 710.5, 745.9, 746.5, 1e10, math.Inf(1), math.NaN()}
	eachInterval(t, ends, 13, func(x I) {
		a, b := x.Lo, x.Hi
		s, d, neg, e := SigmoidSet(x, true)
		s1, d1, _, _ := SigmoidSet(x, false)
		for _, c := range []struct {
			name      string
			got, want I
		}{
			{"Sigmoid", s, Sigmoid(x)}, {"SigmoidDeriv", d, SigmoidDeriv(x)},
			{"Sigmoid(Neg)", neg, Sigmoid(Neg(x))}, {"Exp", e, Exp(x)},
			{"Sigmoid, less", s1, Sigmoid(x)}, {"SigmoidDeriv, less", d1, SigmoidDeriv(x)},
		} {
			if bits(c.got) != bits(c.want) {
				t.Fatalf("%s of [%v, %v]: SigmoidSet's %v, want %v", c.name, a, b, c.got, c.want)
			}
		}
	})
}

// TestTanhSetIsSeparate: TanhSet gives Tanh and TanhDeriv bit for bit, on
// intervals with ends of both signs, ±0, around 0.5 and 350 (where it
// shares the exponential), at the exponentials' range limits, infinite
// and NaN, points and wide ones.
func TestTanhSetIsSeparate(t *testing.T) {
	ends := []float64{0, math.Copysign(0, -1), 1e-300, 5e-324, 0.3, 0.5, math.Nextafter(0.5, 1), 0.75, 1, 2.5, 19, 36, 349.9, 350, math.Nextafter(350, 400), 350.5, 354.9, 355.5, 372.9, 373.5, 1e10, math.Inf(1), math.NaN()}
	eachInterval(t, ends, 15, func(x I) {
		tt, d := TanhSet(x)
		if bits(tt) != bits(Tanh(x)) || bits(d) != bits(TanhDeriv(x)) {
			t.Fatalf("[%v, %v]: TanhSet's %v and %v, want %v and %v", x.Lo, x.Hi, tt, d, Tanh(x), TanhDeriv(x))
		}
	})
}

// bits is an interval's ends' bits, to compare them exactly.
func bits(x I) [2]uint64 { return [2]uint64{math.Float64bits(x.Lo), math.Float64bits(x.Hi)} }

// eachInterval calls f on every interval [a, b] (a ≤ b, or a NaN end) whose
// ends are ±ends or 200 random values of magnitudes 2^-12 to 2^12 (PCG
// seeds seed, seed+1), and fails unless there were at least 10000.
func eachInterval(t *testing.T, ends []float64, seed uint64, f func(x I)) {
	t.Helper()
	var vals []float64
	for _, v := range ends {
		vals = append(vals, v, -v)
	}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for range 200 {
		vals = append(vals, rng.NormFloat64()*math.Exp2(float64(rng.IntN(24)-12)))
	}
	n := 0
	for _, a := range vals {
		for _, b := range vals {
			if a > b {
				continue // not an interval (NaN ends are kept: a > b is false)
			}
			f(I{a, b})
			n++
		}
	}
	if n < 10000 {
		t.Fatalf("only %d intervals compared", n)
	}
}

// tanhDerivRef is TanhDeriv as evenDecreasing of sigmoidDerivBounds gives it
// (the code TanhDeriv's one-sided ends replaced).
func tanhDerivRef(x I) I {
	return evenDecreasing(x, func(y float64) (float64, float64) {
		lo, hi := sigmoidDerivBounds(2 * y)
		return 4 * lo, math.Min(4*hi, 1)
	})
}

// TestTanhDerivOneSided: TanhDeriv, and expLo, expHi, expm1Lo and expm1Hi,
// give the two-sided code's bits on every branch: ±0, subnormals, around
// the exponentials' branch points (±1, ±700, ±710, −746 and their halves),
// huge, infinite and NaN ends, intervals holding 0, random magnitudes.
func TestTanhDerivOneSided(t *testing.T) {
	ends := []float64{0, math.Copysign(0, -1), 5e-324, 1e-310, 1e-300, 1e-17, 1e-9, 0.3, 0.5, 1, 2, 5, 19, 36, 44, 349.9, 350, 350.5, 354.9, 355, 355.5, 372.9, 373, 373.5, 700, 710, 746, 1e10, 1e300, math.MaxFloat64, math.Inf(1), math.NaN()}
	var vals []float64
	for _, v := range ends {
		for _, w := range []float64{v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1))} {
			vals = append(vals, w, -w)
		}
	}
	rng := rand.New(rand.NewPCG(30, 16))
	for range 300 {
		vals = append(vals, rng.NormFloat64()*math.Exp2(float64(rng.IntN(40)-20)))
	}
	for range 100 {
		vals = append(vals, (rng.Float64()*2-1)*800)
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	n := 0
	for _, a := range vals {
		el, eh := expBounds(a)
		ml, mh := expm1Bounds(a)
		if !same(expLo(a), el) || !same(expHi(a), eh) || !same(expm1Lo(a), ml) || !same(expm1Hi(a), mh) {
			t.Fatalf("%v: exp ends %v %v, want %v %v; expm1 ends %v %v, want %v %v", a, expLo(a), expHi(a), el, eh, expm1Lo(a), expm1Hi(a), ml, mh)
		}
		for _, b := range vals {
			if a > b {
				continue
			}
			x := I{a, b}
			if got, want := TanhDeriv(x), tanhDerivRef(x); bits(got) != bits(want) {
				t.Fatalf("TanhDeriv[%v, %v] = %v, want %v", a, b, got, want)
			}
			n++
		}
	}
	if n < 50000 {
		t.Fatalf("only %d intervals compared", n)
	}
}
