package finder

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/tasks"
)

// BenchmarkFindGRU128Proofs times Find on the PyTorch-trained flip-flop
// GRU-128 (1024 initial states sampled from its trajectories) and reports
// how much of it the refinement on G and the proofs take (Stats.ProofTime):
// the target is at most 20% of the whole.
func BenchmarkFindGRU128Proofs(b *testing.B) {
	cell, err := cells.LoadTorchCell(filepath.Join("testdata", "flipflop-gru128.npz"), "gru", cells.AutoPrefix)
	if err != nil {
		b.Fatal(err)
	}
	trials, err := tasks.FlipFlop{Bits: 3}.Generate(128, benchSeed+1000)
	if err != nil {
		b.Fatal(err)
	}
	states, err := graph.Simulate(context.Background(), cell, nil, trials.Inputs, trials.Trials, trials.Time, graph.Float64)
	if err != nil {
		b.Fatal(err)
	}
	N := cell.StateSize()
	smp, err := SampleStates(Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}, 1024, 0.5, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	p := Problem{Cell: cell, InitialStates: smp.States, Inputs: make([]float64, cell.InputSize())}
	var res *Result
	for b.Loop() {
		if res, err = Find(context.Background(), p, &Settings{Seed: benchSeed}); err != nil {
			b.Fatal(err)
		}
	}
	st := res.Stats
	proved := 0
	for _, pt := range res.Fixed.Points {
		if pt.Proof.Method == ProofKrawczyk {
			proved++
		}
	}
	b.ReportMetric(st.ProofTime.Seconds(), "proof-s")
	b.ReportMetric(st.Runtime.Seconds(), "find-s")
	b.ReportMetric(100*st.ProofTime.Seconds()/st.Runtime.Seconds(), "proof-%")
	b.ReportMetric(float64(res.Fixed.Len()), "fixed")
	b.ReportMetric(float64(proved), "proved")
	b.Logf("GRU-128: %d fixed (%d proved), outcomes %d fixed %v; proof %v of %v (search %v refine %v complete %v linearize %v)",
		res.Fixed.Len(), proved, st.Certified, st.UnconvergedByReason, st.ProofTime, st.Runtime, st.SearchTime, st.RefineTime, st.CompleteTime, st.LinearizeTime)
}
