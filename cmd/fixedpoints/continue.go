package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/continuation"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/viz"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// continue: follow a model's fixed points as its input moves.
//
//	fixedpoints continue -weights FILE -to U1 [-from U0] [model flags as find]
//		[-inits FILE.npy] [-trajectories FILE.npy] [-n-inits 1024] [-noise 0.5]
//		[-seed 1] [search flags as find] [-max-step 0] [-continuous]
//		[-direction V|readout:K] [-readout NAME] [-out DIR] [-quiet]
//
// U0 and U1 are comma-separated input vectors (M values; -from defaults to
// zero). The fixed points at U0 are found as find does (from -inits, or
// from states sampled from -trajectories or from simulated pulses), then
// every branch is followed along the segment U0 -> U1 by pseudo-arclength
// continuation (package continuation), locating folds, flips and
// Neimark-Sacker points (with -continuous, folds and Hopf points of
// dx/dt = F(x) - x; the fixed points at U0 are then judged for the flow
// too). It writes DIR/NAME-branches.json (branches/v1) and
// DIR/NAME-branches.html, the bifurcation diagram, NAME being the weight
// file's name without extension, as find's outputs. The diagram's vertical
// axis is the top principal component of the branch points, or -direction:
// N comma-separated values, or readout:K, output K of the readout saved in
// the weights file: the linear layer -readout names, else the one under a
// usual name (readout.*, fc.*, linear.*, out.*, ...).
func init() {
	register(subcommand{name: "continue", order: 2, summary: "follow the fixed points as the input moves; locate bifurcations", run: runContinue})
}

// continueOptions are continue's flags: the shared model flags, the
// input path, the continuation's and the diagram's.
type continueOptions struct {
	cli.ModelFlags
	out       string
	from, to  string
	maxStep   float64
	direction string // vertical axis of the diagram: "", comma-separated N values, or readout:K
	readout   string // -readout: the readout layer's name; "": found by cells.FindReadout
}

func parseContinueFlags(args []string, stderr io.Writer) (continueOptions, error) {
	var o continueOptions
	fs := cli.NewFlagSet("fixedpoints continue", stderr)
	cli.SetUsage(fs, "fixedpoints continue -weights FILE -to U1 [-from U0] [flags]", `Finds the fixed points at the input U0 as find does, then follows every
branch as the input moves along the segment U0 -> U1, locating folds,
flips and Neimark-Sacker points (with -continuous, folds and Hopf points).
Writes DIR/NAME-branches.json and the bifurcation diagram
DIR/NAME-branches.html, NAME being the model file's name without extension.`)
	o.Register(fs)
	fs.StringVar(&o.out, "out", ".", "directory for NAME-branches.json and NAME-branches.html")
	fs.StringVar(&o.from, "from", "", "start of the input path, comma-separated (M values); default: zero")
	fs.StringVar(&o.to, "to", "", "end of the input path, comma-separated (M values; required)")
	fs.Float64Var(&o.maxStep, "max-step", 0, "largest continuation step (0: max(1, path length)/10)")
	fs.StringVar(&o.direction, "direction", "", "the diagram's vertical axis: comma-separated N values, or readout:K for output K of the readout saved beside the cell (see -readout); default: the top principal component")
	fs.StringVar(&o.readout, "readout", "", "with -direction readout:K, the name of the readout layer (NAME.weight, NAME.bias); default: the one of readout, fc, linear, out, output, decoder, head the file holds")
	if err := cli.Parse(fs, args); err != nil {
		return continueOptions{}, err
	}
	o.DefaultContinuous()
	if err := o.Check(); err != nil {
		return continueOptions{}, err
	}
	if err := cli.Required("-to", o.to, "U1 (comma-separated input vector)"); err != nil {
		return continueOptions{}, err
	}
	if err := cli.NonNegative("-max-step", o.maxStep); err != nil {
		return continueOptions{}, err
	}
	return o, nil
}

// parseVector reads a comma-separated vector of m values ("" is zero).
func parseVector(name, s string, m int) ([]float64, error) {
	return parseVectorOf(name, s, m, "input")
}

// parseVectorOf is parseVector for m values counted as what ("input",
// "state"): -direction has one value per state, not per input.
func parseVectorOf(name, s string, m int, what string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return make([]float64, m), nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != m {
		return nil, cli.Usagef("%s %q has %s, the model has %s", name, s, plural.Of(len(parts), "value"), plural.Of(m, what))
	}
	v := make([]float64, m)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, cli.Usagef("%s: value %d, %q, is not a finite number", name, i+1, p)
		}
		v[i] = x
	}
	return v, nil
}

func runContinue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseContinueFlags(args, stderr)
	if err != nil {
		return err
	}
	_, err = continueRun(ctx, o, stdout)
	return err
}

// continueOutputs are the files a continue run wrote.
type continueOutputs struct{ json, html string }

