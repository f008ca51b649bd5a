package stability

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

func TestNormalizePhase(t *testing.T) {
	v := []complex128{1i, -3i, 2}
	if err := normalize(v); err != nil {
		t.Fatal(err)
	}
	s := math.Sqrt(14)
	want := []complex128{complex(-1/s, 0), complex(3/s, 0), complex(0, 2/s)}
	for i := range v {
		if cmplx.Abs(v[i]-want[i]) > 1e-15 {
			t.Errorf("normalize: %v, want %v", v, want)
			break
		}
	}
	if err := normalize([]complex128{0, 0}); err == nil {
		t.Errorf("normalize of a zero vector: no error")
	}
}

func TestSortModes(t *testing.T) {
	m := []Mode{{Value: 0.5}, {Value: complex(0, -1)}, {Value: -1}, {Value: complex(0, 1)}, {Value: 1}, {Value: 2}}
	SortModes(m, false)
	want := []complex128{2, 1, complex(0, 1), complex(0, -1), -1, 0.5}
	for i := range m {
		if m[i].Value != want[i] {
			t.Fatalf("map order: got %v at %d, want %v", m[i].Value, i, want[i])
		}
	}
	SortModes(m, true)
	want = []complex128{2, 1, 0.5, complex(0, 1), complex(0, -1), -1}
	for i := range m {
		if m[i].Value != want[i] {
			t.Fatalf("flow order: got %v at %d, want %v", m[i].Value, i, want[i])
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
		st := Classify([]Mode{m}, tol, c.cont)
		if st.Stable != c.stable || (st.NUnstable == 1) != c.unstable || st.Marginal != c.marg || (st.NMarginal == 1) != c.marg || st.NUndecided != 0 {
			t.Errorf("%v (continuous %v): %+v; want stable %v, unstable %v, marginal %v", c.v, c.cont, st, c.stable, c.unstable, c.marg)
		}
		// With a bound wider than the distance to the boundary the same
		// mode is undecided: neither stable nor unstable.
		m.Class = ClassifyMode(c.v, 2e-3, c.cont)
		if st := Classify([]Mode{m}, tol, c.cont); c.marg && (st.NUndecided != 1 || st.NUnstable != 0 || st.Stable) {
			t.Errorf("%v (continuous %v) with bound 2e-3: %+v, want undecided", c.v, c.cont, st)
		}
	}
	if st := Classify(nil, tol, true); !st.Stable || st.MaxAbs != 0 {
		t.Errorf("no modes: %+v", st)
	}
}

func TestEigenvalueCond(t *testing.T) {
	if k := EigenvalueCond([]complex128{1, 0}, []complex128{1, 0}); k != 1 {
		t.Errorf("orthonormal: kappa %v, want 1", k)
	}
	if k := EigenvalueCond([]complex128{1, 0}, []complex128{0, 1}); !math.IsInf(k, 1) {
		t.Errorf("defective: kappa %v, want +Inf", k)
	}
	if k := EigenvalueCond(nil, nil); !math.IsInf(k, 1) {
		t.Errorf("no vectors: kappa %v, want +Inf", k)
	}
	// l = (1, 1)/sqrt2, r = (1, 0): |l^H r| = 1/sqrt2.
	if k := EigenvalueCond([]complex128{1, 0}, []complex128{complex(1/math.Sqrt2, 0), complex(0, 1/math.Sqrt2)}); math.Abs(k-math.Sqrt2) > 1e-15 {
		t.Errorf("kappa %v, want sqrt 2", k)
	}
	for _, c := range []struct {
		v     complex128
		bound float64
		cont  bool
		want  ModeClass
	}{
		{1.1, 0.05, false, ModeUnstable}, {1.1, 0.2, false, ModeUndecided}, {-0.9, 0.05, false, ModeStable},
		{complex(0, 1.01), 0.001, false, ModeUnstable}, {complex(0.01, 3), 0.001, true, ModeUnstable},
		{complex(-0.01, 3), 0.02, true, ModeUndecided}, {1, 0, false, ModeUndecided}, {2, math.NaN(), false, ModeUndecided},
	} {
		if got := ClassifyMode(c.v, c.bound, c.cont); got != c.want {
			t.Errorf("ClassifyMode(%v, %v, %v) = %v, want %v", c.v, c.bound, c.cont, got, c.want)
		}
	}
}

// The spectral radius bound of the low-rank Jacobian of finder's
// TestLowRankJacobianStable (0.5 u u^T / |u|^2: eigenvalues 0.5 and 0, N - 1
// times) lies between its spectral radius and the direct bound
// rho(J + E) <= ||J||_F + ||E||.
func TestRadiusBoundLowRank(t *testing.T) {
	const N = 12
	u := make([]float64, N)
	for i := range u {
		u[i] = float64(i%5-2) / 10
	}
	A := make([]float64, N*N)
	nu := 0.0
	for _, v := range u {
		nu += v * v
	}
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			A[i*N+k] = 0.5 * u[i] * u[k] / nu
		}
	}
	if r := radiusBound(A, N, 1e-12); !(r >= 0.5 && r <= linalg.Nrm2(A)+1e-12) {
		t.Errorf("radius bound %v, want within [0.5, ||A||_F + 1e-12 = %v]", r, linalg.Nrm2(A)+1e-12)
	}
}
