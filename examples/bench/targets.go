package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/blasuse"
)

// The speed targets of issue #30 (-targets): every run with the proofs,
// slow-point classification, completion and connections on (finder.Find's
// defaults), medians of -count runs, each row with the load average while
// it ran.

// target is one row of the targets table.
type target struct {
	name    string
	limit   time.Duration // 0: no time limit
	memory  uint64        // peak heap limit, bytes; 0: none
	problem func(ctx context.Context, root string) (finder.Problem, error)
	n       int // planted size; 0 for the trained networks
	count   int // runs (the median is shown); 0: -count
}

func targetList(o options) []target {
	ff := func(kind string) func(context.Context, string) (finder.Problem, error) {
		return func(ctx context.Context, root string) (finder.Problem, error) {
			return flipFlopProblem(ctx, root, kind)
		}
	}
	ts := []target{
		{name: "tanh-16", limit: 20 * time.Millisecond, problem: ff("rnn")},
		{name: "GRU-16", limit: 100 * time.Millisecond, problem: ff("gru")},
		{name: "LSTM-16", limit: 200 * time.Millisecond, problem: ff("lstm")},
		{name: "GRU-128", limit: 2 * time.Second, problem: gru128Problem, count: min(o.count, 3)},
	}
	for _, N := range o.targetsPlanted {
		t := target{name: fmt.Sprintf("planted tanh, battery-built, N = %d", N), n: N, count: 1}
		switch {
		case N <= 1024:
			t.limit, t.memory = 60*time.Second, 4<<30
		default:
			t.memory = 24 << 30
		}
		t.problem = func(context.Context, string) (finder.Problem, error) {
			p, _, err := plantedProblem(N, true)
			return p, err
		}
		ts = append(ts, t)
	}
	return ts
}

// targetsRun runs each target and prints it against its limit.
func targetsRun(ctx context.Context, w io.Writer, o options) error {
	fmt.Fprintf(w, "## Targets (issue #30)\n\nMachine: %s, %d logical CPUs, %s. Proofs, slow points, completion and connections on (`finder.Find` defaults; planted networks with ProveStabilityMaxN = N). Each row: median of its runs, and the load average (1, 5, 15 min) after them; wall times under load are inflated by about load / CPUs.\n\n",
		cpuModel(), runtime.NumCPU(), runtime.Version())
	tableHead(w, "Targets against measured medians, BLAS: "+blasuse.Name(), "",
		"network, 1024 initial states", "target", "median s:", "runs:", "peak heap MiB:", "proofs % of total (existence + stability):", "fixed points:", "proved stability:", "met", "load")
	skip := map[string]bool{}
	for _, n := range strings.Split(o.targetsSkip, ",") {
		skip[strings.TrimSpace(n)] = true
	}
	for _, t := range targetList(o) {
		if skip[t.name] {
			fmt.Fprintf(w, "| %s | | not run (-targets-skip) | | | | | | | |\n", t.name)
			continue
		}
		p, err := t.problem(ctx, o.root)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		s := &finder.Settings{Seed: seed}
		if t.n > 0 {
			s.ProveStabilityMaxN = t.n
		}
		count := t.count
		if count == 0 {
			count = o.count
		}
		var runs []scaleRun
		for range max(count, 1) {
			r, err := runPeak(ctx, p, s)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			runs = append(runs, r)
		}
		slices.SortFunc(runs, func(a, b scaleRun) int { return int(a.time - b.time) })
		r := runs[len(runs)/2]
		peak := uint64(0)
		for _, x := range runs {
			peak = max(peak, x.peak)
		}
		// The existence proofs (with their Newton steps on G) are timed
		// inside Find; the stability proofs are what they add to
		// Linearize, timed apart.
		pt, err := proofTime(ctx, p, r.res, *s)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		share := fmt.Sprintf("%.1f", 100*(r.res.Stats.ProofTime+pt).Seconds()/r.time.Seconds())
		proved := 0
		for _, q := range r.res.Fixed.Points {
			if q.Stability.Proved {
				proved++
			}
		}
		limit, ok := "", true
		if t.limit > 0 {
			limit = fmt.Sprintf("<= %s", secs(t.limit))
			ok = r.time <= t.limit
		}
		if t.memory > 0 {
			limit += fmt.Sprintf(" <= %d GiB", t.memory>>30)
			ok = ok && peak <= t.memory
		}
		met := "no"
		if ok {
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %s | %s | %d | %d | %s | %s |\n", t.name, limit, fmt.Sprintf("%.3f", r.time.Seconds()), len(runs), mib(peak), share,
			r.res.Fixed.Len(), proved, met, loadAverage())
	}
	fmt.Fprintln(w)
	return nil
}

// proofTime is what the stability proofs add to Linearize on the found
// points: Linearize with proofs up to N minus Linearize without them, both
// with the full decomposition that a point whose stability is proved gets
// (else, from Settings.LeadingMinN, the difference would also hold the
// full decomposition less the leading modes').
func proofTime(ctx context.Context, p finder.Problem, res *finder.Result, s finder.Settings) (time.Duration, error) {
	s.Eigen = finder.FullEigen
	lin := func(maxN int) (time.Duration, error) {
		fp := res.Fixed.Clone()
		s.ProveStabilityMaxN = maxN
		t0 := time.Now()
		err := finder.LinearizeContext(ctx, p.Cell, fp, s)
		return time.Since(t0), err
	}
	with, err := lin(p.Cell.StateSize())
	if err != nil {
		return 0, err
	}
	without, err := lin(-1)
	if err != nil {
		return 0, err
	}
	return max(0, with-without), nil
}
