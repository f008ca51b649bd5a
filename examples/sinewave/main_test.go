package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/tasks"
)

// testModel is a network the example trained, committed so that the test
// needs no training: made by
//
//	go run ./examples/sinewave -out DIR
//
// with the defaults (a GRU of 16 units, -amplitude 0.05, -fixed-readout,
// -mse 2.5e-6, -epochs 400, -seed 1; 303 epochs) and copied from
// DIR/sinewave-model.safetensors.
const testModel = "testdata/sinewave-model.safetensors"

// At every trained input of the committed network, the angle of the
// oscillatory eigenvalue pair of the fixed point inside the oscillation,
// |arg lambda|, predicts the frequency measured from the crossings of the
// network's own output (256 to 768 steps after the start, far past the 32
// steps it was trained on) within 5%. Where that fixed point is unstable
// (|lambda| > 1) the run settles on an invariant circle, which
// orbits.RefineCircle (Newton on the map's collocation equations) finds
// with the measured frequency as its rotation per step, and which attracts
// (Lyapunov exponents along it: one about 0, the rest negative); where the
// fixed point is stable the oscillation decays onto it and no circle
// exists.
func TestSineWaveTrainedNetwork(t *testing.T) {
	model, err := tasks.LoadModel(testModel)
	if err != nil {
		t.Fatal(err)
	}
	omegas, err := sineTask(0.05).Omegas()
	if err != nil {
		t.Fatal(err)
	}
	var conds []*condition
	for _, w := range omegas {
		c, err := analyze(context.Background(), model, w, true, 16, 1)
		if err != nil {
			t.Fatal(err)
		}
		conds = append(conds, c)
	}
	var buf bytes.Buffer
	printTable(&buf, conds)
	t.Log("\n" + buf.String())
	circles := 0
	for _, c := range conds {
		if c.MeasureErr != nil || c.Predicted == nil {
			t.Errorf("omega %.3f: measure %v, prediction %v", c.Omega, c.MeasureErr, c.Predicted)
			continue
		}
		if d := c.RelErr(); !(d <= 0.05) {
			t.Errorf("omega %.3f: predicted |arg lambda| %.4f, measured %.4f: %.1f%% apart, want <= 5%%", c.Omega, c.Predicted.Omega, c.Measured, 100*d)
		}
		mod := cabs(c.Predicted.Lambda)
		if mod < 1.005 {
			continue // stable or nearly marginal: a circle may not exist
		}
		if c.Circle == nil {
			t.Errorf("omega %.3f: |lambda| %.4f but no invariant circle: %v", c.Omega, mod, c.CircleErr)
			continue
		}
		circles++
		// Two independent measures of one frequency: crossings of the
		// output over 512 steps, and the circle's rotation.
		if d := math.Abs(c.Measured - c.Circle.Rotation); d > 1e-3 {
			t.Errorf("omega %.3f: measured %.5f, circle rotation %.5f", c.Omega, c.Measured, c.Circle.Rotation)
		}
		if c.Circle.Residual > 1e-10 || c.Circle.Check > 1e-6 {
			t.Errorf("omega %.3f: circle residual %.2g, between the collocation angles %.2g", c.Omega, c.Circle.Residual, c.Circle.Check)
		}
		// The run converged onto the circle, so it attracts: one Lyapunov
		// exponent along it about 0 (within 5e-3: averages over 2048 steps),
		// the others negative (the next is -0.02 to -0.2 here).
		if e := c.Circle.Exponents; len(e) != model.Cell.StateSize() || math.Abs(e[0]) > 5e-3 || !(e[1] < -1e-2) {
			t.Errorf("omega %.3f: circle exponents %.3g, want one about 0 and the rest < 0", c.Omega, e)
		}
	}
	if circles < 4 {
		t.Errorf("%d invariant circles at the 6 trained inputs, want the 5 whose fixed point is unstable", circles)
	}
}

// Bad flag values are usage errors (exit status 2) naming the flag, before
// any work and without writing anything; a missing model is an error.
func TestSineWaveCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-hidden", "0"}, 2, "sinewave: -hidden 0: want a positive number of units\n"},
		{[]string{"-amplitude", "0"}, 2, "sinewave: -amplitude 0: want an amplitude > 0\n"},
		{[]string{"-mse", "-1"}, 2, "sinewave: -mse -1: want a target MSE > 0\n"},
		{[]string{"-cell", "elman"}, 2, `sinewave: -cell: cells: unknown cell kind "elman"`},
		{[]string{"-model", "no-such-file.safetensors"}, 1, "no-such-file.safetensors"},
		{[]string{"-h"}, 0, "usage: sinewave [flags]"},
	} {
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := command(context.Background(), append([]string{"-out", out, "-quiet"}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
		if files, _ := os.ReadDir(out); len(files) > 0 {
			t.Errorf("%q: %d files written despite the error", c.args, len(files))
		}
	}
}
