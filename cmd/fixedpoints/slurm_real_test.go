package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/sweep"
)

// TestSweepUnderRealSlurm submits examples/cluster/sweep.sbatch to a real
// Slurm as a job array of 3 tasks over 6 jobs, cancels task 1 with scancel
// after its first job is done and while its second runs, requeues it, runs
// merge as a job that depends on the array, and checks that the merged
// table is that of one process running the whole manifest. It needs a
// running cluster (.ci/slurm-up starts a one-node one; .ci/run calls it):
// without sbatch it skips, unless CI=true, where it fails.
func TestSweepUnderRealSlurm(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	skip := func(format string, a ...any) {
		t.Helper()
		if ci {
			t.Fatalf("CI=true: "+format+" (.ci/run installs slurm-wlm and munge and starts a cluster with .ci/slurm-up)", a...)
		}
		t.Skipf(format+" (run .ci/slurm-up as root to start a one-node cluster)", a...)
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		skip("no sbatch on the PATH: no Slurm to submit to")
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%T").Output(); err != nil ||
		!regexp.MustCompile(`(?m)^(idle|mixed|allocated)`).Match(out) {
		skip("sbatch is here but no Slurm node is up (sinfo: %q, %v)", out, err)
	}
	if testing.Short() {
		t.Skip("-short: a real Slurm run takes a minute")
	}
	script, err := filepath.Abs("../../examples/cluster/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "fixedpoints"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	manifest := slurmManifest(t, dir)
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "MANIFEST="+manifest, "OUT=results")
	slurm := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	state := func(id string) string {
		out, _ := exec.Command("scontrol", "-o", "show", "job", id).Output()
		m := regexp.MustCompile(`JobState=(\S+)`).FindSubmatch(out)
		if m == nil {
			return "?"
		}
		return string(m[1])
	}
	waitFor := func(what string, limit time.Duration, ok func() bool) {
		t.Helper()
		for start := time.Now(); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Since(start) > limit {
				t.Fatalf("waited %v for %s", limit, what)
			}
		}
	}

	// The array: 1 CPU and 1 GB per task so that tasks run side by side.
	array := slurm("sbatch", "--parsable", "--array=0-2", "--cpus-per-task=1", "--mem=1G", script)
	t.Cleanup(func() { exec.Command("scancel", array).Run() })
	t.Logf("submitted the array as job %s", array)
	task1 := array + "_1"
	log1 := filepath.Join(dir, fmt.Sprintf("fixedpoints-sweep-%s_1.out", array))
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }

	// Task 1 holds jobs 1 and 4 (round robin over 3 shards): cancel it once
	// job 1 is done, while job 4 runs.
	waitFor("task 1's first job", 5*time.Minute, func() bool { return strings.Contains(read(log1), "job j1: done") })
	slurm("scancel", task1)
	waitFor("task 1 to be cancelled", time.Minute, func() bool { return state(task1) == "CANCELLED" })
	before := read(log1)
	t.Logf("task 1 before scancel:\n%s", before)
	if strings.Contains(before, "job j4: done") {
		t.Fatalf("task 1 finished job 4 before the cancel: not a cancel mid-run")
	}
	if _, err := os.Stat(filepath.Join(dir, "results", "jobs", "j4", "done.json")); err == nil {
		t.Fatalf("job 4 has a done record after its task was cancelled mid-run")
	}

	// Requeue it (Slurm delays a requeued job by two minutes: start it now),
	// and merge once the whole array has ended.
	slurm("scontrol", "requeue", task1)
	// The merge is submitted once the requeued task has ended: the other
	// tasks end within a second now, and in one CI run a merge submitted
	// right after the requeue ran before task 1's rerun, with job 4
	// missing (Slurm's afterany on an array with a requeued task).
	waitFor("task 1 to be requeued", time.Minute, func() bool { s := state(task1); return s != "CANCELLED" && s != "?" })
	slurm("scontrol", "update", "jobid="+task1, "StartTime=now")
	waitFor("task 1's rerun", 5*time.Minute, func() bool {
		s := state(task1)
		return s == "COMPLETED" || s == "FAILED" || s == "CANCELLED" || s == "TIMEOUT"
	})
	merge := slurm("sbatch", "--parsable", "--dependency=afterany:"+array, "--mem=1G", "--output=merge.out",
		"--wrap", "fixedpoints merge results")
	t.Cleanup(func() { exec.Command("scancel", merge).Run() })
	waitFor("the merge job", 10*time.Minute, func() bool {
		s := state(merge)
		return s == "COMPLETED" || s == "FAILED" || s == "CANCELLED" || s == "TIMEOUT"
	})
	after := read(log1)
	t.Logf("task 1 after its requeue:\n%s", after)
	t.Logf("merge job %s (%s):\n%s", merge, state(merge), read(filepath.Join(dir, "merge.out")))
	if s := state(merge); s != "COMPLETED" {
		t.Fatalf("merge job %s", s)
	}
	if !strings.Contains(after, "job j1: skipped (complete)") || !strings.Contains(after, "job j4: done") {
		t.Errorf("the requeued task did not skip job 1 and run job 4:\n%s", after)
	}
	if out := read(filepath.Join(dir, "merge.out")); !strings.Contains(out, "6 jobs: 6 done, 0 failed, 0 missing") {
		t.Errorf("merge: %s", out)
	}

	// The same manifest in one process, merged: the same table (but for
	// the run times).
	one := exec.Command(filepath.Join(bin, "fixedpoints"), "sweep", "-quiet", "-manifest", manifest, "-out", "single")
	one.Dir = dir
	if out, err := one.CombinedOutput(); err != nil {
		t.Fatalf("single-process sweep: %v\n%s", err, out)
	}
	mg := exec.Command(filepath.Join(bin, "fixedpoints"), "merge", "single")
	mg.Dir = dir
	if out, err := mg.CombinedOutput(); err != nil {
		t.Fatalf("single-process merge: %v\n%s", err, out)
	}
	got, want := tableRows(t, filepath.Join(dir, "results")), tableRows(t, filepath.Join(dir, "single"))
	if len(got) != 6 || !reflect.DeepEqual(got, want) {
		t.Errorf("the table under Slurm differs from one process's:\n%v\nwant\n%v", got, want)
	}
}

