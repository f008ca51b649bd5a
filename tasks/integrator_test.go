package tasks

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func TestIntegratorTargetsHandMade(t *testing.T) {
	in := []float64{0.5, 0.7, -0.3, -3, 0.2, 0.25, 0.25, -0.25}
	// Two trials of four steps: the sum saturates at +1 and at -1 and
	// restarts from 0 in the second trial.
	want := []float64{0.5, 1, 0.7, -1, 0.2, 0.45, 0.7, 0.45}
	got, err := IntegratorTargets(in, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Fatalf("targets %v, want %v", got, want)
		}
	}
	half, _ := IntegratorTargets([]float64{0.4, 0.4, -2}, 3, 0.5)
	if half[0] != 0.4 || half[1] != 0.5 || half[2] != -0.5 {
		t.Errorf("bound 0.5: %v, want [0.4 0.5 -0.5]", half)
	}
	if _, err := IntegratorTargets(in, 3, 1); err == nil {
		t.Error("8 inputs as trials of 3 steps: no error")
	}
	if _, err := IntegratorTargets(in, 4, 0); err == nil {
		t.Error("bound 0: no error")
	}
}

func TestIntegratorGenerate(t *testing.T) {
	g := Integrator{}
	b, err := g.Generate(500, 9)
	if err != nil {
		t.Fatal(err)
	}
	if b.Trials != 500 || b.Time != 64 || b.InputSize != 1 || b.OutputSize != 1 {
		t.Fatalf("sizes %d x %d x %d/%d", b.Trials, b.Time, b.InputSize, b.OutputSize)
	}
	var s, ss float64
	for _, v := range b.Inputs {
		s += v
		ss += v * v
	}
	n := float64(len(b.Inputs))
	// 32000 draws: standard errors 0.0007 for the mean and 0.0005 for the
	// std; the tolerances are > 6 of them.
	if mean, std := s/n, math.Sqrt(ss/n-(s/n)*(s/n)); math.Abs(mean) > 0.005 || math.Abs(std-0.125) > 0.0035 {
		t.Errorf("inputs have mean %v and std %v, want 0 and 0.125", mean, std)
	}
	want, _ := IntegratorTargets(b.Inputs, 64, 1)
	saturated := 0
	for i, v := range b.Targets {
		if v != want[i] || math.Abs(v) > 1 {
			t.Fatalf("target %d is %v, want %v within [-1, 1]", i, v, want[i])
		}
		if math.Abs(v) == 1 {
			saturated++
		}
	}
	// The free sum has std 1 at the end, so the bounds are reached often but not always.
	if saturated == 0 || saturated > len(b.Targets)/2 {
		t.Errorf("%d of %d targets at the bounds", saturated, len(b.Targets))
	}
	c, _ := g.Generate(500, 9)
	if !equalBits(b.Inputs, c.Inputs) {
		t.Error("the same seed gave different inputs")
	}
	for _, bad := range []Integrator{{Noise: -1}, {Bound: -1}, {Time: -1}, {Noise: math.Inf(1)}} {
		if _, err := bad.Generate(3, 1); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// A small GRU learns the integrator, and holds a value it has summed when
// the input stops: the memory of a line attractor.
func TestTrainIntegratorHoldsValues(t *testing.T) {
	task := Integrator{Time: 32}
	m, _ := NewModel(cells.NewGRU(8, 1), 1, 1)
	s := TrainSettings{Seed: 1, TrainTrials: 256, LearningRate: 0.03, TargetMSE: 2e-3, MaxEpochs: 100}
	res, err := Train(context.Background(), m, task, s)
	if err != nil {
		t.Fatal(err)
	}
	// Predicting 0 everywhere scores about 0.17.
	if !res.Reached || res.Val.MSE > 2e-3 {
		t.Fatalf("after %d epochs validation MSE %v, want <= 2e-3", res.Epochs, res.Val.MSE)
	}
	// Four steps of input a/4, then 28 steps of none: the target stays a.
	sums := []float64{-0.6, -0.2, 0.3, 0.7}
	b := Batch{Trials: len(sums), Time: 32, InputSize: 1, OutputSize: 1, Inputs: make([]float64, 4*32), Targets: make([]float64, 4*32)}
	for i, a := range sums {
		for s := 0; s < 4; s++ {
			b.Inputs[i*32+s] = a / 4
		}
	}
	_, out, err := m.Run(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	// A network that forgot would decay to 0, one with a few point
	// attractors would snap to them; this one drifts, slowly: the values
	// stay within 0.2 and in order after 28 steps.
	for i, a := range sums {
		for _, s := range []int{8, 31} {
			if y := out[i*32+s]; math.Abs(y-a) > 0.2 {
				t.Errorf("sum %v: output %v at step %d", a, y, s)
			}
		}
		if i > 0 && out[i*32+31] <= out[(i-1)*32+31] {
			t.Errorf("held values out of order at step 31: %v after %v", out[i*32+31], out[(i-1)*32+31])
		}
	}
	t.Logf("%d epochs, validation MSE %.3g; held values at step 31: %.3f %.3f %.3f %.3f", res.Epochs, res.Val.MSE, out[31], out[63], out[95], out[127])
}

// With distractors, channel 0 alone is summed: the targets equal those of
// channel 0's inputs, and the other channels have the same distribution.
func TestIntegratorDistractors(t *testing.T) {
	g := Integrator{Time: 16, Distractors: 2}
	b, err := g.Generate(50, 3)
	if err != nil {
		t.Fatal(err)
	}
	if b.InputSize != 3 || g.InputSize() != 3 || len(b.Inputs) != 50*16*3 {
		t.Fatalf("input size %d (%d values), want 3", b.InputSize, len(b.Inputs))
	}
	ch0 := make([]float64, 50*16)
	var ss [3]float64
	for i := range ch0 {
		ch0[i] = b.Inputs[i*3]
		for c := 0; c < 3; c++ {
			ss[c] += b.Inputs[i*3+c] * b.Inputs[i*3+c]
		}
	}
	want, _ := IntegratorTargets(ch0, 16, 1)
	if !equalBits(want, b.Targets) {
		t.Error("targets are not the bounded sums of channel 0")
	}
	for c := 0; c < 3; c++ {
		if std := math.Sqrt(ss[c] / 800); math.Abs(std-0.125) > 0.015 {
			t.Errorf("channel %d has std %v, want 0.125", c, std)
		}
	}
	if _, err := (Integrator{Distractors: -1}).Generate(2, 1); err == nil {
		t.Error("negative distractors: no error")
	}
}
