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
//	go run ./examples/sinewave -out DIR   (defaults: rnn, 32 units, -amplitude 0.1, -mse 1e-5, -seed 1)
//
// and copied from DIR/sinewave-model.safetensors.
const testModel = "testdata/sinewave-model.safetensors"

// At every trained input of the committed network: it oscillates at the
// frequency asked for (the crossings of its own output, far past the
// trials it learned on), it runs on an invariant circle whose rotation per
// step (orbits.RefineCircle, Newton on the map's collocation equations)
// is the same frequency, and the fixed point inside the circle has one
// oscillatory pair whose angle approximates it.
func TestSineWaveTrainedNetwork(t *testing.T) {
	model, err := tasks.LoadModel(testModel)
	if err != nil {
		t.Fatal(err)
	}
	omegas, err := sineTask(0.1).Omegas()
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
	for _, c := range conds {
		if c.MeasureErr != nil || c.Circle == nil || c.Predicted == nil {
			t.Errorf("omega %.3f: measure %v, circle %v, prediction %v", c.Omega, c.MeasureErr, c.CircleErr, c.Predicted)
			continue
		}
		// The network produces what it was trained to: within 12% of the
		// trained frequency (the lowest, 0.2, comes out at 0.223).
		if d := math.Abs(c.Measured-c.Omega) / c.Omega; d > 0.12 {
			t.Errorf("omega %.3f: the output oscillates at %.4f (%.1f%% off)", c.Omega, c.Measured, 100*d)
		}
		// Two independent measures of one frequency: crossings of the
		// output over 512 steps, and the circle's rotation.
		if d := math.Abs(c.Measured - c.Circle.Rotation); d > 2e-3 {
			t.Errorf("omega %.3f: measured %.5f, circle rotation %.5f", c.Omega, c.Measured, c.Circle.Rotation)
		}
		if c.Circle.Residual > 1e-10 {
			t.Errorf("omega %.3f: circle residual %.2g", c.Omega, c.Circle.Residual)
		}
		// The eigenvalue's angle predicts the frequency (see the package
		// comment for how closely on this network).
		if d := c.RelErr(); d > maxPredictionError {
			t.Errorf("omega %.3f: predicted |arg lambda| %.4f, measured %.4f: %.1f%% apart, want <= %.0f%%", c.Omega, c.Predicted.Omega, c.Measured, 100*d, 100*maxPredictionError)
		}
	}
}

// maxPredictionError is how far apart the predicted and measured
// frequencies may be on the committed network.
const maxPredictionError = 0.20

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
