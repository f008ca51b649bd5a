package stability

import (
	"math"
	"math/big"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"
)

// The matrices of these tests are A = V D V^-1 in exact rational
// arithmetic, with V unimodular (integer, det 1, so V^-1 is integer too)
// and D block diagonal with rational blocks whose eigenvalues are known
// exactly: the truth is D's spectrum, independent of any floating-point
// eigen-decomposition.

// block is one diagonal block of D: a real eigenvalue, a pair a +- ib, or
// a Jordan-like 2 x 2 block [l 1; delta l] (eigenvalues l +- sqrt(delta);
// delta = 0 is defective).
type block struct {
	kind        byte // 'r' real, 'c' complex pair, 'j' 2x2 [l 1; delta l]
	a, b, delta *big.Rat
	roots       []complex128 // the block's eigenvalues, for the checks
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

func ratF(r *big.Rat) float64 { f, _ := r.Float64(); return f }

func realBlock(s string) block {
	r := rat(s)
	return block{kind: 'r', a: r, roots: []complex128{complex(ratF(r), 0)}}
}

func pairBlock(a, b string) block {
	ra, rb := rat(a), rat(b)
	return block{kind: 'c', a: ra, b: rb, roots: []complex128{complex(ratF(ra), ratF(rb)), complex(ratF(ra), -ratF(rb))}}
}

// jordanBlock is [l 1; sq^2 l]: eigenvalues l +- sq (sq = "0": a Jordan
// block, defective).
func jordanBlock(l, sq string) block {
	rl, rs := rat(l), rat(sq)
	d := new(big.Rat).Mul(rs, rs)
	return block{kind: 'j', a: rl, delta: d, roots: []complex128{complex(ratF(rl)+ratF(rs), 0), complex(ratF(rl)-ratF(rs), 0)}}
}

// diag builds D from blocks and returns it with its eigenvalues.
func diag(blocks []block) (d [][]*big.Rat, roots []complex128) {
	n := 0
	for _, b := range blocks {
		n += len(b.roots)
	}
	d = ratZeros(n)
	at := 0
	for _, b := range blocks {
		switch b.kind {
		case 'r':
			d[at][at].Set(b.a)
		case 'c':
			d[at][at].Set(b.a)
			d[at+1][at+1].Set(b.a)
			d[at][at+1].Set(b.b)
			d[at+1][at].Neg(b.b)
		case 'j':
			d[at][at].Set(b.a)
			d[at+1][at+1].Set(b.a)
			d[at][at+1].SetInt64(1)
			d[at+1][at].Set(b.delta)
		}
		at += len(b.roots)
		roots = append(roots, b.roots...)
	}
	return d, roots
}

func ratZeros(n int) [][]*big.Rat {
	m := make([][]*big.Rat, n)
	for i := range m {
		m[i] = make([]*big.Rat, n)
		for j := range m[i] {
			m[i][j] = new(big.Rat)
		}
	}
	return m
}

func ratMul(a, b [][]*big.Rat) [][]*big.Rat {
	n := len(a)
	c := ratZeros(n)
	t := new(big.Rat)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			if a[i][k].Sign() == 0 {
				continue
			}
			for j := 0; j < n; j++ {
				c[i][j].Add(c[i][j], t.Mul(a[i][k], b[k][j]))
			}
		}
	}
	return c
}

// unimodular returns V = L U and V^-1 = U^-1 L^-1 with L (U) unit lower
// (upper) triangular with entries in {-1, 0, 1} (density p): integer
// matrices with integer inverses, moderately conditioned for small p.
func unimodular(n int, p float64, seed uint64) (v, vinv [][]*big.Rat) {
	rng := rand.New(rand.NewPCG(seed, 7))
	l, u := ratZeros(n), ratZeros(n)
	for i := 0; i < n; i++ {
		l[i][i].SetInt64(1)
		u[i][i].SetInt64(1)
		for j := 0; j < i; j++ {
			if rng.Float64() < p {
				l[i][j].SetInt64(int64(rng.IntN(3) - 1))
			}
			if rng.Float64() < p {
				u[j][i].SetInt64(int64(rng.IntN(3) - 1))
			}
		}
	}
	return ratMul(l, u), ratMul(unitTriInverse(u, false), unitTriInverse(l, true))
}

// unitTriInverse inverts a unit triangular matrix exactly.
func unitTriInverse(t [][]*big.Rat, lower bool) [][]*big.Rat {
	n := len(t)
	x := ratZeros(n)
	tmp := new(big.Rat)
	for c := 0; c < n; c++ {
		// Solve T x = e_c by substitution.
		idx := func(k int) int {
			if lower {
				return k
			}
			return n - 1 - k
		}
		for kk := 0; kk < n; kk++ {
			i := idx(kk)
			s := new(big.Rat)
			if i == c {
				s.SetInt64(1)
			}
			for jj := 0; jj < kk; jj++ {
				j := idx(jj)
				s.Sub(s, tmp.Mul(t[i][j], x[j][c]))
			}
			x[i][c] = s
		}
	}
	return x
}

