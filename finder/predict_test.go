package finder

import (
	"math"
	"testing"
)

// On a linear cell F(x, u) = A x + B u + c the linear prediction is exact,
// at a fixed point and away from one.
func TestPredictLinearCellExact(t *testing.T) {
	const N, M = 2, 1
	A := []float64{0.5, 0.2, -0.1, 0.3}
	B := []float64{1, -2}
	c := []float64{0.1, 0.4}
	F := func(x, u []float64) []float64 {
		return []float64{A[0]*x[0] + A[1]*x[1] + B[0]*u[0] + c[0], A[2]*x[0] + A[3]*x[1] + B[1]*u[0] + c[1]}
	}
	// Fixed point for u* = 0.7: (I - A) x* = B u* + c, solved by Cramer's rule.
	u0 := []float64{0.7}
	r0, r1 := B[0]*u0[0]+c[0], B[1]*u0[0]+c[1]
	a, b, cc, d := 1-A[0], -A[1], -A[2], 1-A[3]
	det := a*d - b*cc
	xs := []float64{(r0*d - b*r1) / det, (a*r1 - cc*r0) / det}
	slow := []float64{1, -1} // not a fixed point
	fp := pointsAt(N, M, [][]float64{xs, slow}, u0)
	fp.Points[1].F = F(slow, u0)
	if err := Linearize(newAffineCell(N, M, A, B, c), fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	x, u := []float64{-0.3, 2.5}, []float64{-1.2}
	want := F(x, u)
	for k := range fp.Points {
		got, err := fp.Points[k].Predict(x, u)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-14 {
				t.Errorf("point %d: prediction %v, want %v", k, got, want)
				break
			}
		}
	}
	// nil u keeps the input at u*.
	got, err := fp.Points[0].Predict(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = F(x, u0)
	if math.Abs(got[0]-want[0]) > 1e-14 || math.Abs(got[1]-want[1]) > 1e-14 {
		t.Errorf("nil u: prediction %v, want %v", got, want)
	}
}

func TestPredictErrors(t *testing.T) {
	p := Point{X: []float64{0, 0}, U: []float64{0}}
	if _, err := p.Predict([]float64{1, 1}, nil); err == nil {
		t.Errorf("no Jacobian: no error")
	}
	p.Jacobian = []float64{1, 0, 0, 1}
	p.InputJacobian = []float64{1, 1}
	for _, c := range []struct{ x, u []float64 }{
		{[]float64{1}, []float64{0}},
		{[]float64{1, 2, 3}, []float64{0}},
		{[]float64{1, 2}, []float64{0, 1}},
		{[]float64{1, 2}, []float64{}},
	} {
		if _, err := p.Predict(c.x, c.u); err == nil {
			t.Errorf("Predict(%v, %v): no error", c.x, c.u)
		}
	}
	if got, err := p.Predict([]float64{1, 2}, []float64{3}); err != nil || got[0] != 4 || got[1] != 5 {
		t.Errorf("Predict = %v, %v; want [4 5]", got, err)
	}
}
