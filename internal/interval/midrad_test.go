package interval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// randMat makes a rows×cols midpoint–radius matrix with entries of mixed
// magnitudes, exact cancellations and subnormals (adversarial for the
// rounding of the midpoint product), with radii when rad is true.
func randMat(rng *rand.Rand, rows, cols int, rad bool) Mat {
	m := Mat{Rows: rows, Cols: cols, Mid: make([]float64, rows*cols)}
	if rad {
		m.Rad = make([]float64, rows*cols)
	}
	for i := range m.Mid {
		switch rng.IntN(6) {
		case 0:
			m.Mid[i] = 1e16 * float64(1-2*rng.IntN(2))
		case 1:
			m.Mid[i] = math.SmallestNonzeroFloat64 * float64(rng.IntN(100))
		case 2:
			m.Mid[i] = 1 + 0x1p-52*float64(rng.IntN(8))
		default:
			m.Mid[i] = math.Ldexp(rng.NormFloat64(), rng.IntN(60)-30)
		}
		if rad && rng.IntN(2) == 0 {
			m.Rad[i] = math.Abs(m.Mid[i]) * rng.Float64() * 1e-6
		}
	}
	return m
}

// vertex picks a float64 matrix inside m: each element at an end or the
// midpoint.
func vertex(rng *rand.Rand, m Mat) []float64 {
	out := make([]float64, len(m.Mid))
	for i, c := range m.Mid {
		out[i] = c
		if m.Rad != nil {
			switch rng.IntN(3) {
			case 0:
				out[i] = c - m.Rad[i]
			case 1:
				out[i] = c + m.Rad[i]
			}
		}
	}
	return out
}

// exactProduct is A·B in exact (2200-bit) arithmetic.
func exactProduct(a, b []float64, m, k, n int) []*big.Float {
	out := make([]*big.Float, m*n)
	for i := range m {
		for j := range n {
			s := new(big.Float).SetPrec(2200)
			for l := range k {
				s.Add(s, new(big.Float).SetPrec(2200).Mul(ex(a[i*k+l]), ex(b[l*n+j])))
			}
			out[i*n+j] = s
		}
	}
	return out
}

// TestMatMulEncloses: products of point and interval matrices hold the exact
// product of matrices taken inside them, and a point product's radius is of
// the size of γ_k|A||B| (so a wide, useless answer fails too).
func TestMatMulEncloses(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 60 {
		m, k, n := 1+rng.IntN(9), 1+rng.IntN(40), 1+rng.IntN(9)
		a := randMat(rng, m, k, trial%2 == 0)
		b := randMat(rng, k, n, trial%3 == 0)
		got := MatMul(a, b)
		if !got.IsFinite() {
			t.Fatalf("trial %d: finite inputs gave an unbounded product", trial)
		}
		for range 4 {
			av, bv := vertex(rng, a), vertex(rng, b)
			want := exactProduct(av, bv, m, k, n)
			for i := range want {
				if !holdsExact(got.At(i/n, i%n), want[i]) {
					t.Fatalf("trial %d: element %d misses the exact product", trial, i)
				}
			}
		}
		if a.Rad == nil && b.Rad == nil {
			for i := range m {
				for j := range n {
					s := 0.0
					for l := range k {
						s += math.Abs(a.Mid[i*k+l] * b.Mid[l*n+j])
					}
					if r := got.Rad[i*n+j]; r > 8*float64(k+8)*0x1p-53*s+1e-300 {
						t.Fatalf("trial %d: radius %g for Σ|a||b| = %g", trial, r, s)
					}
				}
			}
		}
		// MatVec on the first column agrees.
		col := Vec{Mid: make([]float64, k)}
		if b.Rad != nil {
			col.Rad = make([]float64, k)
		}
		for l := range k {
			col.Mid[l] = b.Mid[l*n]
			if b.Rad != nil {
				col.Rad[l] = b.Rad[l*n]
			}
		}
		mv := MatVec(a, col)
		for range 4 {
			av := vertex(rng, a)
			bv := vertex(rng, Mat{Rows: k, Cols: 1, Mid: col.Mid, Rad: col.Rad})
			want := exactProduct(av, bv, m, k, 1)
			for i := range want {
				if !holdsExact(mv.At(i), want[i]) {
					t.Fatalf("trial %d: MatVec element %d misses the exact product", trial, i)
				}
			}
		}
	}
}