// box returns an interval matrix mid +- rad that contains the exact
// matrix a: each entry rounded outward, widened by w, and with the
// midpoint moved by w/2 in a random direction, so that a is not the
// midpoint and an enclosure that ignored the radius would miss it.
func box(a [][]*big.Rat, w float64, seed uint64) (mid, rad []float64) {
	n := len(a)
	rng := rand.New(rand.NewPCG(seed, 11))
	lo, hi := make([]float64, n*n), make([]float64, n*n)
	for i := range a {
		for j := range a[i] {
			f, exact := a[i][j].Float64()
			l, h := f, f
			if !exact {
				l, h = down(f), up(f)
			}
			if w > 0 {
				s := w / 2
				if rng.IntN(2) == 0 {
					s = -s
				}
				l, h = down(l-w+s), up(h+w+s)
				// still contains a: [l, h] covers [f - w/2, f + w/2] at least.
			}
			lo[i*n+j], hi[i*n+j] = l, h
		}
	}
	return midRad(lo, hi)
}

// build returns the box around V D V^-1 and D's eigenvalues.
func build(blocks []block, p, w float64, seed uint64) (N int, mid, rad []float64, roots []complex128) {
	d, roots := diag(blocks)
	v, vinv := unimodular(len(d), p, seed)
	a := ratMul(ratMul(v, d), vinv)
	mid, rad = box(a, w, seed)
	return len(d), mid, rad, roots
}

// checkEnclosure fails the test unless every true eigenvalue lies in a
// disc and every component holds exactly as many true eigenvalues as it
// has discs, and each eigenvalue lies within Bound of each disc of its
// component (the claims Enclosure makes).
func checkEnclosure(t testingT, e Enclosure, roots []complex128) {
	t.Helper()
	if !e.Proved {
		return
	}
	if len(e.Values) != len(roots) {
		t.Fatalf("%d discs for %d eigenvalues", len(e.Values), len(roots))
	}
	count := map[int]int{}
	for _, c := range e.Component {
		count[c]++
	}
	for _, z := range roots {
		in := -1
		for i, c := range e.Values {
			if cmplx.Abs(z-c) <= e.Radius[i]*(1+1e-12)+1e-300 {
				in = e.Component[i]
				break
			}
		}
		if in < 0 {
			t.Errorf("eigenvalue %v lies in no disc", z)
			continue
		}
		count[in]--
		for i, c := range e.Component {
			if c == in && cmplx.Abs(z-e.Values[i]) > e.Bound[i]*(1+1e-12) {
				t.Errorf("eigenvalue %v lies %.3g from center %v, beyond its bound %.3g", z, cmplx.Abs(z-e.Values[i]), e.Values[i], e.Bound[i])
			}
		}
	}
	for c, k := range count {
		if k != 0 {
			t.Errorf("component %d holds %d more discs than eigenvalues", c, k)
		}
	}
}

// trueClass is the class of an eigenvalue known exactly.
func trueClass(z complex128, continuous bool) ModeClass {
	g := cmplx.Abs(z) - 1
	if continuous {
		g = real(z) - 1
	}
	switch {
	case g > 0:
		return ModeUnstable
	case g < 0:
		return ModeStable
	}
	return ModeUndecided
}

// checkClasses fails when a decided class disagrees with the true
// eigenvalues of its component, and returns the number of decided modes.
func checkClasses(t *testing.T, e Enclosure, roots []complex128, continuous bool) (decided int) {
	t.Helper()
	classes := e.Classes(continuous)
	for i, c := range classes {
		if c == ModeUndecided {
			continue
		}
		decided++
		for _, z := range roots {
			if cmplx.Abs(z-e.Values[i]) <= e.Bound[i] && trueClass(z, continuous) != c {
				t.Errorf("mode %d (%v) proved %v, but eigenvalue %v of its component is %v", i, e.Values[i], c, z, trueClass(z, continuous))
			}
		}
	}
	return decided
}

