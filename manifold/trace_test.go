package manifold

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestTraceLinearLine: x' = A x + B u with A = V diag(1, 0.5, -0.3) V⁻¹ has
// the line of fixed points span(v1) at u = 0. The trace must lie on that
// line to 1e-10 over the arclength bound in each direction, with eigenvalue
// 1, and its selection must equal the analytic drift ‖v1‖ (V⁻¹B)_{1j}
// (sign by orientation).
func TestTraceLinearLine(t *testing.T) {
	V := mat.NewDense(3, 3, []float64{1, 0.4, -0.2, 0.5, 1, 0.3, -0.3, 0.2, 1})
	var Vi mat.Dense
	if err := Vi.Inverse(V); err != nil {
		t.Fatal(err)
	}
	var A mat.Dense
	A.Mul(V, mat.NewDiagDense(3, []float64{1, 0.5, -0.3}))
	A.Mul(&A, &Vi)
	B := []float64{1, 0, 0.5, 2, -1, 0.25} // 3 x 2
	cell := newAffineCell(3, 2, A.RawMatrix().Data, B)
	v1 := mat.Col(nil, 0, V)
	start := []float64{0.3*v1[0] + 0.01, 0.3*v1[1] - 0.02, 0.3*v1[2] + 0.015}
	const L = 2.0
	c, err := Trace(context.Background(), Problem{Cell: cell, Start: start, Input: []float64{0, 0}},
		&Settings{MaxArclength: L, MaxStep: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Closed || c.Ends[0] != EndArclength || c.Ends[1] != EndArclength {
		t.Fatalf("ends %v closed %v, want the arclength limit at both ends", c.Ends, c.Closed)
	}
	if got := c.Points[len(c.Points)-1].S; math.Abs(got-2*L) > 0.1 {
		t.Errorf("length %v, want about %v", got, 2*L)
	}
	unit := append([]float64(nil), v1...)
	floats.Scale(1/floats.Norm(unit, 2), unit)
	var VB mat.Dense
	VB.Mul(&Vi, mat.NewDense(3, 2, B))
	n1 := floats.Norm(v1, 2)
	worst := 0.0
	for _, p := range c.Points {
		// Distance from span(v1).
		along := floats.Dot(p.X, unit)
		off := append([]float64(nil), p.X...)
		floats.AddScaled(off, -along, unit)
		worst = max(worst, floats.Norm(off, 2))
		if math.Abs(p.Eigenvalue-1) > 1e-10 {
			t.Errorf("s = %v: eigenvalue %v, want 1", p.S, p.Eigenvalue)
		}
		if p.Residual > 1e-14 {
			t.Errorf("s = %v: residual %v", p.S, p.Residual)
		}
		sign := math.Copysign(1, floats.Dot(p.Right, v1))
		for j := 0; j < 2; j++ {
			want := sign * n1 * VB.At(0, j)
			if math.Abs(p.Selection[j]-want) > 1e-10*max(1, math.Abs(want)) {
				t.Errorf("s = %v: selection[%d] = %v, want %v", p.S, j, p.Selection[j], want)
			}
		}
	}
	if worst > 1e-10 {
		t.Errorf("largest distance from span(v1) %v, want <= 1e-10", worst)
	}
	// The curve's extent along v1: L on each side of the start's projection.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range c.Points {
		a := floats.Dot(p.X, unit)
		lo, hi = min(lo, a), max(hi, a)
	}
	if math.Abs((hi-lo)-2*L) > 1e-9 {
		t.Errorf("extent along v1 %v, want %v", hi-lo, 2*L)
	}
}

// TestTraceRing: the radial map with g(r*) = 1 has a ring of fixed points
// of radius r*; the trace closes on it and every point lies on it to 1e-8.
func TestTraceRing(t *testing.T) {
	const rStar = 1.5
	cell := newRingCell(0.4, rStar)
	c, err := Trace(context.Background(), Problem{Cell: cell, Start: []float64{1.4, 0.3, 0.05}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Closed || c.Ends != [2]End{EndClosed, EndClosed} {
		t.Fatalf("closed %v, ends %v: want a closed ring", c.Closed, c.Ends)
	}
	angles := make([]float64, 0, len(c.Points))
	for _, p := range c.Points {
		r := math.Hypot(p.X[0], p.X[1])
		if math.Abs(r-rStar) > 1e-8 || math.Abs(p.X[2]) > 1e-8 {
			t.Fatalf("s = %v: x = %v, radius %v: off the ring r = %v", p.S, p.X, r, rStar)
		}
		if math.Abs(p.Eigenvalue-1) > 1e-8 {
			t.Errorf("s = %v: eigenvalue %v, want 1", p.S, p.Eigenvalue)
		}
		angles = append(angles, math.Atan2(p.X[1], p.X[0]))
	}
	// The points go once around: the angle advances monotonically (modulo
	// 2π) by 2π in total, in steps well below a radian.
	total := 0.0
	for i := 1; i < len(angles); i++ {
		d := math.Remainder(angles[i]-angles[i-1], 2*math.Pi)
		if math.Abs(d) > 0.2 {
			t.Fatalf("angular gap %v at point %d", d, i)
		}
		total += d
	}
	total += math.Remainder(angles[0]-angles[len(angles)-1], 2*math.Pi)
	if math.Abs(math.Abs(total)-2*math.Pi) > 1e-9 {
		t.Errorf("the curve winds %v radians, want 2π", total)
	}
	if got := c.Points[len(c.Points)-1].S; math.Abs(got-2*math.Pi*rStar) > 0.2 {
		t.Errorf("length %v, want about %v", got, 2*math.Pi*rStar)
	}
}