func continueRun(ctx context.Context, o continueOptions, stdout io.Writer) (continueOutputs, error) {
	stem := outputStem(o.Weights)
	jsonName, htmlName := stem+"-branches.json", stem+"-branches.html"
	jsonPath, htmlPath := filepath.Join(o.out, jsonName), filepath.Join(o.out, htmlName)
	if err := cli.CheckOutputs(o.out, jsonName, htmlName); err != nil {
		return continueOutputs{}, err
	}
	if err := cli.CheckNotInputs("-out", []string{jsonPath, htmlPath}, cli.Input{Flag: "-weights", Path: o.Weights},
		cli.Input{Flag: "-inits", Path: o.Inits}, cli.Input{Flag: "-trajectories", Path: o.Trajectories}); err != nil {
		return continueOutputs{}, err
	}
	cell, sh, err := loadModel(o.ModelFlags, stdout)
	if err != nil {
		return continueOutputs{}, err
	}
	u0, err := parseVector("-from", o.from, sh.M)
	if err != nil {
		return continueOutputs{}, err
	}
	u1, err := parseVector("-to", o.to, sh.M)
	if err != nil {
		return continueOutputs{}, err
	}
	if continuation.Segment(u0, u1).Length() == 0 {
		return continueOutputs{}, cli.Usagef("-from and -to are the same input")
	}
	if _, _, _, err := direction(o.direction, o.readout, o.Weights, o.Key, sh.N); err != nil {
		return continueOutputs{}, err
	}

	// The fixed points at u0, as find finds them (trajectories only to
	// sample from).
	var traj *finder.Trajectories
	if o.Inits == "" {
		if traj, _, err = trajectories(ctx, o.ModelFlags, cell, sh); err != nil {
			return continueOutputs{}, err
		}
	}
	x0, _, err := initialStates(o.ModelFlags, sh, traj)
	if err != nil {
		return continueOutputs{}, err
	}
	found, _, err := search(ctx, o.ModelFlags, cell, x0, u0, nil)
	if err != nil {
		return continueOutputs{}, err
	}
	interrupted := fmt.Errorf("continue: %w: nothing written, the files of an earlier run in %s are untouched", cli.ErrInterrupted, o.out)
	if found.Status == finder.Canceled || ctx.Err() != nil {
		return continueOutputs{}, interrupted
	}
	if found.Fixed.Len() == 0 {
		return continueOutputs{}, fmt.Errorf("no fixed point found at -from %v to follow", u0)
	}
	fmt.Fprintf(stdout, "%s at u = %v\n", plural.Of(found.Fixed.Len(), "fixed point"), u0)

	res, err := continuation.Continue(ctx, continuation.Problem{Cell: cell, Start: found.Fixed, Path: continuation.Segment(u0, u1)},
		continuation.Settings{MaxStep: o.maxStep, ContinuousTime: o.Search.Continuous()})
	if err != nil {
		return continueOutputs{}, fmt.Errorf("continue: %w", err)
	}
	if ctx.Err() != nil {
		return continueOutputs{}, interrupted
	}
	fmt.Fprint(stdout, res.Summary())
	// The JSON and the page as one set: both replace an earlier run's, or
	// neither does.
	set, err := atomicfile.NewSet(o.out)
	if err != nil {
		return continueOutputs{}, err
	}
	defer set.Abort()
	if err := res.Save(filepath.Join(set.Stage(), jsonName)); err != nil {
		return continueOutputs{}, err
	}
	diag := &viz.Bifurcation{Title: fmt.Sprintf("Fixed points of %s (%s) from u = %v to %v", sh, filepath.Base(o.Weights), u0, u1), Result: res}
	if diag.Direction, diag.Offset, diag.YLabel, err = direction(o.direction, o.readout, o.Weights, o.Key, sh.N); err != nil {
		return continueOutputs{}, err
	}
	if err := diag.WriteFile(filepath.Join(set.Stage(), htmlName)); err != nil {
		return continueOutputs{}, err
	}
	if err := set.Commit(); err != nil {
		return continueOutputs{}, fmt.Errorf("write outputs: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", htmlPath, jsonPath)
	return continueOutputs{json: jsonPath, html: htmlPath}, nil
}

// direction reads -direction: nothing (the diagram's principal component),
// N comma-separated values, or readout:K, row K of the readout saved in
// the weights file (-readout, else found under a usual name; padded with
// zeros past the hidden state it reads, e.g. an LSTM's c) with its bias as
// offset.
func direction(spec, readout, weights, key string, N int) ([]float64, float64, string, error) {
	if spec == "" {
		if readout != "" {
			return nil, 0, "", cli.Usagef("-readout %s without -direction readout:K", strconv.Quote(readout))
		}
		return nil, 0, "", nil
	}
	if k, ok := strings.CutPrefix(spec, "readout:"); ok {
		K, err := strconv.Atoi(k)
		if err != nil || K < 0 {
			return nil, 0, "", cli.Usagef("-direction %q: want readout:K with K >= 0", spec)
		}
		sd, err := cells.ReadStateDictKey(weights, key)
		if err != nil {
			return nil, 0, "", fmt.Errorf("-direction: %w", err)
		}
		layer, w, b, hasBias, err := findReadout(sd, readout)
		if err != nil {
			return nil, 0, "", err
		}
		if K >= w.Shape[0] || w.Shape[1] > N {
			return nil, 0, "", cli.Usagef("-direction %q: the readout %s is %d x %d, want a row %d over at most %d states", spec, strconv.Quote(layer), w.Shape[0], w.Shape[1], K, N)
		}
		dir := make([]float64, N)
		copy(dir, w.Data[K*w.Shape[1]:(K+1)*w.Shape[1]])
		off := 0.0
		if hasBias && len(b.Data) > K {
			off = b.Data[K]
		}
		return dir, off, fmt.Sprintf("%s output %d", layer, K), nil
	}
	if readout != "" {
		return nil, 0, "", cli.Usagef("-readout %s without -direction readout:K", strconv.Quote(readout))
	}
	v, err := parseVectorOf("-direction", spec, N, "state")
	if err != nil {
		return nil, 0, "", err
	}
	if allZero(v) {
		return nil, 0, "", cli.Usagef("-direction %q is all zeros: it projects every state onto 0 (give a nonzero direction)", spec)
	}
	return v, 0, "projection on -direction", nil
}

// allZero reports whether every value of v is 0.
func allZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
