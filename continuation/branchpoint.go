package continuation

import (
	"math"

	"github.com/rnnfp/fixedpoints/stability"
)

// Branch points.
//
// Between two consecutive points of a branch, a change in the parity of
// the number of real eigenvalues of J above +1 means a real eigenvalue
// crossed +1 (for the flow: one of J - I crossed 0). By Cramer's rule the
// s-component of the tangent, the null vector of A = [J - I, J_u d]
// oriented by the bordered matrix B = [A; c^T], is
//
//	t_s = det(J - I) / det(B),
//
// and sign det(J - I) = (-1)^(number of real eigenvalues above 1). So the
// parity changes exactly when one of t_s and det(B) changes sign: t_s at a
// fold (the branch turns back in s), det(B) at a branch point (A loses
// rank: another curve of fixed points crosses this one). So:
//
//   - parity changes, t_s keeps its sign: a branch point, the branch going
//     on in s (the trivial branch of a pitchfork, either branch of a
//     transcritical point);
//   - t_s changes sign and the parity too: a fold;
//   - t_s changes sign but the parity does not: det(B) changed sign too, so
//     it is a branch point where this branch turns back in s (a pitchfork
//     seen from the branch that bifurcates, u = x^2 through x' = x + h(u x
//     - x^3)): its eigenvalue touches +1 without crossing, and no two fixed
//     points meet and vanish. It is located like a fold (on t_s) and
//     reported as a branch point.
//
// When the spectra are partial (Arnoldi, N > Settings.DenseEigenMax) the
// parity is not trusted: every turn is a fold, as before.
//
// Location: on a stretch where t_s keeps its sign, det(J - I) and det(B)
// have the same zeros, and det(J - I) is zero exactly when an eigenvalue
// of J is 1. The test function is that eigenvalue: the real eigenvalue of J
// nearest +1, minus 1. It is preferred to det(B) itself because it is
// defined at every point whose spectrum is computed (including above
// denseSolveMax, where B is not factored), does not overflow or underflow
// with N, and is in the same units as the flip's test value; and the
// eigenvalues are needed anyway for the critical mode.

// turningBranchPoint is the kind located for a branch point where the
// branch turns back in s: on the fold's test function, reported as
// BranchPoint.
const turningBranchPoint Kind = -1

// turnKind is what a turn of the branch in s between old and br is: a fold
// when the parity of the real eigenvalues above +1 changed (or the spectra
// are partial), else a branch point.
func (r *run) turnKind(old, br *branch) Kind {
	if old.sp.partial || br.sp.partial || old.sp.realPlus%2 != br.sp.realPlus%2 {
		return Fold
	}
	return turningBranchPoint
}

// isBranchPoint reports whether the step from old to br crossed a branch
// point: the parity of the real eigenvalues above +1 changed while the
// tangent's s-component kept its sign.
func (r *run) isBranchPoint(old, br *branch) bool {
	if old.t[r.N]*br.t[r.N] < 0 {
		return false // a fold accounts for the crossing
	}
	return old.sp.realPlus%2 != br.sp.realPlus%2
}

// branchPointTest is the branch point's test function at p (the real
// eigenvalue of J nearest +1, minus 1; +Inf with no real eigenvalue) and
// whether p is on old's side by the parity of the real eigenvalues above 1.
func (r *run) branchPointTest(p *probe, old *branch) (float64, bool) {
	sp := classify(p.vals, r.s.MarginalTol, r.s.ContinuousTime)
	best := math.Inf(1)
	for _, z := range p.vals {
		if stability.IsReal(z) && math.Abs(real(z)-1) < math.Abs(best) {
			best = real(z) - 1
		}
	}
	return best, sp.realPlus%2 == old.sp.realPlus%2
}

// addEvent records e, except within the unresolved neighbourhood of a branch
// point: the curve is only known to TolLocate there (F - x is small all
// around a branch point), and the branch may wiggle in s by less than that,
// which reads as pairs of folds or repeated branch points. A fold or branch
// point within TolLocate in s of a branch point of the same branch, and at
// most three steps from it, is taken for that branch point: a fold there is
// dropped, and so is a second branch point; a branch point recorded after
// such folds replaces them.
func (r *run) addEvent(e Bifurcation) {
	near := func(a, b Bifurcation) bool {
		d := a.After - b.After
		return a.Branch == b.Branch && d >= -3 && d <= 3 && math.Abs(a.S-b.S) <= r.s.TolLocate
	}
	if e.Kind == Fold || e.Kind == BranchPoint {
		for _, o := range r.events {
			if o.Kind == BranchPoint && near(o, e) {
				return
			}
		}
	}
	if e.Kind == BranchPoint {
		kept := r.events[:0]
		for _, o := range r.events {
			if o.Kind != Fold || !near(o, e) {
				kept = append(kept, o)
			}
		}
		r.events = kept
	}
	r.events = append(r.events, e)
}
