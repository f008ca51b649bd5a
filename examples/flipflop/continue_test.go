package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/continuation"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
)

// -continue on the committed trained LSTM (the golden test's, seed 6): the
// four stable corners remembering bit 1 = -1 each meet a fold with a saddle
// as bit 1 ramps to +1, and the diagram and JSON are written.
func TestRampBit1(t *testing.T) {
	if testing.Short() {
		t.Skip("finds and follows the trained LSTM's fixed points")
	}
	model, err := tasks.LoadModel("../../testdata/flipflop-lstm16.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	task := tasks.FlipFlop{Bits: 3, Time: 64, P: 0.5}
	trials, err := task.Generate(128, 1006)
	if err != nil {
		t.Fatal(err)
	}
	states, _, err := model.Run(context.Background(), trials)
	if err != nil {
		t.Fatal(err)
	}
	N := model.Cell.StateSize()
	smp, err := finder.SampleStates(finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}, 1024, 0.5, 6)
	if err != nil {
		t.Fatal(err)
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: model.Cell, InitialStates: smp.States, Inputs: make([]float64, 3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dir := t.TempDir()
	if err := rampBit1(context.Background(), options{out: dir, stdout: &out}, model, res.Fixed); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	var corners int
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "corner (-1,") {
			corners++
			if !strings.Contains(line, ": fold at u = 0.") || !strings.Contains(line, "with the saddle") {
				t.Errorf("%q: want a fold with a saddle at u in (0, 1)", line)
			}
		}
	}
	if corners != 4 {
		t.Errorf("%d corners with bit 1 = -1 reported, want 4", corners)
	}
	if _, err := continuation.Load(dir + "/" + branchesJSON); err != nil {
		t.Error(err)
	}
}
