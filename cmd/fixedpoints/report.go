package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/viz"
)

func init() {
	register(subcommand{name: "report", order: 50, summary: "rebuild the HTML report from saved results (fixedpoints/v1 JSON, optional trajectories)", run: runReport})
}

// reportOptions are the report subcommand's flags.
type reportOptions struct {
	in, trajectories, out, title string
	trials                       int
	figure                       bool // -figure: open the page as a figure
	// trajectoriesSet: -trajectories was given (perhaps as "", to draw
	// none); trajectoriesFound: trajectories is the file found beside -in.
	trajectoriesSet, trajectoriesFound bool
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("fixedpoints report", stderr)
	var o reportOptions
	fs.StringVar(&o.in, "in", "", "fixed points saved as fixedpoints/v1 JSON (required)")
	fs.StringVar(&o.trajectories, "trajectories", "", "network states as .npy, trials x steps x N: drawn, and the principal components are fitted on them (default: NAME-trajectories.npy beside -in, when there is one; \"\" draws none)")
	fs.StringVar(&o.out, "out", "", "directory for NAME-report.html, as find's -out (NAME from NAME-fixedpoints.json or NAME.json; default: beside -in); a name ending in .html, or an existing file, is the page itself")
	fs.StringVar(&o.title, "title", "", "the page's title (default: \"Fixed points of\" the file's name)")
	fs.IntVar(&o.trials, "trials", viz.DefaultMaxTrials, "trajectories drawn at most (the first ones)")
	fs.BoolVar(&o.figure, "figure", false, "open the page in its figure layout: the 3-D view alone as a clean static drawing of 7 x 5.25 in, saved as SVG or 300 dpi PNG (the page's \"figure\" button does the same)")
	var rf cli.RunFlags
	rf.Register(fs, "unused: report draws nothing at random (accepted as by every subcommand)", `only the "wrote" line, not the notes on what was found beside -in or not rebuilt`)
	cli.SetUsage(fs, "fixedpoints report -in FILE.json [-trajectories FILE.npy] [-out DIR] [-title TEXT] [-figure]",
		`Rebuilds the HTML report of saved fixed points: the 3-D view, the spectra
and the counts, and the trajectories find saved beside the JSON
(NAME-trajectories.npy for NAME-fixedpoints.json; -trajectories "" leaves
them out). It prints one "not rebuilt:" line for each part of find's page
that the saved files cannot rebuild.`)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { o.trajectoriesSet = o.trajectoriesSet || f.Name == "trajectories" })
	if err := cli.Required("-in", o.in, "FILE.json (the fixedpoints/v1 results to draw)"); err != nil {
		return err
	}
	if o.trials < 0 {
		return cli.Usagef("-trials %d: want a number >= 0", o.trials)
	}
	switch {
	case o.out == "":
		o.out = defaultReportPath(o.in)
	case !strings.HasSuffix(strings.ToLower(o.out), ".html") && !isFile(o.out): // a directory, as every -out
		o.out = filepath.Join(o.out, filepath.Base(defaultReportPath(o.in)))
	}
	if err := cli.CheckOutputs(filepath.Dir(o.out), filepath.Base(o.out)); err != nil {
		return err
	}
	if err := o.findTrajectories(); err != nil {
		return err
	}
	if err := cli.CheckNotInputs("-out", []string{o.out}, cli.Input{Flag: "-in", Path: o.in}, cli.Input{Flag: "-trajectories", Path: o.trajectories}); err != nil {
		return err
	}
	rep, err := savedReport(o)
	if err != nil {
		return err
	}
	if err := rep.WriteFile(o.out); err != nil {
		return err
	}
	if o.trajectoriesFound && !rf.Quiet {
		fmt.Fprintf(stdout, "trajectories: %s (beside -in; -trajectories \"\" leaves them out)\n", o.trajectories)
	}
	for _, l := range notRebuilt(o, rep) {
		if rf.Quiet {
			break
		}
		fmt.Fprintln(stdout, "not rebuilt: "+l)
	}
	fmt.Fprintf(stdout, "wrote %s\n", o.out)
	return nil
}

// isFile reports whether path names something that exists and is not a
// directory (report -out names it as the page, and refuses it if it is an
// input).
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// defaultReportPath puts the page beside the JSON: results/x-fixedpoints.json
// gives results/x-report.html, results/x.json results/x-report.html.
func defaultReportPath(in string) string {
	return savedStem(in) + "-report.html"
}

// savedStem is DIR/NAME for DIR/NAME-fixedpoints.json or DIR/NAME.json.
func savedStem(in string) string {
	base := strings.TrimSuffix(in, filepath.Ext(in))
	return strings.TrimSuffix(base, "-fixedpoints")
}

// savedReport reads the saved results and builds their report.
func savedReport(o reportOptions) (*viz.Report, error) {
	res, err := fpjson.Load(o.in) // the fixed points, and the slow points when saved
	if err != nil {
		return nil, err
	}
	fp := res.Fixed
	title := o.title
	if title == "" {
		title = "Fixed points of " + filepath.Base(o.in)
	}
	rep := &viz.Report{Title: title, Fixed: fp, Slow: res.Slow, SlowRegions: res.SlowRegions, Orbits: res.Orbits, Cycles: res.Cycles, Figure: o.figure}
	if o.trajectories != "" {
		tr, err := savedTrajectories(o.trajectories, fp.N)
		if err != nil {
			if o.trajectoriesFound {
				err = fmt.Errorf("%w (found beside -in; -trajectories \"\" leaves it out)", err)
			}
			return nil, err
		}
		rep.Trajectories = tr
		if tr.Trials > o.trials {
			rep.Trials = make([]int, o.trials)
			for i := range rep.Trials {
				rep.Trials[i] = i
			}
		}
	}
	return rep, nil
}

// savedTrajectories reads trials x steps x N states and checks them against
// the fixed points' N. States without time (states x N) are refused: find
// does not draw them either, so its page has no trajectories.
func savedTrajectories(path string, n int) (*finder.Trajectories, error) {
	t, err := cells.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	var tr finder.Trajectories
	switch len(t.Shape) {
	case 3:
		tr = finder.Trajectories{Trials: t.Shape[0], Time: t.Shape[1], N: t.Shape[2]}
	default:
		return nil, fmt.Errorf("trajectories %s: shape %v, want trials x steps x N", path, t.Shape)
	}
	if tr.N != n {
		return nil, fmt.Errorf("trajectories %s: N = %d, but the fixed points have N = %d", path, tr.N, n)
	}
	for i, v := range t.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("trajectories %s: value %d is %v", path, i, v)
		}
	}
	tr.States = t.Data
	return &tr, nil
}
