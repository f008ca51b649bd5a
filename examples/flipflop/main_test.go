package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
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
	o := options{cell: cell, hidden: 16, seed: 6, inits: 1024, noise: 0.5, mse: 1e-4, out: dir, quiet: true}
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	fp, err := finder.Load(filepath.Join(dir, "flipflop-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, p := range fp.Points {
		if p.Residual > 1e-10 {
			t.Errorf("residual %g > 1e-10", p.Residual)
		}
		if !p.Stability.Marginal {
			counts[p.Stability.NUnstable]++
		}
	}
	if counts[0] != 8 || counts[1] == 0 || counts[2] == 0 || counts[3] == 0 {
		t.Errorf("counts by saddle index %v: want 8 stable and saddles of index 1, 2 and 3", counts)
	}
	html, err := os.ReadFile(filepath.Join(dir, "flipflop-report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), `src="http`) || len(html) > 3<<20 {
		t.Errorf("report: %d bytes, remote script: %v", len(html), strings.Contains(string(html), `src="http`))
	}
}

func TestFlipFlopBadFlags(t *testing.T) {
	for _, o := range []options{{cell: "lsmt", hidden: 4, inits: 4}, {cell: "rnn", hidden: 0, inits: 4}} {
		if err := run(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
