package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// inputs returns n values of distribution k: random bits (every exponent,
// subnormals, infinities, NaNs with payloads), uniform on ranges around
// each branch and its edges, and values a few ulps from the edges.
func inputs(r *rand.Rand, k, n int) []float64 {
	xs := make([]float64, n)
	edges := []float64{0, 0.625, 0.5 * 8.8029691931113054295988e+01, 700, 708, 709.78, 7.09782712893384e+02,
		745.1332191019412, 1, 0.3125, 2.2, 22, 44}
	for i := range xs {
		var x float64
		switch k {
		case 0: // any bits
			x = math.Float64frombits(r.Uint64())
		case 1: // any exponent from 2^-1074 to 2^1023, both signs
			x = math.Ldexp(1+r.Float64(), r.IntN(2099)-1075)
		case 2: // the rational branch
			x = (2*r.Float64() - 1) * 0.625
		case 3: // the exponential branch of tanh and its saturation
			x = (2*r.Float64() - 1) * 50
		case 4: // exp's normal range and beyond
			x = (2*r.Float64() - 1) * 760
		case 5: // small values, down through the subnormals
			x = math.Ldexp(2*r.Float64()-1, -r.IntN(1080))
		case 6: // a few ulps from an edge
			e := edges[r.IntN(len(edges))]
			x = math.Float64frombits(math.Float64bits(e) + uint64(r.IntN(41)) - 20)
			if r.IntN(2) == 0 {
				x = -x
			}
		case 7: // values x·2^k rounding at k·ln2 steps (exp's reduction)
			x = float64(r.IntN(2001)-1000)*math.Ln2 + (2*r.Float64()-1)*1e-9
		}
		xs[i] = x
	}
	return xs
}

var specials = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff0000000000001), // signalling NaNs
	math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff8dead0000beef), // quiet, with payloads
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
	0x1p-1022, -0x1p-1022, 0.625, -0.625, math.Nextafter(0.625, 0), 1e-300, 700, -700, math.Nextafter(700, 800),
	709.78, 7.09782712893384e+02, math.Nextafter(7.09782712893384e+02, 800), -708.39, -745.13, -746, -1e308}

// check compares batch with scalar bit for bit on xs, in place and not,
// and on every offset and length up to 9 of its start.
func check(t *testing.T, name string, batch func(dst, src []float64), scalar func(float64) float64, xs []float64) int {
	t.Helper()
	got := make([]float64, len(xs))
	batch(got, xs)
	in := append([]float64(nil), xs...)
	batch(in, in)
	bad := 0
	for i, x := range xs {
		w := math.Float64bits(scalar(x))
		if g := math.Float64bits(got[i]); g != w || math.Float64bits(in[i]) != w {
			if bad++; bad <= 10 {
				t.Errorf("%s(%v = %#x) = %#x (in place %#x), math: %#x", name, x, math.Float64bits(x), g, math.Float64bits(in[i]), w)
			}
		}
	}
	for off := 0; off < 4 && off < len(xs); off++ {
		for n := 0; n <= 9 && off+n <= len(xs); n++ {
			dst := make([]float64, n+1)
			dst[n] = 42
			batch(dst[:n], xs[off:])
			for i := range n {
				if math.Float64bits(dst[i]) != math.Float64bits(scalar(xs[off+i])) {
					t.Fatalf("%s at offset %d, length %d: entry %d differs", name, off, n, i)
				}
			}
			if dst[n] != 42 {
				t.Fatalf("%s at length %d wrote past dst", name, n)
			}
		}
	}
	return len(xs)
}

// TestMatchesMath compares Tanh and Exp with math.Tanh and math.Exp bit for
// bit on 16 million values of every kind (see inputs) and the special
// values, each alone and in blocks of 4 mixing branches.
func TestMatchesMath(t *testing.T) {
	t.Logf("kernels in use: tanh %v, exp %v (fused %v)", useTanh, useExp, expFMA)
	r := rand.New(rand.NewPCG(1, 2))
	count := 0
	per := 1 << 20
	if testing.Short() {
		per = 1 << 15
	}
	for k := range 8 {
		for range 2 {
			xs := inputs(r, k, per)
			count += check(t, "Tanh", Tanh, math.Tanh, xs)
			count += check(t, "Exp", Exp, math.Exp, xs)
		}
	}
	// Specials among ordinary values: every position in a block of 4.
	var xs []float64
	for _, s := range specials {
		for p := range 4 {
			for q := range 4 {
				v := []float64{0.1, -0.9, 30, -3}
				v[p] = s
				if q != p {
					v[q] = -s
				}
				xs = append(xs, v...)
			}
		}
	}
	count += check(t, "Tanh", Tanh, math.Tanh, xs)
	count += check(t, "Exp", Exp, math.Exp, xs)
	t.Logf("%d values compared", count)
}

