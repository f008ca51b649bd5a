package cells_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// refQ is q = ½‖F(x) − x‖² from the plain-float64 reference (refG).
func refQ(c cells.Cell, x, u []float64) float64 {
	_, _, f := refG(c, x, u)
	q := 0.0
	for i, v := range f {
		q += (v - x[i]) * (v - x[i])
	}
	return q / 2
}

// TestGRUQHessian: the GRU's closed-form Jacobian of F agrees with central
// differences of the reference F, and its Hessian of q with second central
// differences of the reference q, on random GRUs (weights scaled up so
// that gates saturate at some points) with and without inputs; a GRU with
// ResetBeforeLinear has none.
func TestGRUQHessian(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		N, M  int
		scale float64
	}{{5, 0, 1}, {6, 3, 1}, {7, 2, 4}} {
		c := cells.NewGRU(tc.N, tc.M)
		c.InitUniform(uint64(10*tc.N + tc.M))
		scale(c, tc.scale)
		for range 5 {
			checkQHessian(t, c, randVec(rng, tc.N, 0.7), randVec(rng, tc.M, 1))
		}
	}
	c := cells.NewGRU(3, 1)
	c.InitUniform(1)
	c.ResetBeforeLinear = true
	if _, _, ok := c.QHessian(make([]float64, 3), make([]float64, 1)); ok {
		t.Error("a closed form for ResetBeforeLinear")
	}
}

// TestLSTMQHessian is TestGRUQHessian for the LSTM, whose state [h; c]
// has 2H values: random LSTMs with and without inputs, weights scaled up so
// that gates saturate at some points, cell states up to a few units.
func TestLSTMQHessian(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, tc := range []struct {
		H, M  int
		scale float64
	}{{3, 0, 1}, {4, 3, 1}, {5, 2, 4}} {
		c := cells.NewLSTM(tc.H, tc.M)
		c.InitUniform(uint64(10*tc.H + tc.M))
		scale(c, tc.scale)
		for range 5 {
			x := append(randVec(rng, tc.H, 0.7), randVec(rng, tc.H, 1.5)...)
			checkQHessian(t, c, x, randVec(rng, tc.M, 1))
		}
	}
}

// checkQHessian checks the cell's closed-form J against central differences
// of the reference F and its Hessian of q against second central
// differences of the reference q at (x, u).
func checkQHessian(t *testing.T, c interface {
	cells.Cell
	cells.QHessian
}, x, u []float64) {
	t.Helper()
	N, M := len(x), len(u)
	jac, hess, ok := c.QHessian(x, u)
	if !ok {
		t.Fatalf("%T: no closed form", c)
	}
	hMax := 0.0
	for _, v := range hess {
		hMax = max(hMax, math.Abs(v))
	}
	if hMax == 0 {
		t.Fatal("zero Hessian")
	}
	const hj = 1e-6
	for j := 0; j < N; j++ {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[j] += hj
		xm[j] -= hj
		_, _, fp := refG(c, xp, u)
		_, _, fm := refG(c, xm, u)
		for i := 0; i < N; i++ {
			fd := (fp[i] - fm[i]) / (2 * hj)
			if got := jac[i*N+j]; math.Abs(got-fd) > 1e-7*(1+math.Abs(fd)) {
				t.Fatalf("%T N %d M %d: dF[%d]/dx[%d] = %g, central difference %g", c, N, M, i, j, got, fd)
			}
		}
	}
	const h = 1e-4
	at := func(j, k int, sj, sk float64) float64 {
		y := append([]float64(nil), x...)
		y[j] += sj * h
		y[k] += sk * h
		return refQ(c, y, u)
	}
	for j := 0; j < N; j++ {
		for k := 0; k < N; k++ {
			fd := (at(j, k, 1, 1) - at(j, k, 1, -1) - at(j, k, -1, 1) + at(j, k, -1, -1)) / (4 * h * h)
			got := hess[j*N+k]
			if got != hess[k*N+j] {
				t.Fatalf("%T N %d M %d: Hessian not symmetric at (%d, %d)", c, N, M, j, k)
			}
			if math.Abs(got-fd) > 1e-5*(1+hMax) {
				t.Fatalf("%T N %d M %d: Hessian[%d][%d] = %g, second differences %g", c, N, M, j, k, got, fd)
			}
		}
	}
}

// TestQHessianIntoDirtyBuffers: QHessianInto overwrites every entry of
// the caller's jac and hess (here filled with NaN and with another
// point's values first) with QHessian's values, bit for bit, for the GRU
// and the LSTM (whose Jacobian and Hessian have zero blocks).
func TestQHessianIntoDirtyBuffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	g := cells.NewGRU(6, 2)
	g.InitUniform(3)
	l := cells.NewLSTM(5, 2)
	l.InitUniform(4)
	for _, c := range []interface {
		cells.Cell
		cells.QHessian
		cells.QHessianInto
	}{g, l} {
		N := c.StateSize()
		for _, fill := range []float64{math.NaN(), 1e300} {
			jac, hess := make([]float64, N*N), make([]float64, N*N)
			for i := range jac {
				jac[i], hess[i] = fill, fill
			}
			x, u := randVec(rng, N, 1.5), randVec(rng, 2, 1)
			wj, wh, _ := c.QHessian(x, u)
			if !c.QHessianInto(x, u, jac, hess) {
				t.Fatalf("%T: no closed form", c)
			}
			for i := range wj {
				if math.Float64bits(jac[i]) != math.Float64bits(wj[i]) || math.Float64bits(hess[i]) != math.Float64bits(wh[i]) {
					t.Fatalf("%T (filled with %g): entry %d: J %v H %v, QHessian gives %v %v", c, fill, i, jac[i], hess[i], wj[i], wh[i])
				}
			}
		}
	}
}
