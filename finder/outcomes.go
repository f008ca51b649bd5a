package finder

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

// decideOutcomes gives every candidate its outcome (see Outcome): fixed
// when certified; otherwise slow when the relative gradient of q, checked
// with a Jacobian evaluated at its final state, is at most TolGradient;
// otherwise unconverged, with the reason its search stopped. It fills the
// outcome counts of Stats.
func (f *finder) decideOutcomes(ctx context.Context) error {
	var check []int // candidates whose gradient is to be checked
	for i, c := range f.cands {
		c.outcome, c.reason, c.grad, c.checked = OutcomeUnconverged, ReasonNone, 0, false
		switch {
		case math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x):
			c.reason = ReasonDiverged
		case f.certified(c):
			c.outcome = OutcomeFixed
		case residual(c.f, c.x) <= f.s.TolResidual:
			c.reason = ReasonSaturated // a root of the rounded map only
		case f.canceled && (!c.done || c.active || c.stop == ReasonNone):
			c.reason = ReasonCanceled
		default:
			check = append(check, i)
		}
	}
	if err := f.checkGradients(ctx, check); err != nil {
		return err
	}
	for _, i := range check {
		c := f.cands[i]
		switch {
		case !c.checked:
			c.reason = ReasonCanceled
		case c.grad <= f.s.TolGradient:
			c.outcome = OutcomeSlow
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
	f.stats.Certified, f.stats.Slow, f.stats.Unconverged = 0, 0, 0
	f.stats.UnconvergedByReason = map[Reason]int{}
	for _, c := range f.cands[:f.nInit()] {
		switch c.outcome {
		case OutcomeFixed:
			f.stats.Certified++
		case OutcomeSlow:
			f.stats.Slow++
		default:
			f.stats.Unconverged++
			f.stats.UnconvergedByReason[c.reason]++
		}
	}
	return nil
}

// checkGradients sets c.grad, the relative gradient
// ||(J - I)^T r|| / (||J - I||_F ||r||) with r = F(x) - x, for the
// candidates idx from Jacobians evaluated at their states, in chunks within
// the Jacobian budget. It stops early (leaving some unchecked) when ctx is
// canceled.
func (f *finder) checkGradients(ctx context.Context, idx []int) error {
	N := f.N
	NN := N * N
	chunk := f.jacobianChunk()
	for lo := 0; lo < len(idx); lo += chunk {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		part := idx[lo:min(lo+chunk, len(idx))]
		before := f.stats.JacobianEvals
		J, err := f.jacobiansAt(part)
		if err != nil {
			return err
		}
		f.stats.GradientChecks += f.stats.JacobianEvals - before
		f.stats.JacobianEvals = before
		linalg.Parallel(len(part), func(a, b int) {
			r := make([]float64, N)
			for k := a; k < b; k++ {
				c := f.cands[part[k]]
				for i := range r {
					r[i] = c.f[i] - c.x[i]
				}
				c.grad, c.checked = relativeGradient(J[k*NN:(k+1)*NN], r), true
			}
		})
	}
	return nil
}

// relativeGradient is ||(J - I)^T r||_2 / (||J - I||_F ||r||_2) for the
// n x n row-major j: the gradient of q = 0.5||r||^2 relative to the largest
// it could be for that residual, 0 at a local minimum of q, at most 1. NaN
// when r or J - I is zero or not finite.
func relativeGradient(j, r []float64) float64 {
	n := len(r)
	g := make([]float64, n)
	na := 0.0
	for i := 0; i < n; i++ { // row i of J - I contributes r_i * row to g
		for k := 0; k < n; k++ {
			a := j[i*n+k]
			if i == k {
				a--
			}
			g[k] += a * r[i]
			na += a * a
		}
	}
	den := math.Sqrt(na) * norm2(r)
	if !(den > 0) || math.IsInf(den, 0) {
		return math.NaN()
	}
	return norm2(g) / den
}

// norm2 is the 2-norm of v, without overflow.
func norm2(v []float64) float64 { return frobenius(v) }

// finite reports whether every value of v is finite.
func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// certified reports whether c is a fixed point as decideOutcomes labels
// it: residual within TolResidual, and a root of the real map, not of its
// rounding only (see saturatedOnly).
func (f *finder) certified(c *candidate) bool {
	return residual(c.f, c.x) <= f.s.TolResidual && !saturatedOnly(f.cell, c.x, c.u, f.s.Dtype, f.s.TolResidual)
}
