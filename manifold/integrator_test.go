package manifold_test

import (
	"context"
	"math"
	"slices"

	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/tasks"
)

// trainedIntegrator trains a GRU to sum input 0 of three and returns the
// model and the fixed and slow points found from its trajectories.
func trainedIntegrator(t *testing.T) (*tasks.Model, *finder.Result) {
	t.Helper()
	ctx := context.Background()
	task := tasks.Integrator{Time: 32, Distractors: 2}
	m, err := tasks.NewModel(cells.NewGRU(8, 3), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tasks.Train(ctx, m, task, tasks.TrainSettings{Seed: 1, TrainTrials: 256, LearningRate: 0.03, TargetMSE: 2e-3, MaxEpochs: 150})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reached {
		t.Fatalf("training reached validation MSE %v after %d epochs, want <= 2e-3", res.Val.MSE, res.Epochs)
	}
	b, err := task.Generate(64, 2)
	if err != nil {
		t.Fatal(err)
	}
	states, _, err := m.Run(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	N := m.Cell.StateSize()
	smp, err := finder.SampleStates(finder.Trajectories{States: states, Trials: b.Trials, Time: b.Time, N: N}, 256, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := finder.Find(ctx, finder.Problem{Cell: m.Cell, InitialStates: smp.States, Inputs: make([]float64, 3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, fr
}

// TestIntegratorLineAttractor: a GRU trained to sum input 0 of three holds
// the sum on one line attractor. The traced line encodes (through the
// trained readout) the whole trained range [-1, 1]; its selection vector
// picks input 0 over the two distractors by more than a factor of 10; and,
// an independent check of the selection's scale, one unit of input 0 moves
// the readout by one unit, as the task demands (selection times the
// readout's slope along the line is 1).
func TestIntegratorLineAttractor(t *testing.T) {
	m, fr := trainedIntegrator(t)
	ro := &manifold.Readout{Outputs: 1, Weight: m.Readout.Weight, Bias: m.Readout.Bias}
	a, err := manifold.Analyze(context.Background(), m.Cell, fr, ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d fixed, %d slow points\n%s", fr.Fixed.Len(), fr.Slow.Len(), a.Summary())
	if len(a.Manifolds) != 1 || a.Manifolds[0].Dim != 1 || a.Manifolds[0].Curve == nil {
		t.Fatalf("want one traced 1-D manifold, got %d manifolds", len(a.Manifolds))
	}
	c := a.Manifolds[0].Curve
	sm := c.Summarize()
	if sm.EncodedMin[0] > -0.8 || sm.EncodedMax[0] < 0.8 {
		t.Errorf("the line encodes %v..%v, want it to span the trained range [-1, 1] (at least -0.8..0.8)", sm.EncodedMin[0], sm.EncodedMax[0])
	}
	for j := 1; j < 3; j++ {
		if sm.MeanAbsSelection[0] < 10*sm.MeanAbsSelection[j] {
			t.Errorf("mean |selection| of input 0 is %v, of distractor %d %v: want a factor of 10", sm.MeanAbsSelection[0], j, sm.MeanAbsSelection[j])
		}
	}
	var gains []float64
	for _, p := range c.Points {
		if math.Abs(p.Encoded[0]) < 0.8 {
			gains = append(gains, p.Selection[0]*p.EncodedSlope[0])
		}
	}
	slices.Sort(gains)
	if g := gains[len(gains)/2]; math.Abs(g-1) > 0.2 {
		t.Errorf("median readout change per unit of input 0 along the line: %v, want 1 (the task's gain)", g)
	}
	t.Logf("%d points, ends %v, median gain %.3f", len(c.Points), c.Ends, gains[len(gains)/2])
}
