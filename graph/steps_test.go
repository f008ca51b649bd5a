package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// TestObjectiveStepsMatchesRepeatedSteps checks F^k and the gradient of
// q_k = 0.5*||F^k(x) - x||^2 against the plain-Go equations of each cell
// (torchref) applied k times, and central differences of that q_k.
func TestObjectiveStepsMatchesRepeatedSteps(t *testing.T) {
	const B, k, h = 3, 3, 1e-6
	for name, c := range torchref.Cells() {
		r := rand.New(rand.NewPCG(5, 6))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		o, err := NewObjectiveSteps(c, B, k, Float64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.Steps() != k {
			t.Fatalf("%s: Steps() = %d, want %d", name, o.Steps(), k)
		}
		if err := o.SetStates(x); err != nil {
			t.Fatal(err)
		}
		if err := o.SetInputs(u); err != nil {
			t.Fatal(err)
		}
		if err := o.Eval(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fk := func(x0, ub []float64) []float64 {
			y := append([]float64(nil), x0...)
			for j := 0; j < k; j++ {
				y = torchref.Step(c, y, ub)
			}
			return y
		}
		qk := func(x0, ub []float64) float64 {
			y, q := fk(x0, ub), 0.0
			for i := range y {
				q += 0.5 * (y[i] - x0[i]) * (y[i] - x0[i])
			}
			return q
		}
		for b := 0; b < B; b++ {
			xb, ub := x[b*N:(b+1)*N], u[b*M:(b+1)*M]
			want := fk(xb, ub)
			for i := range want {
				if d := math.Abs(o.F()[b*N+i] - want[i]); d > 1e-13 {
					t.Errorf("%s: F^%d[%d][%d] = %v, want %v", name, k, b, i, o.F()[b*N+i], want[i])
				}
			}
			if q := qk(xb, ub); math.Abs(o.Q()[b]-q) > 1e-13*math.Max(1, q) {
				t.Errorf("%s: q_%d[%d] = %v, want %v", name, k, b, o.Q()[b], q)
			}
			for i := 0; i < N; i++ {
				xp := append([]float64(nil), xb...)
				xm := append([]float64(nil), xb...)
				xp[i] += h
				xm[i] -= h
				fd := (qk(xp, ub) - qk(xm, ub)) / (2 * h)
				if e := relErr(o.Grad()[b*N+i], fd); e > 1e-6 {
					t.Errorf("%s: dq_%d/dx[%d][%d] = %v, finite difference %v", name, k, b, i, o.Grad()[b*N+i], fd)
				}
			}
		}
	}
	if _, err := NewObjectiveSteps(nil, 1, 0, Float64); err == nil {
		t.Error("nil cell and k = 0 accepted")
	}
	for c := range torchref.Cells() {
		if _, err := NewObjectiveSteps(torchref.Cells()[c], 1, MaxSteps+1, Float64); err == nil {
			t.Errorf("k = %d accepted", MaxSteps+1)
		}
		break
	}
}
