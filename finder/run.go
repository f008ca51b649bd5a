package finder

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/rnnfp/fixedpoints/orbits"
)

// run does the whole pipeline: search and refine, certify, rerun q
// outliers, then unique, distance outliers, cap and linearization.
func (f *finder) run(ctx context.Context, p Problem) (*Result, error) {
	f.problem = p
	defer func() {
		if f.ahead != nil {
			f.ahead.halt() // not taken: an error or cancellation, or no linearization
		}
	}()
	// The search's dense refinement proves roots as candidates reach them
	// and freezes the candidates that enter their uniqueness boxes
	// (freezeAtRoots); the Newton-Krylov refinement (large N) does not:
	// there few candidates end at roots, and a row's last bits follow its
	// batch, which freezing would change.
	_, proving := f.proving()
	f.early.on = proving && !f.useKrylov() && !f.early.off
	serr := f.search(ctx)
	f.early.on = false
	if serr != nil {
		return nil, serr
	}
	if f.s.RerunQOutliers && !f.canceled {
		if err := f.rerunQOutliers(ctx, p.Conditions); err != nil {
			return nil, err
		}
	}
	if !f.canceled {
		all := make([]int, len(f.cands))
		for i := range all {
			all[i] = i
		}
		f.linearizeAheadRoots(ctx)
		if err := f.prove(ctx, all, true); err != nil {
			return nil, err
		}
	}
	if !f.s.NoComplete && !f.s.NoRefine && !f.canceled {
		if err := f.complete(ctx); err != nil {
			return nil, err
		}
	}
	t := time.Now()
	if err := f.decideOutcomes(ctx, p); err != nil {
		return nil, err
	}
	f.stats.CheckTime = time.Since(t)
	// The reference's view and the coverage are counts for Stats, read
	// from candidates and points nothing changes any more: each is taken
	// on a goroutine of its own while the points are made, linearized and
	// connected (0.4 and 0.2 ms of an RNN-16 Find on one CPU).
	reference := aside(f.referenceView)
	all := f.points(f.conditions(p.Conditions))
	res := &Result{All: all, Settings: f.s} // Status once the outcomes are counted
	slow := all.Filter(func(pt *Point) bool { return pt.Outcome == OutcomeSlow })
	unconverged := all.Filter(func(pt *Point) bool { return pt.Outcome == OutcomeUnconverged })
	res.SlowRegions = all.Filter(func(pt *Point) bool { return pt.Outcome == OutcomeSlowRegion }).Unique(f.s.TolUnique)

	var err error
	certified := func(pt *Point) bool { return pt.Outcome == OutcomeFixed }
	if res.Fixed, err = f.postprocessFixed(all, certified, p.InitialStates); err != nil {
		return nil, err
	}
	if res.Slow, err = f.postprocess(slow, p.InitialStates); err != nil {
		return nil, err
	}
	res.Unconverged = unconverged.Unique(f.s.TolUnique)
	if f.s.MaxUnique > 0 && res.Fixed.Len() > f.s.MaxUnique {
		res.Fixed = res.Fixed.RandomSubset(f.s.MaxUnique, f.s.Seed)
	}
	fixed := res.Fixed
	coverage := aside(func() *Coverage { return f.coverage(fixed, all) })
	if !f.canceled && !f.s.NoJacobians {
		t0 := time.Now()
		f.reportCount("linearize", 0, res.Fixed.Len())
		err := f.linearizeFixed(ctx, res.Fixed)
		switch {
		case err != nil && ctx.Err() != nil:
			f.canceled = true // the points stay unanalyzed or partly so
		case err != nil:
			return nil, err
		}
		f.reportCount("linearize", res.Fixed.Len(), res.Fixed.Len())
		f.stats.JacobianEvals += jacobianEvals(res.Fixed.Len(), f.N, f.M, f.s)
		f.stats.LinearizeTime = time.Since(t0)
	}
	if (f.s.MaxPeriod >= 2 || f.s.Cycles) && !f.canceled {
		t0 := time.Now()
		if err := f.findOrbits(ctx, p, res); err != nil {
			return nil, err
		}
		f.stats.OrbitTime = time.Since(t0)
	}
	// Connections after the orbits, so that a trajectory may end at a
	// stable orbit; fixed points without eigenvectors (NoJacobians,
	// NoDecompose, NoEigenvectors) start none but are still ends.
	if !f.s.NoConnections && !f.canceled {
		t1 := time.Now()
		if res.Fixed.Connections, err = f.connect(ctx, res.Fixed, res.Orbits); err != nil {
			return nil, err
		}
		f.stats.ConnectTime = time.Since(t1)
	}
	res.Fixed.Coverage, f.stats.Reference = coverage(), reference()
	f.stats.Coverage = res.Fixed.Coverage
	res.Status = f.status()
	f.stats.Runtime = time.Since(f.start)
	res.Stats = f.stats
	return res, nil
}