func enclose(t *testing.T, N int, mid, rad []float64) Enclosure {
	t.Helper()
	e, err := Enclose(N, mid, rad)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// classOf returns the class of the disc whose center is nearest z.
func classOf(e Enclosure, z complex128, continuous bool) (ModeClass, float64) {
	best := 0
	for i, c := range e.Values {
		if cmplx.Abs(c-z) < cmplx.Abs(e.Values[best]-z) {
			best = i
		}
	}
	return e.Classes(continuous)[best], e.Bound[best]
}

func TestEncloseBarelyUnstable(t *testing.T) {
	// 1.000025 is 2.5e-5 outside the unit circle: proved unstable; the
	// rest of the spectrum (inside, well separated) proved stable.
	blocks := []block{realBlock("40001/40000"), realBlock("1/2"), pairBlock("-3/10", "4/5"), realBlock("-9/10"), realBlock("0"), realBlock("1/5")}
	N, mid, rad, roots := build(blocks, 0.3, 1e-12, 1)
	e := enclose(t, N, mid, rad)
	if !e.Proved {
		t.Fatalf("not proved: %s", e.Reason)
	}
	checkEnclosure(t, e, roots)
	if c, b := classOf(e, 1.000025, false); c != ModeUnstable {
		t.Errorf("1.000025 is %v (bound %.3g), want proved unstable", c, b)
	}
	if d := checkClasses(t, e, roots, false); d != N {
		t.Errorf("%d of %d modes decided, want all", d, N)
	}
	t.Logf("N = %d, largest bound %.3g", N, slicesMax(e.Bound))
}

func slicesMax(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func TestEncloseJustInsideWideBox(t *testing.T) {
	// 1 - 1e-12 with a box of width 1e-9: the true eigenvalue is stable,
	// but the box also holds matrices with eigenvalues outside the unit
	// circle: undecided, never proved stable.
	blocks := []block{realBlock("999999999999/1000000000000"), realBlock("1/3"), pairBlock("1/2", "1/2"), realBlock("-1/4")}
	N, mid, rad, roots := build(blocks, 0.3, 1e-9, 2)
	e := enclose(t, N, mid, rad)
	if !e.Proved {
		t.Fatalf("not proved: %s", e.Reason)
	}
	checkEnclosure(t, e, roots)
	checkClasses(t, e, roots, false)
	if c, b := classOf(e, 1-1e-12, false); c != ModeUndecided {
		t.Errorf("1 - 1e-12 with a wide box is %v (bound %.3g), want undecided", c, b)
	}
	// The same eigenvalue with a box only as wide as the rounding of the
	// exact matrix is proved stable: the bound is tight enough.
	N, mid, rad, roots = build(blocks, 0.3, 0, 2)
	e = enclose(t, N, mid, rad)
	checkEnclosure(t, e, roots)
	checkClasses(t, e, roots, false)
	if c, b := classOf(e, 1-1e-12, false); c != ModeStable {
		t.Errorf("1 - 1e-12 in a rounding-wide box is %v (bound %.3g), want proved stable", c, b)
	}
}

func TestEncloseComplexPairs(t *testing.T) {
	// Pairs just outside and inside the unit circle (|a + ib|^2 =
	// 1 +- 2e-5 roughly), a pair with tiny imaginary part, and the flow's
	// view (Re(lambda) - 1).
	blocks := []block{pairBlock("3/5", "8001/10000"), pairBlock("3/5", "7999/10000"), pairBlock("1/10", "1/1000000"), realBlock("1/2"), pairBlock("-1", "2"), realBlock("3/2")}
	N, mid, rad, roots := build(blocks, 0.3, 1e-13, 3)
	e := enclose(t, N, mid, rad)
	if !e.Proved {
		t.Fatalf("not proved: %s", e.Reason)
	}
	checkEnclosure(t, e, roots)
	if d := checkClasses(t, e, roots, false); d != N {
		t.Errorf("map: %d of %d modes decided, want all", d, N)
	}
	if d := checkClasses(t, e, roots, true); d != N {
		t.Errorf("flow: %d of %d modes decided, want all", d, N)
	}
	if c, _ := classOf(e, complex(0.6, 0.8001), false); c != ModeUnstable {
		t.Errorf("0.6 + 0.8001i is %v, want unstable", c)
	}
	if c, _ := classOf(e, complex(0.6, 0.7999), false); c != ModeStable {
		t.Errorf("0.6 + 0.7999i is %v, want stable", c)
	}
	if c, _ := classOf(e, complex(-1, 2), true); c != ModeStable {
		t.Errorf("flow: -1 + 2i (mu = -2 + 2i) is %v, want stable", c)
	}
}

func TestEncloseDefective(t *testing.T) {
	// Jordan blocks [l 1; 0 l] in a box of width 1e-12. The box holds
	// A(delta) = V [l 1; delta l] V^-1 for small delta > 0, whose
	// eigenvalues l +- sqrt(delta) are known exactly and far apart
	// (sqrt(1e-14) = 1e-7): the enclosure must hold them too, and a decided
	// class must be true for every eigenvalue of its component. Also
	// near-defective blocks (l +- 1e-10) with a box as wide as rounding.
	cases := []struct {
		name   string
		blocks []block
		w      float64
		want   ModeClass // of the block's modes; -1: any correct class
	}{
		{"jordan inside", []block{jordanBlock("9/10", "0"), realBlock("1/2"), realBlock("-1/3"), pairBlock("1/5", "1/2")}, 1e-12, ModeStable},
		{"jordan near the circle", []block{jordanBlock("99999/100000", "0"), realBlock("1/2"), pairBlock("0", "1/2")}, 1e-12, -1},
		{"jordan on the circle", []block{jordanBlock("1", "0"), realBlock("1/2"), realBlock("-7/10")}, 1e-12, ModeUndecided},
		{"near-defective straddling", []block{jordanBlock("1", "1/10000000000"), realBlock("1/4"), realBlock("-1/2")}, 0, ModeUndecided},
		{"near-defective outside", []block{jordanBlock("11/10", "1/10000000000"), realBlock("1/4")}, 0, ModeUnstable},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seed := uint64(10 + i)
			d, roots := diag(c.blocks)
			v, vinv := unimodular(len(d), 0.5, seed)
			N := len(d)
			mid, rad := box(ratMul(ratMul(v, d), vinv), c.w, seed)
			e := enclose(t, N, mid, rad)
			if !e.Proved {
				t.Logf("not proved: %s", e.Reason)
			}
			checkEnclosure(t, e, roots)
			checkClasses(t, e, roots, false)
			checkClasses(t, e, roots, true)
			if c.blocks[0].delta.Sign() == 0 {
				// The perturbed Jordan block inside the box.
				delta := rat("1/100000000000000")
				for ; ; delta.Mul(delta, rat("1/100")) {
					dd, _ := diag(c.blocks)
					dd[1][0].Set(delta)
					if inBox(ratMul(ratMul(v, dd), vinv), mid, rad) {
						break
					}
				}
				sq := math.Sqrt(ratF(delta))
				split := append([]complex128{complex(ratF(c.blocks[0].a)+sq, 0), complex(ratF(c.blocks[0].a)-sq, 0)}, roots[2:]...)
				t.Logf("box holds delta = %.3g: eigenvalues l +- %.3g", ratF(delta), sq)
				checkEnclosure(t, e, split)
				checkClasses(t, e, split, false)
			}
			if c.want >= 0 {
				for k, z := range roots[:2] {
					if got, b := classOf(e, z, false); got != c.want {
						t.Errorf("eigenvalue %d (%v) is %v (bound %.3g), want %v", k, z, got, b, c.want)
					}
				}
			}
			t.Logf("proved %v, bounds %.3g", e.Proved, e.Bound)
		})
	}
}

