package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// page is what a report page shows, parsed from its HTML: the title, each
// chart's option keyed by id, and each table's rows keyed by title.
type page struct {
	title  string
	charts map[string]json.RawMessage
	tables map[string][]string
}

var (
	pageTitle = regexp.MustCompile(`<title>([^<]*)</title>`)
	pageTable = regexp.MustCompile(`(?s)<div><h2>([^<]*)</h2>\s*<table>(.*?)</table></div>`)
	tableRow  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
)

func readPage(t *testing.T, path string) page {
	t.Helper()
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := page{charts: map[string]json.RawMessage{}, tables: map[string][]string{}}
	if m := pageTitle.FindSubmatch(html); m != nil {
		p.title = string(m[1])
	}
	for _, m := range specLine.FindAllSubmatch(html, -1) {
		p.charts[string(m[1])] = json.RawMessage(m[2])
	}
	if len(p.charts) == 0 {
		t.Fatalf("%s: no chart options found", path)
	}
	for _, m := range pageTable.FindAllSubmatch(html, -1) {
		var rows []string
		for _, r := range tableRow.FindAllSubmatch(m[2], -1) {
			rows = append(rows, strings.Join(strings.Fields(htmlTag.ReplaceAllString(string(r[1]), " ")), " "))
		}
		p.tables[string(m[1])] = rows
	}
	if len(p.tables) == 0 {
		t.Fatalf("%s: no tables found", path)
	}
	return p
}

