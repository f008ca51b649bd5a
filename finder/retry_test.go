package finder

import (
	"context"
	"math"
	"testing"
)

// TestRetryTakesSteps: a candidate whose refinement stalled far from a
// fixed point goes back to the first-order search and takes steps there.
// On x' = tanh(2x) from x = 0.3 (q = 0.028, above retryMinQ) the retry's
// first evaluation is at the state where the candidate stopped; it used to
// measure the change of q against that same state, find 0 and call the
// candidate stalled before it took a single step.
func TestRetryTakesSteps(t *testing.T) {
	s := &Settings{}
	s.fill()
	f, err := newFinder(Problem{Cell: flipflopCell(1, 2), InitialStates: []float64{0.3}}, *s)
	if err != nil {
		t.Fatal(err)
	}
	c := f.cands[0]
	c.f[0] = math.Tanh(2 * c.x[0])
	c.q = 0.5 * (c.f[0] - c.x[0]) * (c.f[0] - c.x[0])
	c.done, c.stop, c.iters, c.refines = true, ReasonStall, 5, 3
	steps := 0
	f.stepHook = func(before, after []float64, active []int) { steps++ }
	if err := f.retryStalled(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.stats.Retried != 1 || steps == 0 || c.iters <= 5 {
		t.Errorf("retried %d candidates, %d first-order steps, iterations %d (5 before): want a retry that steps", f.stats.Retried, steps, c.iters)
	}
	// Where it ends: a fixed point of tanh(2x) (0 or +-0.957504...).
	a := flipflopA(2)
	if r := math.Abs(math.Tanh(2*c.x[0]) - c.x[0]); !(r <= 1e-10) || math.Min(math.Abs(c.x[0]), math.Abs(math.Abs(c.x[0])-a)) > 1e-9 {
		t.Errorf("ended at x = %v (residual %g), want 0 or +-%v", c.x[0], r, a)
	}
}
