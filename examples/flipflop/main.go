// Command flipflop trains an RNN on the 3-bit flip-flop task, finds and
// certifies its fixed points, and writes flipflop-report.html and
// flipflop-fixedpoints.json.
//
//	go run ./examples/flipflop [-cell lstm|gru|rnn] [-hidden 16] [-seed 6] [-inits 1024] [-out DIR] [-quiet]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/examples/internal/cli"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

type options struct {
	cell   string
	hidden int
	seed   uint64
	inits  int
	noise  float64
	mse    float64
	out    string
	quiet  bool
}

func main() {
	var o options
	flag.StringVar(&o.cell, "cell", "lstm", "recurrent cell: lstm, gru or rnn (vanilla tanh, as PyTorch names it)")
	flag.IntVar(&o.hidden, "hidden", 16, "hidden units")
	flag.Uint64Var(&o.seed, "seed", 6, "seed for weights, data, sampling and search")
	flag.IntVar(&o.inits, "inits", 1024, "initial states sampled from the trajectories")
	flag.Float64Var(&o.noise, "noise", 0.5, "standard deviation of the noise added to sampled states")
	flag.Float64Var(&o.mse, "mse", 1e-4, "train until the validation MSE is at most this: the lower, the cleaner the attractors")
	flag.StringVar(&o.out, "out", ".", "directory for flipflop-report.html and flipflop-fixedpoints.json")
	flag.BoolVar(&o.quiet, "quiet", false, "no progress bars")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "flipflop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.hidden <= 0 || o.inits <= 0 {
		return errors.New("-hidden and -inits must be positive")
	}
	task := tasks.FlipFlop{Bits: 3, Time: 64, P: 0.5}
	cell, err := cells.NewTorchCell(o.cell, o.hidden, task.InputSize())
	if err != nil {
		return err
	}
	model, err := tasks.NewModel(cell, task.OutputSize(), o.seed)
	if err != nil {
		return err
	}

	// 1. Train.
	t0 := time.Now()
	const maxEpochs = 300
	bar := cli.NewBar(maxEpochs, "train    ", o.quiet)
	tr, err := tasks.Train(ctx, model, task, tasks.TrainSettings{Seed: o.seed, MaxEpochs: maxEpochs, TargetMSE: o.mse,
		Progress: func(e tasks.EpochStats) {
			bar.Set(e.Epoch)
			bar.Describe(fmt.Sprintf("train mse %.1e", e.Val.MSE))
		}})
	bar.Finish()
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Printf("%s-%d trained in %d epochs (%s): validation MSE %.2e, output sign correct on %.2f%% of entries\n",
		o.cell, o.hidden, tr.Epochs, time.Since(t0).Round(time.Millisecond), tr.Val.MSE, 100*tr.Val.SignAccuracy)

	// 2. Trajectories on fresh trials, and initial states sampled from them.
	trials, err := task.Generate(128, o.seed+1000)
	if err != nil {
		return err
	}
	states, outputs, err := model.Run(ctx, trials)
	if err != nil {
		return err
	}
	N := cell.StateSize()
	traj := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}
	samples, err := finder.SampleStates(traj, o.inits, o.noise, o.seed)
	if err != nil {
		return err
	}

	// 3. Find, refine and linearize under zero input.
	settings := finder.DefaultSettings()
	settings.Seed = o.seed
	progress, fbar := cli.FindProgress(o.inits, o.quiet)
	settings.Progress = progress
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: samples.States, Inputs: make([]float64, task.InputSize())}, &settings)
	fbar.Finish()
	if err != nil {
		return fmt.Errorf("find: %w", err)
	}
	cli.PrintSummary(os.Stdout, res)

	// 4. Report and JSON.
	rep := &viz.Report{
		Title:        fmt.Sprintf("Fixed points of a %s-%d trained on the 3-bit flip-flop", o.cell, o.hidden),
		Fixed:        res.Fixed,
		Slow:         res.Slow,
		All:          res.All,
		Trajectories: &viz.Trajectories{Trials: trials.Trials, Time: trials.Time, N: N, States: states},
		Trials:       []int{0, 1, 2, 3, 4, 5, 6, 7}, // a few, so that the cube stays visible
		Trial:        exampleTrial(trials, outputs),
		Summary:      viz.SummaryRows(settings, res),
	}
	jsonPath, htmlPath, err := cli.WriteOutputs(o.out, "flipflop", res, rep)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s and %s\n", htmlPath, jsonPath)
	return nil
}

// exampleTrial is the first trial's inputs, targets and outputs by time.
func exampleTrial(b tasks.Batch, outputs []float64) *viz.Trial {
	T, M, K := b.Time, b.InputSize, b.OutputSize
	tr := &viz.Trial{}
	for t := 0; t < T; t++ {
		tr.Inputs = append(tr.Inputs, b.Inputs[t*M:(t+1)*M])
		tr.Targets = append(tr.Targets, b.Targets[t*K:(t+1)*K])
		tr.Outputs = append(tr.Outputs, outputs[t*K:(t+1)*K])
	}
	for k := 0; k < K; k++ {
		tr.Channels = append(tr.Channels, fmt.Sprintf("bit %d", k+1))
	}
	return tr
}
