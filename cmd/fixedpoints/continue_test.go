package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/continuation"
)

// writeFoldRNN saves the one-unit tanh RNN h' = tanh(2h + u) and returns
// its path.
func writeFoldRNN(t *testing.T, dir string) string {
	t.Helper()
	cell, err := cells.NewTorchCell("rnn", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	sd := cell.StateDict()
	sd["weight_hh_l0"].Data[0] = 2
	sd["weight_ih_l0"].Data[0] = 1
	path := filepath.Join(dir, "fold.safetensors")
	if err := cells.WriteSafetensors(path, sd, "F64", nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// continue on h' = tanh(2h + u) from u = 0 to 1 writes the fold at
// u = 0.532840 (x = -1/sqrt 2, where 2 sech^2(2x + u) = 1) to
// fold-branches.json and the diagram beside it, fold-branches.html (named
// after the weight file as find's outputs are).
func TestContinueCommand(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir)
	inits := writeNPY(t, dir, "inits.npy", []int{3, 1}, []float64{-1, 0.1, 1})
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"continue", "-weights", weights, "-cell", "rnn", "-inits", inits,
		"-from", "0", "-to", "1", "-direction", "2", "-out", out, "-quiet"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	t.Log(stdout.String())
	res, err := continuation.Load(filepath.Join(out, "fold-branches.json"))
	if err != nil {
		t.Fatal(err)
	}
	xf := -1 / math.Sqrt2
	uf := math.Atanh(xf) - 2*xf
	if len(res.Bifurcations) != 1 || res.Bifurcations[0].Kind != continuation.Fold || math.Abs(res.Bifurcations[0].U[0]-uf) > 1e-8 {
		t.Errorf("bifurcations %+v, want one fold at u = %.10f", res.Bifurcations, uf)
	}
	if !strings.Contains(stdout.String(), "fold") {
		t.Errorf("the summary does not mention the fold:\n%s", stdout.String())
	}
	html, err := os.ReadFile(filepath.Join(out, "fold-branches.html"))
	if err != nil || !strings.Contains(string(html), `"name":"fold"`) {
		t.Errorf("diagram without the fold marker (%v)", err)
	}
	// -direction 2 draws y = 2x: the fold at 2 (-1/sqrt 2) = -1.41421.
	if !strings.Contains(string(html), `"value":[0.53284,-1.41421]`) {
		t.Errorf("the fold marker is not at (0.53284, -1.41421)")
	}
}

// Bad flags of continue's own exit with status 2 before any work (the
// model flags': TestModelFlagErrors).
func TestContinueUsage(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir)
	for _, args := range [][]string{
		{"continue", "-weights", weights, "-cell", "rnn"},               // no -to
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "1,2"}, // two values for one input
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "x"},   // not a number
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "0"},   // empty path
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "1", "-max-step", "-1"},
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "1", "-direction", "1,2"},       // N = 1
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "1", "-direction", "readout:x"}, // not an index
		{"continue", "-weights", weights, "-cell", "rnn", "-to", "1", "-direction", "readout:0"}, // no readout saved
	} {
		args = append(args, "-out", dir)
		if code := run(context.Background(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%q: exit %d, want 2", args[1:], code)
		}
	}
}
