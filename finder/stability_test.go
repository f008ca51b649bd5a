package finder

import (
	"math"
	"math/cmplx"
	"testing"
)

// linearModes linearizes F(x) = A x at the origin.
func linearModes(t *testing.T, N int, A []float64, s Settings) Point {
	t.Helper()
	fp := pointsAt(N, 0, [][]float64{make([]float64, N)}, nil)
	if err := Linearize(newAffineCell(N, 0, A, nil, nil), fp, s); err != nil {
		t.Fatal(err)
	}
	return fp.Points[0]
}

func rotation(scale, theta float64) []float64 {
	c, s := scale*math.Cos(theta), scale*math.Sin(theta)
	return []float64{c, -s, s, c}
}

func TestStabilityHandCases(t *testing.T) {
	rot := rotation(1.5, 0.3)
	cases := []struct {
		name   string
		N      int
		A      []float64
		cont   bool
		want   Stability
		values []complex128
	}{
		// The unit mode is marginal and undecided: no bound puts it on
		// either side of |lambda| = 1.
		{"line attractor", 2, []float64{1, 0, 0, 0.5}, false,
			Stability{Analyzed: true, MaxAbs: 1, Marginal: true, NMarginal: 1, NUndecided: 1},
			[]complex128{1, 0.5}},
		{"flip", 2, []float64{-2, 0, 0, 0.5}, false,
			Stability{Analyzed: true, NUnstable: 1, MaxAbs: 2, Flip: true},
			[]complex128{-2, 0.5}},
		{"rotation", 3, []float64{rot[0], rot[1], 0, rot[2], rot[3], 0, 0, 0, 0.2}, false,
			Stability{Analyzed: true, NUnstable: 2, MaxAbs: 1.5, Oscillatory: true},
			[]complex128{cmplx.Rect(1.5, 0.3), cmplx.Rect(1.5, -0.3), 0.2}},
		{"stable", 2, []float64{0.9, 0.5, 0, -0.8}, false,
			Stability{Analyzed: true, Stable: true, MaxAbs: 0.9},
			[]complex128{0.9, -0.8}},
		// A flow sees mu = lambda - 1: 0.5, -0.5, -2.5; the -1.5 that flips the map is stable.
		{"flow", 3, []float64{1.5, 0, 0, 0, -1.5, 0, 0, 0, 0.5}, true,
			Stability{Analyzed: true, NUnstable: 1, MaxAbs: 0.5, Continuous: true},
			[]complex128{0.5, -0.5, -2.5}},
		{"map of the same", 3, []float64{1.5, 0, 0, 0, -1.5, 0, 0, 0, 0.5}, false,
			Stability{Analyzed: true, NUnstable: 2, MaxAbs: 1.5, Flip: true},
			[]complex128{1.5, -1.5, 0.5}},
		// I + 0.2 R(90 deg): mu = +-0.2i, a centre of the flow, marginal.
		{"flow centre", 2, []float64{1, -0.2, 0.2, 1}, true,
			Stability{Analyzed: true, MaxAbs: 0, Marginal: true, NMarginal: 2, NUndecided: 2, Continuous: true},
			[]complex128{complex(0, 0.2), complex(0, -0.2)}},
		// 1.1 I + 0.2 R(90 deg): mu = 0.1 +- 0.2i, an unstable spiral.
		{"flow spiral", 2, []float64{1.1, -0.2, 0.2, 1.1}, true,
			Stability{Analyzed: true, NUnstable: 2, MaxAbs: 0.1, Oscillatory: true, Continuous: true},
			[]complex128{complex(0.1, 0.2), complex(0.1, -0.2)}},
	}
	for _, c := range cases {
		p := linearModes(t, c.N, c.A, Settings{ContinuousTime: c.cont})
		got := p.Stability
		if math.Abs(got.MaxAbs-c.want.MaxAbs) > 1e-12 {
			t.Errorf("%s: MaxAbs %v, want %v", c.name, got.MaxAbs, c.want.MaxAbs)
		}
		got.MaxAbs = c.want.MaxAbs
		if got != c.want {
			t.Errorf("%s: stability %+v, want %+v", c.name, got, c.want)
		}
		for i, v := range c.values {
			if d := cmplx.Abs(p.Modes[i].Value - v); d > 1e-12 {
				t.Errorf("%s: mode %d = %v, want %v", c.name, i, p.Modes[i].Value, v)
			}
		}
	}
}

// The marginal band is closed: |g| <= tol is marginal, just beyond is not;
// it only describes. Whether a mode counts as unstable, stable or undecided
// is its class, from its bound: with a bound of 1e-12 every mode here is
// decided, and the band changes none of the counts.
func TestClassifyBand(t *testing.T) {
	const tol = 1e-3
	cases := []struct {
		v                      complex128
		cont                   bool
		stable, unstable, marg bool
	}{
		{complex(1+0.999e-3, 0), false, false, true, true},
		{complex(1-0.999e-3, 0), false, true, false, true},
		{complex(1+1.001e-3, 0), false, false, true, false},
		{complex(1-1.001e-3, 0), false, true, false, false},
		{cmplx.Rect(1+0.5e-3, 2), false, false, true, true},
		{complex(-1.0005, 0), false, false, true, true},
		{complex(0.9e-3, 5), true, false, true, true},
		{complex(1.1e-3, 0), true, false, true, false},
		{complex(-1.1e-3, 0), true, true, false, false},
	}
	for _, c := range cases {
		m := Mode{Value: c.v, Bound: 1e-12, Class: ClassifyMode(c.v, 1e-12, c.cont)}
		st := classify([]Mode{m}, tol, c.cont)
		if st.Stable != c.stable || (st.NUnstable == 1) != c.unstable || st.Marginal != c.marg || (st.NMarginal == 1) != c.marg || st.NUndecided != 0 {
			t.Errorf("%v (continuous %v): %+v; want stable %v, unstable %v, marginal %v", c.v, c.cont, st, c.stable, c.unstable, c.marg)
		}
		// With a bound wider than the distance to the boundary the same
		// mode is undecided: neither stable nor unstable.
		m.Class = ClassifyMode(c.v, 2e-3, c.cont)
		if st := classify([]Mode{m}, tol, c.cont); c.marg && (st.NUndecided != 1 || st.NUnstable != 0 || st.Stable) {
			t.Errorf("%v (continuous %v) with bound 2e-3: %+v, want undecided", c.v, c.cont, st)
		}
	}
	if st := classify(nil, tol, true); !st.Stable || st.MaxAbs != 0 {
		t.Errorf("no modes: %+v", st)
	}
}

// MarginalTol is honored through Decompose: with a wider band the eigenvalue
// 1.01 becomes marginal, and stays certainly unstable (the saddle index
// does not depend on the band).
func TestMarginalTolSetting(t *testing.T) {
	A := []float64{1.01, 0, 0, 0.5}
	if st := linearModes(t, 2, A, Settings{}).Stability; st.NUnstable != 1 || st.Marginal {
		t.Errorf("default band: %+v", st)
	}
	if st := linearModes(t, 2, A, Settings{MarginalTol: 0.02}).Stability; st.NUnstable != 1 || !st.Marginal || st.Stable || st.NUndecided != 0 {
		t.Errorf("band 0.02: %+v", st)
	}
}
