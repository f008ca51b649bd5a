package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/examples/internal/cli"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// find: the fixed points of a model trained elsewhere.
//
//	fixedpoints find -weights FILE [-cell rnn|rnn_relu|gru|lstm] [-prefix rnn.]
//		[-key NAME] [-node NAME] [-inits FILE.npy] [-inputs FILE.npy]
//		[-trajectories FILE.npy] [-n-inits 1024] [-noise 0.5] [-seed 1]
//		[-out DIR] [-quiet]
//
// FILE is a state_dict (torch.save .pt/.pth/.bin, zip or legacy, possibly a
// checkpoint dict; safetensors; npz) of an nn.RNN, nn.GRU or nn.LSTM of one
// or more layers, or an ONNX model with RNN, GRU or LSTM nodes; the format
// is told by the content (cells.LoadModel). The cell kind and sizes come
// from the file; -cell is needed only for an nn.RNN state_dict (rnn or
// rnn_relu: the nonlinearity is not in it). The state of a multi-layer
// model is the layers' states in order ([h_0; h_1], or [h_0; c_0; h_1; c_1]
// for an LSTM).
//
// Initial states are the rows of -inits (B x N). Without it, -n-inits states
// are drawn, with Gaussian noise of standard deviation -noise, from the
// states of -trajectories (B x T x N, or B x N) or, without that, from
// trajectories simulated here under pulses (tasks.Pulses: 128 trials of 64
// steps from the zero state, each input channel pulsed +1 or -1 with
// probability 0.5 per step). The input is the row of -inputs (1 x M, or
// B x M with one row per initial state), else zero. It writes
// DIR/NAME-fixedpoints.json (fixedpoints/v1) and DIR/NAME-report.html, NAME
// being the weight file's name without extension.
func init() {
	register(subcommand{name: "find", order: 1, summary: "find, certify and linearize the fixed points of a model file", run: runFind})
}

type findOptions struct {
	weights      string // model file
	cell         string // "" (from the file), rnn, rnn_relu, gru or lstm
	prefix       string // module prefix; cells.AutoPrefix detects it
	key          string // checkpoint key
	node         string // ONNX node
	inits        string // B x N .npy, optional
	inputs       string // 1 x M or B x M .npy, optional
	trajectories string // B x T x N or B x N .npy, optional
	nInits       int
	noise        float64
	seed         uint64
	out          string
	quiet        bool
}

// parseFindFlags reads the command line; flag errors and usage go to stderr.
func parseFindFlags(args []string, stderr io.Writer) (findOptions, error) {
	var o findOptions
	fs := flag.NewFlagSet("fixedpoints find", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.weights, "weights", "", "the model: torch.save (.pt/.pth/.bin), safetensors, npz or ONNX; format told by content (required)")
	fs.StringVar(&o.cell, "cell", "", "rnn (nn.RNN, tanh), rnn_relu, gru or lstm; default: from the file (needed for an nn.RNN state_dict)")
	fs.StringVar(&o.prefix, "prefix", cells.AutoPrefix, `prefix of the module's tensor names, e.g. "rnn."; "auto" detects it`)
	fs.StringVar(&o.key, "key", "", "key of the state_dict in a torch.save checkpoint dict; default: the file itself, else "+strings.Join(cells.CheckpointKeys, ", "))
	fs.StringVar(&o.node, "node", "", "ONNX: name of the recurrent node to read when there are several (nodes stacked after it are read with it)")
	fs.StringVar(&o.inits, "inits", "", "initial states, a B x N .npy array (LSTM: [h; c] per layer); default: sampled")
	fs.StringVar(&o.inputs, "inputs", "", "constant input, a 1 x M or B x M .npy array; default: zero")
	fs.StringVar(&o.trajectories, "trajectories", "", "states to sample initial states from, B x T x N (or B x N) .npy; default: simulated under pulses")
	fs.IntVar(&o.nInits, "n-inits", 1024, "initial states sampled when -inits is not given")
	fs.Float64Var(&o.noise, "noise", 0.5, "standard deviation of the noise added to sampled states")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the pulses, the sampling and the search")
	fs.StringVar(&o.out, "out", ".", "directory for NAME-fixedpoints.json and NAME-report.html")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bars")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return findOptions{}, err
		}
		return findOptions{}, usageError{err}
	}
	if fs.NArg() > 0 {
		return findOptions{}, usagef("unexpected argument %q (every input is given by a flag)", fs.Arg(0))
	}
	return o, o.check()
}

