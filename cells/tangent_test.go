package cells_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// TestGRUTangent: the GRU's Jacobian-vector products from TangentAt and
// ApplyTangent, and its Hessian-of-q-vector products from QHessianVecAt
// and ApplyQHessianVec, for a batch of points each with its own input and
// vector, agree with the closed-form Jacobians and Hessians of QHessian
// times the vectors (to 1e-13 of |A||v|), on random GRUs with and without inputs,
// weights scaled up so that gates saturate at some points, up to 80
// states (blocked matrix products); a GRU with ResetBeforeLinear has
// none.
func TestGRUTangent(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		N, M, n int
		scale   float64
	}{{5, 0, 3, 1}, {6, 3, 4, 1}, {7, 2, 5, 4}, {80, 3, 70, 2}} {
		c := cells.NewGRU(tc.N, tc.M)
		c.InitUniform(uint64(10*tc.N + tc.M))
		scale(c, tc.scale)
		N, M, C := tc.N, tc.M, c.TangentSize()
		var x, u, v []float64
		for range tc.n {
			x = append(x, randVec(rng, N, 0.7)...)
			u = append(u, randVec(rng, M, 1)...)
			v = append(v, randVec(rng, N, 1)...)
		}
		coef := make([]float64, tc.n*C)
		if !c.TangentAt(tc.n, x, u, coef) {
			t.Fatalf("N=%d: no tangent", N)
		}
		// Rows in reverse order of the points, to check the indexing.
		rows, rv := make([]int, tc.n), make([]float64, tc.n*N)
		for r := range rows {
			rows[r] = tc.n - 1 - r
			copy(rv[r*N:(r+1)*N], v[rows[r]*N:(rows[r]+1)*N])
		}
		rev := func(a []float64) []float64 {
			b := make([]float64, len(a))
			for r := range rows {
				copy(b[rows[r]*N:(rows[r]+1)*N], a[r*N:(r+1)*N])
			}
			return b
		}
		out := make([]float64, tc.n*N)
		c.ApplyTangent(coef, rows, rv, out)
		out = rev(out)
		hcoef := make([]float64, tc.n*c.QHessianVecSize())
		if !c.QHessianVecAt(tc.n, x, u, hcoef) {
			t.Fatalf("N=%d: no Hessian-vector products", N)
		}
		hout := make([]float64, tc.n*N)
		c.ApplyQHessianVec(hcoef, rows, rv, hout)
		hout = rev(hout)
		for r := 0; r < tc.n; r++ {
			jac, hess, ok := c.QHessian(x[r*N:(r+1)*N], u[r*M:(r+1)*M])
			if !ok {
				t.Fatal("no closed form")
			}
			checkMatVec(t, fmt.Sprintf("N=%d row %d: (J v)", N, r), jac, v[r*N:(r+1)*N], out[r*N:(r+1)*N])
			checkMatVec(t, fmt.Sprintf("N=%d row %d: (H v)", N, r), hess, v[r*N:(r+1)*N], hout[r*N:(r+1)*N])
		}
	}
	c := cells.NewGRU(3, 1)
	c.InitUniform(1)
	c.ResetBeforeLinear = true
	if c.TangentAt(1, make([]float64, 3), make([]float64, 1), make([]float64, c.TangentSize())) {
		t.Error("a tangent for ResetBeforeLinear")
	}
	if c.QHessianVecAt(1, make([]float64, 3), make([]float64, 1), make([]float64, c.QHessianVecSize())) {
		t.Error("Hessian-vector products for ResetBeforeLinear")
	}
}

// checkMatVec checks got = A v (A N×N) to 1e-13 of |A|_F |v|.
func checkMatVec(t *testing.T, what string, A, v, got []float64) {
	t.Helper()
	N := len(v)
	an, vn := 0.0, 0.0
	for _, a := range A {
		an += a * a
	}
	for _, a := range v {
		vn += a * a
	}
	tol := 1e-13 * math.Sqrt(an*vn)
	for i := 0; i < N; i++ {
		want := 0.0
		for k := 0; k < N; k++ {
			want += A[i*N+k] * v[k]
		}
		if math.Abs(got[i]-want) > tol {
			t.Errorf("%s_%d = %.17g, want %.17g (tol %.3g)", what, i, got[i], want, tol)
		}
	}
}
