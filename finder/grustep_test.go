package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// TestGRUStepMatchesGraph: the finder's GRU step (cells.GRU.StepRows)
// gives the graph's Stepper's F bit for bit, on GRUs with and without
// inputs, weights scaled so that gates saturate, at states from moderate
// to large, with inputs shared by runs of rows and changing between them;
// with ResetBeforeLinear the graph is kept.
func TestGRUStepMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			cell := scaledGRU(M, scale, uint64(20+M))
			const N, n = 16, 300
			s := Settings{}
			s.fill()
			f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, N)}, s)
			if err != nil {
				t.Fatal(err)
			}
			g := f.gruStepper()
			if g == nil {
				t.Fatal("no Go step for a float64 GRU")
			}
			r := rand.New(rand.NewPCG(20, uint64(M)))
			B := batchRows(n, N)
			x := make([]float64, B*N)
			for i := range x {
				x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(4)-1))
			}
			u := make([]float64, B*M)
			for row := 0; row < B; row++ {
				if row%7 == 0 {
					for j := 0; j < M; j++ {
						u[row*M+j] = r.NormFloat64()
					}
					continue
				}
				copy(u[row*M:(row+1)*M], u[(row-1)*M:row*M])
			}
			st, err := f.steps.get(B)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, B*N)
			if err := st.Step(x, u, want); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, B*N)
			f.paddedRows(g, x, u, got, n, n)
			for i := range got[:n*N] {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("M %d scale %g: F[%d] = %v, graph gives %v", M, scale, i, got[i], want[i])
				}
			}
		}
	}
	cell := cells.NewGRU(16, 3)
	cell.InitUniform(1)
	cell.ResetBeforeLinear = true
	s := Settings{}
	s.fill()
	f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 16)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if f.gruStepper() != nil {
		t.Error("Go step taken with ResetBeforeLinear")
	}
}

// TestGRUJacobiansMatchGraph: the refinement's GRU Jacobians
// (cells.GRU.JacobianRows) are the graph's closed-form dF/dx bit for bit,
// with and without inputs, at moderate and saturating weights and states.
func TestGRUJacobiansMatchGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			cell := scaledGRU(M, scale, uint64(30+M))
			const N, n = 16, 100
			s := Settings{}
			s.fill()
			f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, N)}, s)
			if err != nil {
				t.Fatal(err)
			}
			g := f.gruStepper()
			if g == nil {
				t.Fatal("no Go step for a float64 GRU")
			}
			r := rand.New(rand.NewPCG(30, uint64(M)))
			B := batchRows(n, N)
			x, u := make([]float64, B*N), make([]float64, B*M)
			for i := range x {
				x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(4)-1))
			}
			for i := range u {
				u[i] = r.NormFloat64()
			}
			jacobianRowsMatchGraph(t, f, g.JacobianRows, x, u, n, N, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}

// TestGRUObjectiveMatchesGraph: cells.GRU.ObjectiveRows gives the graph's
// objective (q, F and ∇q) bit for bit, with and without inputs, weights
// x1 and x6, states from moderate to large, batches of 5 to 703 rows.
func TestGRUObjectiveMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			B := map[float64]int{1: 5, 6: 700}[scale] + M
			cell := scaledGRU(M, scale, uint64(40+M))
			const N = 16
			r := rand.New(rand.NewPCG(40, uint64(M)))
			x, u := make([]float64, B*N), make([]float64, B*M)
			for i := range x {
				x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(4)-1))
			}
			for i := range u {
				u[i] = r.NormFloat64()
			}
			objectiveRowsMatchGraph(t, cell, cell, x, u, B, N, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}

// TestGRULinearizationMatchesGraph: EvalJacobians of a GRU (rowJacobians)
// gives the graph path's Jacobian, InputJacobian and JacobianError bit for
// bit, with and without inputs, weights x1 and x6, at moderate to large
// states.
func TestGRULinearizationMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			cell := scaledGRU(M, scale, uint64(50+M))
			if newGRUStep(cell, graph.Float64) == nil {
				t.Fatal("no Go step for a float64 GRU")
			}
			linearizationMatchesGraph(t, cell, rand.New(rand.NewPCG(50, uint64(M))), 16, M, 40, 5, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}

// scaledGRU is a 16-unit GRU of M inputs initialized from seed, its
// weights times scale (6 saturates its gates).
func scaledGRU(M int, scale float64, seed uint64) *cells.GRU {
	cell := cells.NewGRU(16, M)
	cell.InitUniform(seed)
	for _, p := range cell.Params() {
		for i := range p.Data {
			p.Data[i] *= scale
		}
	}
	return cell
}

// jacobianRowsMatchGraph checks that rows (a cell's JacobianRows) gives
// the dense refinement's graph Jacobians of f bit for bit at the first n
// of the batchRows(n, N) states x (inputs u); what names the case.
func jacobianRowsMatchGraph(t *testing.T, f *finder, rows func(n int, x, u, jx []float64) bool, x, u []float64, n, N int, what string) {
	t.Helper()
	B := len(x) / N
	jac, err := f.jacs.get(B)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, B*N*N)
	if err := jac.Eval(x, u, want, nil); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, n*N*N)
	rows(n, x, u, got)
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: J[%d] = %v, graph gives %v", what, i, got[i], want[i])
		}
	}
}

// objectiveRowsMatchGraph checks that rows (a cell's ObjectiveRows) gives
// graph.Objective's q, F and gradient of cell bit for bit at the B states
// x (inputs u), reporting up to three differences of each; what names
// the case.
func objectiveRowsMatchGraph(t *testing.T, cell cells.Cell, rows rowsObjective, x, u []float64, B, N int, what string) {
	t.Helper()
	o, err := graph.NewObjective(cell, B, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetStates(x); err != nil {
		t.Fatal(err)
	}
	if err := o.SetInputs(u); err != nil {
		t.Fatal(err)
	}
	if err := o.Eval(); err != nil {
		t.Fatal(err)
	}
	q, fo, g := make([]float64, B), make([]float64, B*N), make([]float64, B*N)
	if !rows.ObjectiveRows(B, x, u, q, fo, g) {
		t.Fatal("no closed form")
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"q", q, o.Q()}, {"F", fo, o.F()}, {"grad", g, o.Grad()}} {
		bad := 0
		for i := range c.got {
			if math.Float64bits(c.got[i]) != math.Float64bits(c.want[i]) {
				if bad < 3 {
					t.Errorf("%s: %s[%d] = %v, graph gives %v", what, c.name, i, c.got[i], c.want[i])
				}
				bad++
			}
		}
		if bad > 0 {
			t.Fatalf("%s: %s: %d of %d differ", what, c.name, bad, len(c.got))
		}
	}
}
