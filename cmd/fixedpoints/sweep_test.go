package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/internal/sweeptest"
	"github.com/rnnfp/fixedpoints/sweep"
)

// childArgsEnv carries the arguments of the command when the test binary
// runs as the command itself (see TestChildProcess).
const childArgsEnv = "FIXEDPOINTS_TEST_CHILD_ARGS"

// TestChildProcess is not a test: run by child with childArgsEnv set, it is
// the fixedpoints command, in a process of its own.
func TestChildProcess(t *testing.T) {
	args := os.Getenv(childArgsEnv)
	if args == "" {
		t.Skip("runs only as a child process of the sweep tests")
	}
	var list []string
	if args == "argv" { // the arguments after "--" (a wrapper script's)
		list = os.Args[slices.Index(os.Args, "--")+1:]
	} else if err := json.Unmarshal([]byte(args), &list); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(context.Background(), list, os.Stdout, os.Stderr))
}

// child returns the command "fixedpoints args..." run by a new process (the
// test binary) with env added to the test's environment.
func child(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	list, _ := json.Marshal(args)
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(list))
	// The engines' variables of the test's own environment (a test run
	// inside a Slurm job, say) would be read by every child.
	for _, k := range []string{sweep.EnvSlurmTaskID, sweep.EnvSlurmTaskCount, sweep.EnvSlurmTaskMin, sweep.EnvSlurmTaskMax, sweep.EnvSlurmTaskStep, sweep.EnvJobCompletionIndex} {
		cmd.Env = append(cmd.Env, k+"=")
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// runIn runs the command in this process and fails the test unless it exits
// with status want.
func runIn(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != want {
		t.Fatalf("fixedpoints %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String()
}

// readTable reads a merged table with the timings zeroed.
func readTable(t *testing.T, dir string) *sweep.Table {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, sweep.TableJSON))
	if err != nil {
		t.Fatal(err)
	}
	var tab sweep.Table
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	for i := range tab.Rows {
		tab.Rows[i].Seconds = 0
	}
	return &tab
}

// readCSV reads a merged CSV table with the seconds column blanked.
func readCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, sweep.TableCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "seconds")
	if col < 0 {
		t.Fatalf("no seconds column: %v", recs[0])
	}
	for _, r := range recs[1:] {
		r[col] = ""
	}
	return recs
}

// scenario is a sharded run with one shard killed in the middle of a job.
type scenario struct {
	env       func(k int) []string // the engine's variables of shard k
	args      []string             // extra sweep flags
	kill      int                  // the shard killed ...
	killJob   string               // ... while this job (not its first) runs
	firstJob  string               // the killed shard's first job, complete before the kill
	shards    int
	wantLines int // rows of the table
}

