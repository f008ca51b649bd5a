package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
)

// writeFlipFlop writes a vanilla tanh RNN with N units, one input, W_hh = w I
// and nothing else: each unit has the fixed points 0 and ±a with a =
// tanh(w a), so there are 3^N, and a point with k units at 0 has k unstable
// modes (eigenvalue w > 1; w (1 - a²) < 1 at ±a).
func writeFlipFlop(t *testing.T, path string, N int, w float64) {
	t.Helper()
	whh := make([]float64, N*N)
	for i := range N {
		whh[i*N+i] = w
	}
	sd := cells.StateDict{
		"weight_ih_l0": {Shape: []int{N, 1}, Data: make([]float64, N)},
		"weight_hh_l0": {Shape: []int{N, N}, Data: whh},
		"bias_ih_l0":   {Shape: []int{N}, Data: make([]float64, N)},
		"bias_hh_l0":   {Shape: []int{N}, Data: make([]float64, N)},
	}
	if err := cells.WriteStateDict(path, sd); err != nil {
		t.Fatal(err)
	}
}

// cornerStates are the 3^N states with coordinates in {-1, 0, 1}, as JSON.
func cornerStates(N int) string {
	var rows []string
	total := 1
	for range N {
		total *= 3
	}
	for c := range total {
		v := make([]string, N)
		for i := range N {
			v[i] = fmt.Sprint(c%3 - 1)
			c /= 3
		}
		rows = append(rows, "["+strings.Join(v, ",")+"]")
	}
	return "[" + strings.Join(rows, ",") + "]"
}

func parse(t *testing.T, dir string, lines ...string) []Job {
	t.Helper()
	jobs, err := ParseManifest(strings.NewReader(strings.Join(lines, "\n")), dir)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// The table's counts are the analytic ones of the flip-flop network.
func TestRowCountsFlipFlop(t *testing.T) {
	dir := t.TempDir()
	writeFlipFlop(t, filepath.Join(dir, "ff3.safetensors"), 3, 2)
	jobs := parse(t, dir, `{"id": "ff3", "weights": "ff3.safetensors", "cell": "rnn", "inputs": [[0]], "inits": `+cornerStates(3)+`}`)
	out := filepath.Join(dir, "out")
	sum, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Done) != 1 {
		t.Fatalf("summary %+v", sum)
	}
	tab, err := Merge(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Done != 1 {
		t.Fatalf("table %+v", tab)
	}
	r := tab.Rows[0]
	// C(3,k) 2^(3-k) points with k unstable modes.
	want := map[int]int{0: 8, 1: 12, 2: 6, 3: 1}
	if r.Status != StatusDone || r.Fixed != 27 || r.Stable != 8 || r.Marginal != 0 || r.Undecided != 0 || r.UndecidedModes != 0 || r.Unconverged != 0 || r.NotAnalyzed != 0 || fmt.Sprint(r.BySaddleIndex) != fmt.Sprint(want) {
		t.Errorf("row %+v, want 27 fixed points, 8 stable, by index %v", r, want)
	}
	if r.WorstResidual == nil || *r.WorstResidual > 1e-10 || r.N != 3 || r.M != 1 || r.Candidates != 27 {
		t.Errorf("row %+v", r)
	}
	file, err := fpjson.Load(filepath.Join(out, r.FixedFile))
	if err != nil || file.Fixed.Len() != 27 {
		t.Fatalf("result file: %v, %v", file, err)
	}
	var csv bytes.Buffer
	if err := tab.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "job,input,u,cell,layers,n,m,status,find_status,candidates,fixed,stable,index_0,index_1,index_2,index_3,undecided,undecided_modes,marginal,not_analyzed,slow,unconverged,") ||
		!strings.HasPrefix(lines[1], "ff3,0,[0],rnn,1,3,1,done,Converged,27,27,8,8,12,6,1,0,0,0,0,0,0,") {
		t.Errorf("csv:\n%s", csv.String())
	}
}

