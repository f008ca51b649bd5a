package finder

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/tasks"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var retrain = flag.Bool("retrain", false, "retrain testdata/flipflop-gru16.safetensors (seconds)")

// benchSeed is the seed of the end-to-end golden test (../finder_test.go):
// its networks, trials and samples are the ones the benchmark times.
const benchSeed = 6

// benchKinds are the cells of the end-to-end benchmark, in report order.
var benchKinds = []string{"rnn", "gru", "lstm"}

// flipFlopModelPath is where the trained 16-unit flip-flop network of kind
// lives: the LSTM and RNN of the golden test at the repository root, the
// GRU, trained by the same recipe, here.
func flipFlopModelPath(kind string) string {
	name := fmt.Sprintf("flipflop-%s16.safetensors", kind)
	if kind == "gru" {
		return filepath.Join("testdata", name)
	}
	return filepath.Join("..", "testdata", name)
}

// TestRetrainFlipFlopGRU rewrites the trained GRU the end-to-end benchmark
// starts from, by the golden test's recipe: tasks.NewModel(cell, 3, 6)
// trained with seed 6 to validation MSE 1e-4. Run with -retrain.
func TestRetrainFlipFlopGRU(t *testing.T) {
	if !*retrain {
		t.Skip("run with -retrain to rewrite testdata/flipflop-gru16.safetensors")
	}
	m, err := tasks.NewModel(cells.NewGRU(16, 3), 3, benchSeed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tasks.Train(context.Background(), m, tasks.FlipFlop{}, tasks.TrainSettings{Seed: benchSeed, TargetMSE: 1e-4, MaxEpochs: 300})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reached {
		t.Fatalf("validation MSE %.3g after %d epochs, want <= 1e-4", res.Val.MSE, res.Epochs)
	}
	if err := tasks.SaveModel(flipFlopModelPath("gru"), m); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d epochs, %v, validation %+v", res.Epochs, res.Elapsed, res.Val)
}

// The committed GRU is trained: on fresh trials its readout has the sign of
// every target and a mean squared error of the order of its training target.
func TestFlipFlopGRUIsTrained(t *testing.T) {
	m, err := tasks.LoadModel(flipFlopModelPath("gru"))
	if err != nil {
		t.Fatal(err)
	}
	trials, err := tasks.FlipFlop{}.Generate(128, 424242)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Evaluate(context.Background(), trials)
	if err != nil {
		t.Fatal(err)
	}
	if got.MSE > 1e-3 || got.SignAccuracy < 1 {
		t.Errorf("on fresh trials: %+v, want MSE <= 1e-3 and every sign right", got)
	}
}

// flipFlopProblem loads the trained network of kind and samples 1024
// initial states (noise 0.5) from its trajectories on 128 fresh trials,
// under zero input: the reference's flip-flop search, seeded as the golden
// test.
func flipFlopProblem(tb testing.TB, kind string) Problem {
	tb.Helper()
	return flipFlopProblemSeed(tb, kind, benchSeed)
}

// flipFlopProblemSeed is flipFlopProblem with its 1024 initial states
// sampled under seed.
func flipFlopProblemSeed(tb testing.TB, kind string, seed uint64) Problem {
	tb.Helper()
	m, err := tasks.LoadModel(flipFlopModelPath(kind))
	if err != nil {
		tb.Fatal(err)
	}
	trials, err := tasks.FlipFlop{}.Generate(128, benchSeed+1000)
	if err != nil {
		tb.Fatal(err)
	}
	states, _, err := m.Run(context.Background(), trials)
	if err != nil {
		tb.Fatal(err)
	}
	N := m.Cell.StateSize()
	tr := Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}
	s, err := SampleStates(tr, 1024, 0.5, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return Problem{Cell: m.Cell, InitialStates: s.States, Inputs: make([]float64, m.Cell.InputSize()), Trajectories: &tr}
}

// BenchmarkFindFlipFlop times Find with default settings, graph builds
// included, from 1024 initial states of each trained 16-unit flip-flop
// network to a certified, unique, linearized fixed-point set.
func BenchmarkFindFlipFlop(b *testing.B) {
	for _, kind := range benchKinds {
		b.Run(kind+"16", func(b *testing.B) {
			p := flipFlopProblem(b, kind)
			var res *Result
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var err error
				if res, err = Find(context.Background(), p, &Settings{Seed: benchSeed}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			st := res.Stats
			b.ReportMetric(float64(res.Fixed.Len()), "fixed")
			b.ReportMetric(float64(st.Certified), "certified")
			b.ReportMetric(float64(st.Iters), "adam-iters")
			b.ReportMetric(float64(st.GradEvals), "grad-evals")
			b.ReportMetric(float64(st.JacobianEvals), "jac-evals")
			for k, n := range res.Fixed.CountBySaddleIndex() {
				b.ReportMetric(float64(n), fmt.Sprintf("index%d", k))
			}
			b.Logf("%s: %v search %v refine %v slow %v prove %v check %v complete %v linearize %v connect %v orbits %v", kind, res.Status, st.SearchTime, st.RefineTime, st.SlowTime, st.ProofTime, st.CheckTime, st.CompleteTime, st.LinearizeTime, st.ConnectTime, st.OrbitTime)
		})
	}
}

// BenchmarkStepMatrix is one damped Gauss-Newton step matrix of the
// refinement at the flip-flop sizes (N = 16 for RNN/GRU, 32 for LSTM):
// Find computes one per Jacobian and damping, then each step is a product.
func BenchmarkStepMatrix(b *testing.B) {
	for _, N := range []int{16, 32} {
		b.Run(fmt.Sprint(N), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			A := mat.NewDense(N, N, randVec(r, N*N))
			H := mat.NewSymDense(N, nil)
			H.SymOuterK(1, A.T())
			raw := H.RawSymmetric()
			work, P := make([]float64, N*N), make([]float64, N*N)
			b.ReportAllocs()
			for b.Loop() {
				stepMatrix(raw.Data, A.RawMatrix().Data, 1e-8, work, P)
			}
		})
	}
}

// BenchmarkCandidateAdamStep is one step of the per-candidate Adam on a
// 1024 x 16 batch, to set beside BenchmarkObjective/rnn/N=16/B=1024 in
// package graph (the evaluation it follows).
func BenchmarkCandidateAdamStep(b *testing.B) {
	const B, N = 1024, 16
	x := tensor.New(tensor.WithShape(B, N), tensor.WithBacking(make([]float64, B*N)))
	g := tensor.New(tensor.WithShape(B, N), tensor.WithBacking(randVec(rand.New(rand.NewPCG(7, 8)), B*N)))
	s := NewCandidateAdam(B, N, 1, 1e-8)
	model := []G.ValueGrad{denseGrad{x, g}}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Step(model); err != nil {
			b.Fatal(err)
		}
	}
}

// denseGrad is a value and its gradient, as graph.Objective.Candidates.
type denseGrad struct{ x, g *tensor.Dense }

func (d denseGrad) Value() G.Value         { return d.x }
func (d denseGrad) Grad() (G.Value, error) { return d.g, nil }
func (d denseGrad) Name() string           { return "X" }
