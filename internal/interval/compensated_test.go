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
