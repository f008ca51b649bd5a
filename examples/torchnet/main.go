// Command torchnet finds and analyzes the fixed points of a single-layer
// RNN, GRU or LSTM trained in PyTorch, from its state_dict saved as
// .safetensors or .npz, and writes DIR/torchnet-fixedpoints.json (format
// fixedpoints/v1) and DIR/torchnet-report.html.
//
//	go run ./examples/torchnet -weights FILE -cell rnn|gru|lstm [-prefix rnn.]
//		[-inits FILE.npy] [-inputs FILE.npy] [-trajectories FILE.npy]
//		[-n-inits 1024] [-noise 0.5] [-seed 1] [-out DIR] [-quiet]
//
// The hidden and input sizes come from the weights. The module prefix of
// the tensor names (e.g. "rnn." for self.rnn = nn.GRU(...)) is detected
// unless -prefix is given. An LSTM's state is [h; c], N = 2*hidden.
//
// Initial states are the rows of -inits (B x N). Without it, -n-inits states
// are drawn, with Gaussian noise of standard deviation -noise, from the
// states of -trajectories (B x T x N, or B x N) or, without that, from
// trajectories simulated here: 128 trials of 64 steps from the zero state
// under flip-flop pulses (each input channel gets a pulse of +1 or -1 with
// probability 0.5 per step, and one at the first step). The input is the
// row of -inputs (1 x M, or B x M with one row per initial state), else zero.
//
// Errors are printed and exit with status 1; bad flags exit with status 2.
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
	"strconv"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/examples/internal/cli"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/viz"
)

// outputName is the stem of the files written: NAME-fixedpoints.json and
// NAME-report.html.
const outputName = "torchnet"

type options struct {
	weights      string // .safetensors or .npz state_dict
	cell         string // rnn, rnn_relu, gru or lstm
	prefix       string // module prefix; cells.AutoPrefix detects it
	inits        string // B x N .npy, optional
	inputs       string // 1 x M or B x M .npy, optional
	trajectories string // B x T x N or B x N .npy, optional
	nInits       int
	noise        float64
	seed         uint64
	out          string
	quiet        bool
	stdout       io.Writer // the summary; nil is os.Stdout
}

// parseFlags reads the command line; flag errors and usage go to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("torchnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.weights, "weights", "", "state_dict of the model: .safetensors or .npz (required)")
	fs.StringVar(&o.cell, "cell", "", "the recurrent module: rnn (nn.RNN, tanh), rnn_relu, gru or lstm (required)")
	fs.StringVar(&o.prefix, "prefix", cells.AutoPrefix, `prefix of the module's tensor names, e.g. "rnn."; "auto" detects it`)
	fs.StringVar(&o.inits, "inits", "", "initial states, a B x N .npy array (LSTM: N = 2*hidden, [h; c]); default: sampled")
	fs.StringVar(&o.inputs, "inputs", "", "constant input, a 1 x M or B x M .npy array; default: zero")
	fs.StringVar(&o.trajectories, "trajectories", "", "states to sample initial states from, B x T x N (or B x N) .npy; default: simulated under flip-flop pulses")
	fs.IntVar(&o.nInits, "n-inits", 1024, "initial states sampled when -inits is not given")
	fs.Float64Var(&o.noise, "noise", 0.5, "standard deviation of the noise added to sampled states")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the pulses, the sampling and the search")
	fs.StringVar(&o.out, "out", ".", "directory for "+outputName+"-fixedpoints.json and "+outputName+"-report.html")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bars")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q (every input is given by a flag)", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return options{}, err
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "torchnet:", err)
		os.Exit(1)
	}
}

// check reports a missing or invalid flag before any file is read.
func (o *options) check() error {
	if o.weights == "" {
		return errors.New("missing -weights FILE (.safetensors or .npz state_dict)")
	}
	if o.cell == "" {
		return errors.New("missing -cell (rnn, rnn_relu, gru or lstm: the module the weights belong to)")
	}
	if _, err := cells.NewTorchCell(o.cell, 1, 1); err != nil {
		return fmt.Errorf("-cell: %w", err)
	}
	if o.inits == "" && o.nInits <= 0 {
		return fmt.Errorf("-n-inits %d, want > 0", o.nInits)
	}
	if !(o.noise >= 0) {
		return fmt.Errorf("-noise %v, want >= 0", o.noise)
	}
	return nil
}

