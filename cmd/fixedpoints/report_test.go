package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (trains a small GRU and runs the finder)")

// The golden files of the report test: fixed points and trajectories of a
// GRU with 6 units trained on the 3-bit flip-flop, as a finder run saved
// them, and the chart options of the page that run wrote.
const (
	goldenJSON    = "testdata/report-fixedpoints.json"
	goldenNPY     = "testdata/report-trajectories.npy"
	goldenOptions = "testdata/report-options.golden"
	goldenTitle   = "Fixed points of a GRU with 6 units trained on the 3-bit flip-flop"
)

// specLine is one chart of a page's script: its id and option.
var specLine = regexp.MustCompile(`(?m)^\s*\{id: "([^"]+)", tips: "[^"]*", width:\s*\d+\s*, height:\s*\d+\s*, option: (.*)\},$`)

// pageOptions extracts, from a report page, every chart's option and the
// spectra the selector uses, as indented JSON keyed by chart id.
func pageOptions(t *testing.T, html []byte) []byte {
	t.Helper()
	out := map[string]json.RawMessage{}
	for _, m := range specLine.FindAllSubmatch(html, -1) {
		out[string(m[1])] = json.RawMessage(m[2])
	}
	if len(out) == 0 {
		t.Fatal("no chart options found in the page")
	}
	sp := regexp.MustCompile(`(?m)^\s*var spectra = (.*);$`).FindSubmatch(html)
	if sp == nil {
		t.Fatal("no spectra found in the page")
	}
	out["spectra (selector)"] = json.RawMessage(sp[1])
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// writeGolden trains the network, runs the finder as the programs do, saves
// its fixed points and trajectories, and the chart options of the page a
// finder run writes from them.
func writeGolden(t *testing.T) {
	ctx := context.Background()
	task := tasks.FlipFlop{Bits: 3, Time: 64, P: 0.5}
	cell, err := cells.NewTorchCell("gru", 6, task.InputSize())
	if err != nil {
		t.Fatal(err)
	}
	model, err := tasks.NewModel(cell, task.OutputSize(), 3)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tasks.Train(ctx, model, task, tasks.TrainSettings{Seed: 3, MaxEpochs: 200, TargetMSE: 3e-3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained: %d epochs, validation MSE %.3g", tr.Epochs, tr.Val.MSE)
	batch, err := task.Generate(8, 1003)
	if err != nil {
		t.Fatal(err)
	}
	states, _, err := model.Run(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	N := cell.StateSize()
	smp, err := finder.SampleStates(finder.Trajectories{States: states, Trials: batch.Trials, Time: batch.Time, N: N}, 256, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: smp.States, Inputs: make([]float64, 3)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("found %d fixed points", res.Fixed.Len())
	if err := fpjson.Save(goldenJSON, res); err != nil { // fixed, slow and unconverged
		t.Fatal(err)
	}
	if err := cells.WriteNPY(goldenNPY, cells.Tensor{Shape: []int{batch.Trials, batch.Time, N}, Data: states}); err != nil {
		t.Fatal(err)
	}
	page := &viz.Report{Title: goldenTitle, Fixed: res.Fixed, Slow: res.Slow,
		Trajectories: &finder.Trajectories{Trials: batch.Trials, Time: batch.Time, N: N, States: states}}
	var b bytes.Buffer
	if err := page.Render(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenOptions, pageOptions(t, b.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// report on the golden JSON and trajectories rebuilds the page the finder
// wrote: every chart option, and the spectra, equal those of that page.
func TestReportRebuildsFinderPage(t *testing.T) {
	if *update {
		writeGolden(t)
	}
	out := filepath.Join(t.TempDir(), "page.html")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "-in", goldenJSON, "-trajectories", goldenNPY,
		"-out", out, "-title", goldenTitle}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if want := "wrote " + out + "\n"; !strings.HasSuffix(stdout.String(), want) {
		t.Errorf("stdout %q, want it to end with %q", stdout.String(), want)
	}
	html, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := pageOptions(t, html)
	want, err := os.ReadFile(goldenOptions)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the rebuilt page's charts differ from %s, the finder's page:\n%s", goldenOptions, firstDiff(got, want))
	}
	if !strings.Contains(string(html), "<title>"+goldenTitle+"</title>") {
		t.Error("title not kept")
	}
}

// Without -out the page goes beside the JSON; a bad call is a usage error
// (exit 2), an unreadable or inconsistent input an error (exit 1).
func TestReportArguments(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "net-fixedpoints.json")
	data, err := os.ReadFile(goldenJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "-in", in}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "net-report.html")); err != nil {
		t.Errorf("no page beside the JSON: %v", err)
	}
	bad := filepath.Join(dir, "bad.npy")
	if err := cells.WriteNPY(bad, cells.Tensor{Shape: []int{2, 3, 5}, Data: make([]float64, 30)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "missing -in FILE.json"},
		{[]string{"-in", in, "-trials", "-1"}, 2, "-trials -1"},
		{[]string{"-in", filepath.Join(dir, "missing.json")}, 1, "missing.json"},
		{[]string{"-in", in, "-trajectories", bad}, 1, "N = 5, but the fixed points have N = 6"},
		{[]string{"-in", in, "-out", filepath.Join(in, "x.html")}, 1, "not a directory"},
	} {
		stderr.Reset()
		code := run(context.Background(), append([]string{"report"}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("report %q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return "line " + itoa(i+1) + ":\n got: " + string(gl) + "\nwant: " + string(wl)
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
