package interval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// cancellingRow makes a row of a and the vector x whose dot product cancels
// to a tiny fraction of Σ|a_j x_j| (pairs a·x and −a·x(1 + δ)), the case
// where a plain sum's rounding swamps the result.
func cancellingRow(rng *rand.Rand, n int) (a, x []float64) {
	a, x = make([]float64, n), make([]float64, n)
	for j := 0; j+1 < n; j += 2 {
		a[j] = math.Ldexp(rng.NormFloat64(), rng.IntN(40)-20)
		x[j] = math.Ldexp(rng.NormFloat64(), rng.IntN(40)-20)
		a[j+1] = -a[j] * (1 + math.Ldexp(rng.NormFloat64(), -30-rng.IntN(20)))
		x[j+1] = x[j]
	}
	if n%2 == 1 {
		a[n-1], x[n-1] = rng.NormFloat64()*1e-12, rng.NormFloat64()
	}
	// Shuffle the pairs apart so the cancellation spreads over the sum.
	rng.Shuffle(n, func(i, j int) { a[i], a[j] = a[j], a[i]; x[i], x[j] = x[j], x[i] })
	return a, x
}

// TestCompensatedTVec: MatTVec of a point vector (the compensated sum)
// holds the exact product (2200-bit math/big) on random, cancelling and
// adversarial rows; its radius is at most 4u|m| + 2(n+2)²u²Σ|a_j x_j|, the
// compensated bound, and far below the plain sum's γ_n|W||x| on most rows
// (a compensated sum computed like the plain one would fail that).
func TestCompensatedTVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	narrow, rows := 0, 0
	for trial := range 2000 {
		n := 1 + rng.IntN(70)
		var w Mat
		var x []float64
		switch trial % 3 {
		case 0: // adversarial magnitudes: 1e16, subnormals, 1 + k ulps
			w = randMat(rng, 1+rng.IntN(4), n, false)
			x = randMat(rng, 1, n, false).Mid
		default: // heavy cancellation
			a, xx := cancellingRow(rng, n)
			w = Mat{Rows: 1, Cols: n, Mid: a}
			x = xx
		}
		got := MatTVec(transpose(w), w.Rows, Vec{Mid: x})
		plain := MatVec(w, Vec{Mid: x})
		exact := exactProduct(w.Mid, x, w.Rows, n, 1)
		for i := 0; i < w.Rows; i++ {
			m, r := got.Mid[i], got.Rad[i]
			if math.IsInf(r, 0) || math.IsNaN(r) {
				t.Fatalf("trial %d row %d: finite inputs gave an unbounded sum", trial, i)
			}
			lo := new(big.Float).SetPrec(2200).Sub(ex(m), ex(r))
			hi := new(big.Float).SetPrec(2200).Add(ex(m), ex(r))
			if lo.Cmp(exact[i]) > 0 || hi.Cmp(exact[i]) < 0 {
				t.Fatalf("trial %d row %d (n=%d): %g ± %g misses the exact %s", trial, i, n, m, r, exact[i].Text('g', 20))
			}
			var abs float64
			for j := 0; j < n; j++ {
				abs += math.Abs(w.Mid[i*n+j] * x[j])
			}
			k := float64(n + 2)
			limit := 4*unit*math.Abs(m) + 2*k*k*unit*unit*abs*1.01 + 1e-300
			if r > limit {
				t.Fatalf("trial %d row %d (n=%d): radius %g above the compensated bound %g", trial, i, n, r, limit)
			}
			rows++
			if r <= plain.Rad[i]/4 {
				narrow++
			}
		}
	}
	if narrow < rows/2 {
		t.Errorf("only %d of %d rows narrower than a quarter of the plain sum's radius", narrow, rows)
	}
}

// TestCompensatedTVecOverflow: a product or a sum that overflows makes its
// row unbounded, never a finite false enclosure.
func TestCompensatedTVecOverflow(t *testing.T) {
	wT := []float64{1e300, 1, 1e300, 1} // W = [[1e300, 1e300], [1, 1]]
	got := MatTVec(wT, 2, Vec{Mid: []float64{1e10, 1e10}})
	if !math.IsInf(got.Rad[0], 1) {
		t.Errorf("overflowing row: %g ± %g, want an unbounded row", got.Mid[0], got.Rad[0])
	}
	if got.Mid[1] != 2e10 || got.Rad[1] > 1e-5 {
		t.Errorf("finite row: %g ± %g, want 2e10 ± a rounding", got.Mid[1], got.Rad[1])
	}
	got = MatTVec([]float64{math.MaxFloat64, math.MaxFloat64}, 1, Vec{Mid: []float64{1, 1}})
	if !math.IsInf(got.Rad[0], 1) {
		t.Errorf("overflowing sum: %g ± %g, want unbounded", got.Mid[0], got.Rad[0])
	}
}

