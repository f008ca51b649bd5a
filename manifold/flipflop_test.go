package manifold_test

import (
	"context"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/tasks"
)

// flipFlopGRU is finder's benchmark search on the trained 16-unit flip-flop
// GRU (finder/testdata): 1024 states sampled with noise 0.5 from its
// trajectories on 128 fresh trials, zero input, seed 6.
func flipFlopGRU(t *testing.T) (*tasks.Model, *finder.Result) {
	t.Helper()
	m, err := tasks.LoadModel("../finder/testdata/flipflop-gru16.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	trials, err := tasks.FlipFlop{}.Generate(128, 1006)
	if err != nil {
		t.Fatal(err)
	}
	states, _, err := m.Run(context.Background(), trials)
	if err != nil {
		t.Fatal(err)
	}
	tr := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: m.Cell.StateSize()}
	s, err := finder.SampleStates(tr, 1024, 0.5, 6)
	if err != nil {
		t.Fatal(err)
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: m.Cell, InitialStates: s.States, Inputs: make([]float64, 3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

func TestFlipFlopGRUSlowPointsOnManifolds(t *testing.T) {
	m, res := flipFlopGRU(t)
	ro := &manifold.Readout{Outputs: 3, Weight: m.Readout.Weight, Bias: m.Readout.Bias}
	a, err := manifold.Analyze(context.Background(), m.Cell, res, ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d fixed, %d slow\n%s", res.Fixed.Len(), res.Slow.Len(), a.Summary())
	for k, mf := range a.Manifolds {
		if mf.Curve != nil {
			t.Logf("manifold %d: dim %d, %d members, %d curve points, ends %v", k, mf.Dim, len(mf.Members), len(mf.Curve.Points), mf.Curve.Ends)
		} else {
			t.Logf("manifold %d: dim %d, %d members %s", k, mf.Dim, len(mf.Members), mf.TraceError)
		}
	}
}