// runScenario runs the 6-job test manifest in one process and as 3 shards
// in 3 processes, kills one of them in the middle of a job, runs it again,
// merges, and checks that the two tables agree.
func runScenario(t *testing.T, sc scenario) {
	dir := t.TempDir()
	manifest, err := sweeptest.Manifest(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// The single-process run.
	single := filepath.Join(dir, "single")
	runIn(t, 0, "sweep", "-manifest", manifest, "-out", single)
	runIn(t, 0, "merge", single)

	// Three shards, three processes; one pauses in the middle of a job
	// (its first result half written) and is killed there.
	out := filepath.Join(dir, "sharded")
	sweepArgs := append([]string{"sweep", "-manifest", manifest, "-out", out}, sc.args...)
	cmds := make([]*exec.Cmd, sc.shards)
	logs := make([]*bytes.Buffer, sc.shards)
	var paused chan string
	for k := range sc.shards {
		env := sc.env(k)
		if k == sc.kill {
			env = append(env, testPauseEnv+"="+sc.killJob+"=1m")
		}
		cmds[k] = child(env, sweepArgs...)
		logs[k] = new(bytes.Buffer)
		cmds[k].Stdout = logs[k]
		if k == sc.kill {
			pipe, err := cmds[k].StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			paused = watch(pipe, "sweep: test pause in job "+sc.killJob)
		} else {
			cmds[k].Stderr = logs[k]
		}
		if err := cmds[k].Start(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case line := <-paused:
		if line == "" {
			t.Fatalf("shard %d ended without pausing in job %s:\n%s", sc.kill, sc.killJob, logs[sc.kill])
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("shard %d did not reach job %s in 30 s:\n%s", sc.kill, sc.killJob, logs[sc.kill])
	}
	if err := cmds[sc.kill].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for k, cmd := range cmds {
		err := cmd.Wait()
		if k == sc.kill {
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("shard %d: %v, want killed by SIGKILL", k, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("shard %d: %v\n%s", k, err, logs[k])
		}
	}
	if !strings.Contains(logs[sc.kill].String(), "job "+sc.firstJob+": done") {
		t.Fatalf("the killed shard did not finish %s before the kill:\n%s", sc.firstJob, logs[sc.kill])
	}

	// The kill left the job half done, in its stage only: a temporary
	// file there, no directory of the job; a merge now reports it missing,
	// and only it.
	if _, err := os.Stat(sweep.JobDir(out, sc.killJob)); !os.IsNotExist(err) {
		t.Fatalf("job %s has a directory after the kill: %v", sc.killJob, err)
	}
	stages, _ := filepath.Glob(filepath.Join(out, "jobs", ".stage~"+sc.killJob+"~*"))
	if len(stages) != 1 {
		t.Fatalf("stages of job %s after the kill: %v, want 1", sc.killJob, stages)
	}
	if tmp, _ := filepath.Glob(filepath.Join(stages[0], ".*tmp*")); len(tmp) != 1 {
		t.Fatalf("stage of job %s holds no half-written file: %v", sc.killJob, tmp)
	}
	runIn(t, 0, "merge", out)
	if tab := readTable(t, out); tab.Done != 5 || len(tab.Missing) != 1 || tab.Missing[0].Job != sc.killJob {
		t.Fatalf("merged after the kill: %d done, missing %v; want 5 done and %s missing", tab.Done, tab.Missing, sc.killJob)
	}

	// The killed shard again, as the engine's retry would: its complete
	// job is skipped, the killed one runs.
	doneRec := filepath.Join(sweep.JobDir(out, sc.firstJob), "done.json")
	before, err := os.ReadFile(doneRec)
	if err != nil {
		t.Fatal(err)
	}
	again := child(sc.env(sc.kill), sweepArgs...)
	log, err := again.CombinedOutput()
	if err != nil {
		t.Fatalf("shard %d again: %v\n%s", sc.kill, err, log)
	}
	for _, want := range []string{"job " + sc.firstJob + ": skipped (complete)", "job " + sc.killJob + ": done"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("shard %d again: no %q in\n%s", sc.kill, want, log)
		}
	}
	if after, _ := os.ReadFile(doneRec); !bytes.Equal(after, before) {
		t.Errorf("the done record of the skipped job %s changed", sc.firstJob)
	}

	// Every job ran to the end exactly once over all the processes.
	ran := map[string]int{}
	for _, l := range append(logs, bytes.NewBuffer(log)) {
		for _, line := range strings.Split(l.String(), "\n") {
			if id, rest, ok := strings.Cut(strings.TrimPrefix(line, "job "), ": "); ok && strings.HasPrefix(line, "job ") && strings.HasPrefix(rest, "done") {
				ran[id]++
			}
		}
	}
	if len(ran) != 6 {
		t.Errorf("jobs run: %v, want the 6 jobs", ran)
	}
	for id, n := range ran {
		if n != 1 {
			t.Errorf("job %s ran %d times", id, n)
		}
	}

	// Merged, the sharded run equals the single-process run.
	runIn(t, 0, "merge", out)
	got, want := readTable(t, out), readTable(t, single)
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.MarshalIndent(got, "", " ")
		wb, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("sharded table differs from the single-process one:\n%s\nwant\n%s", gb, wb)
	}
	if got.Jobs != 6 || got.Done != 6 || len(got.Failed) != 0 || len(got.Missing) != 0 || len(got.Rows) != sc.wantLines {
		t.Errorf("merged: %d jobs, %d done, failed %v, missing %v, %d rows; want 6 done, %d rows", got.Jobs, got.Done, got.Failed, got.Missing, len(got.Rows), sc.wantLines)
	}
	seen := map[string]bool{}
	for _, r := range got.Rows {
		key := fmt.Sprint(r.Job, "/", r.Input)
		if seen[key] {
			t.Errorf("row %s twice", key)
		}
		seen[key] = true
	}
	if gc, wc := readCSV(t, out), readCSV(t, single); !reflect.DeepEqual(gc, wc) {
		t.Errorf("CSV tables differ:\n%v\nwant\n%v", gc, wc)
	}
	// Every result file is the same, byte for byte, and no stage or
	// temporary file is left.
	for _, r := range got.Rows {
		a, err1 := os.ReadFile(filepath.Join(out, r.FixedFile))
		b, err2 := os.ReadFile(filepath.Join(single, r.FixedFile))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the runs (%v, %v)", r.FixedFile, err1, err2)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, "jobs", ".*")); len(left) > 0 {
		t.Errorf("stages left: %v", left)
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, "jobs", "*", ".*tmp*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// watch reads r line by line and sends the first line containing marker,
// or "" when r ends without one; the rest of r is drained.
func watch(r io.Reader, marker string) chan string {
	c := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			if !sent && strings.Contains(sc.Text(), marker) {
				c <- sc.Text()
				sent = true
			}
		}
		if !sent {
			c <- ""
		}
	}()
	return c
}

// The manifest's jobs, in order: rnn4a (2 inputs), rnn4b, rnn6, gru4, gru5
// (2 inputs), rnn8. Shard k of 3 runs jobs k and k+3.

func TestSweepSlurmShardsKilledAndMerged(t *testing.T) {
	runScenario(t, scenario{
		env: func(k int) []string {
			return []string{fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", k), "SLURM_ARRAY_TASK_COUNT=3",
				"SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX=2", "SLURM_ARRAY_JOB_ID=4242"}
		},
		kill: 1, firstJob: "rnn4b", killJob: "gru5", shards: 3, wantLines: 8,
	})
}

func TestSweepKubernetesShardsKilledAndMerged(t *testing.T) {
	runScenario(t, scenario{
		env:  func(k int) []string { return []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", k)} },
		args: []string{"-shards", "3"},
		kill: 2, firstJob: "rnn6", killJob: "rnn8", shards: 3, wantLines: 8,
	})
}

func TestSweepBadWeightsFailsOnlyItsJob(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	bad := filepath.Join(dir, "bad")
	for _, d := range []string{good, bad} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	goodManifest, err := sweeptest.Manifest(good, false)
	if err != nil {
		t.Fatal(err)
	}
	badManifest, err := sweeptest.Manifest(bad, true) // "broken" is job 2 of 7
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, 0, "sweep", "-manifest", goodManifest, "-out", filepath.Join(good, "out"))
	runIn(t, 0, "merge", filepath.Join(good, "out"))

	// Three shards given by flags; shard 2 runs broken, then gru5.
	out := filepath.Join(bad, "out")
	for k := range 3 {
		cmd := child(nil, "sweep", "-manifest", badManifest, "-out", out, "-shard", fmt.Sprint(k), "-shards", "3")
		log, err := cmd.CombinedOutput()
		if k != 2 {
			if err != nil {
				t.Fatalf("shard %d: %v\n%s", k, err, log)
			}
			continue
		}
		if err != nil {
			t.Fatalf("shard 2 with the broken job: %v, want exit status 0 (failures are recorded)\n%s", err, log)
		}
		for _, want := range []string{"job broken: failed: weights:", "job gru5: done", "1 done, 0 skipped (complete), 1 failed", "failed: broken (see "} {
			if !strings.Contains(string(log), want) {
				t.Errorf("shard 2: no %q in\n%s", want, log)
			}
		}
	}
	// A failed job runs again on the next run; with -strict its failure
	// is the exit status.
	again := runIn(t, 1, "sweep", "-manifest", badManifest, "-out", out, "-shard", "2", "-shards", "3", "-strict")
	if !strings.Contains(again, "job broken: failed: weights:") || !strings.Contains(again, "job gru5: skipped (complete)") {
		t.Errorf("shard 2 again:\n%s", again)
	}
	merged := runIn(t, 0, "merge", out)
	if !strings.Contains(merged, "7 jobs: 6 done, 1 failed, 0 missing") || !strings.Contains(merged, "failed  broken: weights: ") {
		t.Errorf("merge says\n%s", merged)
	}

	tab, ref := readTable(t, out), readTable(t, filepath.Join(good, "out"))
	if len(tab.Failed) != 1 || tab.Failed[0].Job != "broken" || !strings.Contains(tab.Failed[0].Reason, "not a safetensors file") {
		t.Fatalf("failed jobs %+v, want broken with its error", tab.Failed)
	}
	var others []sweep.Row
	for _, r := range tab.Rows {
		if r.Job == "broken" {
			if r.Status != sweep.StatusFailed || !strings.Contains(r.Error, "broken.safetensors") || r.Fixed != 0 {
				t.Errorf("broken's row %+v, want status failed and the error", r)
			}
			continue
		}
		r.Weights = filepath.Base(r.Weights) // the two manifests live in two directories
		others = append(others, r)
	}
	for i := range ref.Rows {
		ref.Rows[i].Weights = filepath.Base(ref.Rows[i].Weights)
	}
	if !reflect.DeepEqual(others, ref.Rows) {
		t.Errorf("the other jobs' rows differ from a run without the broken job:\n%+v\nwant\n%+v", others, ref.Rows)
	}
	csv, _ := os.ReadFile(filepath.Join(out, sweep.TableCSV))
	if !bytes.Contains(csv, []byte("broken,,,gru,,,,failed,")) || !bytes.Contains(csv, []byte("not a safetensors file")) {
		t.Errorf("CSV without the failed job and its error:\n%s", csv)
	}
	html, _ := os.ReadFile(filepath.Join(out, sweep.TableHTML))
	if !bytes.Contains(html, []byte("failed: broken: weights:")) {
		t.Error("the HTML page does not report the failed job")
	}
}
