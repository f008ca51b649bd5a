package sweep

import (
	"fmt"
	"strconv"
)

// Environment variables read by ShardFromEnv.
const (
	// Slurm job arrays (sbatch --array=0-(n-1)); see
	// https://slurm.schedmd.com/job_array.html.
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmTaskMax   = "SLURM_ARRAY_TASK_MAX"
	EnvSlurmTaskStep  = "SLURM_ARRAY_TASK_STEP"
	// Kubernetes Indexed Jobs (completionMode: Indexed); see
	// https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode.
	EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"
)

// ShardFromEnv works out the shard of this process from the batch engine's
// environment, read through getenv (os.Getenv, say). shards is the number of
// shards given by the user (0 when not given). It returns the shard and the
// source it came from: "slurm", "kubernetes" or "single".
//
//   - Slurm job array: the index is SLURM_ARRAY_TASK_ID minus
//     SLURM_ARRAY_TASK_MIN (0 when unset), divided by SLURM_ARRAY_TASK_STEP
//     (1 when unset); the count is SLURM_ARRAY_TASK_COUNT, or else
//     (MAX-MIN)/STEP+1 from SLURM_ARRAY_TASK_MAX. The array must be a range
//     such as --array=0-9 or 1-10 (or 0-18:2); lists like --array=1,5,7 are
//     refused, as their tasks cannot be numbered 0..n-1 from the
//     environment. A shards > 0 must agree with the count.
//   - Kubernetes Indexed Job: the index is JOB_COMPLETION_INDEX; the count
//     is shards, which must then be given (spec.completions).
//   - Neither: shard 0 of 1 (every job) when shards is 0 or 1; an error when
//     shards > 1, as the index is unknown.
//
// Setting both engines' variables is an error.
func ShardFromEnv(getenv func(string) string, shards int) (Shard, string, error) {
	if shards < 0 {
		return Shard{}, "", fmt.Errorf("sweep: %w: %d shards, want >= 1", ErrShard, shards)
	}
	slurm, k8s := getenv(EnvSlurmTaskID) != "", getenv(EnvJobCompletionIndex) != ""
	switch {
	case slurm && k8s:
		return Shard{}, "", fmt.Errorf("sweep: %w: both %s and %s are set; give the shard with flags", ErrShard, EnvSlurmTaskID, EnvJobCompletionIndex)
	case slurm:
		s, err := slurmShard(getenv, shards)
		return s, "slurm", err
	case k8s:
		idx, err := envInt(getenv, EnvJobCompletionIndex)
		if err != nil {
			return Shard{}, "", err
		}
		if shards == 0 {
			return Shard{}, "", fmt.Errorf("sweep: %w: %s is %d but the number of shards is not given (the Job's spec.completions)", ErrShard, EnvJobCompletionIndex, idx)
		}
		s := Shard{Index: idx, Count: shards}
		return s, "kubernetes", s.Check()
	}
	if shards > 1 {
		return Shard{}, "", fmt.Errorf("sweep: %w: %d shards but no shard index (no flag, no %s, no %s)", ErrShard, shards, EnvSlurmTaskID, EnvJobCompletionIndex)
	}
	return Shard{Index: 0, Count: 1}, "single", nil
}

// slurmShard reads a Slurm array task's place.
func slurmShard(getenv func(string) string, shards int) (Shard, error) {
	id, err := envInt(getenv, EnvSlurmTaskID)
	if err != nil {
		return Shard{}, err
	}
	lo, step := 0, 1
	if getenv(EnvSlurmTaskMin) != "" {
		if lo, err = envInt(getenv, EnvSlurmTaskMin); err != nil {
			return Shard{}, err
		}
	}
	if getenv(EnvSlurmTaskStep) != "" {
		if step, err = envInt(getenv, EnvSlurmTaskStep); err != nil {
			return Shard{}, err
		}
		if step < 1 {
			return Shard{}, fmt.Errorf("sweep: %w: %s is %d, want >= 1", ErrShard, EnvSlurmTaskStep, step)
		}
	}
	if id < lo || (id-lo)%step != 0 {
		return Shard{}, fmt.Errorf("sweep: %w: Slurm array task %d is not in the range from %d by %d; submit a range such as --array=0-%d", ErrShard, id, lo, step, max(shards, 1)-1)
	}
	count, fromMax := -1, -1
	if getenv(EnvSlurmTaskCount) != "" {
		if count, err = envInt(getenv, EnvSlurmTaskCount); err != nil {
			return Shard{}, err
		}
	}
	if getenv(EnvSlurmTaskMax) != "" {
		hi, err := envInt(getenv, EnvSlurmTaskMax)
		if err != nil {
			return Shard{}, err
		}
		if hi < lo || (hi-lo)%step != 0 {
			return Shard{}, fmt.Errorf("sweep: %w: Slurm array from %d to %d is not a range by %d", ErrShard, lo, hi, step)
		}
		fromMax = (hi-lo)/step + 1
	}
	switch {
	case count >= 0 && fromMax >= 0 && count != fromMax:
		return Shard{}, fmt.Errorf("sweep: %w: the Slurm array has %d tasks but spans %d indices (a list such as --array=1,5,7?); submit a range such as --array=0-%d",
			ErrShard, count, fromMax, count-1)
	case count < 0 && fromMax < 0:
		if shards == 0 {
			return Shard{}, fmt.Errorf("sweep: %w: %s is set but neither %s nor %s: give the number of shards", ErrShard, EnvSlurmTaskID, EnvSlurmTaskCount, EnvSlurmTaskMax)
		}
		count = shards
	case count < 0:
		count = fromMax
	}
	if shards > 0 && shards != count {
		return Shard{}, fmt.Errorf("sweep: %w: %d shards given but the Slurm array has %d tasks", ErrShard, shards, count)
	}
	s := Shard{Index: (id - lo) / step, Count: count}
	return s, s.Check()
}

// envInt reads a non-negative integer variable.
func envInt(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("sweep: %w: %s=%q, want an integer >= 0", ErrShard, name, v)
	}
	return n, nil
}