// TestMatMulOverflowIsSaid: a product past the float64 range, or with an
// unbounded entry, is unbounded; never finite and tight.
func TestMatMulOverflowIsSaid(t *testing.T) {
	a := Mat{Rows: 1, Cols: 2, Mid: []float64{1e300, 1e300}}
	b := Mat{Rows: 2, Cols: 1, Mid: []float64{1e10, -1e10}}
	// The midpoint product cancels to 0, but the terms overflow: the
	// radius must say so.
	if got := MatMul(a, b); got.IsFinite() {
		t.Errorf("overflowing terms: [%g ± %g] finite", got.Mid[0], got.Rad[0])
	}
	if got := MatVec(a, Vec{Mid: []float64{1e10, -1e10}}); got.IsFinite() {
		t.Errorf("MatVec overflowing terms: [%g ± %g] finite", got.Mid[0], got.Rad[0])
	}
	inf := Mat{Rows: 1, Cols: 2, Mid: []float64{1, 2}, Rad: []float64{0, math.Inf(1)}}
	if got := MatMul(inf, b); got.IsFinite() {
		t.Errorf("unbounded entry: product finite")
	}
	if got := MatVec(inf, Vec{Mid: []float64{1, 0}}); got.IsFinite() {
		t.Errorf("unbounded entry times 0: MatVec finite")
	}
	if e := (Vec{Mid: []float64{0}, Rad: []float64{math.Inf(1)}}).At(0); e.IsFinite() {
		t.Errorf("At of an unbounded element: %v", e)
	}
	if mid, rad := MidRad(I{1, math.Inf(1)}); !math.IsInf(rad, 1) {
		t.Errorf("MidRad of a half line: %g ± %g", mid, rad)
	}
}

// TestMidRadRoundTrip: converting to midpoint–radius and back keeps the
// interval inside.
func TestMidRadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 10000 {
		a, b := math.Ldexp(rng.NormFloat64(), rng.IntN(100)-50), math.Ldexp(rng.NormFloat64(), rng.IntN(100)-50)
		x := I{min(a, b), max(a, b)}
		v := VecOf([]I{x})
		if !x.Subset(v.At(0)) {
			t.Fatalf("[%g, %g] -> %g ± %g -> %v", x.Lo, x.Hi, v.Mid[0], v.Rad[0], v.At(0))
		}
	}
}

// TestMidRadPoint: a point interval has radius 0 (not a subnormal, whose
// products are slow) and its round trip still holds it, one ulp wide at most
// as At rounds outward.
func TestMidRadPoint(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -0.3, math.MaxFloat64, eta, -eta, 1e-310} {
		m, r := MidRad(Point(x))
		if m != x || r != 0 {
			t.Errorf("MidRad(%g) = %g ± %g, want %g ± 0", x, m, r, x)
		}
		if !Point(x).Subset(VecOf([]I{Point(x)}).At(0)) {
			t.Errorf("point %g not held after the round trip", x)
		}
	}
	// One ulp wide is not a point.
	if _, r := MidRad(I{1, math.Nextafter(1, 2)}); r == 0 {
		t.Errorf("MidRad of a one-ulp interval has radius 0")
	}
}

// TestUpDownAreNextafter: Up and Down (up and down inside the package) are
// math.Nextafter toward ±Inf bit for bit, at zeros, subnormals, the largest
// finite values, infinities and NaN, and at random values.
func TestUpDownAreNextafter(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), eta, -eta, 2 * eta, -2 * eta, math.SmallestNonzeroFloat64 * (1 << 52),
		math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 0.1, -0.1}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		xs = append(xs, math.Ldexp(rng.NormFloat64(), rng.IntN(2100)-1075))
	}
	for _, x := range xs {
		if g, w := Up(x), math.Nextafter(x, math.Inf(1)); math.Float64bits(g) != math.Float64bits(w) {
			t.Fatalf("up(%g) = %g, Nextafter %g", x, g, w)
		}
		if g, w := Down(x), math.Nextafter(x, math.Inf(-1)); math.Float64bits(g) != math.Float64bits(w) {
			t.Fatalf("down(%g) = %g, Nextafter %g", x, g, w)
		}
	}
}

// BenchmarkMatMulSparsePoint is C·J0 of Krawczyk's contractor at an LSTM-16
// root: 32×32 point matrices, J0 with half its entries 0 (whose radius
// terms must not become subnormal, which are slow to multiply).
func BenchmarkMatMulSparsePoint(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, j := Mat{Rows: 32, Cols: 32, Mid: make([]float64, 1024)}, Mat{Rows: 32, Cols: 32, Mid: make([]float64, 1024)}
	for i := range j.Mid {
		a.Mid[i] = rng.NormFloat64()
		if i%2 == 1 {
			j.Mid[i] = rng.NormFloat64()
		}
	}
	for b.Loop() {
		MatMul(a, j)
	}
}

// transpose returns the point matrix m's transpose as row-major data.
func transpose(m Mat) []float64 {
	out := make([]float64, len(m.Mid))
	for i := 0; i < m.Rows; i++ {
		for j := 0; j < m.Cols; j++ {
			out[j*m.Rows+i] = m.Mid[i*m.Cols+j]
		}
	}
	return out
}

