package tasks

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestFlipFlopTargetsHandMade(t *testing.T) {
	for _, tc := range []struct {
		name        string
		time, bits  int
		inputs, out []float64
	}{
		{"flips", 8, 1,
			[]float64{1, 0, 0, -1, 0, -1, 1, 0},
			[]float64{1, 1, 1, -1, -1, -1, 1, 1}},
		{"repeated same sign", 5, 1,
			[]float64{-1, -1, 0, -1, 0},
			[]float64{-1, -1, -1, -1, -1}},
		{"pulse at the current step counts", 3, 1,
			[]float64{1, -1, 1},
			[]float64{1, -1, 1}},
		{"zero before the first pulse", 4, 1,
			[]float64{0, 0, -1, 0},
			[]float64{0, 0, -1, -1}},
		{"bits and trials are independent", 3, 2,
			// trial 0: bit 0 = +,0,-  bit 1 = -,0,0; trial 1: bit 0 = -,+,0  bit 1 = +,+,-
			[]float64{1, -1, 0, 0, -1, 0, -1, 1, 1, 1, 0, -1},
			[]float64{1, -1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1}},
	} {
		got, err := FlipFlopTargets(tc.inputs, tc.time, tc.bits)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range got {
			if got[i] != tc.out[i] {
				t.Errorf("%s: targets %v, want %v", tc.name, got, tc.out)
				break
			}
		}
	}
	if _, err := FlipFlopTargets(make([]float64, 7), 4, 2); err == nil {
		t.Error("7 inputs for 4 steps x 2 bits: no error")
	}
}

func TestFlipFlopGenerateStatistics(t *testing.T) {
	for _, p := range []float64{0.5, 0.2} {
		f := FlipFlop{P: p}
		const n = 1000
		b, err := f.Generate(n, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
		if b.Trials != n || b.Time != 64 || b.InputSize != 3 || b.OutputSize != 3 || f.InputSize() != 3 || f.OutputSize() != 3 {
			t.Fatalf("sizes %d x %d x %d/%d, want %d x 64 x 3/3", b.Trials, b.Time, b.InputSize, b.OutputSize, n)
		}
		var pulses, positive, later int
		for i, v := range b.Inputs {
			step := (i / 3) % 64
			switch {
			case v != 0 && v != 1 && v != -1:
				t.Fatalf("input %d is %v, want -1, 0 or 1", i, v)
			case step == 0 && v == 0:
				t.Fatalf("trial %d bit %d has no pulse at t = 0", i/(3*64), i%3)
			}
			if v > 0 {
				positive++
			}
			if v != 0 {
				pulses++
				if step > 0 {
					later++
				}
			}
		}
		// Standard errors: rate <= 0.0012 (189000 draws), sign fraction
		// <= 0.0016 (>= 38000 pulses); the tolerances are > 6 of them.
		rate := float64(later) / float64(n*63*3)
		if math.Abs(rate-p) > 0.0075 {
			t.Errorf("P = %v: pulse rate after t = 0 is %.4f", p, rate)
		}
		if s := float64(positive) / float64(pulses); math.Abs(s-0.5) > 0.01 {
			t.Errorf("P = %v: fraction of positive pulses is %.4f, want 0.5", p, s)
		}
		want, _ := FlipFlopTargets(b.Inputs, 64, 3)
		for i := range want {
			if b.Targets[i] != want[i] || math.Abs(want[i]) != 1 {
				t.Fatalf("target %d is %v, want %v (never 0, since t = 0 is pulsed)", i, b.Targets[i], want[i])
			}
		}
	}
}

func TestFlipFlopReproducible(t *testing.T) {
	f := FlipFlop{Bits: 2, Time: 10}
	a, _ := f.Generate(5, 42)
	b, _ := f.Generate(5, 42)
	c, _ := f.Generate(5, 43)
	if !equalBits(a.Inputs, b.Inputs) || !equalBits(a.Targets, b.Targets) {
		t.Error("the same seed gave different batches")
	}
	if equalBits(a.Inputs, c.Inputs) {
		t.Error("seeds 42 and 43 gave the same inputs")
	}
	// The golden file pins the stream of draws: trained weights depend on it.
	var sb strings.Builder
	g, _ := FlipFlop{}.Generate(2, 1)
	for i := 0; i < g.Trials; i++ {
		in, tg := g.Trial(i)
		fmt.Fprintf(&sb, "trial %d\n", i)
		for s := 0; s < g.Time; s++ {
			fmt.Fprintf(&sb, "%v %v\n", in[s*3:s*3+3], tg[s*3:s*3+3])
		}
	}
	golden(t, "flipflop_seed1.txt", sb.String())
}

func TestFlipFlopErrors(t *testing.T) {
	for _, f := range []FlipFlop{{P: 1.5}, {P: -0.1}, {Bits: -1}, {Time: -3}} {
		if _, err := f.Generate(4, 1); err == nil {
			t.Errorf("%+v: no error", f)
		}
	}
	if _, err := (FlipFlop{}).Generate(0, 1); err == nil {
		t.Error("0 trials: no error")
	}
}

// equalBits reports whether a and b hold the same bits (NaN equal to itself).
func equalBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}
