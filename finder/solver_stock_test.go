package finder

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/graph"
	G "gorgonia.org/gorgonia"
)

// stockSolvers are gorgonia's stock solvers with the learning rates used
// here for the flip-flop (their defaults, 0.001, crawl).
var stockSolvers = []struct {
	name string
	make func(rows, n int) G.Solver
}{
	{"Adam", func(int, int) G.Solver { return G.NewAdamSolver(G.WithLearnRate(0.05)) }},
	{"RMSProp", func(int, int) G.Solver { return G.NewRMSPropSolver(G.WithLearnRate(0.01)) }},
	{"Vanilla", func(int, int) G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.5)) }},
	{"Momentum", func(int, int) G.Solver { return G.NewMomentum(G.WithLearnRate(0.2)) }},
	// gorgonia v0.9.18's WithLearnRate does not reach AdaGradSolver: its
	// rate stays 0.001.
	{"AdaGrad", func(int, int) G.Solver { return G.NewAdaGradSolver() }},
	{"BarzilaiBorwein", func(int, int) G.Solver { return G.NewBarzilaiBorweinSolver(G.WithLearnRate(0.5)) }},
}

// TestFindStockSolversFlipFlop27: Find with gorgonia's own solvers finds and
// certifies the 27 fixed points of tanh(2x), N = 3, from the 5^3 grid, and
// no row of a candidate that is done (nor a padding row) moves by a single
// bit in any step, while the others do. HandoffQ is lowered so that the
// first-order search does real work (at the default 1 most of the grid is
// handed to the refinement at once); the default is run as well.
func TestFindStockSolversFlipFlop27(t *testing.T) {
	for _, sv := range stockSolvers {
		for _, handoff := range []float64{1e-8, 0} {
			s := &Settings{NewSolver: sv.make, HandoffQ: handoff}
			s.fill()
			p := Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}
			f, err := newFinder(p, *s)
			if err != nil {
				t.Fatal(err)
			}
			var frozenSteps, movedRows int
			f.stepHook = func(before, after []float64, active []int) {
				N := f.N
				for r := 0; r*N < len(before); r++ {
					same := true
					for i := r * N; i < (r+1)*N; i++ {
						// Bitwise: -0 and +0 or two NaNs would be a move.
						if math.Float64bits(before[i]) != math.Float64bits(after[i]) {
							same = false
						}
					}
					frozen := r >= len(active) || f.cands[active[r]].done
					switch {
					case frozen && !same:
						t.Errorf("%s: row %d (frozen) moved", sv.name, r)
					case frozen:
						frozenSteps++
					case !same:
						movedRows++
					}
				}
			}
			res, err := f.run(context.Background(), p)
			if err != nil {
				t.Fatalf("%s: %v", sv.name, err)
			}
			name := sv.name + " handoff " + map[bool]string{true: "1e-8", false: "default"}[handoff > 0]
			checkFound(t, name, res.Fixed, flipflopExpected(3, 2), 1e-8, 1e-10)
			if res.Slow.Len() != 0 || res.Stats.Certified != 125 || res.Status != Converged {
				t.Errorf("%s: %d slow points, %d of 125 certified, status %v", name, res.Slow.Len(), res.Stats.Certified, res.Status)
			}
			if handoff > 0 && (frozenSteps == 0 || movedRows == 0) {
				t.Errorf("%s: %d frozen row-steps, %d moving row-steps: the freezing is not exercised", name, frozenSteps, movedRows)
			}
			t.Logf("%s: %d first-order iterations, %d refinement iterations, %d frozen and %d moving row-steps",
				name, res.Stats.Iters, res.Stats.RefineIters, frozenSteps, movedRows)
		}
	}
}

// maskedSolver steps a stock solver through rowSolver's masking, as a
// gorgonia.Solver for stepUntil.
type maskedSolver struct{ *rowSolver }