// aside calls fn on a goroutine of its own (on one CPU, at once) and
// returns a function that waits for its value. A panic in fn is raised
// again by that function, in its caller's goroutine (Find's recover).
func aside[T any](fn func() T) func() T {
	if runtime.GOMAXPROCS(0) < 2 {
		v := fn()
		return func() T { return v }
	}
	var v T
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		v = fn()
	}()
	return func() T {
		<-done
		if panicked != nil {
			panic(panicked)
		}
		return v
	}
}

// postprocess removes duplicates and, unless kept, distance outliers.
func (f *finder) postprocess(fp *FixedPoints, initial []float64) (*FixedPoints, error) {
	u := fp.Unique(f.s.TolUnique)
	if f.s.KeepDistanceOutliers || u.Len() == 0 {
		return u, nil
	}
	kept, dropped, err := u.ExcludeDistanceOutliers(initial, f.s.OutlierDistanceScale)
	if err != nil {
		return nil, err
	}
	f.stats.DistanceOutliers += dropped
	return kept, nil
}

// rerunQOutliers optimizes again, one at a time from where they stopped,
// the candidates whose q exceeds OutlierQScale times the median q, as the
// reference's do_rerun_q_outliers (which crashes there).
func (f *finder) rerunQOutliers(ctx context.Context, conds []int) error {
	idx := f.points(conds).QOutliers(f.s.OutlierQScale)
	f.stats.QOutliersRerun = len(idx)
	for _, i := range idx {
		c := f.cands[i]
		if math.IsNaN(c.q) {
			continue
		}
		c.done, c.iters = false, 0
		if err := f.firstOrder(ctx, []int{i}); err != nil {
			return fmt.Errorf("finder: rerun of q outlier %d: %w", i, err)
		}
		if f.canceled {
			return nil
		}
	}
	if f.s.NoRefine || len(idx) == 0 {
		return nil
	}
	return f.refine(ctx, idx)
}

// status judges the search from its candidates' outcomes (see Status).
func (f *finder) status() Status {
	by := f.stats.UnconvergedByReason
	switch {
	case f.canceled:
		return Canceled
	case by[ReasonIterationLimit] > 0 || by[ReasonRefineLimit] > 0:
		return IterationLimit
	case f.stats.Unconverged > 0:
		return Incomplete
	}
	return Converged
}

const (
	// retryRounds bounds how many times a candidate whose refinement
	// stalled goes back to the first-order search.
	retryRounds = 3
	// retryLR is the learning rate of a retry, relative to
	// Settings.LearningRate: small first-order steps from where the damped
	// steps stalled.
	retryLR = 0.1
	// retryDrop is the factor by which q must fall in the first-order
	// search before the candidate is handed to the refinement again.
	retryDrop = 1e-2
	// retryMinQ: only a candidate whose refinement stalled with q above
	// this (a residual norm above about 0.14) goes back: there the
	// Gauss-Newton model of F(x) - x is poor and first-order steps help.
	// Below it the model is good, and a stall means q crawls (along a slow
	// manifold, or into a region where a gate saturates): small steps would
	// crawl as well.
	retryMinQ = 1e-2
)

