package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rnnfp/fixedpoints/tasks"
)

// torchPython finds a Python with PyTorch, or skips: CI has no torch.
func torchPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(p, "-c", "import torch").Run(); err == nil {
			return p
		}
	}
	t.Skip("no python3 with torch (apt-get install python3-torch): PyTorch check skipped")
	return ""
}

// The model file flipflop saves loads into torch.nn modules (read by
// testdata/torch_run.py, with PyTorch alone), which give the outputs our
// model gives, to rounding.
func TestSavedModelRunsInPyTorch(t *testing.T) {
	py := torchPython(t)
	for _, cell := range []string{"lstm", "gru", "rnn"} {
		t.Run(cell, func(t *testing.T) {
			dir := t.TempDir()
			o := options{cell: cell, hidden: 5, seed: 2, inits: 16, noise: 0.5, mse: 1e-4, epochs: 1, out: dir, quiet: true,
				stdout: &bytes.Buffer{}}
			if err := run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, modelFile)
			m, err := tasks.LoadModel(path)
			if err != nil {
				t.Fatal(err)
			}
			batch, err := tasks.FlipFlop{Bits: 3, Time: 20, P: 0.5}.Generate(3, 9)
			if err != nil {
				t.Fatal(err)
			}
			_, want, err := m.Run(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			job, _ := json.Marshal(map[string]any{"trials": batch.Trials, "time": batch.Time, "inputs": batch.Inputs})
			cmd := exec.Command(py, "testdata/torch_run.py", path)
			cmd.Stdin = bytes.NewReader(job)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("torch: %v\n%s", err, stderr.String())
			}
			var got []float64
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("torch gave %d outputs, want %d", len(got), len(want))
			}
			worst := 0.0
			for i := range got {
				worst = math.Max(worst, math.Abs(got[i]-want[i]))
			}
			t.Logf("%s: largest difference between PyTorch's and our outputs: %.3g", cell, worst)
			if worst > 1e-12 {
				t.Errorf("%s: PyTorch's outputs differ from ours by %.3g, want <= 1e-12", cell, worst)
			}
		})
	}
}
