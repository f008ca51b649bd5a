package finder

import (
	"context"
	"math"
)

// decideOutcomes gives every candidate its outcome (see Outcome): fixed
// when certified; otherwise slow when checkSlow finds it at a local minimum
// of q > 0; otherwise a slow region when its speed sqrt(2q) is below
// Settings.SlowRegionSpeed times the network's own speed; otherwise
// unconverged, with the reason its search stopped. It fills the outcome
// counts of Stats.
func (f *finder) decideOutcomes(ctx context.Context, p Problem) error {
	var check []int // candidates whose curvature is to be checked
	for i, c := range f.cands {
		c.outcome, c.reason, c.grad, c.checked, c.slow = OutcomeUnconverged, ReasonNone, 0, false, false
		c.relSpeed = 0
		switch {
		case math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x):
			c.reason = ReasonDiverged
		case f.certified(c):
			c.outcome = OutcomeFixed
		case residual(c.f, c.x) <= f.s.TolResidual:
			c.reason = f.unprovedReason(c) // a root of the rounded map only, or unproved
		case f.canceled && (!c.done || c.active || c.stop == ReasonNone):
			c.reason = ReasonCanceled
		default:
			check = append(check, i)
		}
	}
	if err := f.checkSlow(ctx, check); err != nil {
		return err
	}
	speed, from := 0.0, ""
	if len(check) > 0 {
		var err error
		if speed, from, err = f.speed(); err != nil {
			return err
		}
	}
	f.stats.NetworkSpeed, f.stats.SpeedFrom = speed, from
	for _, i := range check {
		c := f.cands[i]
		c.relSpeed = math.Sqrt(2*c.q) / speed
		switch {
		case !c.checked:
			c.reason = ReasonCanceled
		case c.slow:
			c.outcome = OutcomeSlow
		case c.relSpeed < f.s.SlowRegionSpeed:
			c.outcome = OutcomeSlowRegion
		case c.stop == ReasonNone:
			// Refinement reached the rounding floor of F(x) - x above
			// TolResidual, or left nothing to say: q no longer decreases.
			c.reason = ReasonStall
		default:
			c.reason = c.stop
		}
	}
	// The counts partition the initial states' candidates: the
	// completion's new points (all fixed) are counted in Stats.Completion.
	f.stats.Certified, f.stats.Slow, f.stats.SlowRegions, f.stats.Unconverged = 0, 0, 0, 0
	f.stats.UnconvergedByReason = map[Reason]int{}
	for _, c := range f.cands[:f.nInit()] {
		switch c.outcome {
		case OutcomeFixed:
			f.stats.Certified++
		case OutcomeSlow:
			f.stats.Slow++
		case OutcomeSlowRegion:
			f.stats.SlowRegions++
		default:
			f.stats.Unconverged++
			f.stats.UnconvergedByReason[c.reason]++
		}
	}
	return nil
}

// finite reports whether every value of v is finite.
func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
