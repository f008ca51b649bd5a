package continuation

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// x' = tanh(-2x + u), u from 0 to 3: the fixed point flips at
// u_f = atanh(1/sqrt 2) + sqrt 2 (x_f = 1/sqrt 2, multiplier -1); the
// period-2 branch lives at u < u_f and reaches u = 0 as the 2-cycle
// +-x*, x* = tanh(2 x*). On it the multiplier is
// mu = 4 (1 - x_0^2)(1 - x_1^2), which tends to 1 at the flip.
func TestFollowFlipScalar(t *testing.T) {
	_, uf := scalarCritical(-2, -1, 0.7, 2.3)
	cell := newTanhCell(1, 1, []float64{-2}, []float64{1}, nil, false)
	p := Problem{Cell: cell, Path: Segment([]float64{0}, []float64{3})}
	p.Start = seeds(t, p, [][]float64{{-1}, {0.1}, {1}})
	s := Settings{MaxStep: 0.01}
	_, flip := continueOne(t, p, s, Flip)
	br, err := FollowFlip(context.Background(), cell, p.Path, flip, s)
	if err != nil {
		t.Fatal(err)
	}
	f := func(x, u float64) float64 { return math.Tanh(-2*x + u) }
	if br.End != PathStart || len(br.Points) < 10 {
		t.Fatalf("branch of %d points ends %v, want many points ending at u = 0", len(br.Points), br.End)
	}
	worst, worstMu := 0.0, 0.0
	for i, pt := range br.Points {
		u, x0, x1 := pt.U[0], pt.Points[0][0], pt.Points[1][0]
		// Independent checks in plain Go: F^2(x) = x at both points, F(x0) = x1.
		r := math.Max(math.Abs(f(f(x0, u), u)-x0), math.Abs(f(f(x1, u), u)-x1))
		r = math.Max(r, math.Abs(f(x0, u)-x1))
		worst = math.Max(worst, r)
		if r > 1e-12 {
			t.Errorf("point %d at u = %.6f: |F^2(x) - x| = %.2g", i, u, r)
		}
		if math.Abs(x0-x1) < 1e-6 {
			t.Errorf("point %d at u = %.6f: x0 = x1 = %v, not a 2-cycle", i, u, x0)
		}
		mu := 4 * (1 - x0*x0) * (1 - x1*x1)
		if len(pt.Floquet) != 1 || math.Abs(real(pt.Floquet[0].Value)-mu) > 1e-10 {
			t.Errorf("point %d at u = %.6f: multiplier %v, want %.12f", i, u, pt.Floquet, mu)
		}
		worstMu = math.Max(worstMu, math.Abs(real(pt.Floquet[0].Value)-mu))
		if u > uf+1e-9 {
			t.Errorf("point %d at u = %.12f beyond the flip u_f = %.12f", i, u, uf)
		}
		if i > 0 && !pt.Stable {
			t.Errorf("point %d at u = %.6f: multiplier %v classed unstable or undecided, want stable (supercritical flip)", i, u, pt.Floquet[0].Value)
		}
	}
	// Where mu passes through 1: fit mu - 1 = c0 + c1 d + ... + c4 d^4,
	// d = u - u_f (analytic), on the points with u_f - u < 0.05, and ask
	// the fit's zero to lie within 1e-8 of d = 0, with a positive slope: mu
	// rises to 1 exactly at the analytic flip. The first point is not at
	// the flip (it has amplitude 1e-4, about 2e-8 below u_f in u).
	var ds, ys []float64
	for _, pt := range br.Points {
		if d := pt.U[0] - uf; d > -0.05 {
			ds, ys = append(ds, d), append(ys, real(pt.Floquet[0].Value)-1)
		}
	}
	c := polyFit(ds, ys, 4)
	root := -c[0] / c[1] // the fit's zero near d = 0, to first order
	if len(ds) < 8 || math.Abs(root) > 1e-8 || c[1] <= 0 {
		t.Errorf("fit of mu - 1 on %d points near the flip: %.3g + %.6g d + ...: mu = 1 at u_f %+.2g, want within 1e-8 of the analytic u_f, slope > 0", len(ds), c[0], c[1], root)
	}
	last := br.Points[len(br.Points)-1]
	xs := 0.9575040240772688 // x* = tanh(2 x*), see orbits' bisection test
	if math.Abs(last.U[0]) > 1e-12 || math.Abs(math.Abs(last.Points[0][0])-xs) > 1e-10 {
		t.Errorf("branch ends at u = %g with points %v, want u = 0 and +-%.16f", last.U[0], last.Points, xs)
	}
	first := br.Points[0]
	t.Logf("flip at u_f = %.12f (analytic %.12f); first orbit at u = %.12f, mu = %.12f; %d points, %d steps, end %v; max |F^2(x) - x| = %.2g; max multiplier error %.2g; fit mu - 1 = %.2g + %.6f d + %.6f d^2 + ... on %d points: mu = 1 at u_f %+.2g",
		flip.U[0], uf, first.U[0], real(first.Floquet[0].Value), len(br.Points), br.Steps, br.End, worst, worstMu, c[0], c[1], c[2], len(ds), root)
}

// polyFit fits y = sum_k c_k d^k (k = 0..deg) by least squares (QR).
func polyFit(d, y []float64, deg int) []float64 {
	a := mat.NewDense(len(d), deg+1, nil)
	for i, v := range d {
		p := 1.0
		for k := 0; k <= deg; k++ {
			a.Set(i, k, p)
			p *= v
		}
	}
	var c mat.VecDense
	if err := c.SolveVec(a, mat.NewVecDense(len(y), y)); err != nil {
		return make([]float64, deg+1)
	}
	return c.RawVector().Data
}
