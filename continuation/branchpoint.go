package continuation

import "math"

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
// parity changes exactly when t_s changes sign (a fold: the branch turns
// back in s) or det(B) does (a branch point: A loses rank, another curve of
// fixed points crosses this one, and the branch goes on in s). A branch
// point is therefore reported only when the parity changes and t_s keeps
// its sign, and a fold only when t_s changes sign: neither is taken for
// the other.
//
// Location: on a stretch where t_s keeps its sign, det(J - I) and det(B)
// have the same zeros, and det(J - I) is zero exactly when an eigenvalue
// of J is 1. The test function is that eigenvalue: the real eigenvalue of J
// nearest +1, minus 1. It is preferred to det(B) itself because it is
// defined at every point whose spectrum is computed (including above
// denseSolveMax, where B is not factored), does not overflow or underflow
// with N, and is in the same units as the flip's test value; and the
// eigenvalues are needed anyway for the critical mode.

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
		if isReal(z) && math.Abs(real(z)-1) < math.Abs(best) {
			best = real(z) - 1
		}
	}
	return best, sp.realPlus%2 == old.sp.realPlus%2
}
