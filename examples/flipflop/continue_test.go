package main

import (
	"bytes"
	"context"
	"math"
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

// The committed trained LSTM at the constant input [1, 0, 0]: its cell
// states are near 2000 there, so the reference's distance rule once
// dropped every fixed point ("0 certified"). Proved points are kept and
// marked far. The independent answer is continuation: the points at the
// end (u = +1) of the branches followed from the zero-input fixed points.
// Each of those is found, proved, and marked far.
func TestFarProvedPointsAtInput100(t *testing.T) {
	if testing.Short() {
		t.Skip("finds the trained LSTM's fixed points twice and follows them")
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
	u := []float64{1, 0, 0}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: model.Cell, InitialStates: smp.States, Inputs: u}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stable := 0
	for _, p := range res.Fixed.Points {
		if p.Proof.Method != finder.ProofKrawczyk || !(p.Proof.Radius > 0 && p.Proof.Radius <= p.Proof.UniqueRadius) {
			t.Errorf("point not proved: %+v", p.Proof)
		}
		if !p.Far {
			t.Errorf("point at distance ratio %g not marked far", p.FarDistance)
		}
		if p.Stability.Stable {
			stable++
		}
		c := 0.0
		for _, v := range p.X {
			c = math.Max(c, math.Abs(v))
		}
		t.Logf("max|x| %.1f, far %.1f, stable %v, radius %.2g, unique radius %.2g, |G| %.1g, |F-x| %.1g",
			c, p.FarDistance, p.Stability.Stable, p.Proof.Radius, p.Proof.UniqueRadius, p.GResidual, p.Residual)
	}
	t.Logf("%d fixed points, %d stable; stats far %d, outcomes %d fixed, %v", res.Fixed.Len(), stable, res.Stats.Far, res.Stats.Certified, res.Stats.UnconvergedByReason)
	if res.Fixed.Len() != 9 || stable != 4 || res.Stats.Far != 9 {
		t.Errorf("%d fixed points (%d stable, %d far), want 9 (4 stable), all far", res.Fixed.Len(), stable, res.Stats.Far)
	}
	// Continuation from the zero-input points to u = [1, 0, 0].
	zero, err := finder.Find(context.Background(), finder.Problem{Cell: model.Cell, InitialStates: smp.States, Inputs: make([]float64, 3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cres, err := continuation.Continue(context.Background(), continuation.Problem{Cell: model.Cell, Start: zero.Fixed,
		Path: continuation.Segment(make([]float64, 3), u)}, continuation.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	ends := 0
	for _, b := range cres.Branches {
		for _, p := range b.Points {
			if math.Abs(p.U[0]-1) > 1e-12 {
				continue
			}
			ends++
			// Continuation corrects to its own tolerance: compare relative
			// to the state's size (the cell states are near 2000).
			best, size := math.Inf(1), 1.0
			for _, v := range p.X {
				size = math.Max(size, math.Abs(v))
			}
			for _, q := range res.Fixed.Points {
				d := 0.0
				for i := range q.X {
					d = math.Max(d, math.Abs(q.X[i]-p.X[i]))
				}
				best = math.Min(best, d/size)
			}
			if best > 1e-8 {
				t.Errorf("continuation's point at u = 1 (stable %v) not found by Find: nearest %g", p.Stable, best)
			}
		}
	}
	if ends == 0 {
		t.Error("no branch reached u = 1")
	}
	t.Logf("%d branch ends at u = 1", ends)
}
