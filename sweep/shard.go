package sweep

import (
	"errors"
	"fmt"
)

// ErrShard is wrapped by every error about the shard to run.
var ErrShard = errors.New("bad shard")

// Shard is shard Index (0-based) of Count.
type Shard struct {
	Index, Count int
}

// String writes the shard as "k/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Check reports a shard that does not exist.
func (s Shard) Check() error {
	if s.Count < 1 {
		return fmt.Errorf("sweep: %w: %d shards, want >= 1", ErrShard, s.Count)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("sweep: %w: shard %d of %d, want 0 <= shard < %d", ErrShard, s.Index, s.Count, s.Count)
	}
	return nil
}

// Assign returns the jobs of shard s: those at positions s.Index,
// s.Index+s.Count, ... of jobs (round robin in manifest order). Every job
// belongs to exactly one shard, shards differ in size by at most one job, and
// the assignment depends only on the order of the jobs and on s.Count.
func Assign(jobs []Job, s Shard) ([]Job, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	var mine []Job
	for i := s.Index; i < len(jobs); i += s.Count {
		mine = append(mine, jobs[i])
	}
	return mine, nil
}