// retryStalled gives the candidates whose refinement stalled far from a
// fixed point (reason ReasonStall, q above retryMinQ) another
// first-order search from where they stopped, with a smaller learning rate,
// until q has fallen by retryDrop (or stalls, or MaxIters is used up), and
// then refines them again: Levenberg-Marquardt stalls where the
// Gauss-Newton model of F(x) - x is poor (far from any fixed point), and
// small first-order steps still make progress there. A candidate at a
// local minimum of q makes none and keeps its stall, to be judged slow by
// its gradient.
func (f *finder) retryStalled(ctx context.Context) error {
	for round := 0; round < retryRounds && !f.canceled; round++ {
		var idx []int
		for i, c := range f.cands {
			if c.stop == ReasonStall && c.q > retryMinQ && !math.IsInf(c.q, 0) &&
				!(residual(c.f, c.x) <= f.s.TolResidual) && c.iters < f.s.MaxIters {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return nil
		}
		f.stats.Retried += len(idx)
		for _, i := range idx {
			c := f.cands[i]
			c.done, c.stop, c.retry = false, ReasonNone, true
			c.retryQ = retryDrop * c.q
			c.lr = retryLR * f.s.LearningRate
			c.q0, c.checkpoint = c.q, c.q
			c.bestQ, c.bestX = math.Inf(1), nil
		}
		t0 := time.Now()
		if err := f.firstOrder(ctx, idx); err != nil {
			return err
		}
		f.stats.SearchTime += time.Since(t0)
		if f.canceled {
			return nil
		}
		t1 := time.Now()
		err := f.refine(ctx, idx)
		f.stats.RefineTime += time.Since(t1)
		if err != nil {
			return err
		}
	}
	return nil
}

// findOrbits seeks the periodic orbits of period 2..MaxPeriod and the
// limit cycles (Cycles) from the initial states, one orbits.Find and
// orbits.FindCycles per distinct input row (an orbit lives at one constant
// input), and puts them in res.Orbits and res.Cycles.
func (f *finder) findOrbits(ctx context.Context, p Problem, res *Result) error {
	nInit := len(p.InitialStates) / f.N
	var rows [][]float64 // the distinct input rows, in order of first use
	var starts [][]float64
	for b := 0; b < nInit; b++ {
		u := f.cands[b].u
		k := slices.IndexFunc(rows, func(r []float64) bool { return slices.Equal(r, u) })
		if k < 0 {
			rows, starts = append(rows, u), append(starts, nil)
			k = len(rows) - 1
		}
		starts[k] = append(starts[k], p.InitialStates[b*f.N:(b+1)*f.N]...)
	}
	s := orbits.DefaultSettings()
	s.MaxPeriod, s.TolResidual, s.TolUnique = f.s.MaxPeriod, f.s.TolResidual, f.s.TolUnique
	if limit := s.MaxShootingSize / f.N; s.MaxPeriod > limit {
		// The dense shooting system caps k N: seek what fits and say so,
		// rather than fail the whole search after the fixed points.
		f.stats.Warnings = append(f.stats.Warnings, fmt.Sprintf(
			"periodic orbits sought up to period %d only, not %d: the dense shooting system of period k has k N unknowns, at most %d (orbits.Settings.MaxShootingSize; call orbits.Find for more)", max(limit, 1), s.MaxPeriod, s.MaxShootingSize))
		s.MaxPeriod = limit
	}
	cs := orbits.CycleSettings{TolUnique: f.s.TolUnique}
	for k, u := range rows {
		p := orbits.Problem{Cell: f.cell, InitialStates: starts[k], Inputs: u}
		if s.MaxPeriod >= 2 {
			r, err := orbits.Find(ctx, p, &s)
			if err != nil {
				return fmt.Errorf("finder: periodic orbits: %w", err)
			}
			res.Orbits = append(res.Orbits, r.Orbits...)
			if r.Status == orbits.Canceled {
				f.canceled = true
				return nil
			}
		}
		if f.s.Cycles {
			r, err := orbits.FindCycles(ctx, p, &cs)
			if err != nil {
				return fmt.Errorf("finder: limit cycles: %w", err)
			}
			res.Cycles = append(res.Cycles, r.Cycles...)
			if r.Status == orbits.Canceled {
				f.canceled = true
				return nil
			}
		}
	}
	return nil
}