func (m maskedSolver) Step(model []G.ValueGrad) error { return m.step(model[0]) }

// TestMaskedStockSolversStayConverged: every stock solver, masked, leaves a
// row exactly where it converged, where unmasked Adam lets it drift (see
// TestConvergedCandidatesStayConverged); the other rows keep converging.
func TestMaskedStockSolversStayConverged(t *testing.T) {
	for _, sv := range stockSolvers {
		s := &Settings{NewSolver: sv.make, LearningRate: 1}
		r, err := newRowSolver(s, 125, 3, 125)
		if err != nil {
			t.Fatal(err)
		}
		moved, n := stepUntil(t, maskedSolver{r}, r.freeze, 300, 1e-12)
		if n < 10 && sv.name != "AdaGrad" { // AdaGrad at 0.001 crawls: see TestMaskedStockSolversFreezeRows
			t.Errorf("%s: only %d of 125 rows reached q < 1e-12 in 300 steps: the test proves little", sv.name, n)
		}
		for b, d := range moved {
			if d != 0 {
				t.Errorf("%s: row %d moved by %g after it was frozen", sv.name, b, d)
			}
		}
		t.Logf("%s: %d rows converged and stayed", sv.name, n)
	}
}

// A stock solver cannot be combined with ReferenceAdam, and a constructor
// returning nil is an error, not a panic.
func TestNewSolverSettings(t *testing.T) {
	p := Problem{Cell: flipflopCell(2, 2), InitialStates: grid(2, 3, -1, 1)}
	mk := func(int, int) G.Solver { return G.NewVanillaSolver() }
	for _, s := range []*Settings{
		{NewSolver: mk, Optimizer: ReferenceAdam},
		{NewSolver: func(int, int) G.Solver { return nil }, HandoffQ: 1e-30},
	} {
		if _, err := Find(context.Background(), p, s); !errors.Is(err, ErrSettings) {
			t.Errorf("settings %+v: error %v, want ErrSettings", s, err)
		}
	}
}

// TestMaskedStockSolversFreezeRows: with every other row frozen from the
// start, a masked stock solver moves each free row and no frozen one.
func TestMaskedStockSolversFreezeRows(t *testing.T) {
	for _, sv := range stockSolvers {
		s := &Settings{NewSolver: sv.make, LearningRate: 1}
		r, err := newRowSolver(s, 125, 3, 125)
		if err != nil {
			t.Fatal(err)
		}
		for b := 0; b < 125; b += 2 {
			r.freeze(b)
		}
		ob, err := graph.NewObjective(flipflopCell(3, 2), 125, graph.Float64)
		if err != nil {
			t.Fatal(err)
		}
		x0 := grid(3, 5, -1.5, 1.5)
		x0[0] = 0.3 // row 0 (frozen) off its fixed point, so its gradient is not zero
		if err := ob.SetStates(x0); err != nil {
			t.Fatal(err)
		}
		for it := 0; it < 20; it++ {
			if err := ob.Eval(); err != nil {
				t.Fatal(err)
			}
			if err := r.step(ob.Candidates()); err != nil {
				t.Fatal(err)
			}
		}
		x := ob.States()
		movedFree := 0
		for b := 0; b < 125; b++ {
			same := true
			for i := b * 3; i < b*3+3; i++ {
				same = same && math.Float64bits(x[i]) == math.Float64bits(x0[i])
			}
			switch {
			case b%2 == 0 && !same:
				t.Errorf("%s: frozen row %d moved from %v to %v", sv.name, b, x0[b*3:b*3+3], x[b*3:b*3+3])
			case b%2 == 1 && !same:
				movedFree++
			}
		}
		// Free rows at a fixed point of the grid (x in {0, +-a}^3 is not on
		// the grid, but 0 is) have zero gradient; every other free row moves.
		if movedFree < 50 {
			t.Errorf("%s: only %d of 62 free rows moved", sv.name, movedFree)
		}
	}
}