// refExp is archExp's normal path (exp_amd64.s) in Go, with or without
// its fused multiply-adds, for x in [−700, 700]: the reference for the
// kernel's other mode, which this CPU's math.Exp does not take.
func refExp(x float64, fma bool) float64 {
	const (
		log2e = 1.4426950408889634073599246810018920
		ln2U  = 0.69314718055966295651160180568695068359375
		ln2L  = 0.28235290563031577122588448175013436025525412068e-12
	)
	c := []float64{2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
		8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1}
	k := math.RoundToEven(float64(x * log2e))
	var p float64
	if fma {
		x = math.FMA(-k, ln2U, x)
		x = math.FMA(-k, ln2L, x)
		x = float64(x * 0.0625)
		p = c[0]
		for _, ci := range c[1:] {
			p = math.FMA(p, x, ci)
		}
		x = float64(x * p)
		for range 3 {
			x = float64(x * float64(x+2))
		}
		x = math.FMA(float64(x+2), x, 1)
	} else {
		x = float64(x - float64(k*ln2U))
		x = float64(x - float64(k*ln2L))
		x = float64(x * 0.0625)
		p = c[0]
		for _, ci := range c[1:] {
			p = float64(float64(p*x) + ci)
		}
		x = float64(x * p)
		for range 4 {
			x = float64(x * float64(x+2))
		}
		x = float64(x + 1)
	}
	return float64(x * math.Float64frombits(uint64(int64(k)+1023)<<52))
}

// refTanh is math.tanh with refExp for Exp.
func refTanh(x float64, fma bool) float64 {
	z := math.Abs(x)
	if z < 0.625 || z > 0.5*8.8029691931113054295988e+01 || z != z {
		return math.Tanh(x)
	}
	s := refExp(2*z, fma)
	z = float64(1 - float64(2/float64(s+1)))
	if x < 0 {
		z = -z
	}
	return z
}

// TestBothExpModes runs the kernels in both of archExp's modes (with and
// without FMA) against refExp and refTanh, after checking refExp against
// math.Exp in the mode this CPU takes: the mode math.Exp does not take
// here is tested through the reference.
func TestBothExpModes(t *testing.T) {
	if !useExp {
		t.Skip("no kernels in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(3, 4))
	xs := append(inputs(r, 4, 1<<18), inputs(r, 7, 1<<18)...)
	xs = append(xs, inputs(r, 3, 1<<18)...)
	for i, x := range xs {
		if math.Abs(x) > 700 {
			xs[i] = math.Mod(x, 700)
		}
	}
	for _, x := range xs {
		if w, g := math.Exp(x), refExp(x, expFMA); math.Float64bits(w) != math.Float64bits(g) {
			t.Fatalf("refExp(%v) = %v, math.Exp %v: the reference is not archExp (fused %v)", x, g, w, expFMA)
		}
	}
	old := expFMA
	defer func() { expFMA = old }()
	for _, fma := range []bool{false, true} {
		expFMA = fma
		got := make([]float64, len(xs))
		Exp(got, xs)
		for i, x := range xs {
			if w := refExp(x, fma); math.Float64bits(got[i]) != math.Float64bits(w) {
				t.Fatalf("fused %v: Exp(%v) = %v, reference %v", fma, x, got[i], w)
			}
		}
		if !useTanh {
			continue
		}
		Tanh(got, xs)
		for i, x := range xs {
			if w := refTanh(x, fma); math.Float64bits(got[i]) != math.Float64bits(w) {
				t.Fatalf("fused %v: Tanh(%v) = %v, reference %v", fma, x, got[i], w)
			}
		}
	}
}

// TestKernelsFallBack checks that an Exp block with a value outside the
// kernel's range is math.Exp's, before, at and after it.
func TestKernelsFallBack(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 800, 7, 8, 9, 10, 11, 12, -750, math.NaN(), 1, 2, 3}
	check(t, "Exp", Exp, math.Exp, xs)
}

func BenchmarkTanh(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := inputs(r, 3, 512)
	for i := range xs {
		xs[i] /= 10
	}
	dst := make([]float64, len(xs))
	b.Run("vmath", func(b *testing.B) {
		for b.Loop() {
			Tanh(dst, xs)
		}
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				dst[i] = math.Tanh(x)
			}
		}
	})
}

func BenchmarkExp(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := inputs(r, 3, 512)
	dst := make([]float64, len(xs))
	b.Run("vmath", func(b *testing.B) {
		for b.Loop() {
			Exp(dst, xs)
		}
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				dst[i] = math.Exp(x)
			}
		}
	})
}
