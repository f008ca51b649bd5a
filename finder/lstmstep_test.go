package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// lstmStepFinder is a finder of a 16-unit LSTM with M inputs, weights
// InitUniform's times scale, and its Go rows (lstmStepper).
func lstmStepFinder(t *testing.T, M int, scale float64, seed uint64) (*finder, *cells.LSTM) {
	t.Helper()
	cell := cells.NewLSTM(16, M)
	cell.InitUniform(seed)
	for _, p := range cell.Params() {
		for i := range p.Data {
			p.Data[i] *= scale
		}
	}
	s := Settings{}
	s.fill()
	f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 32)}, s)
	if err != nil {
		t.Fatal(err)
	}
	l := f.lstmStepper()
	if l == nil || f.rowStepper() == nil {
		t.Fatal("no Go step for a float64 LSTM")
	}
	return f, l
}

// lstmTestStates is B states of N values from moderate to large (h and c
// alike, as the refinement's trial points may be) and inputs shared by
// runs of rows.
func lstmTestStates(r *rand.Rand, B, N, M int) (x, u []float64) {
	x, u = make([]float64, B*N), make([]float64, B*M)
	for i := range x {
		x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(4)-1))
	}
	for row := 0; row < B; row++ {
		if row%7 == 0 {
			for j := 0; j < M; j++ {
				u[row*M+j] = r.NormFloat64()
			}
			continue
		}
		copy(u[row*M:(row+1)*M], u[(row-1)*M:row*M])
	}
	return x, u
}

// TestLSTMStepMatchesGraph: the finder's LSTM step (cells.LSTM.StepRows)
// gives the graph's Stepper's F bit for bit, on LSTMs with and without
// inputs, weights scaled so that gates saturate, at states from moderate
// to large, with inputs shared by runs of rows and changing between them.
// It fails when a gate's drive is added to h W_h in another grouping ((h
// W_h + u W_i) + b) or c' is formed with a fused multiply-add.
func TestLSTMStepMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			f, l := lstmStepFinder(t, M, scale, uint64(60+M))
			const N, n = 32, 300
			B := batchRows(n, N)
			x, u := lstmTestStates(rand.New(rand.NewPCG(60, uint64(M))), B, N, M)
			st, err := f.steps.get(B)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, B*N)
			if err := st.Step(x, u, want); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, B*N)
			f.paddedRows(l, x, u, got, n, n)
			for i := range got[:n*N] {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("M %d scale %g: F[%d] = %v, graph gives %v", M, scale, i, got[i], want[i])
				}
			}
		}
	}
	s := Settings{Dtype: graph.Float32}
	s.fill()
	cell := cells.NewLSTM(16, 3)
	cell.InitUniform(1)
	f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 32)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if f.lstmStepper() != nil || f.rowStepper() != nil {
		t.Error("Go step taken in float32")
	}
}

// TestLSTMJacobiansMatchGraph: the refinement's LSTM Jacobians
// (cells.LSTM.JacobianRows) are the graph's closed-form dF/dx bit for bit,
// with and without inputs, at moderate and saturating weights and states.
// It fails when a row's second and third terms (hi W_hi, hg W_hg, or ci
// W_hi, cg W_hg) are summed in the other order.
func TestLSTMJacobiansMatchGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			f, l := lstmStepFinder(t, M, scale, uint64(70+M))
			const N, n = 32, 100
			B := batchRows(n, N)
			x, u := lstmTestStates(rand.New(rand.NewPCG(70, uint64(M))), B, N, M)
			jacobianRowsMatchGraph(t, f, l.JacobianRows, x, u, n, N, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}

// TestLSTMObjectiveMatchesGraph: cells.LSTM.ObjectiveRows gives the
// graph's objective (q, F and ∇q) bit for bit, with and without inputs,
// weights x1 and x6, states from moderate to large, batches of 5 to 703
// rows. It fails when dh's sum takes da_g W_hgᵀ, da_f W_hfᵀ and da_o
// W_hoᵀ in that order.
func TestLSTMObjectiveMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			B := map[float64]int{1: 5, 6: 700}[scale] + M
			_, cell := lstmStepFinder(t, M, scale, uint64(80+M))
			const N = 32
			x, u := lstmTestStates(rand.New(rand.NewPCG(80, uint64(M))), B, N, M)
			objectiveRowsMatchGraph(t, cell, cell, x, u, B, N, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}

// TestLSTMSearchObjectiveIsGo: firstOrder's objective of a float64 LSTM
// is a goObjective whose Q, F and gradient (through Candidates, as the
// solvers read it) are the graph's bit for bit, padding rows included;
// with SearchFloat32 it is the graph's.
func TestLSTMSearchObjectiveIsGo(t *testing.T) {
	f, _ := lstmStepFinder(t, 3, 6, 90)
	const N, M, B = 32, 3, 24
	ob, err := f.searchObjectiveOf(B)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ob.(*goObjective); !ok {
		t.Fatalf("objective %T, want a goObjective", ob)
	}
	want, err := f.objs.get(B)
	if err != nil {
		t.Fatal(err)
	}
	x, u := lstmTestStates(rand.New(rand.NewPCG(90, 3)), B, N, M)
	for _, o := range []searchObjective{ob, want} {
		if err := o.SetStates(x); err != nil {
			t.Fatal(err)
		}
		if err := o.SetInputs(u); err != nil {
			t.Fatal(err)
		}
		if err := o.Eval(); err != nil {
			t.Fatal(err)
		}
	}
	grad := func(o searchObjective) []float64 {
		g, err := o.Candidates().Grad()
		if err != nil {
			t.Fatal(err)
		}
		return g.Data().([]float64)
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"q", ob.Q(), want.Q()}, {"F", ob.F(), want.F()}, {"grad", grad(ob), grad(want)}, {"X", ob.States(), want.States()}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s: %d values, graph %d", c.name, len(c.got), len(c.want))
		}
		for i := range c.got {
			if math.Float64bits(c.got[i]) != math.Float64bits(c.want[i]) {
				t.Fatalf("%s[%d] = %v, graph gives %v", c.name, i, c.got[i], c.want[i])
			}
		}
	}
	s := Settings{SearchFloat32: true}
	s.fill()
	f2, err := newFinder(Problem{Cell: f.cell, InitialStates: make([]float64, N)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if ob2, err := f2.searchObjectiveOf(B); err != nil {
		t.Fatal(err)
	} else if _, ok := ob2.(*goObjective); ok {
		t.Error("a float32 search took the float64 Go objective")
	}
}

// TestLSTMLinearizationMatchesGraph: EvalJacobians of an LSTM
// (rowJacobians) gives the graph path's Jacobian, InputJacobian and
// JacobianError bit for bit, with and without inputs, weights x1 and x6,
// at moderate to large states (it fails when dF/du's hi W_ii and hg W_ig
// are added in the other order).
func TestLSTMLinearizationMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		for _, scale := range []float64{1, 6} {
			_, cell := lstmStepFinder(t, M, scale, uint64(100+M))
			if newLSTMStep(cell, graph.Float64) == nil {
				t.Fatal("no Go step for a float64 LSTM")
			}
			linearizationMatchesGraph(t, cell, rand.New(rand.NewPCG(100, uint64(M))), 32, M, 40, 5, fmt.Sprintf("M %d scale %g", M, scale))
		}
	}
}
