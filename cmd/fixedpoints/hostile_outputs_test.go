package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInterruptedFindKeepsEarlierResults: a find canceled (as by SIGINT)
// exits 130, prints no "wrote" and leaves the earlier complete set as it
// was. Before, it exited 0, printed "wrote" and replaced the earlier JSON
// with the canceled run's partial one.
func TestInterruptedFindKeepsEarlierResults(t *testing.T) {
	dir := t.TempDir()
	w, _ := writeModel(t, dir, "m.safetensors", "gru", 4, 1, "")
	inits := writeNPY(t, dir, "x0.npy", []int{2, 4}, []float64{0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4})
	traj := make([]float64, 2*3*4)
	for i := range traj {
		traj[i] = 0.1 * float64(i%5)
	}
	tr := writeNPY(t, dir, "traj.npy", []int{2, 3, 4}, traj)
	// -trajectories: no simulation, so the cancel reaches the search.
	args := []string{"find", "-weights", w, "-inits", inits, "-trajectories", tr, "-out", dir, "-quiet"}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errb.String())
	}
	names := []string{"m-fixedpoints.json", "m-report.html"}
	before := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		before[n] = string(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out.Reset()
	errb.Reset()
	code := run(ctx, args, &out, &errb)
	if code != 130 {
		t.Errorf("canceled run: exit %d, want 130 (stderr %q)", code, errb.String())
	}
	if strings.Contains(out.String(), "wrote") {
		t.Errorf("canceled run printed %q", out.String())
	}
	for _, n := range names {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != before[n] {
			t.Errorf("%s changed by the canceled run", n)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left %s behind", e.Name())
		}
	}
	t.Log(errb.String())
}

// TestOutputIsNotAnInput: report -out onto its -in (or its trajectories),
// and find -out into a directory where its outputs are its inputs, are
// refused before anything is written. Before, report -in k.json -out
// k.json replaced the JSON with HTML.
func TestOutputIsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "k.json")
	src, err := os.ReadFile(filepath.Join("testdata", "report-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, src, 0o644)
	trj := filepath.Join(dir, "k-trajectories.npy")
	tb, _ := os.ReadFile(filepath.Join("testdata", "report-trajectories.npy"))
	os.WriteFile(trj, tb, 0o644)
	os.Symlink(in, filepath.Join(dir, "link.json"))
	w, _ := writeModel(t, dir, "m.safetensors", "gru", 4, 1, "")
	u := writeNPY(t, dir, "m-report.html", []int{1, 1}, []float64{0.5}) // an input named as find's page
	for _, args := range [][]string{
		{"report", "-in", in, "-out", in},
		{"report", "-in", in, "-out", filepath.Join(dir, "link.json")},
		{"report", "-in", in, "-out", trj},
		{"find", "-weights", w, "-inputs", u, "-out", dir, "-quiet"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "would be overwritten") {
			t.Errorf("%q: exit %d, stderr %q; want a refusal", args, code, errb.String())
		}
	}
	if b, _ := os.ReadFile(in); !bytes.Equal(b, src) {
		t.Errorf("the -in JSON was overwritten")
	}
	if b, _ := os.ReadFile(trj); !bytes.Equal(b, tb) {
		t.Errorf("the trajectories were overwritten")
	}
}

// TestDirectionMessages: -direction counts states, not inputs, and an
// all-zero direction is refused. Before, "-direction 1,2" on N = 1 said
// "the model has 1 input", and "-direction 0" drew every state at 0.
func TestDirectionMessages(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir)
	for spec, want := range map[string]string{"1,2": "the model has 1 state", "0": "all zeros"} {
		var errb bytes.Buffer
		args := []string{"continue", "-weights", weights, "-cell", "rnn", "-to", "1", "-direction", spec, "-out", dir, "-quiet"}
		if code := run(context.Background(), args, &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), want) {
			t.Errorf("-direction %s: exit %d, %q; want exit 2 and %q", spec, code, errb.String(), want)
		}
	}
}

// TestInterruptedContinueWritesNothing: a continue canceled during its
// search exits 130 and writes no branches; -out onto its weights is
// refused.
func TestInterruptedContinueWritesNothing(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir)
	inits := writeNPY(t, dir, "x0.npy", []int{2, 1}, []float64{-0.5, 0.5})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	args := []string{"continue", "-weights", weights, "-cell", "rnn", "-inits", inits, "-to", "1", "-out", dir, "-quiet"}
	if code := run(ctx, args, &out, &errb); code != 130 {
		t.Errorf("exit %d, want 130: %s", code, errb.String())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*-branches.*")); len(m) != 0 || strings.Contains(out.String(), "wrote") {
		t.Errorf("a canceled continue wrote %v: %s", m, out.String())
	}
}
