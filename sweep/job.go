package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/atomicfile"
)

// errInterrupted marks a job stopped by the context: it gets no record and
// runs again next time.
var errInterrupted = errors.New("interrupted")

// runJob runs job j into its directory under dir and writes its done record
// last. An error of the job itself (bad weights, bad inputs, a failed
// search) is returned as a failure record with a nil error; the error is
// for what stops the shard: the context, or a directory that cannot be
// written.
func runJob(ctx context.Context, j *Job, dir string, o *Options) (rec *Record, err error) {
	jd := JobDir(dir, j.ID)
	if err := os.MkdirAll(jd, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
	}
	// A run killed part-way may have left temporary files and an old
	// record behind: clear them before starting, so that the directory
	// never holds a done record next to results of another run.
	if err := clearJobDir(jd); err != nil {
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
	}
	rec = &Record{
		Format: RecordFormat, Job: j.ID, JobHash: j.Hash(),
		Shard: o.Shard.String(), Host: o.Host, Started: o.now(),
	}
	rows, jobErr := runSearches(ctx, j, dir, o)
	rec.Finished = o.now()
	rec.Seconds = rec.Finished.Sub(rec.Started).Seconds()
	if ctx.Err() != nil || errors.Is(jobErr, errInterrupted) {
		return nil, fmt.Errorf("sweep: job %q: %w: %w", j.ID, errInterrupted, context.Cause(ctx))
	}
	if jobErr != nil {
		rec.Status, rec.Error = StatusFailed, jobErr.Error()
		if err := writeRecord(filepath.Join(jd, failedFile), rec); err != nil {
			return nil, err
		}
		return rec, nil
	}
	rec.Status, rec.Rows = StatusDone, rows
	if err := writeRecord(filepath.Join(jd, doneFile), rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// clearJobDir removes a job's records and temporary files.
func clearJobDir(jd string) error {
	entries, err := os.ReadDir(jd)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if name == doneFile || name == failedFile || (strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")) {
			if err := os.Remove(filepath.Join(jd, name)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

// runSearches loads the job and runs one search per input, writing each
// result. A panic is the job's failure, not the shard's.
func runSearches(ctx context.Context, j *Job, dir string, o *Options) (rows []Row, err error) {
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("internal error: %v", r)
		}
	}()
	p, err := prepare(ctx, j)
	if err != nil {
		return nil, err
	}
	settings, err := j.Settings.Finder(j.Seed)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	jd := JobDir(dir, j.ID)
	for k, u := range p.inputs {
		res, err := finder.Find(ctx, finder.Problem{Cell: p.cell, InitialStates: p.inits, Inputs: u}, &settings)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", k, err)
		}
		if res.Status == finder.Canceled {
			return nil, errInterrupted
		}
		fixedName := fmt.Sprintf("input-%d.fixedpoints.json", k)
		slowName := fmt.Sprintf("input-%d.slow.json", k)
		if err := writeSet(filepath.Join(jd, fixedName), res.Fixed, func() { o.beforeCommit(j.ID) }); err != nil {
			return nil, err
		}
		if err := writeSet(filepath.Join(jd, slowName), res.Slow, nil); err != nil {
			return nil, err
		}
		rows = append(rows, resultRow(j, p.info, k, u, res, fixedName, slowName))
	}
	return rows, nil
}

// writeSet writes fp (fixedpoints/v1) to path atomically; hook, when not
// nil, runs once the temporary file is written and before it is renamed.
func writeSet(path string, fp *finder.FixedPoints, hook func()) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := fp.WriteJSON(w); err != nil {
			return err
		}
		if hook != nil {
			hook()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) beforeCommit(id string) {
	if o.BeforeCommit != nil {
		o.BeforeCommit(id)
	}
}
