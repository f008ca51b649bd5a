package finder

// Outcome says how one candidate's search ended. Every candidate ends with
// exactly one outcome, and each outcome is a claim the code has checked.
type Outcome int

const (
	// OutcomeUnknown: not decided (a point built by hand, or read from a
	// file that does not say). The zero value, so that it claims nothing.
	OutcomeUnknown Outcome = iota
	// OutcomeFixed: certified. For a cell whose residual factors
	// (cells.Factored), proved: a unique root of G lies within
	// Point.Proof.Radius of X (Krawczyk's operator); otherwise
	// max|F(x) - x| <= Settings.TolResidual (Point.Proof.Method "residual").
	OutcomeFixed
	// OutcomeSlow: a slow point, a local minimum of q = 0.5*||F(x) - x||^2 > 0
	// (residual above TolResidual). Checked at the final x: grad q is at
	// rounding level (Point.Gradient <= 1) and the smallest eigenvalue of the
	// Hessian of q, from differences of the exact gradient, exceeds its
	// estimated error (Point.HessianMin > Point.HessianError).
	OutcomeSlow
	// OutcomeUnconverged: the search stopped before the candidate was
	// either certified or shown to rest at a local minimum of q.
	// Point.Reason says what stopped it.
	OutcomeUnconverged
	// OutcomeSlowRegion: neither a root nor a local minimum of q, but slow
	// against the network's own speed: sqrt(2q) below
	// Settings.SlowRegionSpeed times Stats.NetworkSpeed (Point.RelativeSpeed
	// holds the ratio). A point of a slow manifold, where q has no minimum.
	OutcomeSlowRegion
)

// String is "unknown", "fixed", "slow", "unconverged" or "slow region", as
// in the JSON.
func (o Outcome) String() string {
	switch o {
	case OutcomeUnknown:
		return "unknown"
	case OutcomeFixed:
		return "fixed"
	case OutcomeSlow:
		return "slow"
	case OutcomeUnconverged:
		return "unconverged"
	case OutcomeSlowRegion:
		return "slow region"
	}
	return "unknown"
}

// Reason says why an unconverged candidate stopped (ReasonNone for fixed
// and slow ones and slow regions).
type Reason int

const (
	// ReasonNone: the candidate is fixed or slow.
	ReasonNone Reason = iota
	// ReasonIterationLimit: the first-order search used MaxIters iterations.
	ReasonIterationLimit
	// ReasonRefineLimit: the refinement used MaxRefineIters iterations.
	ReasonRefineLimit
	// ReasonStall: q stopped decreasing (the refinement's damping reached
	// its limit, or q fell by less than TolDQ per step) at a point whose
	// gradient is not small: neither a fixed point nor a slow point.
	ReasonStall
	// ReasonDiverged: q or the state became NaN or Inf.
	ReasonDiverged
	// ReasonRise: q rose and no smaller first-order or damped step from the
	// best point seen brought it down again.
	ReasonRise
	// ReasonTolQ: the first-order search met TolQ, but the residual is
	// above TolResidual and refinement was off (Settings.NoRefine).
	ReasonTolQ
	// ReasonCanceled: the context was canceled first.
	ReasonCanceled
	// ReasonSaturated: max|F(x) - x| <= TolResidual holds only because a
	// gate rounds to exactly 1 (a GRU update gate z = 1.0: D_i = 1 - z_i
	// below eps/2) while |G_i| is above TolResidual: a fixed point of the
	// rounded map, not of the real one, and no proof.
	ReasonSaturated
	// ReasonUnproved: max|F(x) - x| <= TolResidual, but no root of G was
	// proved there (Point.ProofReason says why): not a fixed point.
	ReasonUnproved
)

// String names the reason as the JSON does ("stall", "refine limit", ...).
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonIterationLimit:
		return "iteration limit"
	case ReasonRefineLimit:
		return "refine limit"
	case ReasonStall:
		return "stall"
	case ReasonDiverged:
		return "diverged"
	case ReasonRise:
		return "rise"
	case ReasonTolQ:
		return "tolq without refinement"
	case ReasonCanceled:
		return "canceled"
	case ReasonSaturated:
		return "saturated"
	case ReasonUnproved:
		return "unproved"
	}
	return "unknown"
}

// reasons lists every Reason of an unconverged candidate, in order.
var reasons = []Reason{ReasonIterationLimit, ReasonRefineLimit, ReasonStall, ReasonDiverged, ReasonRise, ReasonTolQ, ReasonCanceled, ReasonSaturated, ReasonUnproved}

// ParseReason returns the Reason whose String is s.
func ParseReason(s string) (Reason, bool) {
	for _, r := range append([]Reason{ReasonNone}, reasons...) {
		if r.String() == s {
			return r, true
		}
	}
	return ReasonNone, false
}

// ParseOutcome returns the Outcome whose String is s.
func ParseOutcome(s string) (Outcome, bool) {
	for _, o := range []Outcome{OutcomeUnknown, OutcomeFixed, OutcomeSlow, OutcomeUnconverged, OutcomeSlowRegion} {
		if o.String() == s {
			return o, true
		}
	}
	return OutcomeUnknown, false
}
