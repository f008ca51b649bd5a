package finder

import (
	"context"
	"math"
	"time"
)

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
