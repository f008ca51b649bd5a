package viz

import (
	"bytes"
	"fmt"
	"io"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/manifold"
	"github.com/rnnfp/fixedpoints/orbits"
)

// Report is everything one report shows. At least one of Fixed, Slow, All
// or Trajectories is needed; every other field may be left zero (the title
// then reads "Fixed points").
type Report struct {
	Title string

	// Fixed holds the certified fixed points: the 3-D view, the spectra
	// and the counts by saddle index. Slow holds slow points, drawn small
	// and grey. All holds every candidate of the search, for the
	// histogram of q. Any of them may be nil.
	Fixed, Slow, All *finder.FixedPoints
	// SlowRegions holds the unique candidates that ended on slow regions
	// (finder.Result.SlowRegions), counted in the counts table; not drawn.
	SlowRegions *finder.FixedPoints

	// Trajectories are the network's states on example trials (States,
	// Trials, Time and N are drawn; Valid, Inputs and M are not used). The
	// principal components are fitted on all their states; without them,
	// on the fixed points. Networks with N <= 3 are drawn in their own
	// coordinates (padded with zeros), without PCA.
	Trajectories *finder.Trajectories
	// Trials lists the trials drawn; nil draws the first DefaultMaxTrials
	// (an empty, non-nil slice draws none).
	Trials []int
	// Start and Stop bound the time steps drawn, [Start, Stop);
	// Stop == 0 means to the end.
	Start, Stop int

	// ModeScale sets the length of the segments that show unstable modes:
	// x* +/- ModeScale*|lambda|*Re(v) for each certainly growing mode among
	// the top 3 (finder.ModeUnstable: |lambda| - bound > 1, or Re(mu) -
	// bound > 0 in continuous time; for points without error bounds, a
	// separate, paler series of the modes unstable by the eigenvalue
	// alone), v of unit norm. Zero means 0.25, as the reference.
	ModeScale float64

	// TolQ splits the histogram of q into converged and not; zero means
	// the finder's default (1e-12).
	TolQ float64

	// Trial, when set, adds a panel with one example trial of the task.
	Trial *Trial

	// Training, when set, adds the training panel: the loss over epochs,
	// the final MSE and accuracy.
	Training *Training

	// Summary rows (settings, timings, anything) are shown as a table
	// below the counts; SummaryRows makes them from a search.
	Summary []Row

	// Manifolds, when set, are traced slow manifolds (manifold.Trace):
	// drawn as lines in the 3-D view, each with a chart of q, its marginal
	// eigenvalue and its selection along the arclength.
	Manifolds []*manifold.Curve

	// Orbits are periodic orbits of the map (package orbits, e.g.
	// finder's Result.Orbits): each is drawn in the 3-D view as a closed
	// polyline through its points with its own legend entry, its Floquet
	// multipliers join the spectra (after the fixed points; a click on one
	// of its points selects them), and the counts table counts the orbits
	// by period and class.
	Orbits []orbits.Orbit
	// Cycles are limit cycles of the flow (orbits.FindCycles, finder's
	// Result.Cycles), drawn as closed polylines through their samples,
	// each with its own legend entry, and counted by class.
	Cycles []orbits.Cycle

	// Charts are small charts of anything else an analysis measures (see
	// XY), drawn last.
	Charts []XY
	// Circles are invariant circles of the map (orbits.FindCircles,
	// orbits.RefineCircle), drawn as closed curves, each with its own
	// legend entry naming its rotation per step, and counted.
	Circles []orbits.Circle

	// Figure opens the page in its figure layout: the 3-D view alone,
	// redrawn as a clean static projection (as on screen, or on two
	// principal axes) of print size, saved as SVG or as a 300 dpi PNG. The
	// page's "figure" button switches to it either way.
	Figure bool
}

// DefaultMaxTrials is how many trajectories are drawn when Report.Trials is nil.
const DefaultMaxTrials = 50

// DefaultModeScale is the reference's factor for unstable-mode segments.
const DefaultModeScale = 0.25

// Trial is one example trial of a task, indexed [time][channel]. Any of
// the three may be nil; those given must have the same number of steps.
// Targets and Outputs share channels (Channels names them, optionally).
type Trial struct {
	Inputs, Targets, Outputs [][]float64
	Channels                 []string
}

// Row is one key/value line of the summary table.
type Row struct {
	Key, Value string
}

// Render writes the report as one HTML page to w.
func (r *Report) Render(w io.Writer) error {
	var buf bytes.Buffer
	if err := r.render(&buf); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("viz: write report: %w", err)
	}
	return nil
}

// WriteFile renders the report and writes it to path atomically: a failed
// call leaves any earlier file at path as it was.
func (r *Report) WriteFile(path string) error {
	var buf bytes.Buffer
	if err := r.render(&buf); err != nil {
		return err
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("viz: write report %s: %w", path, err)
	}
	return nil
}
