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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
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

func main() {
	var o options
	fs := flag.NewFlagSet("integrator", flag.ContinueOnError)
	fs.StringVar(&o.cell, "cell", "gru", "recurrent cell: gru, lstm or rnn (vanilla tanh)")
	fs.IntVar(&o.hidden, "hidden", 8, "hidden units")
	fs.IntVar(&o.distractors, "distractors", 2, "inputs besides the summed one, which the target ignores")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for weights, data, sampling and search")
	fs.IntVar(&o.inits, "inits", 256, "initial states sampled from the trajectories")
	fs.StringVar(&o.out, "out", ".", "directory for the outputs")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "integrator:", err)
		os.Exit(1)
	}
}

func (o *options) check() error {
	if o.hidden <= 0 || o.inits <= 0 || o.distractors < 0 {
		return fmt.Errorf("-hidden %d, -inits %d, -distractors %d: want positive sizes (distractors >= 0)", o.hidden, o.inits, o.distractors)
	}
	if _, err := cells.NewTorchCell(o.cell, 1, 1); err != nil {
		return fmt.Errorf("-cell: %w", err)
	}
	st, err := os.Stat(o.out)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("-out %s is not a directory", o.out)
	}
	probe, err := os.CreateTemp(o.out, ".integrator-probe-*")
	if err != nil {
		return fmt.Errorf("-out %s is not writable: %w", o.out, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	task := tasks.Integrator{Time: 32, Distractors: o.distractors}
	M := task.InputSize()
	cell, err := cells.NewTorchCell(o.cell, o.hidden, M)
	if err != nil {
		return err
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
	samples, err := finder.SampleStates(finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}, o.inits, 0.05, o.seed)
	if err != nil {
		return err
	}
	settings := finder.DefaultSettings()
	settings.Seed = o.seed
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: samples.States, Inputs: make([]float64, M)}, &settings)
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
	fpPath := filepath.Join(o.out, "integrator-fixedpoints.json")
	mfPath := filepath.Join(o.out, "integrator-manifolds.json")
	htmlPath := filepath.Join(o.out, "integrator-report.html")
	if err := fpjson.Save(fpPath, res); err != nil {
		return err
	}
	if err := an.Save(mfPath); err != nil {
		return err
	}
	rep := &viz.Report{
		Title:        fmt.Sprintf("Line attractor of a %s-%d trained to sum input 0 of %d", o.cell, o.hidden, M),
		Fixed:        res.Fixed,
		Slow:         res.Slow,
		All:          res.All,
		Trajectories: &finder.Trajectories{Trials: trials.Trials, Time: trials.Time, N: N, States: states},
		Trials:       []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
		Summary:      viz.SummaryRows(settings, res),
	}
	for _, m := range an.Manifolds {
		if m.Curve != nil {
			rep.Manifolds = append(rep.Manifolds, m.Curve)
		}
	}
	if err := rep.WriteFile(htmlPath); err != nil {
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
