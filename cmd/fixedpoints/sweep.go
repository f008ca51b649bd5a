package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/sweep"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// testPauseEnv names a test hook: "ID=DURATION" makes the sweep pause for
// DURATION while job ID's first result is half written (its temporary file
// created, not yet renamed), after printing a line to stderr, so that a
// test can kill the process in the middle of a job.
const testPauseEnv = "FIXEDPOINTS_SWEEP_TEST_PAUSE"

func init() {
	register(subcommand{name: "sweep", order: 30, summary: "run one shard of the jobs of a manifest (Slurm job arrays, Kubernetes Indexed Jobs)", run: runSweep})
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("fixedpoints sweep", stderr)
	manifest := fs.String("manifest", "", "the jobs, JSON Lines: one job per line (required)")
	out := fs.String("out", "", "the sweep's output directory, shared by all shards (required)")
	var shard cli.OptionalInt
	fs.Var(&shard, "shard", "the shard `k` to run, 0 <= k < shards (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	shards := fs.Int("shards", 0, "the number of shards (default: from SLURM_ARRAY_TASK_COUNT or _MIN/_MAX; required with JOB_COMPLETION_INDEX)")
	var rf cli.RunFlags
	rf.Register(fs, `seed of the jobs whose manifest line gives none (or "seed": 0)`, "no line per job, only the shard's summary")
	maxMemory := fs.Int64("max-memory", 0, "memory a job may need, in bytes, checked before it starts (a job over it fails, the shard goes on); 0: the machine's memory")
	strict := fs.Bool("strict", false, "exit with status 1 when a job failed (by default failures are recorded and the exit status is 0)")
	cli.SetUsage(fs, "fixedpoints sweep -manifest FILE -out DIR [-shard k -shards n]", `Runs the jobs of shard k of n of the manifest (the jobs on lines k, k+n,
k+2n, ...; lines counted from 0 without blank and comment lines). Without
-shard, the shard comes from the batch engine: a Slurm job array
(SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed
Job (JOB_COMPLETION_INDEX, with -shards = spec.completions); outside both,
every job runs. Complete jobs are skipped, so the engine's retries and
re-submissions are safe; a failed job is recorded in DIR/jobs/ID/failed.json
(and runs again next time), and the shard goes on. The exit status is 0 when
the shard ran all its jobs, even if some failed (see -strict): a bad job
fails the same way on every retry, and an engine that counts failed tasks
(Kubernetes' backoffLimit) would otherwise stop the whole sweep. Gather the
results with "fixedpoints merge DIR".`)
	allowOutside := fs.Bool("allow-outside", false, "read files the manifest names outside its own directory (absolute paths, \"..\"); without it they are refused")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := cli.Required("-manifest", *manifest, "FILE"); err != nil {
		return err
	}
	if err := cli.Required("-out", *out, "DIR"); err != nil {
		return err
	}
	var s sweep.Shard
	source := "flags"
	switch {
	case shard.IsSet:
		if *shards < 1 {
			return cli.Usagef("-shard %d needs -shards n (the number of shards)", shard.N)
		}
		s = sweep.Shard{Index: shard.N, Count: *shards}
		if err := s.Check(); err != nil {
			return cli.UsageError{Err: err}
		}
	default:
		var err error
		if s, source, err = sweep.ShardFromEnv(os.Getenv, *shards); err != nil {
			return cli.UsageError{Err: err}
		}
	}
	jobs, err := sweep.ReadManifestOptions(*manifest, sweep.ManifestOptions{AllowOutside: *allowOutside})
	if err != nil {
		return err
	}
	cli.FillSeeds(jobs, rf.Seed)
	host, _ := os.Hostname()
	o := sweep.Options{Shard: s, Log: stdout, Host: host, MaxMemory: *maxMemory}
	if rf.Quiet {
		o.Log = nil
	}
	if hook := os.Getenv(testPauseEnv); hook != "" {
		if o.BeforeCommit, err = pauseHook(hook, stderr); err != nil {
			return err
		}
	}
	mine, err := sweep.Assign(jobs, s)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "shard %v (%s): %d of %s\n", s, source, len(mine), plural.Of(len(jobs), "job"))
	sum, err := sweep.RunShard(ctx, jobs, *out, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "shard %v: %d done, %d skipped (complete), %d failed\n", s, len(sum.Done), len(sum.Skipped), len(sum.Failed))
	if len(sum.Failed) > 0 {
		if !*strict {
			fmt.Fprintf(stdout, "failed: %s (see %s)\n", strings.Join(sum.Failed, ", "), filepath.Join(sweep.JobDir(*out, sum.Failed[0]), "failed.json"))
			return nil
		}
		return fmt.Errorf("%d of %s failed: %s (see %s)", len(sum.Failed), plural.Of(sum.Jobs, "job"), strings.Join(sum.Failed, ", "), filepath.Join(sweep.JobDir(*out, sum.Failed[0]), "failed.json"))
	}
	return nil
}

// pauseHook parses the test hook "ID=DURATION".
func pauseHook(v string, stderr io.Writer) (func(string), error) {
	id, ds, ok := strings.Cut(v, "=")
	d, err := time.ParseDuration(ds)
	if !ok || err != nil {
		return nil, fmt.Errorf("%s=%q, want ID=DURATION", testPauseEnv, v)
	}
	return func(job string) {
		if job == id {
			fmt.Fprintf(stderr, "sweep: test pause in job %s\n", job)
			time.Sleep(d)
		}
	}, nil
}