// trajectorySeries counts the 3-D view's trajectory lines and their points.
func trajectorySeries(t *testing.T, p page) (lines, points int) {
	t.Helper()
	var opt struct {
		Series []struct {
			Name string            `json:"name"`
			Data []json.RawMessage `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(p.charts["fixed-points"], &opt); err != nil {
		t.Fatalf("3-D view: %v", err)
	}
	for _, s := range opt.Series {
		if s.Name == "trajectories" {
			lines++
			points += len(s.Data)
		}
	}
	return lines, points
}

// missing lists what find's page has that the rebuilt page lacks or shows
// otherwise: charts and tables by name, table rows, and the title.
func missing(find, rebuilt page) []string {
	var out []string
	for id := range find.charts {
		if _, ok := rebuilt.charts[id]; !ok {
			out = append(out, "chart "+id)
		}
	}
	for title, rows := range find.tables {
		got, ok := rebuilt.tables[title]
		if !ok {
			out = append(out, "table "+title)
			continue
		}
		have := map[string]bool{}
		for _, r := range got {
			have[r] = true
		}
		for _, r := range rows {
			if !have[r] {
				out = append(out, "row "+title+": "+r)
			}
		}
	}
	if find.title != rebuilt.title {
		out = append(out, "title")
	}
	sort.Strings(out)
	return out
}

// find saves the trajectories its page draws; report, given the JSON
// alone, finds them beside it and draws them as find did; every part of
// find's page the rebuilt one lacks is named by exactly one "not rebuilt"
// line, and no line names a part it has.
func TestReportRebuildsFindsPage(t *testing.T) {
	dir := t.TempDir()
	const N, M = 4, 2
	path, cell := writeModel(t, dir, "net.safetensors", "rnn", N, M, "")
	o := defaults(t, path, "rnn")
	o.NInits = 64
	var stdout bytes.Buffer
	outs, err := runFindOpts(o, &stdout)
	if err != nil {
		t.Fatal(err)
	}

	// The .npy: tasks.Pulses' documented 128 trials of 64 steps, each
	// state the tanh RNN's step from the one before (zero at the start)
	// under the pulses, computed here from the weights.
	wantPath := filepath.Join(o.out, "net-trajectories.npy")
	if outs.trajectories != wantPath {
		t.Fatalf("trajectories saved as %q, want %q", outs.trajectories, wantPath)
	}
	if want := "wrote " + outs.html + ", " + outs.json + " and " + wantPath + "\n"; !strings.HasSuffix(stdout.String(), want) {
		t.Errorf("find's output does not end with %q:\n%s", want, stdout.String())
	}
	saved, err := cells.ReadNPY(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := saved.Shape; len(got) != 3 || got[0] != 128 || got[1] != 64 || got[2] != N {
		t.Fatalf("trajectories shape %v, want [128 64 %d]", got, N)
	}
	pulses, err := (tasks.Pulses{}).Simulate(context.Background(), cell, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	sd := cell.StateDict()
	wih, whh, bih, bhh := sd["weight_ih_l0"].Data, sd["weight_hh_l0"].Data, sd["bias_ih_l0"].Data, sd["bias_hh_l0"].Data
	worst := 0.0
	for b := range 128 {
		h := make([]float64, N)
		for s := range 64 {
			u := pulses.Inputs[(b*64+s)*M : (b*64+s+1)*M]
			next := make([]float64, N)
			for i := range N {
				a := bih[i] + bhh[i]
				for k := range M {
					a += wih[i*M+k] * u[k]
				}
				for k := range N {
					a += whh[i*N+k] * h[k]
				}
				next[i] = math.Tanh(a)
			}
			h = next
			for i := range N {
				worst = max(worst, math.Abs(saved.Data[(b*64+s)*N+i]-h[i]))
			}
		}
	}
	if worst > 1e-12 {
		t.Errorf("saved trajectories differ from the RNN's steps under the pulses by %g, want <= 1e-12", worst)
	}
	findPage := readPage(t, outs.html)

	// report on the JSON alone, the page beside it (over find's).
	stdout.Reset()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "-in", outs.json}, &stdout, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if want := "trajectories: " + wantPath + ` (beside -in; -trajectories "" leaves them out)`; lines[0] != want {
		t.Errorf("report's first line %q, want %q", lines[0], want)
	}
	if want := "wrote " + outs.html; lines[len(lines)-1] != want {
		t.Errorf("report's last line %q, want %q", lines[len(lines)-1], want)
	}
	rebuilt := readPage(t, outs.html)

	// The trajectories: as many lines and points as find drew (the first
	// viz.DefaultMaxTrials trials, every step), and every chart both pages
	// have is the same.
	fl, fp := trajectorySeries(t, findPage)
	rl, rp := trajectorySeries(t, rebuilt)
	if fl != viz.DefaultMaxTrials || fp != viz.DefaultMaxTrials*64 {
		t.Errorf("find's page draws %d trajectories, %d points; want %d, %d", fl, fp, viz.DefaultMaxTrials, viz.DefaultMaxTrials*64)
	}
	if rl != fl || rp != fp {
		t.Errorf("the rebuilt page draws %d trajectories, %d points; find's %d, %d", rl, rp, fl, fp)
	}
	for id, opt := range rebuilt.charts {
		if want, ok := findPage.charts[id]; !ok {
			t.Errorf("chart %s is not on find's page", id)
		} else if !bytes.Equal(opt, want) {
			t.Errorf("chart %s differs from find's:\n%s", id, firstDiff(opt, want))
		}
	}

	// The gaps, as the pages show them, and the lines that name them: one
	// line for each gap, by the words below.
	gaps := missing(findPage, rebuilt)
	wantGaps := []string{"chart q-histogram", "chart trial", "row Counts: candidates 64",
		"row Counts: candidates ending at a certified fixed point (outcome fixed) 64",
		"row Counts: candidates ending at a slow point, a local minimum of q &gt; 0 (slow) 0",
		"row Counts: candidates ending on a slow region (slow region) 0",
		"row Counts: candidates ending unconverged (unconverged) 0",
		"table Search settings and run", "title"}
	if strings.Join(gaps, "\n") != strings.Join(wantGaps, "\n") {
		t.Fatalf("the rebuilt page lacks %q, want %q", gaps, wantGaps)
	}
	named := map[string]string{ // gap: the words of the line that names it
		"chart q-histogram":         "the histogram of q and the count of all candidates",
		"row Counts: candidates 64": "the histogram of q and the count of all candidates",
		"row Counts: candidates ending at a certified fixed point (outcome fixed) 64":         "the histogram of q and the count of all candidates",
		"row Counts: candidates ending at a slow point, a local minimum of q &gt; 0 (slow) 0": "the histogram of q and the count of all candidates",
		"row Counts: candidates ending on a slow region (slow region) 0":                      "the histogram of q and the count of all candidates",
		"row Counts: candidates ending unconverged (unconverged) 0":                           "the histogram of q and the count of all candidates",
		"chart trial":                   "the example trial of input pulses",
		"table Search settings and run": "the table of search settings and run",
		"title":                         "find's title",
	}
	var notRebuiltLines []string
	for _, l := range lines {
		if strings.HasPrefix(l, "not rebuilt: ") {
			notRebuiltLines = append(notRebuiltLines, l)
		}
	}
	for _, l := range notRebuiltLines {
		n := 0
		for _, words := range named {
			if strings.HasPrefix(l, "not rebuilt: "+words) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("line %q names no gap of the page", l)
		}
	}
	for gap, words := range named {
		n := 0
		for _, l := range notRebuiltLines {
			if strings.HasPrefix(l, "not rebuilt: "+words) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("gap %q: named by %d lines, want 1; output:\n%s", gap, n, stdout.String())
		}
	}
	if len(notRebuiltLines) != 4 || len(lines) != 6 {
		t.Errorf("report printed %d lines, %d of them \"not rebuilt\"; want 6 and 4 (histogram, trial, settings, title):\n%s",
			len(lines), len(notRebuiltLines), stdout.String())
	}

	// -trajectories "" draws none and says so.
	stdout.Reset()
	other := filepath.Join(dir, "plain.html")
	if code := run(context.Background(), []string{"report", "-in", outs.json, "-trajectories", "", "-out", other, "-title", findPage.title}, &stdout, &stderr); code != 0 {
		t.Fatalf("report -trajectories \"\": exit %d: %s", code, stderr.String())
	}
	if l, _ := trajectorySeries(t, readPage(t, other)); l != 0 {
		t.Errorf("-trajectories \"\": %d trajectories drawn, want 0", l)
	}
	out := stdout.String()
	if strings.Contains(out, "trajectories: ") || !strings.Contains(out, "not rebuilt: the trajectories in the 3-D view (left out by -trajectories \"\")") ||
		strings.Contains(out, "find's title") {
		t.Errorf("-trajectories \"\" -title: output does not say the trajectories were left out, or names the title:\n%s", out)
	}
}

// Trajectories beside the JSON of another N stop report with an error that
// names the file and the way out, and no page is written.
func TestReportTrajectoriesBesideWrongN(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "net-fixedpoints.json")
	data, err := os.ReadFile(goldenJSON) // N = 6
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	npy := writeNPY(t, dir, "net-trajectories.npy", []int{2, 3, 5}, make([]float64, 30))
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "-in", in}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{npy, "N = 5, but the fixed points have N = 6", "found beside -in", `-trajectories ""`} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr %q does not contain %q", stderr.String(), w)
		}
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr shows a panic: %s", stderr.String())
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "net-fixedpoints.json net-trajectories.npy" {
		t.Errorf("directory holds %q after the error, want the two inputs alone", names)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// A run whose page draws no trajectories (-trajectories of states without
// time) removes an earlier run's NAME-trajectories.npy, which report would
// draw beside the new points, but never the file it read.
func TestFindRemovesStaleTrajectories(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeModel(t, dir, "net.safetensors", "rnn", 4, 1, "")
	o := defaults(t, path, "rnn")
	o.NInits = 16
	outs, err := runFindOpts(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outs.trajectories); err != nil {
		t.Fatalf("first run: %v", err)
	}
	o.Trajectories = writeNPY(t, dir, "states.npy", []int{10, 4}, make([]float64, 40))
	var stdout bytes.Buffer
	outs2, err := runFindOpts(o, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	if outs2.trajectories != "" {
		t.Errorf("states without time saved as %q", outs2.trajectories)
	}
	if _, err := os.Stat(outs.trajectories); err == nil {
		t.Error("the earlier run's trajectories are still beside the new JSON")
	}
	if !strings.Contains(stdout.String(), "removed "+outs.trajectories) || !strings.HasSuffix(stdout.String(), "wrote "+outs2.html+" and "+outs2.json+"\n") {
		t.Errorf("output does not say what was removed and written:\n%s", stdout.String())
	}
	// The states file itself at that name is read, not removed.
	o.Trajectories = writeNPY(t, o.out, "net-trajectories.npy", []int{10, 4}, make([]float64, 40))
	if _, err := runFindOpts(o, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o.Trajectories); err != nil {
		t.Errorf("the -trajectories file was removed: %v", err)
	}
}

// The trajectories' name is checked before the search, as the other
// outputs': a directory there stops find at once, with nothing written.
func TestFindChecksTrajectoriesOutput(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeModel(t, dir, "net.safetensors", "rnn", 4, 1, "")
	o := defaults(t, path, "rnn")
	blocker := filepath.Join(o.out, "net-trajectories.npy")
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	_, err := runFindOpts(o, &stdout)
	if err == nil || !strings.Contains(err.Error(), blocker) || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("error %v, want one naming %s as a directory", err, blocker)
	}
	if stdout.Len() != 0 {
		t.Errorf("find printed %q before refusing: the check must come before the search", stdout.String())
	}
	if m, _ := filepath.Glob(filepath.Join(o.out, "net-*.*")); len(m) != 1 {
		t.Errorf("outputs %q, want the directory alone", m)
	}
}
