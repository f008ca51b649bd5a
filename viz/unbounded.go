package viz

import (
	"math"
	"sort"

	"github.com/rnnfp/fixedpoints/finder"
)

// Points analyzed before finder bounded each eigenvalue's error.
//
// A fixedpoints/v1 file written before the per-mode labels has
// "eigenvalues", "stable", "n_unstable" and "n_marginal" but no
// "eigenvalue_bounds", "eigenvalue_conds" or "mode_classes". fpjson reads
// it with every Mode.Class at its zero value (ModeUndecided: no bound is
// known), Bound and Cond 0, NUndecided 0, and Stable, NUnstable and
// NMarginal as the old rule set them: a mode within MarginalTol (1e-3) of
// the boundary was marginal, one beyond it unstable or stable by its
// eigenvalue alone, and Stable meant no unstable and no marginal mode.
//
// The report shows such points by that rule, and says so: "stable by |λ|
// only", "saddle index 2 by |λ| only", "marginal by |λ| only" (Re μ for a
// flow), in colours of their own. Calling them stable or saddles would
// claim error bounds that were never computed; calling them all undecided
// (finder's zero value) would be true but would erase what the file does
// say, that most modes lie 1e-3 or more from the boundary, which for any
// but a badly conditioned Jacobian decides them. The reader sees both: the
// class and that it rests on the eigenvalue alone.

// hasBounds reports whether p carries finder's per-mode labels
// (finder.Point.HasBounds, the rule by which fpjson writes them).
func hasBounds(p *finder.Point) bool { return p.HasBounds() }

// unboundedModes gives each mode of a point without bounds its class by
// the old rule, from the stored counts: the NUnstable fastest-growing
// modes unstable, the next NMarginal marginal, the rest stable (finder
// sorted modes by growth, but the ranks are taken here again). ok is false
// when the counts do not fit the eigenvalues: more counted modes than
// modes, Stable with an unstable or marginal mode, or no band |growth| <=
// tol that holds the marginal modes with the unstable ones above tol and
// the stable ones below -tol (a mode counted unstable that does not grow,
// say).
func unboundedModes(p *finder.Point) (classes []modeClass, ok bool) {
	s := p.Stability
	K := len(p.Modes)
	if !s.Analyzed || s.NUnstable < 0 || s.NMarginal < 0 || s.NUnstable+s.NMarginal > K ||
		s.Stable != (s.NUnstable == 0 && s.NMarginal == 0) {
		return nil, false
	}
	g := make([]float64, K)
	order := make([]int, K)
	for k, m := range p.Modes {
		g[k] = growth(m.Value, s.Continuous)
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return g[order[a]] > g[order[b]] })
	// Some band |g| <= tol must hold the marginal modes and leave the
	// unstable ones above it and the stable ones below -tol.
	classes = make([]modeClass, K)
	band, gap := 0.0, math.Inf(1)
	for rank, k := range order {
		switch {
		case rank < s.NUnstable:
			classes[k] = modeUnstableAbs
			gap = min(gap, g[k])
		case rank < s.NUnstable+s.NMarginal:
			classes[k] = modeMarginalAbs
			band = max(band, math.Abs(g[k]))
		default:
			classes[k] = modeStableAbs
			gap = min(gap, -g[k])
		}
	}
	if !(band < gap) {
		return nil, false
	}
	return classes, true
}