// The jobs' sizes: each takes a few seconds, long enough to be cancelled
// in the middle (about 2.5 s on the 2-core CI machine). At 16 units and
// 8192 initial states a job took 0.1-0.2 s after the speed-ups of 8
// December 2026, and task 1 could end its second job before the cancel.
const slurmHidden, slurmInits = 64, 16384

// slurmManifest writes 6 GRUs and a manifest of 6 jobs j0..j5.
func slurmManifest(t *testing.T, dir string) string {
	var lines []string
	for k := range 6 {
		cell, err := cells.NewTorchCell("gru", slurmHidden, 2)
		if err != nil {
			t.Fatal(err)
		}
		cell.(interface{ InitUniform(uint64) }).InitUniform(uint64(k + 1))
		sd := cell.StateDict()
		name := fmt.Sprintf("gru%d.safetensors", k)
		if err := cells.WriteStateDict(filepath.Join(dir, name), sd); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf(`{"id": "j%d", "weights": %q, "inits": {"n": %d, "trials": 64, "steps": 50}, "seed": %d}`, k, name, slurmInits, k+1))
	}
	path := filepath.Join(dir, "manifest.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tableRows reads a merged table's rows without their run times and
// result paths.
func tableRows(t *testing.T, dir string) []map[string]any {
	b, err := os.ReadFile(filepath.Join(dir, sweep.TableJSON))
	if err != nil {
		t.Fatal(err)
	}
	var tab struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		delete(r, "seconds")
	}
	return tab.Rows
}
