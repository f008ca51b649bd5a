package sweep

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAssignCoversEveryJobOnce(t *testing.T) {
	for nJobs := 1; nJobs <= 13; nJobs++ {
		jobs := make([]Job, nJobs)
		for i := range jobs {
			jobs[i].ID = fmt.Sprint("j", i)
		}
		for n := 1; n <= 8; n++ {
			seen := map[string]int{}
			smallest, largest := nJobs, 0
			for k := range n {
				mine, err := Assign(jobs, Shard{k, n})
				if err != nil {
					t.Fatal(err)
				}
				smallest, largest = min(smallest, len(mine)), max(largest, len(mine))
				for _, j := range mine {
					seen[j.ID]++
				}
				again, _ := Assign(jobs, Shard{k, n})
				if fmt.Sprint(again) != fmt.Sprint(mine) {
					t.Fatalf("%d jobs, shard %d/%d: two assignments differ", nJobs, k, n)
				}
			}
			if len(seen) != nJobs {
				t.Errorf("%d jobs in %d shards: %d assigned", nJobs, n, len(seen))
			}
			for id, c := range seen {
				if c != 1 {
					t.Errorf("%d jobs in %d shards: %s assigned %d times", nJobs, n, id, c)
				}
			}
			if largest-smallest > 1 {
				t.Errorf("%d jobs in %d shards: shard sizes from %d to %d", nJobs, n, smallest, largest)
			}
		}
	}
	if _, err := Assign(nil, Shard{3, 3}); !errors.Is(err, ErrShard) {
		t.Errorf("shard 3 of 3: %v, want ErrShard", err)
	}
}

func TestShardFromEnv(t *testing.T) {
	for _, c := range []struct {
		env    string
		shards int
		want   Shard
		source string
		err    string
	}{
		// sbatch --array=0-2: SLURM_ARRAY_TASK_COUNT=3, MIN=0, MAX=2.
		{"SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2", 0, Shard{2, 3}, "slurm", ""},
		{"SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3", 0, Shard{1, 3}, "slurm", ""},
		{"SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3", 3, Shard{1, 3}, "slurm", ""},
		// --array=1-4: tasks 1..4 are shards 0..3.
		{"SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4", 0, Shard{0, 4}, "slurm", ""},
		{"SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4 SLURM_ARRAY_TASK_COUNT=4", 0, Shard{3, 4}, "slurm", ""},
		// --array=0-8:2 is 0, 2, 4, 6, 8.
		{"SLURM_ARRAY_TASK_ID=6 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=8 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=5", 0, Shard{3, 5}, "slurm", ""},
		// --array=1,5,7: 3 tasks spanning 7 indices.
		{"SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=7 SLURM_ARRAY_TASK_COUNT=3", 0, Shard{}, "", "a list such as"},
		{"SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3", 4, Shard{}, "", "4 shards given but the Slurm array has 3 tasks"},
		{"SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=3", 0, Shard{}, "", `SLURM_ARRAY_TASK_ID="x"`},
		{"SLURM_ARRAY_TASK_ID=3", 0, Shard{}, "", "give the number of shards"},
		{"SLURM_ARRAY_TASK_ID=3", 5, Shard{3, 5}, "slurm", ""},
		{"JOB_COMPLETION_INDEX=2", 3, Shard{2, 3}, "kubernetes", ""},
		{"JOB_COMPLETION_INDEX=0", 1, Shard{0, 1}, "kubernetes", ""},
		{"JOB_COMPLETION_INDEX=2", 0, Shard{}, "", "number of shards is not given"},
		{"JOB_COMPLETION_INDEX=3", 3, Shard{}, "", "shard 3 of 3"},
		{"JOB_COMPLETION_INDEX=1 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3", 3, Shard{}, "", "both"},
		{"", 0, Shard{0, 1}, "single", ""},
		{"", 1, Shard{0, 1}, "single", ""},
		{"", 3, Shard{}, "", "no shard index"},
	} {
		env := map[string]string{}
		for _, kv := range strings.Fields(c.env) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		got, source, err := ShardFromEnv(func(k string) string { return env[k] }, c.shards)
		switch {
		case c.err != "" && (err == nil || !errors.Is(err, ErrShard) || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s, shards %d: error %v, want ErrShard with %q", c.env, c.shards, err, c.err)
		case c.err == "" && (err != nil || got != c.want || source != c.source):
			t.Errorf("%s, shards %d: %v from %q (%v), want %v from %q", c.env, c.shards, got, source, err, c.want, c.source)
		}
	}
}