func run(ctx context.Context, o options) (err error) {
	defer func() { // the libraries return errors; this is the last guard
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	if err := o.check(); err != nil {
		return err
	}
	stdout := o.stdout
	if stdout == nil {
		stdout = os.Stdout
	}

	// 1. The cell, its sizes from the weights.
	cell, err := cells.LoadTorchCell(o.weights, o.cell, o.prefix)
	if err != nil {
		return fmt.Errorf("-weights: %w", err)
	}
	prefix, err := usedPrefix(o.weights, o.prefix)
	if err != nil {
		return fmt.Errorf("-weights: %w", err)
	}
	sh := describe(cell)
	fmt.Fprintf(stdout, "%s from %s (prefix %q)\n", sh, o.weights, prefix)

	// 2. Trajectories: the user's, or simulated under pulses.
	var traj *finder.Trajectories
	var pulses *pulseRun
	if o.trajectories != "" {
		if traj, err = readTrajectories(o.trajectories, sh); err != nil {
			return err
		}
	} else {
		if pulses, err = simulatePulses(ctx, cell, pulseTrials, pulseSteps, o.seed); err != nil {
			return err
		}
		traj = &pulses.traj
	}

	// 3. Initial states and inputs.
	var x0 []float64
	initsFrom := o.inits
	if o.inits != "" {
		if x0, err = readStates(o.inits, sh); err != nil {
			return err
		}
	} else {
		s, err := finder.SampleStates(*traj, o.nInits, o.noise, o.seed)
		if err != nil {
			return fmt.Errorf("sample initial states: %w", err)
		}
		x0 = s.States
		from := "simulated flip-flop pulses"
		if o.trajectories != "" {
			from = o.trajectories
		}
		initsFrom = fmt.Sprintf("%d sampled from %s, noise %g", o.nInits, from, o.noise)
	}
	B := len(x0) / sh.N
	var u []float64
	inputFrom := "zero"
	if o.inputs != "" {
		if u, err = readInputs(o.inputs, sh, B); err != nil {
			return err
		}
		inputFrom = o.inputs
	}

	// 4. Find, refine and linearize.
	settings := finder.DefaultSettings()
	settings.Seed = o.seed
	progress, bar := cli.FindProgress(B, o.quiet)
	settings.Progress = progress
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: x0, Inputs: u}, &settings)
	bar.Finish()
	if err != nil {
		return fmt.Errorf("find: %w", err)
	}
	cli.PrintSummary(stdout, res)

	// 5. Report and JSON.
	rep := &viz.Report{
		Title: fmt.Sprintf("Fixed points of %s (%s)", sh, filepath.Base(o.weights)),
		Fixed: res.Fixed,
		Slow:  res.Slow,
		All:   res.All,
		Summary: append([]viz.Row{
			{Key: "weights", Value: o.weights},
			{Key: "prefix", Value: strconv.Quote(prefix)},
			{Key: "cell", Value: sh.String()},
			{Key: "initial states", Value: initsFrom},
			{Key: "input", Value: inputFrom},
		}, viz.SummaryRows(settings, res)...),
	}
	if traj.Time > 1 { // B x N states are no trajectories to draw
		rep.Trajectories = &viz.Trajectories{Trials: traj.Trials, Time: traj.Time, N: traj.N, States: traj.States}
	}
	if pulses != nil {
		rep.Trial = pulses.trial(0)
	}
	jsonPath, htmlPath, err := cli.WriteOutputs(o.out, outputName, res, rep)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", htmlPath, jsonPath)
	return nil
}

// usedPrefix returns the prefix LoadTorchCell used: the given one, or the
// detected one for cells.AutoPrefix.
func usedPrefix(path, prefix string) (string, error) {
	if prefix != cells.AutoPrefix {
		return prefix, nil
	}
	sd, err := cells.ReadStateDict(path)
	if err != nil {
		return "", err
	}
	return cells.DetectPrefix(sd)
}