// inBox reports whether the exact matrix a lies in mid +- rad.
func inBox(a [][]*big.Rat, mid, rad []float64) bool {
	n := len(a)
	for i := range a {
		for j := range a[i] {
			d := new(big.Rat).Sub(a[i][j], new(big.Rat).SetFloat64(mid[i*n+j]))
			if d.Abs(d).Cmp(new(big.Rat).SetFloat64(rad[i*n+j])) > 0 {
				return false
			}
		}
	}
	return true
}

// TestEncloseBadInput: malformed input is an error naming it; a matrix
// that is not finite or overflows the products is not proved (with a
// reason), never a panic or a finite false disc; N = 0 is proved empty.
func TestEncloseBadInput(t *testing.T) {
	for _, c := range []struct {
		name     string
		N        int
		mid, rad []float64
		msg      string
	}{
		{"lengths", 2, []float64{1, 2, 3}, []float64{0, 0, 0, 0}, "3 midpoint and 4 radius values for N = 2"},
		{"negative N", -1, nil, nil, "for N = -1"},
		{"negative radius", 1, []float64{1}, []float64{-1}, "radius 0 is negative or NaN"},
		{"NaN radius", 1, []float64{1}, []float64{math.NaN()}, "radius 0 is negative or NaN"},
	} {
		if _, err := Enclose(c.N, c.mid, c.rad); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
	for _, c := range []struct {
		name     string
		mid, rad []float64
	}{
		{"NaN", []float64{1, math.NaN(), 0, 1}, []float64{0, 0, 0, 0}},
		{"Inf", []float64{1, math.Inf(1), 0, 1}, []float64{0, 0, 0, 0}},
		{"Inf radius", []float64{1, 0, 0, 1}, []float64{0, math.Inf(1), 0, 0}},
		{"overflow", []float64{1e308, -1e308, 1e308, 1e308}, []float64{1e308, 1e308, 1e308, 1e308}},
	} {
		e, err := Enclose(2, c.mid, c.rad)
		if err != nil || e.Proved || e.Reason == "" {
			t.Errorf("%s: %+v, %v; want not proved, with a reason", c.name, e, err)
		}
	}
	if e, err := Enclose(0, nil, nil); err != nil || !e.Proved || len(e.Values) != 0 {
		t.Errorf("N = 0: %+v, %v", e, err)
	}
}
