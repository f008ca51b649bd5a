package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
)

// seed is the golden test's seed (finder_test.go at the root): the networks
// were trained with it, and it draws the trials and the initial states.
const seed = 6

// modelPath is where the trained 16-unit flip-flop network of kind is: the
// LSTM and RNN of the golden test, the GRU trained by the same recipe.
func modelPath(root, kind string) string {
	name := fmt.Sprintf("flipflop-%s16.safetensors", kind)
	if kind == "gru" {
		return filepath.Join(root, "finder", "testdata", name)
	}
	return filepath.Join(root, "testdata", name)
}

// flipFlopProblem loads the trained network of kind and samples 1024
// initial states (noise 0.5) from its trajectories on 128 fresh trials,
// under zero input, as examples/flipflop and the golden test do.
func flipFlopProblem(ctx context.Context, root, kind string) (finder.Problem, error) {
	m, err := tasks.LoadModel(modelPath(root, kind))
	if err != nil {
		return finder.Problem{}, fmt.Errorf("%w (run from the repository root or set -root)", err)
	}
	trials, err := tasks.FlipFlop{}.Generate(128, seed+1000)
	if err != nil {
		return finder.Problem{}, err
	}
	states, _, err := m.Run(ctx, trials)
	if err != nil {
		return finder.Problem{}, err
	}
	N := m.Cell.StateSize()
	traj := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}
	smp, err := finder.SampleStates(traj, 1024, 0.5, seed)
	if err != nil {
		return finder.Problem{}, err
	}
	return finder.Problem{Cell: m.Cell, InitialStates: smp.States, Inputs: make([]float64, m.Cell.InputSize()), Trajectories: &traj}, nil
}

// endToEndTable times finder.Find with default settings, graph builds
// included, and returns the median time by cell kind.
func endToEndTable(ctx context.Context, w io.Writer, o options) (map[string]time.Duration, error) {
	tableHead(w, "End to end: 1024 initial states to certified, unique, linearized fixed points",
		"Trained 3-bit flip-flop networks (hidden 16, validation MSE 1e-4), states sampled from their trajectories with noise 0.5, zero input, `finder.Find` with default settings (graph builds included).",
		"cell", "total ms:", "search ms:", "refine ms:", "linearize ms:", "Adam iterations:", "Jacobian evaluations:", "certified candidates:", "fixed points:", "by saddle index", "slow points:")
	out := map[string]time.Duration{}
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		p, err := flipFlopProblem(ctx, o.root, kind)
		if err != nil {
			return nil, err
		}
		// Each run's total and result; the row shows the run of median time.
		type run struct {
			t   time.Duration
			res *finder.Result
		}
		var runs []run
		for range o.count {
			t0 := time.Now()
			res, err := finder.Find(ctx, p, &finder.Settings{Seed: seed})
			if err != nil {
				return nil, fmt.Errorf("find %s: %w", kind, err)
			}
			runs = append(runs, run{time.Since(t0), res})
		}
		slices.SortFunc(runs, func(a, b run) int { return int(a.t - b.t) })
		res := runs[len(runs)/2].res
		st := res.Stats
		out[kind] = runs[len(runs)/2].t
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %d | %d | %d | %s | %d |\n", kind, ms(out[kind]),
			ms(st.SearchTime), ms(st.RefineTime), ms(st.LinearizeTime), st.Iters, st.JacobianEvals,
			st.Certified, res.Fixed.Len(), bySaddle(res.Fixed), res.Slow.Len())
	}
	fmt.Fprintf(w, "\n(Each row is the run of median total time, with its stage times.)\n\n")
	return out, nil
}

// bySaddle lists the counts of fixed points by number of unstable modes.
func bySaddle(fp *finder.FixedPoints) string {
	counts := fp.CountBySaddleIndex()
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d: %d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// targetsTable says which of the project's targets the measurements meet.
func targetsTable(w io.Writer, e2e map[string]time.Duration, ratio float64, lstmJac time.Duration) {
	tableHead(w, "Targets", "", "target", "measured:", "met")
	met := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	for _, t := range []struct {
		kind  string
		limit time.Duration
	}{{"rnn", 100 * time.Millisecond}, {"gru", time.Second}, {"lstm", 2 * time.Second}} {
		fmt.Fprintf(w, "| end to end, %s-16, <= %s | %s ms | %s |\n", t.kind, t.limit, ms(e2e[t.kind]), met(e2e[t.kind] <= t.limit))
	}
	fmt.Fprintf(w, "| objective within 2x of the hand loop (tanh, hidden 16) | %.2fx | %s |\n", ratio, met(ratio <= 2))
	fmt.Fprintf(w, "| all Jacobians at 1024 LSTM-16 points <= 100 ms | %s ms | %s |\n\n", ms(lstmJac), met(lstmJac <= 100*time.Millisecond))
}

// referenceTable gives the Python FixedPointFinder's numbers, measured
// elsewhere, for comparison.
func referenceTable(w io.Writer) {
	tableHead(w, "For comparison: the Python FixedPointFinder (PyTorch, CPU, 1 thread; not measured here)", "",
		"network, 1024 initial states", "time:", "notes")
	fmt.Fprintf(w, "| tanh RNN, 16 units | ~0.2 s | 351 Adam iterations, ~2000 iterations/s |\n")
	fmt.Fprintf(w, "| GRU, 16 units | 4-7 s | 3685 iterations; only 26 of 952 \"unique fixed points\" have q < 1e-12 |\n\n")
}
