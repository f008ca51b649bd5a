package sweep

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/sweeptest"
)

// deadOwnerTag is the owner tag of a process of this host that has exited.
func deadOwnerTag(t *testing.T) string {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	f := strings.Split(atomicfile.OwnerTag(), "-")
	return f[0] + "-" + strconv.Itoa(cmd.Process.Pid) + "-1"
}

// TestLiveStageKept: a stage of the same job owned by a live process (a
// second run of the same shard) is left alone, and the run still
// completes. Before, each run deleted the other's live stage, and the
// first failed with a misleading error.
func TestLiveStageKept(t *testing.T) {
	dir := t.TempDir()
	m, err := sweeptest.Manifest(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ReadManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(out, jobsDir), 0o755)
	live := filepath.Join(out, jobsDir, stagePrefix+jobs[0].ID+stageMark+atomicfile.OwnerTag()+stageMark+"777")
	os.Mkdir(live, 0o755)
	sum, err := RunShard(context.Background(), jobs[:1], out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Done) != 1 {
		t.Fatalf("%+v, %v", sum, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's stage was removed: %v", err)
	}
}

// TestFullDiskFailsTheShard: a result that cannot be written (ENOSPC)
// stops the shard with an error (exit status non-zero) and writes no
// failure record; a job's own error is still recorded. Before, a full disk
// was recorded as every job failing, with exit status 0.
func TestFullDiskFailsTheShard(t *testing.T) {
	dir := t.TempDir()
	m, err := sweeptest.Manifest(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ReadManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	full := &fs.PathError{Op: "write", Path: "input-0.fixedpoints.json", Err: syscall.ENOSPC}
	o := Options{Shard: Shard{0, 1}, writeFault: full}
	_, err = RunShard(context.Background(), jobs, out, o)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("RunShard: %v, want the ENOSPC", err)
	}
	if _, err := os.Stat(filepath.Join(JobDir(out, jobs[0].ID), failedFile)); !os.IsNotExist(err) {
		t.Errorf("a failure record for a full disk: %v", err)
	}
	// A job's own error (the broken weights file) is recorded, and the
	// shard goes on.
	sum, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Failed) != 1 || sum.Failed[0] != "broken" {
		t.Errorf("%+v, %v; want the broken job recorded as failed", sum, err)
	}
}

// TestTamperedResultNotTrusted: a result file changed after its job ran is
// not vouched for by its done record: skip reruns the job and merge lists
// it missing. Before, a corrupted result merged as Converged.
func TestTamperedResultNotTrusted(t *testing.T) {
	dir := t.TempDir()
	m, err := sweeptest.Manifest(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ReadManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	jobs = jobs[:1]
	out := filepath.Join(dir, "out")
	if _, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}}); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(JobDir(out, jobs[0].ID), "input-0.fixedpoints.json")
	b, _ := os.ReadFile(res)
	i := strings.Index(string(b), `"x":[`) + 6 // a digit of the first state: same size, other content
	for b[i] < '0' || b[i] > '8' {
		i++
	}
	b[i]++
	os.WriteFile(res, b, 0o644)
	tab, err := Merge(out, jobs)
	if err != nil || tab.Done != 0 || len(tab.Missing) != 1 || !strings.Contains(tab.Missing[0].Reason, "SHA-256") {
		t.Fatalf("merge of a tampered result: %+v, %v", tab, err)
	}
	sum, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Done) != 1 {
		t.Errorf("rerun: %+v, %v; want the job run again", sum, err)
	}
}

