package interval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestKernelsRadiusRounding: with every midpoint zero the kernels' results
// are all radius, summed in round-to-nearest, and no midpoint error bound
// leaves slack: only grow's final inflation makes the computed radius at
// least the exact one. At the worst vertex (each operand at the end that
// adds to the magnitude) the exact result must lie within the radius.
// Without the inflation (inflA = inflB = 1) this fails within a few trials.
func TestKernelsRadiusRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	wide := func() float64 { return math.Ldexp(0.5+rng.Float64(), rng.IntN(40)-20) }
	big2200 := func() *big.Float { return new(big.Float).SetPrec(2200) }
	within := func(name string, trial int, got Mat, i int, want *big.Float) {
		t.Helper()
		d := big2200().Sub(want, ex(got.Mid[i]))
		if d.Abs(d).Cmp(ex(got.Rad[i])) > 0 {
			t.Fatalf("trial %d: %s: exact %s outside %g ± %g", trial, name, want.Text('g', 20), got.Mid[i], got.Rad[i])
		}
	}
	for trial := range 2000 {
		n := 1 + rng.IntN(4)
		zero := func(withRad bool) Mat {
			m := NewMat(n, n)
			if withRad {
				for i := range m.Rad {
					m.Rad[i] = wide()
				}
			} else {
				m.Rad = nil
			}
			return m
		}
		m := zero(true)
		s := Vec{Mid: make([]float64, n), Rad: make([]float64, n)}
		for k := range s.Rad {
			s.Rad[k] = wide()
		}
		wPoint := NewMat(n, n)
		wPoint.Rad = nil
		for i := range wPoint.Mid {
			wPoint.Mid[i] = wide() * float64(1-2*rng.IntN(2))
		}
		wInt := zero(true)

		// m + diag(s)·w at the vertex m = +rad, s = ±rad matching w's sign.
		a := m.Clone()
		a.AddScaledRows(0, 0, s, wPoint)
		b := m.Clone()
		b.AddScaledRows(0, 0, s, wInt)
		c := m.Clone()
		c.ScaleRows(s)
		e := m.Clone()
		e.AddBlock(0, 0, wInt)
		g := m.Clone()
		g.AddDiag(0, 0, s)
		h := IdentityMinus(m)
		for k := range n {
			for j := range n {
				i := k*n + j
				p := big2200().Mul(ex(s.Rad[k]), ex(math.Abs(wPoint.Mid[i])))
				within("AddScaledRows point", trial, a, i, p.Add(p, ex(m.Rad[i])))
				q := big2200().Mul(ex(s.Rad[k]), ex(wInt.Rad[i]))
				within("AddScaledRows interval", trial, b, i, q.Add(q, ex(m.Rad[i])))
				within("ScaleRows", trial, c, i, big2200().Mul(ex(s.Rad[k]), ex(m.Rad[i])))
				within("AddBlock", trial, e, i, big2200().Add(ex(m.Rad[i]), ex(wInt.Rad[i])))
				r := ex(m.Rad[i])
				if k == j {
					r.Add(r, ex(s.Rad[k]))
				}
				within("AddDiag", trial, g, i, r)
				one := big2200()
				if k == j {
					// I − m at m = −rad on the diagonal: 1 + rad.
					one.SetFloat64(1)
				}
				within("IdentityMinus", trial, h, i, one.Add(one, ex(m.Rad[i])))
			}
		}
	}
}
