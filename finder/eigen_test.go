package finder

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// On a random LSTM at a random point (a non-normal Jacobian with complex
// eigenvalues) the modes satisfy J r = lambda r and l^H J = lambda l^H, are
// normalized with a real positive largest component and sorted.
func TestDecomposeEigenvectors(t *testing.T) {
	cell := randomCells()["lstm"]
	N, M := cell.StateSize(), cell.InputSize()
	r := rand.New(rand.NewPCG(9, 10))
	fp := pointsAt(N, M, [][]float64{randVec(r, N), randVec(r, N)}, randVec(r, M))
	if err := Linearize(cell, fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	complexModes := 0
	for k, p := range fp.Points {
		J := p.Jacobian
		if len(p.Modes) != N {
			t.Fatalf("point %d: %d modes, want %d", k, len(p.Modes), N)
		}
		worst := 0.0
		for i, m := range p.Modes {
			if imag(m.Value) != 0 {
				complexModes++
			}
			if i > 0 {
				prev := p.Modes[i-1].Value
				if a, b := cmplx.Abs(prev), cmplx.Abs(m.Value); a < b || a == b && real(prev) < real(m.Value) || a == b && real(prev) == real(m.Value) && imag(prev) < imag(m.Value) {
					t.Errorf("point %d: mode %d (%v) sorted after %v", k, i, m.Value, prev)
				}
			}
			for _, v := range [][]complex128{m.Right, m.Left} {
				checkNormalized(t, v)
			}
			for a := 0; a < N; a++ {
				var jr, lj complex128 // (J r)_a and (l^H J)_a
				for b := 0; b < N; b++ {
					jr += complex(J[a*N+b], 0) * m.Right[b]
					lj += cmplx.Conj(m.Left[b]) * complex(J[b*N+a], 0)
				}
				worst = max(worst, cmplx.Abs(jr-m.Value*m.Right[a]), cmplx.Abs(lj-m.Value*cmplx.Conj(m.Left[a])))
			}
		}
		if worst > 1e-10 {
			t.Errorf("point %d: eigen-equations hold only to %g", k, worst)
		}
		t.Logf("point %d: top eigenvalue %.4f, eigen-equation residual %.2g", k, p.Modes[0].Value, worst)
	}
	if complexModes < 2 {
		t.Errorf("%d complex modes: the test case should be non-normal with a complex pair", complexModes)
	}
}

func checkNormalized(t *testing.T, v []complex128) {
	t.Helper()
	var norm, big float64
	var pivot complex128
	for _, z := range v {
		norm = math.Hypot(norm, cmplx.Abs(z))
		if cmplx.Abs(z) > big*(1+1e-9) {
			big, pivot = cmplx.Abs(z), z
		}
	}
	if math.Abs(norm-1) > 1e-14 || imag(pivot) != 0 || real(pivot) <= 0 {
		t.Errorf("vector norm %v, largest component %v; want 1 and real positive", norm, pivot)
	}
}

// gonum v0.17's mat.Eigen panics (index out of range in Dlaln2) on this
// rank-one matrix -(2/N) s s^T, s_i = (-1)^i, for N >= 440; geev avoids the
// faulty blocked path. Eigenvalues: -2 along s, 0 for the rest.
func TestDecomposeRankOne(t *testing.T) {
	const N = 440
	J := make([]float64, N*N)
	for i := range N {
		for k := range N {
			J[i*N+k] = 2.0 / N * float64((i+k)%2*2-1)
		}
	}
	fp := &FixedPoints{N: N, Points: []Point{{X: make([]float64, N), Jacobian: J}}}
	if err := Decompose(fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	p := fp.Points[0]
	if d := cmplx.Abs(p.Modes[0].Value + 2); d > 1e-12 {
		t.Errorf("top eigenvalue %v, want -2", p.Modes[0].Value)
	}
	worst := 0.0
	for i, m := range p.Modes {
		if i > 0 && cmplx.Abs(m.Value) > 1e-12 {
			t.Fatalf("mode %d = %v, want 0", i, m.Value)
		}
		for a := 0; a < N; a += 7 { // a sample of rows keeps this fast
			var jr complex128
			for b := 0; b < N; b++ {
				jr += complex(J[a*N+b], 0) * m.Right[b]
			}
			worst = max(worst, cmplx.Abs(jr-m.Value*m.Right[a]))
		}
	}
	if worst > 1e-10 {
		t.Errorf("J r = lambda r holds only to %g", worst)
	}
	if st := p.Stability; st.NUnstable != 1 || !st.Flip || st.Oscillatory || st.MaxAbs != cmplx.Abs(p.Modes[0].Value) {
		t.Errorf("stability %+v, want one flipping unstable mode", st)
	}
}
