// Command flipflop trains an RNN on the 3-bit flip-flop task, finds and
// certifies its fixed points, summarizes its slow points by the slow
// manifolds they lie on (package manifold), and writes
// flipflop-report.html, flipflop-fixedpoints.json, flipflop-manifolds.json
// and the trained model,
// flipflop-model.safetensors (PyTorch's state_dict layout, see
// tasks.SaveModel).
//
//	go run ./examples/flipflop [-cell lstm|gru|rnn] [-hidden 16] [-seed 1] [-n-inits 1024] [-mse 1e-4] [-out DIR] [-quiet] [-continue]
//
// With -continue it also follows every fixed point as input bit 1 is held
// at a constant ramped from 0 to +1 (package continuation) and writes
// flipflop-branches.json and flipflop-branches.html.
package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// Names of the files written in -out.
const (
	outputName = "flipflop" // flipflop-report.html, flipflop-fixedpoints.json
	modelFile  = "flipflop-model.safetensors"
	// manifoldsFile holds the slow manifolds (format manifolds/v1).
	manifoldsFile = "flipflop-manifolds.json"
)

type options struct {
	cell   string
	hidden int
	seed   uint64
	inits  int
	noise  float64
	mse    float64
	epochs int
	out    string
	quiet  bool
	cont   bool // -continue: ramp input bit 1 from 0 to +1 (continue.go)

	// stdout and stderr default to the process's.
	stdout, stderr io.Writer
	// trainStarted, when set, is called as training starts (tests).
	trainStarted func()
}

func main() { cli.Main(command) }

// command is the program: its arguments to its exit status.
var command = cli.Program("flipflop", func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	o.stdout, o.stderr = stdout, stderr
	return run(ctx, o)
})

// parseFlags reads the command line; flag errors and usage go to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.NewFlagSet("flipflop", stderr)
	cli.SetUsage(fs, "flipflop [flags]", `Trains an RNN on the 3-bit flip-flop task, finds and certifies its fixed
points, summarizes its slow points by the slow manifolds they lie on, and
writes flipflop-report.html, flipflop-fixedpoints.json,
flipflop-manifolds.json and the trained model, `+modelFile+`.`)
	fs.StringVar(&o.cell, "cell", "lstm", "recurrent cell: lstm, gru or rnn (vanilla tanh, as PyTorch names it)")
	fs.IntVar(&o.hidden, "hidden", 16, "hidden units")
	fs.Uint64Var(&o.seed, "seed", cli.DefaultSeed, "seed for weights, data, sampling and search")
	fs.IntVar(&o.inits, "n-inits", 1024, "initial states sampled from the trajectories")
	fs.Float64Var(&o.noise, "noise", 0.5, "standard deviation of the noise added to sampled states")
	fs.Float64Var(&o.mse, "mse", 1e-4, "train until the validation MSE is at most this (> 0): the lower, the cleaner the attractors")
	fs.IntVar(&o.epochs, "epochs", 300, "give up training after this many epochs")
	fs.StringVar(&o.out, "out", ".", "directory for flipflop-report.html, flipflop-fixedpoints.json, "+manifoldsFile+" and "+modelFile)
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bars")
	fs.BoolVar(&o.cont, "continue", false, "also follow the fixed points as input bit 1 ramps from 0 to +1 ("+branchesJSON+", "+branchesHTML+")")
	return o, cli.Parse(fs, args)
}

// check refuses flag values that make no sense, before any work.
func (o options) check() error {
	if err := cli.CellKind("-cell", o.cell); err != nil {
		return err
	}
	for _, err := range []error{
		cli.Positive("-hidden", o.hidden, "units"),
		cli.Positive("-n-inits", o.inits, "initial states"),
		cli.NonNegative("-noise", o.noise),
		cli.Positive("-epochs", o.epochs, "epochs"),
		cli.Required("-out", o.out, "DIR"),
	} {
		if err != nil {
			return err
		}
	}
	if !(o.mse > 0) || math.IsInf(o.mse, 0) {
		return cli.Usagef("-mse %v: want a target MSE > 0", o.mse)
	}
	return nil
}

