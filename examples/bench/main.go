// Command bench measures the toolkit's speed and prints markdown tables for
// docs/performance.md: the objective and its gradient, a hand-written gonum loop
// beside it, the garbage collector's effect, all Jacobians of a batch and
// the rows per Jacobian pass, graph builds, and the whole search on trained
// flip-flop networks, with the Python FixedPointFinder's numbers and the
// project's targets.
//
//	go run ./examples/bench [-count 5] [-mintime 300ms] [-root .] [-large=false]
//	go run ./examples/bench -targets [-count 5] [-targets-planted 1024,2048]
//	go run ./examples/bench -export DIR   (then python3 examples/bench/compare.py DIR [--ref CHECKOUT])
//	go run ./examples/bench -scale [-scale-n 128,256,512,1024,2048] [-cross-n 32,64,128,256,512] [-scale-cells gru,lstm] [-scale-dense]
//
// -targets runs only the speed targets of issue #30 (tanh-, GRU- and
// LSTM-16, the GRU-128, planted tanh networks built as the battery's) with
// everything on, and prints them against their limits with the load.
// -export writes the flip-flop networks' initial states and our median
// times for compare.py, which runs the Python FixedPointFinder on the same
// networks and states (when torch and a checkout are there) and prints the
// ratios.
//
// -scale runs only the scale benchmarks instead: the flip-flop GRU-128
// trained in PyTorch, the dense/Newton-Krylov crossover, planted-point tanh
// networks and random GRU and LSTM cells at the given sizes, with time,
// peak heap and fraction certified. They take minutes to hours and are
// never run by go test.
//
// Run it from the repository root (or point -root there): the end-to-end
// rows use the trained networks committed under testdata/ and
// finder/testdata/. Every row is the median of -count rounds; the machine
// and its load average before and after are printed with the tables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/internal/blasuse"
)

type options struct {
	count   int
	minTime time.Duration
	root    string
	large   bool

	scale      bool     // run the scale benchmarks (only)
	scaleN     []int    // sizes of the planted and random networks
	crossN     []int    // sizes of the dense/Krylov crossover rows
	scaleCells []string // cells of the random-network rows
	scaleDense bool     // also run the GRU-128 with dense LM (minutes)

	targets        bool   // run only the issue #30 targets table
	targetsPlanted []int  // planted sizes of the targets table
	export         string // directory for compare.py's networks and initial states
	targetsSkip    string // comma-separated target names -targets leaves out
}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 5, "rounds per measurement; the median is printed")
	flag.DurationVar(&o.minTime, "mintime", 300*time.Millisecond, "minimum duration of one round of a fast operation")
	flag.StringVar(&o.root, "root", ".", "repository root, where testdata/ and finder/testdata/ are")
	flag.BoolVar(&o.large, "large", true, "include the 1000-unit Jacobian rows (about 20 s)")
	flag.BoolVar(&o.scale, "scale", false, "run only the scale benchmarks (networks of 128 to 2048 units; minutes to hours)")
	scaleN := flag.String("scale-n", "128,256,512,1024,2048", "sizes of the scale benchmarks' planted and random networks")
	crossN := flag.String("cross-n", "32,64,128,256,512", "sizes of the dense/Newton-Krylov crossover rows")
	scaleCells := flag.String("scale-cells", "gru,lstm", "cells of the scale benchmarks' random networks (LSTM up to 1024 units); empty for none")
	flag.BoolVar(&o.scaleDense, "scale-dense", false, "also refine the flip-flop GRU-128 by dense LM (minutes)")
	flag.BoolVar(&o.targets, "targets", false, "run only the speed targets (issue #30) and print them against the measured medians")
	targetsPlanted := flag.String("targets-planted", "1024", "planted sizes of -targets (2048 takes a long time); empty for none")
	flag.StringVar(&o.targetsSkip, "targets-skip", "", "comma-separated targets -targets leaves out: tanh-16, GRU-16, LSTM-16, GRU-128")
	flag.StringVar(&o.export, "export", "", "write the compared networks' initial states and our medians to this directory (for compare.py), then exit")
	flag.Parse()
	var err error
	if o.scaleN, err = parseSizes(*scaleN); err == nil {
		o.crossN, err = parseSizes(*crossN)
	}
	if err == nil && strings.TrimSpace(*targetsPlanted) != "" {
		o.targetsPlanted, err = parseSizes(*targetsPlanted)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	for _, c := range strings.Split(*scaleCells, ",") {
		if c = strings.TrimSpace(c); c != "" {
			o.scaleCells = append(o.scaleCells, c)
		}
	}
	if err := run(context.Background(), os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	if o.count < 1 || o.minTime <= 0 {
		return errors.New("-count and -mintime must be positive")
	}
	switch {
	case o.export != "":
		return exportForCompare(ctx, w, o)
	case o.targets:
		return targetsRun(ctx, w, o)
	case o.scale:
		return scaleTables(ctx, w, o)
	}
	load0 := loadAverage()
	fmt.Fprintf(w, "## Performance\n\n")
	fmt.Fprintf(w, "Machine: %s, %d logical CPUs, %s/%s, %s, BLAS: %s. Medians of %d rounds.\n\n",
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), blasuse.Name(), o.count)

	if err := objectiveTable(w, o); err != nil {
		return err
	}
	ratio, err := handLoopTable(w, o)
	if err != nil {
		return err
	}
	if err := gcTable(w, o); err != nil {
		return err
	}
	jac, err := jacobianTable(w, o)
	if err != nil {
		return err
	}
	if err := lanesTable(w, o); err != nil {
		return err
	}
	if err := buildTable(w, o); err != nil {
		return err
	}
	e2e, err := endToEndTable(ctx, w, o)
	if err != nil {
		return err
	}
	targetsTable(w, e2e, ratio, jac)
	referenceTable(w)
	fmt.Fprintf(w, "Load average (1, 5, 15 min) before: %s; after: %s.\n", load0, loadAverage())
	return nil
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

// ms formats a duration in milliseconds with three significant digits.
func ms(d time.Duration) string {
	v := float64(d) / 1e6
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}