// compensatedTVecRef is compensatedTVec as it was, with its own vectors.
func compensatedTVecRef(wT []float64, rows int, x []float64) Vec {
	n := len(x)
	s := make([]float64, rows) // running sums
	c := make([]float64, rows) // sums of the exact errors e + q
	t := make([]float64, rows) // sums of |e| + |q|
	for j, xj := range x {
		for i, a := range wT[j*rows : (j+1)*rows] {
			p := a * xj
			e := math.FMA(a, xj, -p) // a·xj = p + e exactly (barring underflow)
			sum := s[i] + p
			bp := sum - s[i]
			q := (s[i] - (sum - bp)) + (p - bp) // s + p = sum + q exactly (TwoSum)
			s[i] = sum
			c[i] += q + e
			t[i] += math.Abs(q) + math.Abs(e)
		}
	}
	g := gammaBound(n + 1)
	out := Vec{Mid: make([]float64, rows), Rad: make([]float64, rows)}
	for i := range s {
		m := s[i] + c[i]
		// The error sum c carries at most n+1 roundings per term; its
		// terms' bound t at most n+2; the final s + c one more (2u|m|
		// covers it for any m, u|m| where m is normal).
		errSum := up(g * sumBound(t[i], n+2))
		r := sumBound(up(2*unit*math.Abs(m))+errSum, n+8)
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(r) || math.IsInf(r, 0) {
			m, r = 0, math.Inf(1) // an overflow somewhere in the row
		}
		out.Mid[i], out.Rad[i] = m, r
	}
	return out
}

// TestMatTVecToAsBefore: MatTVecTo into buffers holding garbage (NaN, Inf,
// the last product) gives, bit for bit, the compensated sum as it was
// computed with its own vectors for a point vector (nil or zero radii) and
// MatVec's enclosure otherwise, on random, cancelling, huge, overflowing,
// infinite, NaN and ±0 entries; MatTVec gives the same.
func TestMatTVecToAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 30))
	same := func(a, b Vec) bool {
		for i := range a.Mid {
			if math.Float64bits(a.Mid[i]) != math.Float64bits(b.Mid[i]) || math.Float64bits(a.Rad[i]) != math.Float64bits(b.Rad[i]) {
				return false
			}
		}
		return len(a.Mid) == len(b.Mid) && len(a.Rad) == len(b.Rad)
	}
	special := []float64{0, math.Copysign(0, -1), 1e308, -1e308, math.MaxFloat64, 5e-324, 1e-300, math.Inf(1), math.NaN()}
	out := Vec{Mid: make([]float64, 9), Rad: make([]float64, 9)}
	work := make([]float64, 40)
	n := 0
	for trial := range 400 {
		rows, k := 1+rng.IntN(9), 1+rng.IntN(9)
		w := Mat{Rows: rows, Cols: k, Mid: make([]float64, rows*k)}
		x := make([]float64, k)
		for i := range w.Mid {
			w.Mid[i] = rng.NormFloat64() * math.Exp2(float64(rng.IntN(60)-30))
		}
		for j := range x {
			x[j] = rng.NormFloat64() * math.Exp2(float64(rng.IntN(60)-30))
		}
		if trial%3 == 0 {
			a, xr := cancellingRow(rng, k)
			copy(w.Mid[:k], a) // row 0 of w cancels against x
			copy(x, xr)
		}
		if trial%4 == 1 {
			w.Mid[rng.IntN(len(w.Mid))] = special[rng.IntN(len(special))]
			x[rng.IntN(k)] = special[rng.IntN(len(special))]
		}
		wT := transpose(w)
		var rad []float64
		switch trial % 3 {
		case 1:
			rad = make([]float64, k) // zero radii: a point
		case 2:
			rad = make([]float64, k)
			for j := range rad {
				rad[j] = math.Abs(rng.NormFloat64()) * math.Exp2(float64(rng.IntN(60)-40))
			}
		}
		v := Vec{Mid: x, Rad: rad}
		for i := range work {
			work[i] = []float64{math.NaN(), math.Inf(-1), 7}[i%3]
		}
		o := Vec{Mid: out.Mid[:rows], Rad: out.Rad[:rows]}
		got := MatTVecTo(o, work[:MatTVecWork(rows, v)], wT, rows, v)
		var want Vec
		if trial%3 == 2 {
			want = MatVec(w, v)
		} else {
			want = compensatedTVecRef(wT, rows, x)
		}
		if !same(got, want) || !same(MatTVec(wT, rows, v), want) {
			t.Fatalf("trial %d: MatTVecTo %v ± %v, want %v ± %v", trial, got.Mid, got.Rad, want.Mid, want.Rad)
		}
		n++
	}
	if n < 400 {
		t.Fatal("too few trials")
	}
}