// TestTransposedKernels: MatTVec and AddScaledRowsT, which read a point
// matrix from its transpose, give MatVec's and AddScaledRows' results bit
// for bit (so their enclosures are those already checked against
// big.Float), on adversarial random matrices (huge, subnormal and
// near-1 entries) and vectors with and without radii.
func TestTransposedKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for k := range 300 {
		rows, cols := 1+rng.IntN(9), 1+rng.IntN(9)
		w := randMat(rng, rows, cols, false)
		wT := transpose(w)
		// Vectors with radii: a point vector takes the compensated sum
		// (TestCompensatedTVec), not MatVec's.
		x := randMat(rng, 1, cols, true)
		x.Rad[0] = 1e-9
		v := Vec{Mid: x.Mid, Rad: x.Rad}
		got, want := MatTVec(wT, rows, v), MatVec(w, v)
		for i := range want.Mid {
			if math.Float64bits(got.Mid[i]) != math.Float64bits(want.Mid[i]) || math.Float64bits(got.Rad[i]) != math.Float64bits(want.Rad[i]) {
				t.Fatalf("MatTVec row %d: %g ± %g, MatVec %g ± %g", i, got.Mid[i], got.Rad[i], want.Mid[i], want.Rad[i])
			}
		}
		s := randMat(rng, 1, rows, k%3 == 0)
		sv := Vec{Mid: s.Mid, Rad: s.Rad}
		a, b := NewMat(rows+2, cols+1), NewMat(rows+2, cols+1)
		init := randMat(rng, rows+2, cols+1, true)
		copy(a.Mid, init.Mid)
		copy(a.Rad, init.Rad)
		copy(b.Mid, init.Mid)
		copy(b.Rad, init.Rad)
		a.AddScaledRowsT(1, 1, sv, wT)
		b.AddScaledRows(1, 1, sv, w)
		for i := range a.Mid {
			if math.Float64bits(a.Mid[i]) != math.Float64bits(b.Mid[i]) || math.Float64bits(a.Rad[i]) != math.Float64bits(b.Rad[i]) {
				t.Fatalf("AddScaledRowsT element %d: %g ± %g, AddScaledRows %g ± %g", i, a.Mid[i], a.Rad[i], b.Mid[i], b.Rad[i])
			}
		}
	}
}

// TestMatMulToIsMatMul checks that MatMulTo, into buffers holding stale
// values (NaN), gives MatMul's enclosure bit for bit, for point and
// interval operands with zero entries.
func TestMatMulToIsMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	fill := func(n int, zeros bool) []float64 {
		v := make([]float64, n)
		for i := range v {
			if !zeros || r.IntN(3) > 0 {
				v[i] = r.NormFloat64()
			}
		}
		return v
	}
	nan := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 4, 2}, {16, 16, 16}, {5, 0, 3}} {
		m, k, n := sz[0], sz[1], sz[2]
		for _, aRad := range []bool{false, true} {
			for _, bRad := range []bool{false, true} {
				a := Mat{Rows: m, Cols: k, Mid: fill(m*k, true)}
				b := Mat{Rows: k, Cols: n, Mid: fill(k*n, true)}
				if aRad {
					a.Rad = fill(m*k, true)
					for i := range a.Rad {
						a.Rad[i] = math.Abs(a.Rad[i]) * 1e-3
					}
				}
				if bRad {
					b.Rad = fill(k*n, true)
					for i := range b.Rad {
						b.Rad[i] = math.Abs(b.Rad[i]) * 1e-3
					}
				}
				want := MatMul(a, b)
				got := MatMulTo(Mat{Mid: nan(m * n), Rad: nan(m * n)}, a, b, nan(MatMulWork(a, b)))
				if got.Rows != m || got.Cols != n {
					t.Fatalf("%v: MatMulTo is %d x %d", sz, got.Rows, got.Cols)
				}
				for i := range want.Mid {
					if math.Float64bits(got.Mid[i]) != math.Float64bits(want.Mid[i]) || math.Float64bits(got.Rad[i]) != math.Float64bits(want.Rad[i]) {
						t.Fatalf("%v aRad %v bRad %v: element %d is %v ± %v, MatMul's %v ± %v", sz, aRad, bRad, i, got.Mid[i], got.Rad[i], want.Mid[i], want.Rad[i])
					}
				}
			}
		}
	}
}

// TestIdentityMinusToInPlace checks IdentityMinusTo into its own operand
// against IdentityMinus, bit for bit, for point and interval matrices.
func TestIdentityMinusToInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, withRad := range []bool{false, true} {
		const n = 7
		m := Mat{Rows: n, Cols: n, Mid: make([]float64, n*n)}
		for i := range m.Mid {
			m.Mid[i] = r.NormFloat64()
		}
		if withRad {
			m.Rad = make([]float64, n*n)
			for i := range m.Rad {
				m.Rad[i] = r.Float64() * 1e-6
			}
		}
		want := IdentityMinus(m)
		in := m.Clone() // radii, zero for a point matrix, as the result needs
		got := IdentityMinusTo(in, in)
		if got.Rows != n || got.Cols != n {
			t.Fatalf("IdentityMinusTo is %d x %d", got.Rows, got.Cols)
		}
		for i := range want.Mid {
			if math.Float64bits(got.Mid[i]) != math.Float64bits(want.Mid[i]) || math.Float64bits(got.Rad[i]) != math.Float64bits(want.Rad[i]) {
				t.Fatalf("radii %v: element %d is %v ± %v, IdentityMinus's %v ± %v", withRad, i, got.Mid[i], got.Rad[i], want.Mid[i], want.Rad[i])
			}
		}
	}
}
