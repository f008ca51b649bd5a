// Command sinewave trains an RNN as the sine-wave generator of Sussillo &
// Barak (2013): a static input sets a frequency and the network produces
// sin(omega t). For each trained input and for inputs between them it
// finds the input-dependent fixed points (finder.Find), predicts the
// frequency from the angle of their oscillatory eigenvalue (|arg lambda|
// per step), measures the frequency the network actually produces from the
// crossings of its own output, and refines the invariant circle it runs on
// (orbits.RefineCircle, whose rotation per step is the frequency again).
// Where the fixed point is stable (|lambda| < 1) the oscillation decays
// onto it and there is no circle; the crossings still measure it.
// The network is a GRU by default, trained with its readout fixed at its
// initial weights (-fixed-readout) and a small target (-amplitude): the
// states then oscillate close to the fixed point, where its linearization
// describes them; a learned readout shrinks, the states saturate and the
// angle missed the frequency by 14% to 140% on a tanh RNN of 32 units
// trained with amplitude 1 and a learned readout.
// It prints a table of the three and writes sinewave-fixedpoints.json (the
// fixed points at every input), sinewave-report.html (with the table) and
// the trained model, sinewave-model.safetensors.
//
//	go run ./examples/sinewave [-cell gru] [-hidden 16] [-amplitude 0.05] [-fixed-readout] [-seed 1] [-model FILE] [-out DIR] [-quiet]
//
// With -model it loads a model that an earlier run saved instead of
// training one.
package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// Names of the files written in -out.
const (
	outputName = "sinewave" // sinewave-fixedpoints.json, sinewave-report.html
	modelFile  = "sinewave-model.safetensors"
)

// sineTask is what the network is trained on: 6 frequencies from 0.2 to
// 0.5 radians per step (periods 31 to 13 steps) over trials of 32 steps,
// with the target's amplitude from -amplitude.
func sineTask(amplitude float64) tasks.SineWave {
	return tasks.SineWave{Time: 32, Frequencies: 6, MinOmega: 0.2, MaxOmega: 0.5, Amplitude: amplitude}
}

type options struct {
	cell    string
	hidden  int
	seed    uint64
	epochs  int
	mse     float64
	amp     float64
	fixedRO bool
	inits   int
	model   string
	out     string
	quiet   bool
}

func main() { cli.Main(command) }

// command is the program: its arguments to its exit status.
var command = cli.Program("sinewave", func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	return run(ctx, o, stdout, stderr)
})

