package fixedpoints_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// Example is the README's library example (TestReadmeExampleInSync keeps the
// two the same): a PyTorch nn.RNN state_dict of the 3-bit flip-flop, its
// fixed points found from states near its trajectories, saved as JSON and
// drawn as a report.
func Example() {
	// Run in a temporary directory holding a copy of the model, so that the
	// files it writes do not land in the repository.
	model, err := os.ReadFile("testdata/flipflop-rnn16.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	wd, _ := os.Getwd()
	dir, err := os.MkdirTemp("", "fixedpoints-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Mkdir(filepath.Join(dir, "testdata"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "testdata", "flipflop-rnn16.safetensors"), model, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		log.Fatal(err)
	}
	defer os.Chdir(wd)

	// README begin
	ctx := context.Background()
	cell, _, err := cells.LoadModel("testdata/flipflop-rnn16.safetensors", cells.Options{Kind: "rnn"})
	if err != nil {
		log.Fatal(err)
	}
	run, _ := tasks.Pulses{}.Simulate(ctx, cell, 1) // 128 trials under random input pulses
	traj := &finder.Trajectories{States: run.States, Trials: run.Trials, Time: run.Time, N: run.N}
	starts, _ := finder.SampleStates(*traj, 1024, 0.5, 1) // 1024 states near them, noise 0.5
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: starts.States,
		Inputs: make([]float64, cell.InputSize()), Trajectories: traj}, nil) // nil: default settings
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Fixed.Points), "fixed points, status", res.Status)
	_ = fpjson.Save("fixedpoints.json", res) // format fixedpoints/v1
	_ = (&viz.Report{Title: "RNN-16", Fixed: res.Fixed, Slow: res.Slow, All: res.All,
		Trajectories: traj}).WriteFile("report.html")
	// README end

	// Output:
	// 27 fixed points, status Converged
}
