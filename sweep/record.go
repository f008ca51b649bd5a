package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
)

// RecordFormat names the layout of a job's done and failure records.
const RecordFormat = "fixedpoints-sweep-record/v1"

// Record statuses, and the statuses of a table Row.
const (
	StatusDone    = "done"    // the job ran to the end; its results are complete
	StatusFailed  = "failed"  // the job failed; Error says why
	StatusMissing = "missing" // no record: the job has not run, or was killed
)

// Names of the files in a job's directory.
const (
	jobsDir     = "jobs"
	doneFile    = "done.json"
	failedFile  = "failed.json"
	manifestOut = "manifest.jsonl"
)

// Record is a job's done record (Status done, written after all its
// results) or failure record (Status failed).
type Record struct {
	Format   string    `json:"format"`
	Job      string    `json:"job"`
	JobHash  string    `json:"job_hash"` // Job.Hash of the job that ran
	Status   string    `json:"status"`
	Error    string    `json:"error,omitempty"`
	Shard    string    `json:"shard,omitempty"` // "k/n"
	Host     string    `json:"host,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Seconds  float64   `json:"seconds"` // the whole job: loading, sampling, every search, writing
	Rows     []Row     `json:"rows,omitempty"`
	// Files are the result files of a done record with their sizes and
	// SHA-256, checked before the record is trusted (skip and merge).
	Files []FileSum `json:"files,omitempty"`
}

// JobDir is the directory of job id's results under the sweep's output
// directory dir.
func JobDir(dir, id string) string { return filepath.Join(dir, jobsDir, id) }

// writeRecord writes r to path atomically.
func writeRecord(path string, r *Record) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("sweep: record of job %q: %w", r.Job, err)
	}
	if err := atomicfile.WriteBytes(path, append(b, '\n')); err != nil {
		return fmt.Errorf("sweep: write %s: %w", path, err)
	}
	return nil
}

// readRecord reads the record at path; a missing file gives (nil, nil).
func readRecord(path string) (*Record, error) {
	b, err := readSmall(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := checkDuplicateKeys(b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var r Record
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Format != RecordFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", path, r.Format, RecordFormat)
	}
	return &r, nil
}

// doneRecord returns the valid done record of job j under dir, or nil with
// the reason it is not: no record, a record of another job content, or a
// result file that is not there.
func doneRecord(dir string, j *Job) (*Record, string) {
	jd := JobDir(dir, j.ID)
	r, err := readRecord(filepath.Join(jd, doneFile))
	switch {
	case err != nil:
		return nil, fmt.Sprintf("unreadable done record: %v", err)
	case r == nil:
		return nil, "no done record"
	case r.Job != j.ID || r.Status != StatusDone:
		return nil, fmt.Sprintf("done record of job %q with status %q", r.Job, r.Status)
	case r.JobHash != j.Hash():
		return nil, "done record of another version of the job (the manifest line changed)"
	case len(r.Rows) == 0:
		return nil, "done record without results"
	}
	if why := checkSums(dir, r); why != "" {
		return nil, why
	}
	return r, ""
}
