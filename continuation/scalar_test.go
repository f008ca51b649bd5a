package continuation

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// scalarCritical solves x = tanh(w x + u), w sech^2(w x + u) = lambda0 for
// (x, u) by plain Newton from (x0, u0): the fold (lambda0 = 1) or flip
// (lambda0 = -1) of the scalar map, independently of the package.
func scalarCritical(w, lambda0, x0, u0 float64) (x, u float64) {
	x, u = x0, u0
	for it := 0; it < 100; it++ {
		z := w*x + u
		th := math.Tanh(z)
		s2 := 1 - th*th
		f1 := x - th
		f2 := w*s2 - lambda0
		// d(sech^2 z)/dz = -2 tanh z sech^2 z
		a11, a12 := 1-w*s2, -s2
		a21, a22 := w*(-2*th*s2)*w, w*(-2*th*s2)
		det := a11*a22 - a12*a21
		dx := (f1*a22 - a12*f2) / det
		du := (a11*f2 - a21*f1) / det
		x, u = x-dx, u-du
		if math.Abs(dx)+math.Abs(du) < 1e-16 {
			break
		}
	}
	return x, u
}

// seeds finds the fixed points of cell at input u0 with finder.Find from
// the given initial states.
func seeds(t *testing.T, p Problem, inits [][]float64) *finder.FixedPoints {
	t.Helper()
	N := p.Cell.StateSize()
	var flat []float64
	for _, x := range inits {
		flat = append(flat, x...)
	}
	_ = N
	res, err := finder.Find(context.Background(), finder.Problem{Cell: p.Cell, InitialStates: flat, Inputs: p.Path[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Fixed
}

// x' = tanh(2x + u), u from 0 to 1: three fixed points at u = 0 (-0.9575,
// 0, 0.9575); the lower stable one and the saddle at 0 meet in a fold at
// u = 0.532840 (x = -1/sqrt 2) and are one branch; the upper one goes on
// to u = 1.
func TestFoldScalar(t *testing.T) {
	xf, uf := scalarCritical(2, 1, -0.7, 0.5)
	if math.Abs(xf+1/math.Sqrt2) > 1e-12 || math.Abs(uf-0.532840) > 1e-6 {
		t.Fatalf("independent fold at x = %.9f, u = %.9f, want -0.707107, 0.532840", xf, uf)
	}
	cell := newTanhCell(1, 1, []float64{2}, []float64{1}, nil, false)
	p := Problem{Cell: cell, Path: Segment([]float64{0}, []float64{1})}
	p.Start = seeds(t, p, [][]float64{{-1}, {0.1}, {1}, {-0.1}})
	if len(p.Start.Points) != 3 {
		t.Fatalf("%d seeds, want 3", len(p.Start.Points))
	}
	res, err := Continue(context.Background(), p, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	logResult(t, res)
	if len(res.Branches) != 2 {
		t.Fatalf("%d branches, want 2 (the fold pair and the upper branch)", len(res.Branches))
	}
	var folds []Bifurcation
	for _, e := range res.Bifurcations {
		if e.Kind != Fold {
			t.Errorf("unexpected %v at u = %v", e.Kind, e.U)
			continue
		}
		folds = append(folds, e)
	}
	if len(folds) != 1 {
		t.Fatalf("%d folds, want 1", len(folds))
	}
	f := folds[0]
	checkU(t, f, uf)
	if d := math.Abs(f.X[0] - xf); d > 1e-6 {
		t.Errorf("fold at x = %.12f, want %.12f (off by %.2g)", f.X[0], xf, d)
	}
	if math.Abs(real(f.Eigenvalue)-1) > 1e-6 || imag(f.Eigenvalue) != 0 {
		t.Errorf("critical eigenvalue %v, want 1", f.Eigenvalue)
	}
	// The fold's branch holds both seeds: it runs from the stable point
	// (x < 0, stable) through the fold to the saddle at x = 0.
	b := res.Branches[f.Branch]
	if len(b.Seeds) != 2 || b.End != Joined {
		t.Errorf("fold branch seeds %v, end %v; want two seeds, joined", b.Seeds, b.End)
	}
	first, last := b.Points[0], b.Points[len(b.Points)-1]
	if first.S != 0 || last.S != 0 {
		t.Errorf("fold branch runs from s = %v to %v, want 0 to 0", first.S, last.S)
	}
	stable, saddle := first, last
	if stable.X[0] > saddle.X[0] {
		stable, saddle = saddle, stable
	}
	if !stable.Stable || math.Abs(stable.X[0]+0.957504) > 1e-5 {
		t.Errorf("fold branch end %+v, want the stable point at -0.957504", stable)
	}
	if saddle.NUnstable != 1 || math.Abs(saddle.X[0]) > 1e-10 {
		t.Errorf("fold branch end %+v, want the saddle at 0 with one unstable mode", saddle)
	}
	// Every point of the branch is a fixed point and is labelled by the
	// sign of 2 sech^2(2x + u) - 1.
	for _, pt := range b.Points {
		x, u := pt.X[0], pt.U[0]
		if r := math.Abs(math.Tanh(2*x+u) - x); r > 1e-12 {
			t.Errorf("point %+v: residual %.2g", pt, r)
		}
		lam := 2 / math.Pow(math.Cosh(2*x+u), 2)
		if math.Abs(lam-1) > 1e-3 && (lam > 1) != (pt.NUnstable == 1) {
			t.Errorf("point at x = %v, u = %v: lambda %v but %d unstable", x, u, lam, pt.NUnstable)
		}
	}
	other := res.Branches[1-f.Branch]
	end := other.Points[len(other.Points)-1]
	if other.End != PathEnd || end.U[0] != 1 || !end.Stable {
		t.Errorf("upper branch ends %v at %+v, want the path's end, stable", other.End, end)
	}
}

// x' = tanh(-2x + u), u from 0 to 3: the single fixed point gains stability
// in a flip (eigenvalue -1) at u = 2.295587, where x = 1/sqrt 2.
func TestFlipScalar(t *testing.T) {
	xf, uf := scalarCritical(-2, -1, 0.7, 2.3)
	if math.Abs(uf-2.295587) > 1e-6 {
		t.Fatalf("independent flip at u = %.9f, want 2.295587", uf)
	}
	cell := newTanhCell(1, 1, []float64{-2}, []float64{1}, nil, false)
	p := Problem{Cell: cell, Path: Segment([]float64{0}, []float64{3})}
	p.Start = seeds(t, p, [][]float64{{-1}, {0.1}, {1}})
	res, e := continueOne(t, p, Settings{}, Flip)
	if len(res.Branches) != 1 {
		t.Fatalf("%d branches, want 1", len(res.Branches))
	}
	checkU(t, e, uf)
	if d := math.Abs(e.X[0] - xf); d > 1e-8 {
		t.Errorf("flip at x = %.12f, want %.12f", e.X[0], xf)
	}
	if math.Abs(real(e.Eigenvalue)+1) > 1e-8 {
		t.Errorf("critical eigenvalue %v, want -1", e.Eigenvalue)
	}
	b := res.Branches[0]
	// At u = 0 the point x = 0 has eigenvalue -2 (unstable, flipping); past
	// the flip |lambda| < 1.
	if b.Points[0].NUnstable != 1 || !b.Points[len(b.Points)-1].Stable || b.End != PathEnd {
		t.Errorf("branch from %+v to %+v (%v), want one unstable mode to stable at the path's end", b.Points[0], b.Points[len(b.Points)-1], b.End)
	}
}

func logResult(t *testing.T, res *Result) {
	t.Helper()
	for i, b := range res.Branches {
		t.Logf("branch %d: seeds %v, %d points, %d steps, end %v", i, b.Seeds, len(b.Points), b.Steps, b.End)
	}
	for _, e := range res.Bifurcations {
		t.Logf("%v on branch %d at s = %.12f, u = %.12g, eigenvalue %.9g, bracket %.2g, test %.2g", e.Kind, e.Branch, e.S, e.U, e.Eigenvalue, e.Bracket, e.TestValue)
	}
	t.Logf("stats %+v", res.Stats)
}

// A polyline path: x' = tanh(2x + u) along u = 0 -> 0.3 -> 1 -> 0.8 (the
// last segment goes back). The fold is on the second segment and is
// located as on the straight path; the upper branch crosses both vertices
// and ends at u = 0.8, s = 1.2.
func TestFoldPolyline(t *testing.T) {
	_, uf := scalarCritical(2, 1, -0.7, 0.5)
	cell := newTanhCell(1, 1, []float64{2}, []float64{1}, nil, false)
	p := Problem{Cell: cell, Path: Path{{0}, {0.3}, {1}, {0.8}}}
	p.Start = seeds(t, p, [][]float64{{-1}, {0.1}, {1}})
	res, e := continueOne(t, p, Settings{}, Fold)
	if math.Abs(e.U[0]-uf) > 1e-8 || math.Abs(e.S-uf) > 1e-8 {
		t.Errorf("fold at u = %.12f, s = %.12f; want both %.12f", e.U[0], e.S, uf)
	}
	var upper *Branch
	for i := range res.Branches {
		if res.Branches[i].Points[0].X[0] > 0.5 {
			upper = &res.Branches[i]
		}
	}
	if upper == nil {
		t.Fatal("no upper branch")
	}
	last := upper.Points[len(upper.Points)-1]
	if upper.End != PathEnd || math.Abs(last.S-1.2) > 1e-12 || math.Abs(last.U[0]-0.8) > 1e-12 {
		t.Errorf("upper branch ends %v at s = %v, u = %v; want the path's end s = 1.2, u = 0.8", upper.End, last.S, last.U)
	}
	if r := math.Abs(math.Tanh(2*last.X[0]+0.8) - last.X[0]); r > 1e-12 {
		t.Errorf("end point residual %.2g", r)
	}
	hit := map[float64]bool{}
	for _, pt := range upper.Points {
		for _, v := range []float64{0.3, 1} {
			if math.Abs(pt.S-v) < 1e-12 {
				hit[v] = true
			}
		}
	}
	if !hit[0.3] || !hit[1] {
		t.Errorf("upper branch has no point on the vertices (s = 0.3: %v, s = 1: %v)", hit[0.3], hit[1])
	}
}
