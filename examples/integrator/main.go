// Command integrator trains an RNN to sum one of its inputs (the bounded
// integrator task, with distractor inputs it must ignore), finds its fixed
// and slow points, traces the line attractor that holds the sum, and shows
// that the line's selection vector picks the summed input. It writes
// integrator-fixedpoints.json, integrator-manifolds.json and
// integrator-report.html (the traced line in the 3-D view, and q, its
// eigenvalue and the selection of each input along it).
//
//	go run ./examples/integrator [-cell gru|lstm|rnn] [-hidden 8] [-distractors 2] [-seed 1] [-out DIR] [-quiet]
package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

type options struct {
	cell        string
	hidden      int
	distractors int
	seed        uint64
	inits       int
	out         string
	quiet       bool
}

// Names of the files written in -out.
const (
	outputName    = "integrator" // integrator-fixedpoints.json, integrator-report.html
	manifoldsFile = "integrator-manifolds.json"
)

func main() { cli.Main(command) }

// command is the program: its arguments to its exit status.
var command = cli.Program("integrator", func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	return run(ctx, o, stdout, stderr)
})

// parseFlags reads the command line; flag errors and usage go to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.NewFlagSet("integrator", stderr)
	cli.SetUsage(fs, "integrator [flags]", `Trains an RNN to sum one of its inputs, finds its fixed and slow points,
traces the line attractor that holds the sum and shows which input its
selection vector picks. Writes `+outputName+`-fixedpoints.json,
`+manifoldsFile+` and `+outputName+`-report.html.`)
	fs.StringVar(&o.cell, "cell", "gru", "recurrent cell: gru, lstm or rnn (vanilla tanh)")
	fs.IntVar(&o.hidden, "hidden", 8, "hidden units")
	fs.IntVar(&o.distractors, "distractors", 2, "inputs besides the summed one, which the target ignores")
	fs.Uint64Var(&o.seed, "seed", cli.DefaultSeed, "seed for weights, data, sampling and search")
	fs.IntVar(&o.inits, "n-inits", 256, "initial states sampled from the trajectories")
	fs.StringVar(&o.out, "out", ".", "directory for the outputs")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	return o, cli.Parse(fs, args)
}

// check refuses flag values that make no sense and an output directory
// that cannot be written, before any work.
func (o *options) check() error {
	if err := cli.CellKind("-cell", o.cell); err != nil {
		return err
	}
	if err := cli.Positive("-hidden", o.hidden, "units"); err != nil {
		return err
	}
	if err := cli.Positive("-n-inits", o.inits, "initial states"); err != nil {
		return err
	}
	if o.distractors < 0 {
		return cli.Usagef("-distractors %d: want a number >= 0", o.distractors)
	}
	return cli.CheckOutputs(o.out, outputName+"-fixedpoints.json", manifoldsFile, outputName+"-report.html")
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	task := tasks.Integrator{Time: 32, Distractors: o.distractors}
	M := task.InputSize()
	cell, err := cells.NewTorchCell(o.cell, o.hidden, M)
	if err != nil {
		return fmt.Errorf("-hidden %d: %w", o.hidden, err)
	}
	model, err := tasks.NewModel(cell, 1, o.seed)
	if err != nil {
		return err
	}

	// 1. Train until the sum is held to MSE 2e-3.
	t0 := time.Now()
	tr, err := tasks.Train(ctx, model, task, tasks.TrainSettings{Seed: o.seed, TrainTrials: 256, LearningRate: 0.03,
		TargetMSE: 2e-3, MaxEpochs: 150, Progress: func(e tasks.EpochStats) {
			if !o.quiet && e.Epoch%10 == 0 {
				fmt.Fprintf(stderr, "train: epoch %d, validation MSE %.2e\n", e.Epoch, e.Val.MSE)
			}
		}})
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "%s-%d trained in %d epochs (%s): validation MSE %.2e\n",
		o.cell, o.hidden, tr.Epochs, time.Since(t0).Round(time.Millisecond), tr.Val.MSE)
	if !tr.Reached {
		fmt.Fprintf(stdout, "warning: the target MSE 2e-3 was not reached; the line attractor may be poor\n")
	}

	// 2. Fixed and slow points from states sampled along trajectories.
	trials, err := task.Generate(64, o.seed+1000)
	if err != nil {
		return err
	}
	states, _, err := model.Run(ctx, trials)
	if err != nil {
		return err
	}
	N := cell.StateSize()
	traj := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}
	samples, err := finder.SampleStates(traj, o.inits, 0.05, o.seed)
	if err != nil {
		return err
	}
	settings := finder.DefaultSettings()
	settings.Seed = o.seed
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: samples.States, Inputs: make([]float64, M), Trajectories: &traj}, &settings)
	if err != nil {
		return fmt.Errorf("find: %w", err)
	}
	fmt.Fprintf(stdout, "%d candidates: %d fixed points, %d slow points, %d unconverged (unique); status %v\n",
		res.Stats.Candidates, res.Fixed.Len(), res.Slow.Len(), res.Unconverged.Len(), res.Status)

	// 3. The slow manifolds, traced, with what selects them.
	ro := &manifold.Readout{Outputs: 1, Weight: model.Readout.Weight, Bias: model.Readout.Bias}
	an, err := manifold.Analyze(ctx, cell, res, ro, nil)
	if err != nil {
		return fmt.Errorf("manifolds: %w", err)
	}
	fmt.Fprint(stdout, an.Summary())
	if line := longestCurve(an); line != nil {
		sm := line.Summarize()
		others := make([]string, 0, M-1)
		ratio := 0.0
		for j := 1; j < M; j++ {
			others = append(others, fmt.Sprintf("%.3g", sm.MeanAbsSelection[j]))
			ratio = max(ratio, sm.MeanAbsSelection[j])
		}
		fmt.Fprintf(stdout, "line attractor: encodes %.2f..%.2f; mean |selection| of the summed input %.3g", sm.EncodedMin[0], sm.EncodedMax[0], sm.MeanAbsSelection[0])
		if M > 1 {
			fmt.Fprintf(stdout, ", of the distractors %s (%.0fx less)", strings.Join(others, ", "), sm.MeanAbsSelection[0]/ratio)
		}
		fmt.Fprintln(stdout)
	} else {
		fmt.Fprintln(stdout, "no line attractor was traced")
	}

	// 4. Files: the fixed points, the manifolds and the report.
	mfPath := filepath.Join(o.out, manifoldsFile)
	if err := an.Save(mfPath); err != nil {
		return err
	}
	rep := &viz.Report{
		Title:        fmt.Sprintf("Line attractor of a %s-%d trained to sum input 0 of %d", o.cell, o.hidden, M),
		Fixed:        res.Fixed,
		Slow:         res.Slow,
		SlowRegions:  res.SlowRegions,
		All:          res.All,
		Trajectories: &finder.Trajectories{Trials: trials.Trials, Time: trials.Time, N: N, States: states},
		Trials:       []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
		Summary:      viz.SummaryRows(settings, res),
		Manifolds:    cli.Curves(an),
	}
	fpPath, htmlPath, err := cli.WriteOutputs(o.out, outputName, res, rep)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", htmlPath, fpPath, mfPath)
	return nil
}

// longestCurve is the traced curve of most points, or nil.
func longestCurve(a *manifold.Analysis) *manifold.Curve {
	var best *manifold.Curve
	for _, m := range a.Manifolds {
		if m.Curve != nil && (best == nil || len(m.Curve.Points) > len(best.Points)) {
			best = m.Curve
		}
	}
	return best
}
