package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/viz"
)

// find: the fixed points of a model trained elsewhere.
//
//	fixedpoints find -weights FILE [-cell rnn|rnn_relu|gru|lstm|ctrnn] [-prefix rnn.]
//		[-alpha A | -dt DT -tau TAU] [-form rate|post|voltage]
//		[-activation relu|tanh|softplus|sigmoid|identity]
//		[-input-name NAME] [-recurrent-name NAME] [-state-input NAME]
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
// for an LSTM). -cell ctrnn reads a leaky continuous-time RNN (cells.CTRNN:
// nn.Linear pairs, nn.RNN names, PsychRNN's npz, a kernel over [u; h],
// low-rank m, n) with alpha = dt/tau from -alpha or -dt and -tau, and judges
// stability for its flow (-continuous defaults on), printing each point's
// map eigenvalue mu and flow eigenvalue lambda = (mu - 1)/alpha. An ONNX
// graph without RNN, GRU or LSTM nodes is read as one step F(u, h)
// (cells.ONNXStep; -state-input names the state when the graph does not).
//
// Initial states are the rows of -inits (B x N). Without it, -n-inits states
// are drawn, with Gaussian noise of standard deviation -noise, from the
// states of -trajectories (B x T x N, or B x N) or, without that, from
// trajectories simulated here under pulses (tasks.Pulses: 128 trials of 64
// steps from the zero state, each input channel pulsed +1 or -1 with
// probability 0.5 per step). The input is the row of -inputs (1 x M, or
// B x M with one row per initial state), else zero. It writes
// DIR/NAME-fixedpoints.json (fixedpoints/v1) and DIR/NAME-report.html, NAME
// being the weight file's name without extension, and, when the report
// draws trajectories (simulated, or -trajectories with steps), those as
// DIR/NAME-trajectories.npy (trials x steps x N), from which report
// rebuilds them.
func init() {
	register(subcommand{name: "find", order: 1, summary: "find, certify and linearize the fixed points of a model file", run: runFind})
}

// findOptions are find's flags: the shared model flags, the input and the
// output directory.
type findOptions struct {
	cli.ModelFlags
	inputs string // 1 x M or B x M .npy, optional
	out    string
}

// parseFindFlags reads the command line; flag errors and usage go to stderr.
func parseFindFlags(args []string, stderr io.Writer) (findOptions, error) {
	var o findOptions
	fs := cli.NewFlagSet("fixedpoints find", stderr)
	cli.SetUsage(fs, "fixedpoints find -weights FILE [flags]", `Finds, certifies and linearizes the fixed points of a recurrent network
saved by PyTorch (torch.save state_dict, safetensors, npz) or as ONNX,
from initial states given (-inits) or sampled from trajectories
(-trajectories, else simulated under input pulses). Writes
DIR/NAME-fixedpoints.json and DIR/NAME-report.html, NAME being the model
file's name without extension, and the trajectories the report draws as
DIR/NAME-trajectories.npy (trials x steps x N), for "fixedpoints report".`)
	o.Register(fs)
	fs.StringVar(&o.inputs, "inputs", "", "constant input, a 1 x M or B x M .npy array; default: zero")
	fs.StringVar(&o.out, "out", ".", "directory for NAME-fixedpoints.json, NAME-report.html and NAME-trajectories.npy")
	if err := cli.Parse(fs, args); err != nil {
		return findOptions{}, err
	}
	o.DefaultContinuous()
	return o, o.Check()
}

func runFind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFindFlags(args, stderr)
	if err != nil {
		return err
	}
	_, err = find(ctx, o, stdout)
	return err
}

// findOutputs are the files a find run wrote; trajectories is empty when
// it drew none.
type findOutputs struct{ json, html, trajectories string }

// find loads the model, finds its fixed points and writes the outputs.
func find(ctx context.Context, o findOptions, stdout io.Writer) (findOutputs, error) {
	stem := outputStem(o.Weights)
	if err := cli.CheckOutputs(o.out, stem+"-fixedpoints.json", stem+"-report.html", stem+cli.TrajectoriesSuffix); err != nil {
		return findOutputs{}, err
	}
	outs := []string{filepath.Join(o.out, stem+"-fixedpoints.json"), filepath.Join(o.out, stem+"-report.html")}
	ins := []cli.Input{{Flag: "-weights", Path: o.Weights}, {Flag: "-inits", Path: o.Inits}, {Flag: "-inputs", Path: o.inputs}}
	if err := cli.CheckNotInputs("-out", outs, append(ins, cli.Input{Flag: "-trajectories", Path: o.Trajectories})...); err != nil {
		return findOutputs{}, err
	}
	// The trajectories written may be the -trajectories read (the same data).
	if err := cli.CheckNotInputs("-out", []string{filepath.Join(o.out, stem+cli.TrajectoriesSuffix)}, ins...); err != nil {
		return findOutputs{}, err
	}
	// 1. The cell, its kind and sizes from the file.
	cell, sh, err := loadModel(o.ModelFlags, stdout)
	if err != nil {
		return findOutputs{}, err
	}

	// 2. Trajectories (drawn in the report), initial states and inputs.
	traj, pulses, err := trajectories(ctx, o.ModelFlags, cell, sh)
	if err != nil {
		return findOutputs{}, err
	}
	x0, initsFrom, err := initialStates(o.ModelFlags, sh, traj)
	if err != nil {
		return findOutputs{}, err
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

	// 3. Find, refine and linearize.
	res, settings, err := search(ctx, o.ModelFlags, cell, x0, u, speedTrajectories(traj))
	if err != nil {
		return findOutputs{}, err
	}
	cli.PrintSummary(stdout, res)
	stability := printFlow(stdout, res, o.Search.Continuous())

	// 4. Report and JSON.
	rep := &viz.Report{
		Title:       fmt.Sprintf("Fixed points of %s (%s)", sh, filepath.Base(o.Weights)),
		Fixed:       res.Fixed,
		Slow:        res.Slow,
		SlowRegions: res.SlowRegions,
		All:         res.All,
		Orbits:      res.Orbits,
		Cycles:      res.Cycles,
		Summary: append([]viz.Row{
			{Key: "model", Value: o.Weights},
			{Key: "format", Value: sh.info.Format + source(sh.info)},
			{Key: "cell", Value: sh.String()},
			{Key: "initial states", Value: initsFrom},
			{Key: "input", Value: inputFrom},
			{Key: "stability", Value: stability},
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
	if res.Status == finder.Canceled || ctx.Err() != nil {
		return findOutputs{}, fmt.Errorf("find: %w: nothing written, the files of an earlier run in %s are untouched", cli.ErrInterrupted, o.out)
	}
	jsonPath, htmlPath, trajPath, err := writeFindSet(o, stem, res, rep, stdout)
	if err != nil {
		return findOutputs{}, err
	}
	if trajPath != "" {
		fmt.Fprintf(stdout, "wrote %s, %s and %s\n", htmlPath, jsonPath, trajPath)
	} else {
		fmt.Fprintf(stdout, "wrote %s and %s\n", htmlPath, jsonPath)
	}
	return findOutputs{json: jsonPath, html: htmlPath, trajectories: trajPath}, nil
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
	switch {
	case len(info.Nodes) > 0:
		parts = append(parts, "nodes "+strings.Join(info.Nodes, ", "))
	case info.Kind == "onnx_step":
		parts = append(parts, "the graph as one step")
	default:
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
