package sweep_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/sweep"
)

// A sweep of two networks in two shards, run here one after the other (on a
// cluster, each shard is a Slurm array task or a Kubernetes pod), then merged.
func Example() {
	dir, err := os.MkdirTemp("", "sweep-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Two 2-unit tanh RNNs x' = tanh(w x): 9 fixed points for w = 2, one for w = 0.5.
	for name, w := range map[string]float64{"strong": 2, "weak": 0.5} {
		sd := cells.StateDict{
			"weight_ih_l0": {Shape: []int{2, 1}, Data: []float64{0, 0}},
			"weight_hh_l0": {Shape: []int{2, 2}, Data: []float64{w, 0, 0, w}},
			"bias_ih_l0":   {Shape: []int{2}, Data: []float64{0, 0}},
			"bias_hh_l0":   {Shape: []int{2}, Data: []float64{0, 0}},
		}
		if err := cells.WriteStateDict(filepath.Join(dir, name+".safetensors"), sd); err != nil {
			log.Fatal(err)
		}
	}
	grid := `[[-1,-1],[-1,0],[-1,1],[0,-1],[0,0],[0,1],[1,-1],[1,0],[1,1]]`
	manifest := strings.Join([]string{
		`{"id": "strong", "weights": "strong.safetensors", "cell": "rnn", "inits": ` + grid + `, "meta": {"w": 2}}`,
		`{"id": "weak", "weights": "weak.safetensors", "cell": "rnn", "inits": ` + grid + `, "meta": {"w": 0.5}}`,
	}, "\n")
	jobs, err := sweep.ParseManifest(strings.NewReader(manifest), dir)
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(dir, "results")
	for k := range 2 {
		if _, err := sweep.RunShard(context.Background(), jobs, out, sweep.Options{Shard: sweep.Shard{Index: k, Count: 2}}); err != nil {
			log.Fatal(err)
		}
	}
	table, err := sweep.Merge(out, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range table.Rows {
		fmt.Printf("%s (w = %v): %s, %d fixed points, %d stable, by saddle index %v\n", r.Job, r.Meta["w"], r.Status, r.Fixed, r.Stable, r.BySaddleIndex)
	}
	// Output:
	// strong (w = 2): done, 9 fixed points, 4 stable, by saddle index map[0:4 1:4 2:1]
	// weak (w = 0.5): done, 1 fixed points, 1 stable, by saddle index map[0:1]
}
