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

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/memlimit"
	"github.com/rnnfp/fixedpoints/internal/plural"
)

// errInterrupted marks a job stopped by the context: it gets no record and
// runs again next time.
var errInterrupted = errors.New("interrupted")

// stageMark separates the parts of a stage's name, ".stage~ID~OWNER~RANDOM"
// (OWNER: atomicfile.OwnerTag): no job id holds it, so the stages of one
// job are told from another's, and a stage from its owner process.
const (
	stageMark   = "~"
	stagePrefix = ".stage" + stageMark
)

// runJob runs job j and returns its record. The job runs in a hidden stage
// directory beside the jobs' directories, which receives its results, then
// its record last, and is renamed to the job's own directory only then: a
// job's directory holds a whole run or nothing, and a run killed part-way
// leaves only its stage, which no one reads and the next run removes. An
// error of the job itself (bad weights, bad inputs, a failed search) gives a
// failure record and a nil error; the error is for what stops the shard:
// the context, or a directory that cannot be written.
func runJob(ctx context.Context, j *Job, dir string, o *Options) (rec *Record, err error) {
	root := filepath.Join(dir, jobsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := removeStages(root, j.ID); err != nil {
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
	}
	stage, err := os.MkdirTemp(root, stagePrefix+j.ID+stageMark+atomicfile.OwnerTag()+stageMark)
	if err != nil {
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	rec = &Record{
		Format: RecordFormat, Job: j.ID, JobHash: j.Hash(),
		Shard: o.Shard.String(), Host: o.Host, Started: o.now(),
	}
	rows, jobErr := runSearches(ctx, j, stage, o)
	rec.Finished = o.now()
	rec.Seconds = rec.Finished.Sub(rec.Started).Seconds()
	if ctx.Err() != nil || errors.Is(jobErr, errInterrupted) {
		return nil, fmt.Errorf("sweep: job %q: %w: %w", j.ID, errInterrupted, context.Cause(ctx))
	}
	if isSystemError(jobErr) {
		// The disk, not the job: the shard fails (non-zero exit, the engine
		// sees it) and the job, unrecorded, runs again next time.
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, jobErr)
	}
	name := doneFile
	if jobErr != nil {
		rec.Status, rec.Error, name = StatusFailed, cells.BoundError(jobErr).Error(), failedFile
	} else {
		rec.Status, rec.Rows = StatusDone, rows
		if rec.Files, err = sumFiles(stage, rows); err != nil {
			return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
		}
	}
	if err := writeRecord(filepath.Join(stage, name), rec); err != nil {
		return nil, err
	}
	// Commit: the earlier run's directory (a failure, results of another
	// version of the job) goes, the stage takes its place.
	jd := JobDir(dir, j.ID)
	if err := os.RemoveAll(jd); err != nil {
		return nil, fmt.Errorf("sweep: job %q: %w", j.ID, err)
	}
	if err := os.Rename(stage, jd); err != nil {
		return nil, fmt.Errorf("sweep: job %q: commit: %w", j.ID, err)
	}
	return rec, nil
}

// removeStages removes the stages that runs of job id killed part-way left
// in root: only those whose owner process is gone. Another live process's
// stage (two runs of one shard) is left alone; so is a stage without an
// owner tag or of another host, which only its owner removes.
func removeStages(root, id string) error {
	stages, err := filepath.Glob(filepath.Join(root, globQuote(stagePrefix+id+stageMark)+"*"))
	if err != nil {
		return err
	}
	for _, s := range stages {
		rest := strings.TrimPrefix(filepath.Base(s), stagePrefix+id+stageMark)
		owner, _, ok := strings.Cut(rest, stageMark)
		if !ok || !atomicfile.OwnerDead(owner) {
			continue
		}
		if err := os.RemoveAll(s); err != nil {
			return err
		}
	}
	return nil
}

// runSearches loads the job and runs one search per input, writing each
// result. A panic is the job's failure, not the shard's.
func runSearches(ctx context.Context, j *Job, stage string, o *Options) (rows []Row, err error) {
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("internal error: %v", r)
		}
	}()
	limit := memlimit.Limit(o.MaxMemory)
	p, err := prepare(ctx, j, limit)
	if err != nil {
		return nil, err
	}
	settings, err := j.FinderSettings()
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	N, M := p.cell.StateSize(), p.cell.InputSize()
	need := finder.MemoryNeed(N, M, len(p.inits)/N, settings)
	if err := memlimit.Check(need, limit, fmt.Sprintf("%s of %d values", plural.Of(len(p.inits)/N, "initial state"), N), `"inits" (or raise -max-memory)`); err != nil {
		return nil, err
	}
	for k, u := range p.inputs {
		res, err := finder.Find(ctx, finder.Problem{Cell: p.cell, InitialStates: p.inits, Inputs: u}, &settings)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", k, err)
		}
		if res.Status == finder.Canceled {
			return nil, errInterrupted
		}
		fixedName := fmt.Sprintf("input-%d.fixedpoints.json", k)
		if err := writeResult(filepath.Join(stage, fixedName), res, func() error { o.beforeCommit(j.ID); return o.writeFault }); err != nil {
			return nil, err
		}
		rows = append(rows, resultRow(j, p.info, k, u, res, fixedName))
	}
	return rows, nil
}

// writeResult writes res's fixed points, slow points and unconverged
// candidates (fixedpoints/v1) to path atomically; hook, when not nil, runs
// once the temporary file is written and before it is renamed.
func writeResult(path string, res *finder.Result, hook func() error) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := fpjson.Write(w, res); err != nil {
			return err
		}
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		return systemError{fmt.Errorf("write %s: %w", filepath.Base(path), err)}
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
