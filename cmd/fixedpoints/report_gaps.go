package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/viz"
)

// defaultTrajectoriesPath is where find saves the trajectories of the run
// that wrote in: DIR/NAME-trajectories.npy for DIR/NAME-fixedpoints.json
// or DIR/NAME.json (the rule of defaultReportPath).
func defaultTrajectoriesPath(in string) string {
	return savedStem(in) + cli.TrajectoriesSuffix
}

// findTrajectories sets o.trajectories to the file find saved beside -in
// when -trajectories was not given and that file exists.
func (o *reportOptions) findTrajectories() error {
	if o.trajectoriesSet {
		return nil
	}
	p := defaultTrajectoriesPath(o.in)
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("trajectories beside -in: %w", err)
	case fi.IsDir():
		return fmt.Errorf("trajectories %s (beside -in) is a directory; -trajectories \"\" leaves them out", p)
	}
	o.trajectories, o.trajectoriesFound = p, true
	return nil
}

// notRebuilt names, one line each, the parts of find's page that rep lacks
// because the saved files do not hold them, and why. The example trial and
// the trajectories are named as find's when find drew them: the JSON does
// not say whether it did.
func notRebuilt(o reportOptions, rep *viz.Report) []string {
	var out []string
	if rep.Trajectories == nil {
		why := fmt.Sprintf("no -trajectories, and no %s beside -in; find saves them when its page draws any", defaultTrajectoriesPath(o.in))
		if o.trajectoriesSet {
			why = `left out by -trajectories ""`
		}
		out = append(out, "the trajectories in the 3-D view ("+why+"); its axes are the principal components of the points instead")
		n := 0
		for _, g := range []*finder.FixedPoints{rep.Fixed, rep.Slow} {
			if g != nil {
				n += g.Len()
			}
		}
		if n < 2 {
			out = append(out, fmt.Sprintf("the 3-D view's axes when find drew no trajectories (with %d fixed and slow points, find fits them on all candidates, which are not saved)", n))
		}
	}
	if rep.All == nil {
		out = append(out, "the histogram of q and the count of all candidates, by outcome (the JSON keeps the unique fixed, slow, slow-region and unconverged points only)")
	}
	if rep.Trial == nil {
		out = append(out, "the example trial of input pulses that find draws when it simulates them (the inputs are not saved)")
	}
	if len(rep.Summary) == 0 {
		out = append(out, "the table of search settings and run, with the model, format, cell, initial states and input (the JSON keeps the points, not how they were found)")
	}
	if o.title == "" {
		out = append(out, "find's title, which names the model and its cell (not saved; -title sets one)")
	}
	return out
}
