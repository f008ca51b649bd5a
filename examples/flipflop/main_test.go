package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/tasks"
)

// TestFlipFlop runs the main job end to end with the default flags for each
// cell and checks what the issue asks of it: 8 stable fixed points, saddles
// with 1, 2 and 3 unstable modes, every residual <= 1e-10, and both files
// written.
func TestFlipFlop(t *testing.T) {
	for _, cell := range []string{"lstm", "gru", "rnn"} {
		t.Run(cell, func(t *testing.T) { testFlipFlop(t, cell) })
	}
}

func testFlipFlop(t *testing.T, cell string) {
	dir := t.TempDir()
	o := options{cell: cell, hidden: 16, seed: 6, inits: 1024, noise: 0.5, mse: 1e-4, epochs: 300, out: dir, quiet: true}
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	file, err := fpjson.Load(filepath.Join(dir, "flipflop-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	fp := file.Fixed
	counts := map[int]int{}
	minR, maxR, minU, maxU := math.Inf(1), 0.0, math.Inf(1), 0.0
	for _, p := range fp.Points {
		if p.Residual > 1e-10 {
			t.Errorf("residual %g > 1e-10", p.Residual)
		}
		// Every fixed point is proved (read back from the JSON).
		if pf := p.Proof; pf.Method != finder.ProofKrawczyk || !(pf.Radius > 0 && pf.Radius <= pf.UniqueRadius) {
			t.Errorf("fixed point without a proof: %+v", pf)
		} else {
			minR, maxR = math.Min(minR, pf.Radius), math.Max(maxR, pf.Radius)
			minU, maxU = math.Min(minU, pf.UniqueRadius), math.Max(maxU, pf.UniqueRadius)
		}
		if !p.Stability.Marginal {
			counts[p.Stability.NUnstable]++
		}
	}
	t.Logf("%s: %d fixed points proved, radius %.2g..%.2g, unique radius %.2g..%.2g", cell, len(fp.Points), minR, maxR, minU, maxU)
	if counts[0] != 8 || counts[1] == 0 || counts[2] == 0 || counts[3] == 0 {
		t.Errorf("counts by saddle index %v: want 8 stable and saddles of index 1, 2 and 3", counts)
	}
	// The manifolds file reads back and refers to points of the run.
	an, err := manifold.Load(filepath.Join(dir, manifoldsFile))
	if err != nil {
		t.Fatal(err)
	}
	if an.NFixed != len(fp.Points) {
		t.Errorf("manifolds file counts %d fixed points, the run %d", an.NFixed, len(fp.Points))
	}
	// The trained model is saved, and loads back (the cell with the cells
	// package alone, as the fixedpoints command reads it).
	m, err := tasks.LoadModel(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := tasks.HiddenSize(m.Cell); got != 16 {
		t.Errorf("saved model has %d hidden units, want 16", got)
	}
	if _, err := cells.LoadTorchCell(filepath.Join(dir, modelFile), cell, cells.AutoPrefix); err != nil {
		t.Errorf("the model file does not load as a %s cell: %v", cell, err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "flipflop-report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), `src="http`) || len(html) > 3<<20 {
		t.Errorf("report: %d bytes, remote script: %v", len(html), strings.Contains(string(html), `src="http`))
	}
	if !strings.Contains(string(html), "<h2>Training</h2>") || !strings.Contains(string(html), "epochs trained") {
		t.Error("report has no training panel")
	}
}

// Flag values that make no sense are errors, before any work.
func TestFlipFlopBadFlags(t *testing.T) {
	good := options{cell: "rnn", hidden: 4, inits: 4, noise: 0.5, mse: 1e-4, epochs: 10, out: t.TempDir(), quiet: true}
	cases := []struct {
		name string
		edit func(*options)
		want string
	}{
		{"cell", func(o *options) { o.cell = "lsmt" }, "lsmt"},
		{"hidden 0", func(o *options) { o.hidden = 0 }, "-hidden 0"},
		{"hidden < 0", func(o *options) { o.hidden = -3 }, "-hidden -3"},
		// Weights that cannot fit: an error, not a makeslice panic.
		{"hidden 1e8", func(o *options) { o.hidden = 100_000_000 }, "-hidden 100000000"},
		{"inits < 0", func(o *options) { o.inits = -1 }, "-n-inits -1"},
		{"mse 0", func(o *options) { o.mse = 0 }, "-mse 0"},
		{"mse < 0", func(o *options) { o.mse = -1e-3 }, "-mse -0.001"},
		{"mse NaN", func(o *options) { o.mse = math.NaN() }, "-mse NaN"},
		{"noise < 0", func(o *options) { o.noise = -1 }, "-noise -1"},
		{"epochs 0", func(o *options) { o.epochs = 0 }, "-epochs 0"},
	}
	for _, c := range cases {
		o := good
		c.edit(&o)
		o.trainStarted = func() { t.Errorf("%s: training started", c.name) }
		err := run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
}

// The command line: a bad value or a stray argument is a usage error (exit
// status 2) that names the flag, before any work; -h prints the flags.
func TestFlipFlopCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-hidden", "0"}, 2, "flipflop: -hidden 0: want a positive number of units\n"},
		{[]string{"-cell", "lsmt"}, 2, `flipflop: -cell: cells: unknown cell kind "lsmt"`},
		{[]string{"-mse", "0"}, 2, "flipflop: -mse 0: want a target MSE > 0\n"},
		{[]string{"-bogus"}, 2, "flipflop: flag provided but not defined: -bogus\n"},
		{[]string{"extra"}, 2, `flipflop: unexpected argument "extra"`},
		{[]string{"-h"}, 0, "usage: flipflop [flags]"},
		// -inits was this count's name; find's -inits is a file.
		{[]string{"-inits", "512"}, 2, "flipflop: flag provided but not defined: -inits (did you mean -n-inits?)\n"},
		// -quiet and -seed as in every subcommand of fixedpoints, -seed's
		// default the same.
		{[]string{"-quiet", "-seed", "3", "-h"}, 0, "  -seed uint\n    \tseed for weights, data, sampling and search (default 1)\n"},
	} {
		out := t.TempDir()
		var stdout, stderr strings.Builder
		code := command(context.Background(), append([]string{"-out", out, "-quiet"}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
		if files, _ := os.ReadDir(out); len(files) > 0 {
			t.Errorf("%q: %s written", c.args, files[0].Name())
		}
	}
}

// An output directory that cannot be written fails before training starts
// (within a second, as a generous check), not after minutes of work.
func TestFlipFlopUnwritableOut(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "flipflop-report.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(file, "out"), blocked} {
		var progress strings.Builder
		o := options{cell: "lstm", hidden: 16, inits: 1024, noise: 0.5, mse: 1e-4, epochs: 300, out: out,
			stdout: &progress, stderr: &progress}
		o.trainStarted = func() { t.Errorf("-out %s: training started", out) }
		start := time.Now()
		err := run(context.Background(), o)
		elapsed := time.Since(start)
		if err == nil {
			t.Errorf("-out %s: no error", out)
			continue
		}
		t.Logf("-out %s: %v after %v", out, err, elapsed)
		if elapsed > time.Second {
			t.Errorf("-out %s failed after %v, want < 1s", out, elapsed)
		}
		if progress.Len() > 0 {
			t.Errorf("-out %s: output before the error: %q", out, progress.String())
		}
	}
}
