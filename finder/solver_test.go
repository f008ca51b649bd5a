package finder

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/graph"
	G "gorgonia.org/gorgonia"
)

// stepUntil runs solver on the flip-flop objective from the 5^3 grid and
// freezes (for CandidateAdam) each row once q < tol; it returns how far
// each converged row moved after it converged, and how many converged.
func stepUntil(t *testing.T, solver G.Solver, freeze func(int), iters int, tol float64) (moved []float64, converged int) {
	t.Helper()
	x0 := grid(3, 5, -1.5, 1.5)
	B := len(x0) / 3
	ob, err := graph.NewObjective(flipflopCell(3, 2), B, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.SetStates(x0); err != nil {
		t.Fatal(err)
	}
	at := make([][]float64, B) // where each row converged
	moved = make([]float64, B)
	for it := 0; it < iters; it++ {
		if err := ob.Eval(); err != nil {
			t.Fatal(err)
		}
		x := ob.States()
		for b := 0; b < B; b++ {
			if at[b] == nil && ob.Q()[b] < tol {
				at[b] = append([]float64(nil), x[b*3:(b+1)*3]...)
				converged++
				if freeze != nil {
					freeze(b)
				}
			}
			if at[b] != nil {
				for i := 0; i < 3; i++ {
					moved[b] = math.Max(moved[b], math.Abs(x[b*3+i]-at[b][i]))
				}
			}
		}
		if err := solver.Step([]G.ValueGrad{ob.Candidates()}); err != nil {
			t.Fatal(err)
		}
	}
	return moved, converged
}

// TestConvergedCandidatesStayConverged: with gorgonia's stock AdamSolver a
// row that met the tolerance keeps moving (Adam's momentum and the shared
// step); CandidateAdam freezes it where it converged, bit for bit.
func TestConvergedCandidatesStayConverged(t *testing.T) {
	const iters, tol = 400, 1e-12
	stock := G.NewAdamSolver(G.WithLearnRate(0.1))
	movedStock, nStock := stepUntil(t, stock, nil, iters, tol)
	ours := NewCandidateAdam(125, 3, 0.1, 1e-8)
	movedOurs, nOurs := stepUntil(t, ours, ours.Freeze, iters, tol)
	if nStock == 0 || nOurs == 0 {
		t.Fatalf("no row converged (stock %d, ours %d): the test proves nothing", nStock, nOurs)
	}
	maxStock, maxOurs := 0.0, 0.0
	for b := range movedStock {
		maxStock = math.Max(maxStock, movedStock[b])
		maxOurs = math.Max(maxOurs, movedOurs[b])
	}
	t.Logf("converged rows: stock %d, ours %d; largest drift after convergence: stock %g, ours %g", nStock, nOurs, maxStock, maxOurs)
	if maxOurs != 0 {
		t.Errorf("a frozen row moved by %g after converging", maxOurs)
	}
	if maxStock < 1e-9 {
		t.Errorf("stock Adam rows drifted only %g: this test no longer shows the defect it guards against", maxStock)
	}
}

// TestFindFlipFlop27: tanh(2x), N = 3, from the 5^3 grid: all 27 fixed
// points, each with q < 1e-20, 8 of them stable.
func TestFindFlipFlop27(t *testing.T) {
	res, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 27 || res.Slow.Len() != 0 {
		t.Fatalf("%d fixed and %d slow points, want 27 and 0", res.Fixed.Len(), res.Slow.Len())
	}
	stable := 0
	for _, p := range res.Fixed.Points {
		if !(p.Q < 1e-20) {
			t.Errorf("point %v: q = %g, want < 1e-20", p.X, p.Q)
		}
		if p.Residual > 1e-14 {
			t.Errorf("point %v: residual %g > 1e-14", p.X, p.Residual)
		}
		if p.Stability.Stable {
			stable++
		}
	}
	if stable != 8 {
		t.Errorf("%d stable, want 8", stable)
	}
	counts := res.Fixed.CountBySaddleIndex()
	if counts[0] != 8 || counts[1] != 12 || counts[2] != 6 || counts[3] != 1 {
		t.Errorf("saddle indices %v, want 8/12/6/1", counts)
	}
	if res.Status != Converged {
		t.Errorf("status %v", res.Status)
	}
}

// TestSequentialAgreesWithJoint: both methods find the same 27 points, and
// one initial state works.
func TestSequentialAgreesWithJoint(t *testing.T) {
	for _, s := range []*Settings{{Batching: Sequential}, {Batching: Sequential, NoRefine: true}, {NoRefine: true}} {
		res, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 3, -0.96, 0.96)}, s)
		if err != nil {
			t.Fatal(err)
		}
		joint, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 3, -0.96, 0.96)}, &Settings{NoRefine: s.NoRefine})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fixed.Len() != joint.Fixed.Len() {
			t.Errorf("%+v: sequential %d points, joint %d", *s, res.Fixed.Len(), joint.Fixed.Len())
		}
		for _, p := range joint.Fixed.Points {
			if !res.Fixed.Contains(p.X, p.U, 1e-6) {
				t.Errorf("%+v: joint point %v missing from sequential", *s, p.X)
			}
		}
	}
	// Without completion, which would seed more candidates from the one point.
	one, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: []float64{0.5, -0.4, 0.1}}, &Settings{NoComplete: true})
	if err != nil {
		t.Fatal(err)
	}
	if one.Fixed.Len() != 1 || one.All.Len() != 1 {
		t.Fatalf("one initial state: %d fixed, %d candidates", one.Fixed.Len(), one.All.Len())
	}
	if r := one.Fixed.Points[0].Residual; r > 1e-14 {
		t.Errorf("one initial state: residual %g", r)
	}
}