// check reports a missing or invalid flag before any file is read.
func (o *findOptions) check() error {
	if o.weights == "" {
		return usagef("missing -weights FILE (torch.save .pt, safetensors, npz or ONNX model)")
	}
	if o.cell != "" {
		if _, err := cells.NewTorchCell(o.cell, 1, 1); err != nil {
			return usagef("-cell: %v", err)
		}
	}
	if o.inits == "" && o.nInits <= 0 {
		return usagef("-n-inits %d, want > 0", o.nInits)
	}
	if !(o.noise >= 0) {
		return usagef("-noise %v, want >= 0", o.noise)
	}
	return nil
}

func runFind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFindFlags(args, stderr)
	if err != nil {
		return err
	}
	_, err = find(ctx, o, stdout)
	return err
}

// findOutputs are the files a find run wrote.
type findOutputs struct{ json, html string }

// find loads the model, finds its fixed points and writes the outputs.
func find(ctx context.Context, o findOptions, stdout io.Writer) (findOutputs, error) {
	// 1. The cell, its kind and sizes from the file.
	prefix := o.prefix
	cell, info, err := cells.LoadModel(o.weights, cells.Options{Kind: o.cell, Prefix: prefix, Key: o.key, Node: o.node})
	if err != nil {
		return findOutputs{}, fmt.Errorf("-weights: %w", err)
	}
	sh := describe(cell, info)
	fmt.Fprintf(stdout, "%s from %s (%s%s)\n", sh, o.weights, info.Format, source(info))

	// 2. Trajectories: the user's, or simulated under pulses.
	var traj *finder.Trajectories
	var pulses *tasks.PulseRun
	if o.trajectories != "" {
		if traj, err = readTrajectories(o.trajectories, sh); err != nil {
			return findOutputs{}, err
		}
	} else {
		if pulses, err = (tasks.Pulses{}).Simulate(ctx, cell, o.seed); err != nil {
			return findOutputs{}, err
		}
		traj = &finder.Trajectories{States: pulses.States, Trials: pulses.Trials, Time: pulses.Time, N: pulses.N}
	}

	// 3. Initial states and inputs.
	var x0 []float64
	initsFrom := o.inits
	if o.inits != "" {
		if x0, err = readStates(o.inits, sh); err != nil {
			return findOutputs{}, err
		}
	} else {
		s, err := finder.SampleStates(*traj, o.nInits, o.noise, o.seed)
		if err != nil {
			return findOutputs{}, fmt.Errorf("sample initial states: %w", err)
		}
		x0 = s.States
		from := "simulated pulses"
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
			return findOutputs{}, err
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
		return findOutputs{}, fmt.Errorf("find: %w", err)
	}
	cli.PrintSummary(stdout, res)

	// 5. Report and JSON.
	rep := &viz.Report{
		Title: fmt.Sprintf("Fixed points of %s (%s)", sh, filepath.Base(o.weights)),
		Fixed: res.Fixed,
		Slow:  res.Slow,
		All:   res.All,
		Summary: append([]viz.Row{
			{Key: "model", Value: o.weights},
			{Key: "format", Value: info.Format + source(info)},
			{Key: "cell", Value: sh.String()},
			{Key: "initial states", Value: initsFrom},
			{Key: "input", Value: inputFrom},
		}, viz.SummaryRows(settings, res)...),
	}
	if traj.Time > 1 { // B x N states are no trajectories to draw
		rep.Trajectories = &finder.Trajectories{Trials: traj.Trials, Time: traj.Time, N: traj.N, States: traj.States}
	}
	if pulses != nil && pulses.M > 0 {
		rep.Trial = &viz.Trial{Inputs: pulses.TrialInputs(0, maxTrialChannels)}
		for k := range min(pulses.M, maxTrialChannels) {
			rep.Trial.Channels = append(rep.Trial.Channels, fmt.Sprintf("input %d", k+1))
		}
	}
	jsonPath, htmlPath, err := cli.WriteOutputs(o.out, outputStem(o.weights), res, rep)
	if err != nil {
		return findOutputs{}, err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", htmlPath, jsonPath)
	return findOutputs{json: jsonPath, html: htmlPath}, nil
}

// maxTrialChannels bounds the input channels drawn in the report's example
// trial (one grid each).
const maxTrialChannels = 8

// source says where in the file the model was: prefix, key or nodes.
func source(info cells.ModelInfo) string {
	var parts []string
	if info.Key != "" {
		parts = append(parts, "key "+strconv.Quote(info.Key))
	}
	if len(info.Nodes) > 0 {
		parts = append(parts, "nodes "+strings.Join(info.Nodes, ", "))
	} else {
		parts = append(parts, "prefix "+strconv.Quote(info.Prefix))
	}
	return ", " + strings.Join(parts, ", ")
}

// outputStem is the weight file's name without its extension.
func outputStem(path string) string {
	base := filepath.Base(path)
	if s := strings.TrimSuffix(base, filepath.Ext(base)); s != "" {
		return s
	}
	return "model"
}
