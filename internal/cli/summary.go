package cli

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/finder"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// PrintSummary writes the counts by saddle index, residuals and timings.
func PrintSummary(w io.Writer, res *finder.Result) {
	st := res.Stats
	fmt.Fprintf(w, "\n%s: %s (unique), %s (unique), %s (unique); status %v\n",
		plural.Of(st.Candidates, "candidate"), plural.Of(res.Fixed.Len(), "certified fixed point"), plural.Of(res.Slow.Len(), "slow point"),
		plural.Of(res.SlowRegions.Len(), "slow region"), res.Status)
	printOutcomes(w, res)
	// Points with an undecided mode (whose error bound straddles
	// |lambda| = 1) are listed apart: their saddle index is not known.
	counts := map[int]int{}
	marginal, proved, analyzed := 0, 0, 0
	for _, p := range res.Fixed.Points {
		if p.Stability.Analyzed {
			analyzed++
		}
		if p.Stability.Proved {
			proved++
		}
		if p.Stability.NUndecided > 0 {
			marginal++
			continue
		}
		counts[p.Stability.NUnstable]++
	}
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	fmt.Fprintln(w, "unstable modes  fixed points")
	for _, k := range keys {
		label := fmt.Sprint(k)
		if k == 0 {
			label = "0 (stable)"
		}
		fmt.Fprintf(w, "  %-13s %d\n", label, counts[k])
	}
	if marginal > 0 {
		fmt.Fprintf(w, "  %-13s %d\n", "undecided", marginal)
	}
	if analyzed > 0 {
		fmt.Fprintf(w, "stability proved for %d of %d fixed points (the others' classes rest in part on first-order estimates)\n", proved, analyzed)
	}
	for i, r := range st.Completion {
		fmt.Fprintf(w, "completion round %d: %d midpoints, %d deflated starts: %d new (%d by deflation)\n", i+1, r.Midpoints, r.Deflated, r.New, r.Deflation)
	}
	if c := res.Fixed.Coverage; c != nil {
		fmt.Fprintf(w, "coverage: %v\n", c)
	}
	if len(res.Fixed.Connections) > 0 {
		fmt.Fprintf(w, "unstable modes followed: %s\n", finder.ConnectionCounts(res.Fixed.Connections))
	}
	printOrbits(w, res)
	maxRes, maxQ := 0.0, 0.0
	for _, p := range res.Fixed.Points {
		maxRes = math.Max(maxRes, p.Residual)
		maxQ = math.Max(maxQ, p.Q)
	}
	fmt.Fprintf(w, "largest residual max|F(x*)-x*| = %.3g, largest q = %.3g\n", maxRes, maxQ)
	fmt.Fprintf(w, "iterations: %d first-order, %d Levenberg-Marquardt; %d gradient and %d Jacobian evaluations\n",
		st.Iters, st.RefineIters, st.GradEvals, st.JacobianEvals)
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	orbitTime := ""
	if res.Settings.MaxPeriod >= 2 || res.Settings.Cycles {
		orbitTime = ", orbits " + ms(st.OrbitTime)
	}
	fmt.Fprintf(w, "time: search %s, refine %s, slow descent %s, prove %s, complete %s, check %s, linearize %s, connect %s%s, total %s\n", ms(st.SearchTime), ms(st.RefineTime), ms(st.SlowTime), ms(st.ProofTime), ms(st.CompleteTime), ms(st.CheckTime), ms(st.LinearizeTime), ms(st.ConnectTime), orbitTime, ms(st.Runtime))
	for _, warn := range st.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
}

