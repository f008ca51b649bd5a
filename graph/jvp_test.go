package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// TestJVPMatchesJacobians: the differenced products equal the seeded
// vector-Jacobian passes' J v (an independent evaluation through the
// backward graph) to the error each difference promises, for every cell,
// with per-row inputs and with one shared input row, with fewer rows than
// the pass holds, and a zero direction gives zero.
func TestJVPMatchesJacobians(t *testing.T) {
	for name, c := range torchref.Cells() {
		r := rand.New(rand.NewPCG(3, 4))
		const B = 5
		N, M := c.StateSize(), c.InputSize()
		x, u, v := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M), torchref.RandVec(r, B*N)
		clear(v[(B-1)*N:])
		jac, err := NewJacobians(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		jx := make([]float64, B*N*N)
		if err := jac.Eval(x, u, jx, nil); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, B*N)
		for b := 0; b < B; b++ {
			for i := 0; i < N; i++ {
				for k := 0; k < N; k++ {
					want[b*N+i] += jx[b*N*N+i*N+k] * v[b*N+k]
				}
			}
		}
		for _, central := range []bool{false, true} {
			jv, err := NewJVP(c, B+2, central, Float64)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, B*N)
			if err := jv.Apply(B, x, u, v, jac.F(), out); err != nil {
				t.Fatal(err)
			}
			tol := map[bool]float64{false: 1e-6, true: 1e-9}[central]
			for b := 0; b < B; b++ {
				nv, nw := norm2(v[b*N:(b+1)*N]), norm2(want[b*N:(b+1)*N])
				e := 0.0
				for i := 0; i < N; i++ {
					e = math.Max(e, math.Abs(out[b*N+i]-want[b*N+i]))
				}
				if e > tol*(1+nw+nv) || (nv == 0 && e != 0) {
					t.Errorf("%s central=%v row %d: |Jv - want| = %.3g (|Jv| = %.3g)", name, central, b, e, nw)
				}
			}
			// One shared input row: the same as that row repeated.
			if M > 0 {
				us := make([]float64, B*M)
				for b := 0; b < B; b++ {
					copy(us[b*M:], u[:M])
				}
				a, s := make([]float64, B*N), make([]float64, B*N)
				if err := jv.Apply(B, x, us, v, jac.F(), a); err != nil {
					t.Fatal(err)
				}
				if err := jv.Apply(B, x, u[:M], v, jac.F(), s); err != nil {
					t.Fatal(err)
				}
				for i := range a {
					if a[i] != s[i] {
						t.Fatalf("%s: shared input row differs at %d: %v vs %v", name, i, s[i], a[i])
					}
				}
			}
		}
	}
}

func TestJVPErrors(t *testing.T) {
	c := torchref.Cells()["rnn"]
	jv, err := NewJVP(c, 2, false, Float64)
	if err != nil {
		t.Fatal(err)
	}
	N, M := c.StateSize(), c.InputSize()
	if err := jv.Apply(3, make([]float64, 3*N), make([]float64, M), make([]float64, 3*N), make([]float64, 3*N), make([]float64, 3*N)); err == nil {
		t.Error("3 rows in a 2-row JVP: no error")
	}
	if err := jv.Apply(2, make([]float64, 2*N), make([]float64, M), make([]float64, 2*N), nil, make([]float64, 2*N)); err == nil {
		t.Error("forward differences without F(x): no error")
	}
	if _, err := NewJVP(c, 0, true, Float64); err == nil {
		t.Error("0 rows: no error")
	}
}
