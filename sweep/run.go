package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// ErrOtherManifest is returned when the output directory holds the results
// of another manifest.
var ErrOtherManifest = errors.New("output directory belongs to another manifest")

// Options configure RunShard.
type Options struct {
	// Shard is the shard to run; the zero value is invalid (use Shard{0, 1}
	// for every job).
	Shard Shard
	// Log, when not nil, receives one line per job: skipped, done or failed.
	Log io.Writer
	// Host names the machine in the records; empty leaves it out.
	Host string
	// Now returns the time for the records; nil means time.Now.
	Now func() time.Time
	// BeforeCommit, when not nil, is called while a job's first result file
	// is written: after its temporary file is created, before it is renamed
	// into place. Tests use it to kill a shard in the middle of a job.
	BeforeCommit func(jobID string)
	// MaxMemory is the memory in bytes a job may need (finder.MemoryNeed
	// of its cell, initial states and settings), checked before the job
	// allocates them: a job over it fails with an error naming the limit.
	// Zero means the machine's memory.
	MaxMemory int64

	// writeFault, when not nil, is the error of every result write (tests
	// stand a full disk with it).
	writeFault error
}

// ShardSummary says what RunShard did.
type ShardSummary struct {
	Shard   Shard
	Jobs    int      // jobs of the shard
	Done    []string // ids of the jobs run to the end
	Skipped []string // ids of the jobs already complete
	Failed  []string // ids of the jobs that failed (see their failure records)
}

// RunShard runs the jobs of shard o.Shard of jobs into dir: it writes the
// manifest to dir/manifest.jsonl (or checks that the one there is the
// same), then runs each job of the shard in manifest order, skipping those
// with a valid done record. A job's failure is recorded in its failure
// record and the shard goes on. The error is for what stops the shard: a
// bad shard, another manifest in dir, a directory that cannot be written, or
// the context (the job running then gets no record and runs again next time).
func RunShard(ctx context.Context, jobs []Job, dir string, o Options) (*ShardSummary, error) {
	mine, err := Assign(jobs, o.Shard)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := claimDir(dir, jobs); err != nil {
		return nil, err
	}
	sum := &ShardSummary{Shard: o.Shard, Jobs: len(mine)}
	for i := range mine {
		j := &mine[i]
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("sweep: shard %v: %w", o.Shard, context.Cause(ctx))
		}
		if rec, _ := doneRecord(dir, j); rec != nil {
			sum.Skipped = append(sum.Skipped, j.ID)
			o.logf("job %s: skipped (complete)", j.ID)
			continue
		}
		rec, err := runJob(ctx, j, dir, &o)
		if err != nil {
			return sum, err
		}
		if rec.Status == StatusFailed {
			sum.Failed = append(sum.Failed, j.ID)
			o.logf("job %s: failed: %s", j.ID, rec.Error)
			continue
		}
		sum.Done = append(sum.Done, j.ID)
		fixed := 0
		for _, r := range rec.Rows {
			fixed += r.Fixed
		}
		o.logf("job %s: done: %s, %s (%.2fs)", j.ID, plural.Of(len(rec.Rows), "input"), plural.Of(fixed, "fixed point"), rec.Seconds)
	}
	return sum, nil
}

func (o *Options) logf(format string, a ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", a...)
	}
}

// claimDir writes the manifest to dir, or checks that the one there is the
// same. Every shard does this; concurrent shards write the same bytes.
func claimDir(dir string, jobs []Job) error {
	var b bytes.Buffer
	if err := WriteManifest(&b, jobs); err != nil {
		return err
	}
	path := filepath.Join(dir, manifestOut)
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, b.Bytes()):
		return nil
	case err == nil:
		return fmt.Errorf("sweep: %w: %s differs from the manifest given (use another output directory, or remove that file to add jobs: complete jobs whose lines did not change are kept)", ErrOtherManifest, path)
	case !os.IsNotExist(err):
		return fmt.Errorf("sweep: %w", err)
	}
	if err := atomicfile.WriteBytes(path, b.Bytes()); err != nil {
		return fmt.Errorf("sweep: write %s: %w", path, err)
	}
	return nil
}
