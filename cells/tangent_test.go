package cells_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// TestGRUTangent: the GRU's Jacobian-vector products from TangentAt and
// ApplyTangent, for a batch of points each with its own input and
// vector, agree with the closed-form Jacobians of QHessian times the
// vectors (to 1e-13 of |J||v|), on random GRUs with and without inputs,
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
		out := make([]float64, tc.n*N)
		c.ApplyTangent(tc.n, coef, v, out)
		for r := 0; r < tc.n; r++ {
			jac, _, ok := c.QHessian(x[r*N:(r+1)*N], u[r*M:(r+1)*M])
			if !ok {
				t.Fatal("no closed form")
			}
			jn, vn := 0.0, 0.0
			for _, a := range jac {
				jn += a * a
			}
			for _, a := range v[r*N : (r+1)*N] {
				vn += a * a
			}
			tol := 1e-13 * math.Sqrt(jn*vn)
			for i := 0; i < N; i++ {
				want := 0.0
				for k := 0; k < N; k++ {
					want += jac[i*N+k] * v[r*N+k]
				}
				if got := out[r*N+i]; math.Abs(got-want) > tol {
					t.Errorf("N=%d row %d: (J v)_%d = %.17g, want %.17g (tol %.3g)", N, r, i, got, want, tol)
				}
			}
		}
	}
	c := cells.NewGRU(3, 1)
	c.InitUniform(1)
	c.ResetBeforeLinear = true
	if c.TangentAt(1, make([]float64, 3), make([]float64, 1), make([]float64, c.TangentSize())) {
		t.Error("a tangent for ResetBeforeLinear")
	}
}
