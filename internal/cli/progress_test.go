package cli

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
)

// capture runs f with a pipe as the bars' writer and returns what came
// through the pipe.
func capture(t *testing.T, f func(w *os.File)) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	f(w)
	w.Close()
	return string(<-got)
}

// Through a pipe the bars print plain lines: no carriage return, no escape
// code, and the counts are what was done (fixed points in the
// linearization, epochs and the MSE target in training).
func TestProgressThroughPipe(t *testing.T) {
	out := capture(t, func(w *os.File) {
		progress, bar := FindProgressTo(w, 1024)
		for _, done := range []int{0, 512, 1024} {
			progress(finder.Progress{Stage: "search", Done: done, Total: 1024})
		}
		progress(finder.Progress{Stage: "refine", Iter: 1, Done: 1024, Total: 1024})
		progress(finder.Progress{Stage: "refine", Iter: 7, Done: 1024, Total: 1024})
		progress(finder.Progress{Stage: "linearize", Done: 0, Total: 27})
		progress(finder.Progress{Stage: "linearize", Done: 27, Total: 27})
		bar.Finish()

		train, tbar := TrainProgressTo(w, 1e-4)
		for e, mse := range []float64{1e-1, 1e-2, 1e-3, 9e-5} {
			train(tasks.EpochStats{Epoch: e + 1, Val: tasks.Metrics{MSE: mse}})
		}
		tbar.Finish()
	})
	t.Logf("progress through a pipe:\n%s", out)
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("progress through a pipe holds carriage returns or escape codes: %q", out)
	}
	for _, want := range []string{
		"search: 0/1024 (",
		"search: 1024/1024 (", // the last line of a stage is printed when it ends
		"linearize: 27/27 (",  // fixed points, not 1024 candidates
		"refine iterations: 7 (",
		"train: epoch 4, validation MSE 9.00e-05 (target 1e-04): 100% (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q", want)
		}
	}
	if strings.Contains(out, "linearize: 0/1024") || strings.Contains(out, "/300") {
		t.Errorf("progress counts candidates or the epoch cap: %q", out)
	}
}

func TestTowards(t *testing.T) {
	cases := []struct {
		first, v, target float64
		want             int
	}{
		{1e-1, 1e-1, 1e-4, 0},
		{1e-1, 1e-2, 1e-4, 33}, // one decade of three
		{1e-1, 1e-3, 1e-4, 66},
		{1e-1, 1.0001e-4, 1e-4, 99}, // not there until it is
		{1e-1, 1e-4, 1e-4, 100},
		{1e-1, 1, 1e-4, 0}, // worse than the start
	}
	for _, c := range cases {
		if got := towards(c.first, c.v, c.target); got != c.want {
			t.Errorf("towards(%g, %g, %g) = %d, want %d", c.first, c.v, c.target, got, c.want)
		}
	}
}

// A quiet bar writes nothing and takes every call.
func TestQuietBar(t *testing.T) {
	var b Bar
	b.Set(3)
	b.Describe("x")
	b.Finish()
	p, bar := FindProgress(10, true)
	p(finder.Progress{Stage: "search", Done: 1})
	bar.Finish()
}

// The search bar's clock starts with the search, not when the bar is made
// (before the finder compiles its graph): its time then agrees with the
// summary's "time: search". Here 300 ms pass before the first report.
func TestProgressClockStartsWithSearch(t *testing.T) {
	out := capture(t, func(w *os.File) {
		progress, bar := FindProgressTo(w, 4)
		time.Sleep(300 * time.Millisecond) // the graph being built
		progress(finder.Progress{Stage: "search", Done: 4, Total: 4})
		bar.Finish()
	})
	if !strings.Contains(out, "search: 4/4 (0s)") {
		t.Errorf("the search bar counts the time before the search: %q", out)
	}
}