// TestManifestHostile: a repeated key, and files outside the manifest's
// directory, are refused without reading them; -allow-outside
// (AllowOutside) accepts the latter. Before, "id": "a", ..., "id": "b" was
// read as b, and "/etc/shadow" was read and its first bytes copied into
// failed.json and the table.
func TestManifestHostile(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sweep")
	os.Mkdir(sub, 0o755)
	secret := filepath.Join(dir, "secret.safetensors")
	os.WriteFile(secret, []byte("root:$6$secrethash:19000:0:99999:7:::\n"), 0o600)
	cases := map[string]struct {
		line string
		want error
	}{
		"repeated id":  {`{"id": "a", "weights": "w.safetensors", "id": "b"}`, ErrManifest},
		"nested twice": {`{"id": "a", "weights": "w.safetensors", "meta": {"x": 1, "x": 2}}`, ErrManifest},
		"dot dot":      {`{"id": "a", "weights": "../secret.safetensors"}`, ErrOutside},
		"absolute":     {`{"id": "a", "weights": "` + secret + `"}`, ErrOutside},
		"etc passwd":   {`{"id": "a", "weights": "../../../../../../etc/passwd"}`, ErrOutside},
	}
	for name, c := range cases {
		m := filepath.Join(sub, "m.jsonl")
		os.WriteFile(m, []byte(c.line+"\n"), 0o644)
		_, err := ReadManifest(m)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// With AllowOutside the file is read as weights, and its content is
	// not echoed in the failure record.
	m := filepath.Join(sub, "m.jsonl")
	os.WriteFile(m, []byte(`{"id": "a", "cell": "gru", "weights": "../secret.safetensors"}`+"\n"), 0o644)
	jobs, err := ReadManifestOptions(m, ManifestOptions{AllowOutside: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sub, "out")
	if _, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}}); err != nil {
		t.Fatal(err)
	}
	rec, _ := os.ReadFile(filepath.Join(JobDir(out, "a"), failedFile))
	if len(rec) == 0 || strings.Contains(string(rec), "root:") || strings.Contains(string(rec), "secrethash") {
		t.Errorf("failure record echoes the file: %s", rec)
	}
	tab, _ := Merge(out, jobs)
	p, _ := tab.Save(out, "t", "")
	for _, f := range p {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "secrethash") {
			t.Errorf("%s echoes the file", f)
		}
	}
}

// TestHugeSampleIsAJobError: "inits": {"n": 1000000000000} is refused
// before anything is allocated, as the job's failure (recorded, the shard
// goes on). Before, the shard died "fatal error: out of memory" on every
// retry and the jobs after it never ran.
func TestHugeSampleIsAJobError(t *testing.T) {
	dir := t.TempDir()
	if _, err := sweeptest.Manifest(dir, false); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "huge.jsonl")
	os.WriteFile(m, []byte(`{"id": "huge", "weights": "rnn4a.safetensors", "cell": "rnn", "inits": {"n": 1000000000000}}
{"id": "after", "weights": "rnn4a.safetensors", "cell": "rnn", "inits": {"n": 8, "trials": 4, "steps": 5}}
`), 0o644)
	jobs, err := ReadManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := RunShard(context.Background(), jobs, filepath.Join(dir, "out"), Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Failed) != 1 || len(sum.Done) != 1 {
		t.Fatalf("%+v, %v; want huge failed and after done", sum, err)
	}
	rec, _ := os.ReadFile(filepath.Join(JobDir(filepath.Join(dir, "out"), "huge"), failedFile))
	if !strings.Contains(string(rec), "inits") || !strings.Contains(string(rec), "more memory") {
		t.Errorf("failure record %s", rec)
	}
}

// TestMaxMemoryIsAJobError: Options.MaxMemory (the command's -max-memory)
// bounds every job's estimated need, sampled or given initial states alike:
// a job over it fails with the limit named, before its search allocates,
// and the same job runs under the machine's memory.
func TestMaxMemoryIsAJobError(t *testing.T) {
	dir := t.TempDir()
	if _, err := sweeptest.Manifest(dir, false); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "small.jsonl")
	os.WriteFile(m, []byte(`{"id": "sampled", "weights": "rnn4a.safetensors", "cell": "rnn", "inits": {"n": 8, "trials": 4, "steps": 5}}
{"id": "given", "weights": "rnn4a.safetensors", "cell": "rnn", "inits": [[0.1, 0.2, 0.3, 0.4]]}
`), 0o644)
	jobs, err := ReadManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	sum, err := RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}, MaxMemory: 1 << 10})
	if err != nil || len(sum.Failed) != 2 || len(sum.Done) != 0 {
		t.Fatalf("%+v, %v; want both failed under 1 KiB", sum, err)
	}
	for _, id := range []string{"sampled", "given"} {
		rec, _ := os.ReadFile(filepath.Join(JobDir(out, id), failedFile))
		if !strings.Contains(string(rec), "max-memory") || !strings.Contains(string(rec), "more memory") {
			t.Errorf("%s: failure record %s", id, rec)
		}
	}
	sum, err = RunShard(context.Background(), jobs, out, Options{Shard: Shard{0, 1}})
	if err != nil || len(sum.Done) != 2 {
		t.Fatalf("%+v, %v; want both done under the machine's memory", sum, err)
	}
}
