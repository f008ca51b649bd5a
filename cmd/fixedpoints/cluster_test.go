package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rnnfp/fixedpoints/internal/sweeptest"
)

// The Slurm script, run as three array tasks would run it (Slurm's
// variables set, a "fixedpoints" on the PATH that is this command), runs
// every job of the manifest once.
func TestSlurmScriptRunsTheShards(t *testing.T) {
	script, err := filepath.Abs("../../examples/cluster/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^#SBATCH --array=(\d+)-(\d+)$`).FindStringSubmatch(string(src)); m == nil || m[1] != "0" {
		t.Errorf("the script's --array directive is not a range from 0: %v", m)
	}
	dir := t.TempDir()
	manifest, err := sweeptest.Manifest(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %q -test.run='^TestChildProcess$' -- \"$@\"\n", os.Args[0])
	if err := os.WriteFile(filepath.Join(bin, "fixedpoints"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		cmd := exec.Command("bash", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), childArgsEnv+"=argv",
			fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", k), "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX=2",
			"SLURM_CPUS_PER_TASK=1", "JOB_COMPLETION_INDEX=", "MANIFEST="+manifest, "OUT=results")
		log, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(log), fmt.Sprintf("shard %d/3 (slurm): 2 of 6 jobs", k)) {
			t.Fatalf("task %d: %v\n%s", k, err, log)
		}
	}
	out := runIn(t, 0, "merge", filepath.Join(dir, "results"))
	if !strings.Contains(out, "6 jobs: 6 done, 0 failed, 0 missing") {
		t.Errorf("merge after the Slurm tasks:\n%s", out)
	}
}

// The Kubernetes manifest is an Indexed Job whose completions equal the
// -shards of its command, with the fields its documentation requires.
func TestKubernetesJobIsIndexed(t *testing.T) {
	src, err := os.ReadFile("../../examples/cluster/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			BackoffLimit   int    `yaml:"backoffLimit"`
			Template       struct {
				Spec struct {
					RestartPolicy   string         `yaml:"restartPolicy"`
					SecurityContext map[string]any `yaml:"securityContext"`
					Containers      []struct {
						Name         string           `yaml:"name"`
						Image        string           `yaml:"image"`
						Args         []string         `yaml:"args"`
						Resources    map[string]any   `yaml:"resources"`
						VolumeMounts []map[string]any `yaml:"volumeMounts"`
					} `yaml:"containers"`
					Volumes []map[string]any `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	d := yaml.NewDecoder(strings.NewReader(string(src)))
	d.KnownFields(true)
	if err := d.Decode(&job); err != nil {
		t.Fatal(err)
	}
	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || s.CompletionMode != "Indexed" || s.Completions < 1 ||
		s.Template.Spec.RestartPolicy != "Never" || len(s.Template.Spec.Containers) != 1 {
		t.Fatalf("not an Indexed Job: %+v", job)
	}
	args := s.Template.Spec.Containers[0].Args
	i := slices.Index(args, "-shards")
	if len(args) == 0 || args[0] != "sweep" || i < 0 || i+1 >= len(args) || args[i+1] != fmt.Sprint(s.Completions) {
		t.Errorf("args %q, want sweep ... -shards %d (spec.completions)", args, s.Completions)
	}
	// The arguments are the command's: in a pod (JOB_COMPLETION_INDEX
	// set) they parse, and the command goes on to read the manifest.
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("JOB_COMPLETION_INDEX", "3")
	var out, errb strings.Builder
	if code := run(t.Context(), args, &out, &errb); code != 1 || !strings.Contains(errb.String(), "/data/manifest.jsonl: no such file") {
		t.Errorf("fixedpoints %q: exit %d, %s; want exit 1 for want of the manifest", args, code, errb.String())
	}
}