func run(ctx context.Context, o options) error {
	if o.stdout == nil {
		o.stdout = os.Stdout
	}
	if o.stderr == nil {
		o.stderr = os.Stderr
	}
	if err := o.check(); err != nil {
		return err
	}
	if err := cli.CheckOutputs(o.out, outputName+"-report.html", outputName+"-fixedpoints.json", manifoldsFile, modelFile); err != nil {
		return err
	}
	if o.cont {
		if err := cli.CheckOutputs(o.out, branchesJSON, branchesHTML); err != nil {
			return err
		}
	}
	task := tasks.FlipFlop{Bits: 3, Time: 64, P: 0.5}
	cell, err := cells.NewTorchCell(o.cell, o.hidden, task.InputSize())
	if err != nil {
		return fmt.Errorf("-hidden %d: %w", o.hidden, err)
	}
	model, err := tasks.NewModel(cell, task.OutputSize(), o.seed)
	if err != nil {
		return err
	}

	// 1. Train, and save the model.
	tr, err := train(ctx, o, model, task)
	if err != nil {
		return err
	}
	modelPath := filepath.Join(o.out, modelFile)
	if err := tasks.SaveModel(modelPath, model); err != nil {
		return err
	}

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
	progress, fbar := findProgress(o)
	settings.Progress = progress
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: samples.States, Inputs: make([]float64, task.InputSize()), Trajectories: &traj}, &settings)
	fbar.Finish()
	if err != nil {
		return fmt.Errorf("find: %w", err)
	}
	cli.PrintSummary(o.stdout, res)

	// 3b. The slow manifolds the slow points lie on (package manifold).
	an, err := manifold.Analyze(ctx, cell, res, &manifold.Readout{Outputs: model.Readout.Outputs,
		Weight: model.Readout.Weight, Bias: model.Readout.Bias}, nil)
	if err != nil {
		return fmt.Errorf("manifolds: %w", err)
	}
	fmt.Fprint(o.stdout, an.Summary())
	manifoldsPath := filepath.Join(o.out, manifoldsFile)
	if err := an.Save(manifoldsPath); err != nil {
		return err
	}

	// 4. Report and JSON.
	rep := &viz.Report{
		Title:        fmt.Sprintf("Fixed points of %s trained on the 3-bit flip-flop", cli.A(cli.Network(o.cell, o.hidden))),
		Fixed:        res.Fixed,
		Slow:         res.Slow,
		SlowRegions:  res.SlowRegions,
		All:          res.All,
		Trajectories: &finder.Trajectories{Trials: trials.Trials, Time: trials.Time, N: N, States: states},
		Trials:       []int{0, 1, 2, 3, 4, 5, 6, 7}, // a few, so that the cube stays visible
		Trial:        exampleTrial(trials, outputs),
		Training:     cli.TrainingPanel("3-bit flip-flop", o.mse, tr),
		Summary:      viz.SummaryRows(settings, res),
		Manifolds:    cli.Curves(an),
	}
	jsonPath, htmlPath, err := cli.WriteOutputs(o.out, outputName, res, rep)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "wrote %s, %s, %s and %s\n", htmlPath, jsonPath, manifoldsPath, modelPath)
	if o.cont {
		return rampBit1(ctx, o, model, res.Fixed)
	}
	return nil
}

// train fits the model until the validation MSE reaches -mse, showing
// progress towards that target, and prints what it reached.
func train(ctx context.Context, o options, model *tasks.Model, task tasks.Task) (tasks.TrainResult, error) {
	t0 := time.Now()
	progress, bar := func(tasks.EpochStats) {}, &cli.Bar{}
	if !o.quiet {
		progress, bar = cli.TrainProgressTo(o.stderr, o.mse)
	}
	if o.trainStarted != nil {
		o.trainStarted()
	}
	tr, err := tasks.Train(ctx, model, task, tasks.TrainSettings{Seed: o.seed, MaxEpochs: o.epochs, TargetMSE: o.mse,
		Progress: progress})
	bar.Finish()
	if err != nil {
		return tr, fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(o.stdout, "%s trained in %d epochs (%s): validation MSE %.2e, output sign correct on %.2f%% of entries\n",
		cli.Network(o.cell, o.hidden), tr.Epochs, time.Since(t0).Round(time.Millisecond), tr.Val.MSE, 100*tr.Val.SignAccuracy)
	if !tr.Reached {
		fmt.Fprintf(o.stdout, "warning: the validation MSE did not reach the target %.0e in %d epochs\n", o.mse, o.epochs)
	}
	return tr, nil
}

// findProgress is the search's progress on stderr, or nothing.
func findProgress(o options) (func(finder.Progress), *cli.Bar) {
	if o.quiet {
		return nil, &cli.Bar{}
	}
	return cli.FindProgressTo(o.stderr, o.inits)
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
