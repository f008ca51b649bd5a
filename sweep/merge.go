package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// TableFormat names the JSON layout of a merged Table.
const TableFormat = "fixedpoints-sweep-table/v1"

// Table is a sweep's results gathered: one Row per job and input for the
// jobs done, one Row per job for the others, in manifest order.
type Table struct {
	Format  string       `json:"format"`
	Jobs    int          `json:"jobs"` // jobs in the manifest
	Done    int          `json:"done"` // jobs with a valid done record
	Failed  []JobProblem `json:"failed"`
	Missing []JobProblem `json:"missing"`
	// Unknown lists the job directories whose id is not in the manifest.
	Unknown []string `json:"unknown,omitempty"`
	Rows    []Row    `json:"rows"`
}

// JobProblem is a job without results and the reason.
type JobProblem struct {
	Job    string `json:"job"`
	Reason string `json:"reason"`
}

// ReadDirManifest reads the manifest a sweep wrote into its directory.
func ReadDirManifest(dir string) ([]Job, error) {
	// The copy a sweep wrote holds the paths it resolved, wherever they
	// are; merge reads none of those files.
	jobs, err := ReadManifestOptions(filepath.Join(dir, manifestOut), ManifestOptions{AllowOutside: true})
	if err != nil {
		return nil, fmt.Errorf("sweep: %s holds no sweep (run fixedpoints sweep -out %s first, or give the manifest): %w", dir, dir, err)
	}
	return jobs, nil
}

// Merge gathers the results of jobs (nil: the manifest in dir) from dir.
// A job with a valid done record gives one Row per input (status done); a
// job with a failure record one Row with status failed and the error;
// any other job one Row with status missing and the reason (not run yet, or
// killed part-way, or run from another version of its manifest line).
func Merge(dir string, jobs []Job) (*Table, error) {
	if jobs == nil {
		var err error
		if jobs, err = ReadDirManifest(dir); err != nil {
			return nil, err
		}
	}
	t := &Table{Format: TableFormat, Jobs: len(jobs), Failed: []JobProblem{}, Missing: []JobProblem{}, Rows: []Row{}}
	known := map[string]bool{}
	for i := range jobs {
		j := &jobs[i]
		known[j.ID] = true
		if rec, why := doneRecord(dir, j); rec != nil {
			t.Done++
			for _, r := range rec.Rows {
				r.Meta = j.Meta // the manifest's labels, which may have changed since
				t.Rows = append(t.Rows, r)
			}
			continue
		} else if rec, err := readRecord(filepath.Join(JobDir(dir, j.ID), failedFile)); err == nil && rec != nil && rec.Status == StatusFailed && rec.JobHash == j.Hash() {
			t.Failed = append(t.Failed, JobProblem{j.ID, rec.Error})
			t.Rows = append(t.Rows, problemRow(j, StatusFailed, rec.Error))
		} else {
			t.Missing = append(t.Missing, JobProblem{j.ID, why})
			t.Rows = append(t.Rows, problemRow(j, StatusMissing, why))
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, jobsDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("sweep: merge: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && !known[e.Name()] && !strings.HasPrefix(e.Name(), ".") { // not a stage
			t.Unknown = append(t.Unknown, e.Name())
		}
	}
	slices.Sort(t.Unknown)
	return t, nil
}

// problemRow is the one row of a job without results.
func problemRow(j *Job, status, reason string) Row {
	return Row{Job: j.ID, Input: -1, Cell: j.Cell, Weights: j.Weights, Status: status, Error: reason, Meta: j.Meta}
}
