package finder

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// linearizeTanh linearizes tanh(A x) at x (N = 2), as Find would a point.
func linearizeTanh(t *testing.T, A []float64, x []float64, s Settings) Point {
	t.Helper()
	fp := pointsAt(2, 0, [][]float64{x}, nil)
	if err := Linearize(newTanhCell(2, 0, A, nil, nil), fp, s); err != nil {
		t.Fatal(err)
	}
	return fp.Points[0]
}

// A mode at |lambda| = 1.000025 of a 2-D tanh network at its fixed point 0
// (J = A exactly there) lies inside the marginal band of 1e-3 but is a
// certain instability in float64: its bound is of order 1e-14. It counts in
// the saddle index, for the map and, as mu = 2.5e-5, for the flow.
func TestModeJustAboveOneIsUnstable(t *testing.T) {
	A := []float64{1.000025, 0, 0, 0.5}
	for _, cont := range []bool{false, true} {
		p := linearizeTanh(t, A, []float64{0, 0}, Settings{ContinuousTime: cont})
		st, m := p.Stability, p.Modes[0]
		if st.NUnstable != 1 || st.NUndecided != 0 || st.Stable || !st.Marginal {
			t.Errorf("continuous %v: %+v, want 1 unstable, 0 undecided, marginal", cont, st)
		}
		if m.Class != ModeUnstable || !(m.Bound > 0 && m.Bound < 1e-12) || math.Abs(m.Cond-1) > 1e-12 {
			t.Errorf("continuous %v: leading mode %+v, want unstable with 0 < bound < 1e-12 and kappa 1", cont, m)
		}
	}
}

// A nearly defective Jacobian: [[1+1e-7, 1], [0, 1+9e-8]] has eigenvalues
// 1+1e-7 and 1+9e-8 whose eigenvectors nearly coincide, kappa = sqrt(1 +
// 1e16) ~ 1e8: a perturbation of 1e-14 moves them by about 1e-6, across 1.
// Both are undecided. The same eigenvalue 1+1e-7 with an orthogonal
// eigenbasis (kappa 1) is certainly unstable.
func TestIllConditionedUnitModeIsUndecided(t *testing.T) {
	const d1, d2 = 1 + 1e-7, 1 + 9e-8
	p := linearModes(t, 2, []float64{d1, 1, 0, d2}, Settings{})
	wantKappa := math.Sqrt(1 + 1/((d1-d2)*(d1-d2)))
	for k, m := range p.Modes {
		if math.Abs(m.Cond-wantKappa) > 1e-3*wantKappa {
			t.Errorf("mode %d: kappa %g, want %g", k, m.Cond, wantKappa)
		}
		if m.Class != ModeUndecided || !(m.Bound > 1e-7) {
			t.Errorf("mode %d: %+v, want undecided with bound > 1e-7", k, m)
		}
	}
	if st := p.Stability; st.NUnstable != 0 || st.NUndecided != 2 || st.Stable {
		t.Errorf("near-defective: %+v, want 0 unstable, 2 undecided", st)
	}
	q := linearModes(t, 2, []float64{d1, 0, 0, 0.5}, Settings{})
	if st := q.Stability; st.NUnstable != 1 || st.NUndecided != 0 {
		t.Errorf("well-conditioned 1+1e-7: %+v, want 1 unstable", st)
	}
	// Eigenvalues only: the condition number comes from the Schur form.
	r := linearModes(t, 2, []float64{d1, 1, 0, d2}, Settings{NoEigenvectors: true})
	for k, m := range r.Modes {
		if math.Abs(m.Cond-wantKappa) > 1e-3*wantKappa || m.Class != ModeUndecided {
			t.Errorf("without vectors, mode %d: %+v, want kappa %g, undecided", k, m, wantKappa)
		}
	}
}

// A line attractor's unit mode is marginal and undecided, never unstable or
// stable, whether it sits in a linear map or in tanh(A x) with A = R diag(1,
// 0.5) R^T (origin on a line of fixed points to first order).
func TestLineAttractorUnitModeUndecided(t *testing.T) {
	c, s := math.Cos(0.4), math.Sin(0.4)
	R := mat.NewDense(2, 2, []float64{c, -s, s, c})
	var A mat.Dense
	A.Product(R, mat.NewDiagDense(2, []float64{1, 0.5}), R.T())
	for _, p := range []Point{
		linearModes(t, 2, []float64{1, 0, 0, 0.5}, Settings{}),
		linearizeTanh(t, A.RawMatrix().Data, []float64{0, 0}, Settings{}),
	} {
		st := p.Stability
		if st.NUnstable != 0 || st.NUndecided != 1 || st.NMarginal != 1 || st.Stable {
			t.Errorf("line attractor: %+v, want 0 unstable, 1 undecided, 1 marginal, not stable", st)
		}
		if p.Modes[0].Class != ModeUndecided || p.Modes[1].Class != ModeStable {
			t.Errorf("line attractor modes: %v, %v; want undecided, stable", p.Modes[0].Class, p.Modes[1].Class)
		}
	}
}

// The residual's part of the Jacobian error: at x = x* + 1e-9 off the fixed
// point x* = (a, 0) of tanh(diag(2, 0.5) x) (a = tanh(2a) = 0.957504...),
// JacobianError covers the true ||J(x*) - J(x)||_2, computed here in plain
// Go, without being more than ten times it plus the rounding.
func TestJacobianErrorCoversResidual(t *testing.T) {
	a := 1.0
	for i := 0; i < 200; i++ {
		a = math.Tanh(2 * a)
	}
	const delta = 1e-9
	A := []float64{2, 0, 0, 0.5}
	x := []float64{a + delta, 0}
	p := linearizeTanh(t, A, x, Settings{})
	jac := func(x0 float64) float64 { return 2 * (1 - math.Pow(math.Tanh(2*x0), 2)) }
	trueErr := math.Abs(jac(a) - jac(x[0])) // J differs only in entry (0,0)
	round := JacobianRoundingError(p.Jacobian, 2, 0x1p-52)
	if !(p.JacobianError >= trueErr) || p.JacobianError > 10*trueErr+round {
		t.Errorf("JacobianError %g, true ||J(x*) - J(x)|| %g (rounding %g)", p.JacobianError, trueErr, round)
	}
	if m := p.Modes[len(p.Modes)-1]; math.Abs(cmplx.Abs(m.Value)-jac(x[0])) > m.Bound+1e-15 {
		t.Errorf("mode %v, bound %g", m.Value, m.Bound)
	}
}

// A low-rank Jacobian: 0 is an eigenvalue of multiplicity N - 1, whose
// computed eigenvectors are ill-conditioned one by one. The spectral radius
// bound from powers of J (radiusBound) still certifies every mode stable;
// checked against a direct bound here: rho(J + E) <= ||J + E||_2 <= ||J||_F + ||E||.
func TestLowRankJacobianStable(t *testing.T) {
	const N = 12
	u := make([]float64, N)
	for i := range u {
		u[i] = float64(i%5-2) / 10
	}
	A := make([]float64, N*N) // 0.5 u u^T / |u|^2: eigenvalues 0.5 and 0 (N - 1 times)
	nu := 0.0
	for _, v := range u {
		nu += v * v
	}
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			A[i*N+k] = 0.5 * u[i] * u[k] / nu
		}
	}
	for _, vec := range []bool{true, false} {
		p := linearModes(t, N, A, Settings{NoEigenvectors: !vec})
		if st := p.Stability; !st.Stable || st.NUndecided != 0 || st.NUnstable != 0 {
			t.Errorf("vectors %v: %+v, want every mode stable", vec, st)
		}
	}
}