// TestReferenceAdamRuns: the reference's optimizer finds the flip-flop's
// stable points (no refinement) and reports q where each candidate stopped.
func TestReferenceAdamRuns(t *testing.T) {
	res, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)},
		&Settings{Optimizer: ReferenceAdam, NoRefine: true, TolResidual: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.All.Points {
		if got := halfSq(p.F, p.X); got != p.Q {
			t.Fatalf("q %g is not that of the reported x* (%g)", p.Q, got)
		}
	}
	if res.Fixed.Len() < 8 {
		t.Errorf("reference Adam found %d points, want at least the 8 stable ones", res.Fixed.Len())
	}
	if res.Stats.Iters == 0 {
		t.Error("no iterations recorded")
	}
}

// TestLineAttractor: F(x) = A x with A = diag(1, 0.5) fixes the whole line
// x2 = 0. I - J is singular there; the refinement must not fail, every
// reported point must lie on the line and be reported marginal.
func TestLineAttractor(t *testing.T) {
	cell := newAffineCell(2, 0, []float64{1, 0, 0, 0.5}, nil, nil)
	starts := []float64{0.3, 0.4, -0.7, -0.2, 1.2, 0.9, 0, 0.5}
	res, err := Find(context.Background(), Problem{Cell: cell, InitialStates: starts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() == 0 {
		t.Fatal("no fixed point on the line attractor")
	}
	for _, p := range res.Fixed.Points {
		if math.Abs(p.X[1]) > 1e-10 || p.Residual > 1e-10 {
			t.Errorf("point %v off the line (residual %g)", p.X, p.Residual)
		}
		if !p.Stability.Marginal || p.Stability.Stable || p.Stability.NUnstable != 0 {
			t.Errorf("point %v: stability %+v, want marginal", p.X, p.Stability)
		}
	}
}

// TestCandidateAdamSubsetInPlace checks that subset, which moves the rows
// down in s's own storage, leaves the solver as a new one made for the
// rows (subsetNew) would be, and that both step alike afterwards.
func TestCandidateAdamSubsetInPlace(t *testing.T) {
	const B, N = 16, 3
	r := rand.New(rand.NewPCG(31, 32))
	a, b := NewCandidateAdam(B, N, 0.05, 1e-8), NewCandidateAdam(B, N, 0.05, 1e-8)
	x := make([]float64, B*N)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	xb := append([]float64(nil), x...)
	g := make([]float64, B*N)
	step := func(s *CandidateAdam, x []float64) {
		s.step(func(i int) float64 { return g[i] }, func(i int, d float64) { x[i] += d })
	}
	for it := 0; it < 12; it++ {
		for i := range g {
			g[i] = r.NormFloat64()
		}
		step(a, x)
		step(b, xb)
		for row := 0; row < B; row++ {
			q := r.Float64()
			a.Observe(row, q)
			b.Observe(row, q)
		}
	}
	a.Freeze(5)
	b.Freeze(5)
	rows := []int{1, 2, 5, 9, 10, 15}
	got, want := a.subset(rows, 8), b.subsetNew(rows, 8)
	if got != a {
		t.Fatal("subset of increasing rows into a smaller batch made a new solver")
	}
	same := func(when string) {
		t.Helper()
		if got.B != want.B || !slices.Equal(got.LR, want.LR) || !slices.Equal(got.frozen, want.frozen) || !slices.Equal(got.t, want.t) ||
			!slices.Equal(got.sched, want.sched) || !slices.Equal(got.m, want.m) || !slices.Equal(got.v, want.v) {
			t.Fatalf("%s: in place %+v, new %+v", when, *got, *want)
		}
	}
	same("after subset")
	xa, xn := make([]float64, 8*N), make([]float64, 8*N)
	for k, row := range rows {
		copy(xa[k*N:(k+1)*N], x[row*N:(row+1)*N])
		copy(xn[k*N:(k+1)*N], xb[row*N:(row+1)*N])
	}
	g = g[:8*N]
	for it := 0; it < 5; it++ {
		for i := range g {
			g[i] = r.NormFloat64()
		}
		step(got, xa)
		step(want, xn)
	}
	same("after 5 more steps")
	if !slices.Equal(xa, xn) {
		t.Fatalf("states %v and %v", xa, xn)
	}
}