func TestRerunSkipsCompleteJobs(t *testing.T) {
	dir := t.TempDir()
	writeFlipFlop(t, filepath.Join(dir, "ff2.safetensors"), 2, 2)
	line := `{"id": "ff2", "weights": "ff2.safetensors", "cell": "rnn", "inits": ` + cornerStates(2) + `}`
	jobs := parse(t, dir, line)
	out := filepath.Join(dir, "out")
	ctx := context.Background()
	if _, err := RunShard(ctx, jobs, out, Options{Shard: Shard{0, 1}}); err != nil {
		t.Fatal(err)
	}
	done := filepath.Join(JobDir(out, "ff2"), doneFile)
	first, err := os.ReadFile(done)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := RunShard(ctx, jobs, out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Skipped) != 1 || len(sum.Done) != 0 {
		t.Fatalf("second run: %+v, %v; want the job skipped", sum, err)
	}
	if again, _ := os.ReadFile(done); !bytes.Equal(again, first) {
		t.Error("the done record of a skipped job changed")
	}

	// A change of meta alone keeps the results; the table shows the new
	// labels.
	relabeled := parse(t, dir, strings.Replace(line, `"cell"`, `"meta": {"run": "b"}, "cell"`, 1))
	if !strings.Contains(line, `"cell"`) || relabeled[0].Hash() != jobs[0].Hash() {
		t.Error("meta changes the job's hash")
	}
	if tab, err := Merge(out, relabeled); err != nil || tab.Done != 1 || tab.Rows[0].Meta["run"] != "b" {
		t.Errorf("merge with new labels: %+v, %v", tab, err)
	}

	// Another manifest in the same directory is refused ...
	changed := parse(t, dir, strings.Replace(line, `"cell"`, `"seed": 5, "cell"`, 1))
	if _, err := RunShard(ctx, changed, out, Options{Shard: Shard{0, 1}}); !errors.Is(err, ErrOtherManifest) {
		t.Fatalf("another manifest: %v, want ErrOtherManifest", err)
	}
	// ... until its copy is removed: then the changed job runs again, and
	// the stage a killed run left is removed (not another job's).
	os.Remove(filepath.Join(out, manifestOut))
	stale := filepath.Join(out, "jobs", stagePrefix+"ff2"+stageMark+deadOwnerTag(t)+stageMark+"123")
	other := filepath.Join(out, "jobs", stagePrefix+"ff2-b"+stageMark+"123")
	for _, d := range []string{stale, other} {
		os.Mkdir(d, 0o755)
		os.WriteFile(filepath.Join(d, ".input-0.fixedpoints.json.tmp123"), []byte("half"), 0o644)
	}
	sum, err = RunShard(ctx, changed, out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Done) != 1 {
		t.Fatalf("changed job: %+v, %v; want it run again", sum, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale stage still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the stage of job ff2-b was touched: %v", err)
	}
	if tab, err := Merge(out, nil); err != nil || len(tab.Unknown) != 0 {
		t.Errorf("merge counts stages as jobs: %+v, %v", tab, err)
	}
}

func TestInterruptedJobHasNoRecord(t *testing.T) {
	dir := t.TempDir()
	writeFlipFlop(t, filepath.Join(dir, "ff2.safetensors"), 2, 2)
	jobs := parse(t, dir, `{"id": "ff2", "weights": "ff2.safetensors", "cell": "rnn", "inits": `+cornerStates(2)+`}`)
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := RunShard(ctx, jobs, out, Options{Shard: Shard{0, 1}, BeforeCommit: func(string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	// Nothing of the interrupted job is left: no directory, no stage.
	if entries, err := os.ReadDir(filepath.Join(out, "jobs")); err != nil || len(entries) != 0 {
		t.Errorf("after an interrupted job: %v, %v; want an empty jobs directory", entries, err)
	}
	tab, err := Merge(out, nil)
	if err != nil || len(tab.Missing) != 1 || tab.Missing[0].Reason != "no done record" {
		t.Fatalf("merge: %+v, %v", tab, err)
	}
}

func TestMergeReportsFailedMissingAndUnknown(t *testing.T) {
	dir := t.TempDir()
	writeFlipFlop(t, filepath.Join(dir, "ff2.safetensors"), 2, 2)
	jobs := parse(t, dir,
		`{"id": "good", "weights": "ff2.safetensors", "cell": "rnn", "inits": `+cornerStates(2)+`}`,
		`{"id": "later", "weights": "ff2.safetensors", "cell": "rnn", "inits": [[0, 0]]}`,
		`{"id": "nofile", "weights": "absent.safetensors", "cell": "rnn"}`,
		`{"id": "wrongcell", "weights": "ff2.safetensors", "cell": "lstm"}`,
		`{"id": "lost", "weights": "ff2.safetensors", "cell": "rnn", "inits": [[0.5, 0.5]]}`,
	)
	out := filepath.Join(dir, "out")
	sum, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 2}}) // good, nofile, lost
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sum.Done, sum.Failed) != "[good lost] [nofile]" {
		t.Fatalf("shard 0/2: done %v, failed %v", sum.Done, sum.Failed)
	}
	if _, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{1, 2}}); err != nil { // later, wrongcell
		t.Fatal(err)
	}
	os.Remove(filepath.Join(JobDir(out, "later"), doneFile))                  // as if killed before its record
	os.Remove(filepath.Join(JobDir(out, "lost"), "input-0.fixedpoints.json")) // a result lost after the fact
	os.MkdirAll(JobDir(out, "stranger"), 0o755)

	tab, err := Merge(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tab.Rows {
		got = append(got, r.Job+":"+r.Status)
	}
	if want := "[good:done later:missing nofile:failed wrongcell:failed lost:missing]"; fmt.Sprint(got) != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	if tab.Jobs != 5 || tab.Done != 1 || len(tab.Failed) != 2 || len(tab.Missing) != 2 || fmt.Sprint(tab.Unknown) != "[stranger]" {
		t.Errorf("table %+v", tab)
	}
	for _, c := range []struct{ got, want string }{
		{tab.Failed[0].Reason, "absent.safetensors"},
		{tab.Failed[1].Reason, "weights"},
		{tab.Missing[0].Reason, "no done record"},
		{tab.Missing[1].Reason, "input-0.fixedpoints.json"},
		{tab.Rows[2].Error, "absent.safetensors"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("reason %q, want it to name %q", c.got, c.want)
		}
	}
}
