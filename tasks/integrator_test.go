package tasks

import (
	"math"
	"testing"
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
