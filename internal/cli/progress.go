package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
)

// LineEvery is how often a Bar that does not write to a terminal prints a
// line (besides its first and last).
const LineEvery = 5 * time.Second

// Bar shows progress: a bar redrawn in place on a terminal, and plain lines
// every LineEvery elsewhere (files, pipes, CI logs), which therefore never
// hold carriage returns or escape codes. A quiet Bar shows nothing; the
// zero Bar is quiet.
type Bar struct {
	mu        sync.Mutex
	pb        *progressbar.ProgressBar // on a terminal
	w         io.Writer                // plain lines, when pb is nil
	desc      string
	n         int
	max       int // <= 0: no total known
	start     time.Time
	last      time.Time // last plain line
	done      bool
	shown     int    // n in the last plain line
	shownDesc string // desc in the last plain line
	// percent shows n as a percentage (max is 100) in plain lines.
	percent bool
}

// NewBar returns a bar on stderr of max steps described by desc.
func NewBar(max int, desc string, quiet bool) *Bar {
	if quiet {
		return &Bar{}
	}
	return NewBarTo(os.Stderr, max, desc)
}

// NewBarTo returns a bar on w: drawn in place when w is a terminal, as
// plain lines otherwise.
func NewBarTo(w io.Writer, max int, desc string) *Bar {
	return newBar(w, max, desc, false)
}

// newBar returns a bar counting steps, or percent (max 100).
func newBar(w io.Writer, max int, desc string, percent bool) *Bar {
	b := &Bar{w: w, desc: desc, max: max, start: time.Now(), percent: percent}
	if isTerminal(w) {
		o := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-10s", desc)),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		}
		if !percent {
			o = append(o, progressbar.OptionShowCount())
		}
		b.pb = progressbar.NewOptions(max, o...)
	}
	return b
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Set moves the bar to n (clamped to its max).
func (b *Bar) Set(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.max > 0 {
		n = min(n, b.max)
	}
	b.n = n
	switch {
	case b.pb != nil:
		_ = b.pb.Set(n)
	case b.w != nil && !b.done:
		if now := time.Now(); b.last.IsZero() || now.Sub(b.last) >= LineEvery {
			b.line()
			b.last = now
		}
	}
}

// Describe changes the bar's text (a plain bar shows it in its next line).
func (b *Bar) Describe(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.desc = s
	if b.pb != nil {
		b.pb.Describe(fmt.Sprintf("%-10s", s))
	}
}

// line prints the plain line "desc: n/max (elapsed)".
func (b *Bar) line() {
	count := fmt.Sprint(b.n)
	if b.percent {
		count += "%"
	} else if b.max > 0 {
		count += fmt.Sprintf("/%d", b.max)
	}
	fmt.Fprintf(b.w, "%s: %s (%s)\n", b.desc, count, time.Since(b.start).Round(100*time.Millisecond))
	b.shown, b.shownDesc = b.n, b.desc
}

// Finish ends the bar where it is: a terminal bar is filled only if all
// its steps were done, a plain bar prints its last line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	switch {
	case b.pb != nil:
		if b.max > 0 && b.n >= b.max {
			_ = b.pb.Finish()
		} else {
			_ = b.pb.Exit()
			fmt.Fprintln(b.w)
		}
	case b.w != nil && (b.n != b.shown || b.desc != b.shownDesc):
		b.line()
	}
}

// restartClock sets the bar's elapsed time to zero.
func (b *Bar) restartClock() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.start = time.Now()
	if b.pb != nil {
		b.pb.Reset()
	}
}

// restart finishes the bar and starts it again with another max and text.
func (b *Bar) restart(max int, desc string) {
	b.Finish()
	nb := newBar(b.w, max, desc, b.percent)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pb, b.desc, b.n, b.max, b.start, b.last, b.done, b.shownDesc = nb.pb, desc, 0, max, nb.start, time.Time{}, false, ""
}

// FindProgress returns a finder progress callback that shows, stage by
// stage, what is done: candidates in the search, iterations of the
// refinement, fixed points in the linearization.
func FindProgress(total int, quiet bool) (func(finder.Progress), *Bar) {
	if quiet {
		return func(finder.Progress) {}, &Bar{}
	}
	return FindProgressTo(os.Stderr, total)
}

// FindProgressTo is FindProgress on w.
func FindProgressTo(w io.Writer, total int) (func(finder.Progress), *Bar) {
	bar := NewBarTo(w, total, "search")
	stage := "search"
	started := false
	return func(p finder.Progress) {
		// The clock starts with the search, not with the graph's
		// compilation before it: the bar's time is then the search's, as
		// the summary's "time: search ..." counts it.
		if !started {
			started = true
			bar.restartClock()
		}
		// The refinement's Done counts every candidate that left the
		// first-order search (all of them from its start): it shows its
		// iterations instead, without a total.
		refine := p.Stage == "refine"
		if p.Stage != stage {
			// A new stage may count other things (fixed points, not
			// candidates): start a new bar.
			stage = p.Stage
			switch {
			case refine:
				bar.restart(-1, "refine iterations")
			default:
				bar.restart(p.Total, p.Stage)
			}
		}
		if refine {
			bar.Set(p.Iter)
		} else {
			bar.Set(p.Done)
		}
	}, bar
}

// TrainProgress returns a tasks.Train progress callback that counts epochs
// and shows how far the validation MSE has come towards target, on a log
// scale: training stops at the target, so the epoch cap is no measure of
// what is left. The bar's steps are percent of log10(first MSE / MSE) over
// log10(first MSE / target).
func TrainProgress(target float64, quiet bool) (func(tasks.EpochStats), *Bar) {
	if quiet {
		return func(tasks.EpochStats) {}, &Bar{}
	}
	return TrainProgressTo(os.Stderr, target)
}

// TrainProgressTo is TrainProgress on w.
func TrainProgressTo(w io.Writer, target float64) (func(tasks.EpochStats), *Bar) {
	bar := newBar(w, 100, "train", true)
	first := math.NaN()
	return func(e tasks.EpochStats) {
		mse := e.Val.MSE
		if math.IsNaN(first) {
			first = mse
		}
		bar.Describe(fmt.Sprintf("train: epoch %d, validation MSE %.2e (target %.0e)", e.Epoch, mse, target))
		bar.Set(towards(first, mse, target))
	}, bar
}

// towards is the percent of the way from first to target that v has come,
// on a log scale, in [0, 100].
func towards(first, v, target float64) int {
	if !(v > target) {
		return 100
	}
	if !(first > target) || !(v > 0) {
		return 0
	}
	f := math.Log(first/v) / math.Log(first/target)
	return int(math.Max(0, math.Min(99, math.Floor(100*f))))
}
