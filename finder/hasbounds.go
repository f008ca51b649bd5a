package finder

// HasBounds reports whether p's stability labels rest on per-mode error
// bounds (Mode.Bound, Mode.Cond, Mode.Class, Stability.NUndecided), as
// Decompose sets them. A point read from a file written before the bounds
// existed has Stable, NUnstable and NMarginal from its eigenvalues alone
// (a mode within MarginalTol of the boundary marginal, the others stable
// or unstable by |lambda|) and every Mode.Class at its zero value,
// ModeUndecided. A bound or condition number is never exactly 0 once
// computed: the rounding of the Jacobian alone makes it positive.
func (p *Point) HasBounds() bool {
	if p.Stability.NUndecided != 0 {
		return true
	}
	for _, m := range p.Modes {
		if m.Bound != 0 || m.Cond != 0 || m.Class != ModeUndecided {
			return true
		}
	}
	return false
}