// printOutcomes writes how the candidates ended: fixed, slow, slow region
// and unconverged (by reason), before uniqueness; the network's speed; the
// reference's view (finder.ReferenceView); what to do when most ended on
// slow regions or unconverged (Result.Advice); and the effective settings
// that decided it.
func printOutcomes(w io.Writer, res *finder.Result) {
	st := res.Stats
	var by []string
	for _, r := range []finder.Reason{finder.ReasonIterationLimit, finder.ReasonRefineLimit, finder.ReasonStall,
		finder.ReasonDiverged, finder.ReasonRise, finder.ReasonTolQ, finder.ReasonCanceled, finder.ReasonSaturated, finder.ReasonUnproved} {
		if n := st.UnconvergedByReason[r]; n > 0 {
			by = append(by, fmt.Sprintf("%d %s", n, r))
		}
	}
	line := fmt.Sprintf("outcomes: %d fixed, %d slow, %d slow region, %d unconverged", st.Certified, st.Slow, st.SlowRegions, st.Unconverged)
	if len(by) > 0 {
		line += " (" + strings.Join(by, ", ") + ")"
	}
	fmt.Fprintln(w, line)
	proved, minR, maxR, minU := 0, math.Inf(1), 0.0, math.Inf(1)
	for _, p := range res.Fixed.Points {
		if pf := p.Proof; pf.Method == finder.ProofKrawczyk {
			proved++
			minR, maxR, minU = math.Min(minR, pf.Radius), math.Max(maxR, pf.Radius), math.Min(minU, pf.UniqueRadius)
		}
	}
	if proved > 0 || st.ResidualOnly > 0 || st.Far > 0 {
		line := fmt.Sprintf("proofs: %d proved (Krawczyk), %d residual only, %d far (kept beyond the distance rule)", proved, st.ResidualOnly, st.Far)
		if proved > 0 {
			line += fmt.Sprintf("; radius %.2g to %.2g, unique radius from %.2g", minR, maxR, minU)
		}
		fmt.Fprintln(w, line)
	}
	if st.SpeedFrom != "" {
		fmt.Fprintf(w, "network speed %.3g (median step along the %s); a slow region is slower than %g of it\n", st.NetworkSpeed, st.SpeedFrom, res.Settings.SlowRegionSpeed)
	}
	if st.Reference.TolQ > 0 {
		fmt.Fprintln(w, st.Reference)
	}
	if a := res.Advice(); a != "" {
		fmt.Fprintln(w, a)
	}
	if s := res.Settings; s.MaxIters > 0 {
		fmt.Fprintf(w, "settings: TolResidual %g, SlowRegionSpeed %g, AdamEpsilon %g, MaxIters %d, MaxRefineIters %d, %s\n",
			s.TolResidual, s.SlowRegionSpeed, s.AdamEpsilon, s.MaxIters, s.MaxRefineIters, s.Dtype)
	}
	undecided := 0
	for _, p := range res.Fixed.Points {
		undecided += p.Stability.NUndecided
	}
	if undecided > 0 {
		fmt.Fprintf(w, "%s undecided: %s error bound straddles the stability boundary\n", plural.Of(undecided, "mode"), map[bool]string{true: "its", false: "their"}[undecided == 1])
	}
}

// orbitClass names an orbit's or cycle's class as the summary prints it.
func orbitClass(stable bool, nUnstable, nUndecided int) string {
	switch {
	case nUndecided > 0:
		return fmt.Sprintf("undecided (index %d to %d)", nUnstable, nUnstable+nUndecided)
	case !stable:
		return fmt.Sprintf("saddle index %d", nUnstable)
	}
	return "stable"
}

// printOrbits writes the periodic orbits (Settings.MaxPeriod) counted by
// period and class, with how many are proved and where their unstable
// directions lead, and the limit cycles
// (Settings.Cycles) with their periods and classes.
func printOrbits(w io.Writer, res *finder.Result) {
	if res.Settings.Cycles {
		fmt.Fprintf(w, "limit cycles: %d\n", len(res.Cycles))
		for i, c := range res.Cycles {
			class := orbitClass(c.Stable, c.NUnstable, c.NUndecided)
			fmt.Fprintf(w, "  cycle %d: period %.6g steps, %s, residual %.2g, integration error %.2g\n", i, c.Period, class, c.Residual, c.IntegrationError)
		}
	}
	if res.Settings.MaxPeriod < 2 {
		return
	}
	type key struct {
		period int
		class  string
	}
	n, proved := map[key]int{}, 0
	var keys []key
	for _, o := range res.Orbits {
		k := key{o.Period, orbitClass(o.Stable, o.NUnstable, o.NUndecided)}
		if n[k] == 0 {
			keys = append(keys, k)
		}
		n[k]++
		if o.Proof != nil {
			proved++
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].period != keys[j].period {
			return keys[i].period < keys[j].period
		}
		return keys[i].class < keys[j].class
	})
	fmt.Fprintf(w, "periodic orbits of period 2 to %d: %d (%d proved)\n", res.Settings.MaxPeriod, len(res.Orbits), proved)
	for _, k := range keys {
		fmt.Fprintf(w, "  period %d, %s: %d\n", k.period, k.class, n[k])
	}
	conns := 0
	for _, o := range res.Orbits {
		conns += len(o.Connections)
	}
	if conns > 0 {
		fmt.Fprintf(w, "orbit connections: %s\n", finder.OrbitConnectionCounts(res.Orbits))
	}
}
