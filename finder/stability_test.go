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