// parseFlags reads the command line; flag errors and usage go to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.NewFlagSet("sinewave", stderr)
	cli.SetUsage(fs, "sinewave [flags]", `Trains an RNN to produce sin(omega t) at the frequency its static input
sets, finds its fixed points at each input, shows that the angle of their
oscillatory eigenvalues predicts the frequency it produces, and refines
the invariant circle it runs on. Writes `+outputName+`-fixedpoints.json,
`+outputName+`-report.html and `+modelFile+`.`)
	fs.StringVar(&o.cell, "cell", "gru", "recurrent cell: gru, rnn (vanilla tanh) or lstm")
	fs.IntVar(&o.hidden, "hidden", 16, "hidden units")
	fs.Uint64Var(&o.seed, "seed", cli.DefaultSeed, "seed for weights, data, sampling and search")
	fs.IntVar(&o.epochs, "epochs", 400, "give up training after this many epochs")
	fs.Float64Var(&o.mse, "mse", 2.5e-6, "train until the validation MSE is at most this")
	fs.Float64Var(&o.amp, "amplitude", 0.05, "amplitude of the target sine: small ones let the network oscillate where tanh is nearly linear")
	fs.BoolVar(&o.fixedRO, "fixed-readout", true, "keep the readout's initial weights, so that the small target keeps the states small")
	fs.IntVar(&o.inits, "n-inits", 32, "initial states sampled from the run at each input")
	fs.StringVar(&o.model, "model", "", "load this trained model (safetensors, as written by an earlier run) instead of training")
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
	for _, err := range []error{
		cli.Positive("-hidden", o.hidden, "units"),
		cli.Positive("-epochs", o.epochs, "epochs"),
		cli.Positive("-n-inits", o.inits, "initial states"),
	} {
		if err != nil {
			return err
		}
	}
	if !(o.mse > 0) || math.IsInf(o.mse, 0) {
		return cli.Usagef("-mse %v: want a target MSE > 0", o.mse)
	}
	if !(o.amp > 0) || math.IsInf(o.amp, 0) {
		return cli.Usagef("-amplitude %v: want an amplitude > 0", o.amp)
	}
	names := []string{outputName + "-fixedpoints.json", outputName + "-report.html"}
	if o.model == "" {
		names = append(names, modelFile)
	}
	return cli.CheckOutputs(o.out, names...)
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	model, tr, err := trainedModel(ctx, o, stdout, stderr)
	if err != nil {
		return err
	}
	omegas, err := sineTask(o.amp).Omegas()
	if err != nil {
		return err
	}

	// Every trained frequency, and the midpoints between them.
	t0 := time.Now()
	var conds []*condition
	for k, w := range omegas {
		for _, c := range []struct {
			w       float64
			trained bool
		}{{w, true}, {(w + omegas[min(k+1, len(omegas)-1)]) / 2, false}} {
			if !c.trained && k == len(omegas)-1 {
				continue
			}
			cd, err := analyze(ctx, model, c.w, c.trained, o.inits, o.seed)
			if err != nil {
				return err
			}
			conds = append(conds, cd)
		}
	}
	fmt.Fprintf(stdout, "fixed points, frequencies and circles at %d inputs (%s)\n", len(conds), time.Since(t0).Round(time.Millisecond))
	printTable(stdout, conds)

	// Files: every input's fixed points together, and the report.
	N := model.Cell.StateSize()
	all := &finder.FixedPoints{N: N, M: 1, Dtype: "float64"}
	var runs []float64
	for _, c := range conds {
		all.Points = append(all.Points, c.Fixed.Points...)
		runs = append(runs, c.States...)
	}
	res := &finder.Result{Fixed: all, Status: finder.Converged}
	rep := &viz.Report{
		Title:        fmt.Sprintf("Fixed points and frequencies of %s trained as a sine-wave generator", cli.A(cli.Network(o.cell, o.hidden))),
		Fixed:        all,
		Trajectories: &finder.Trajectories{Trials: len(conds), Time: runMeasure, N: N, States: runs},
		Summary:      tableRows(conds),
		Charts:       []viz.XY{frequencyChart(conds)},
	}
	if tr != nil {
		rep.Training = cli.TrainingPanel("sine wave", o.mse, *tr)
	}
	fpPath, htmlPath, err := cli.WriteOutputs(o.out, outputName, res, rep)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", htmlPath, fpPath)
	return nil
}

// trainedModel loads -model, or trains a new model and saves it in -out.
// The training result is nil for a loaded model.
func trainedModel(ctx context.Context, o options, stdout, stderr io.Writer) (*tasks.Model, *tasks.TrainResult, error) {
	if o.model != "" {
		m, err := tasks.LoadModel(o.model)
		if err != nil {
			return nil, nil, err
		}
		if m.Cell.InputSize() != 1 || m.Readout.Outputs != 1 || m.Initial == nil {
			return nil, nil, fmt.Errorf("model %s: %d inputs, %d outputs, learned initial state %t: want a sine-wave generator's 1, 1 and true", o.model, m.Cell.InputSize(), m.Readout.Outputs, m.Initial != nil)
		}
		fmt.Fprintf(stdout, "loaded %s: %d states\n", o.model, m.Cell.StateSize())
		return m, nil, nil
	}
	cell, err := cells.NewTorchCell(o.cell, o.hidden, 1)
	if err != nil {
		return nil, nil, err
	}
	model, err := tasks.NewModel(cell, 1, o.seed)
	if err != nil {
		return nil, nil, err
	}
	t0 := time.Now()
	tr, err := tasks.Train(ctx, model, sineTask(o.amp), tasks.TrainSettings{Seed: o.seed, TrainTrials: 256, LearningRate: 0.01,
		TargetMSE: o.mse, MaxEpochs: o.epochs, LearnInitialState: true, FixedReadout: o.fixedRO, Progress: func(e tasks.EpochStats) {
			if !o.quiet && e.Epoch%20 == 0 {
				fmt.Fprintf(stderr, "train: epoch %d, validation MSE %.2e\n", e.Epoch, e.Val.MSE)
			}
		}})
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "%s trained in %d epochs (%s): validation MSE %.2e\n",
		cli.Network(o.cell, o.hidden), tr.Epochs, time.Since(t0).Round(time.Millisecond), tr.Val.MSE)
	if !tr.Reached {
		fmt.Fprintf(stdout, "warning: the target MSE %.0e was not reached in %d epochs\n", o.mse, o.epochs)
	}
	path := filepath.Join(o.out, modelFile)
	if err := tasks.SaveModel(path, model); err != nil {
		return nil, nil, err
	}
	return model, &tr, nil
}
