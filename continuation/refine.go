package continuation

// refine checks a corrected point nb (just linearized, with br's tangent
// hyperplane as its constraint row) with a Newton step of its own bordered
// matrix, and while that step is longer than TolLocate takes it: up to
// maxRefine full Newton steps within the hyperplane through the point. It
// reports whether the point ended within TolLocate of the curve.
//
// The corrector's chord steps use the factorization at the previous point.
// Near a singular point of the curve (a branch point) the bordered matrix
// there is far better conditioned than at the new point, so a chord step
// can be tiny while the point is off the curve by much more: F - x is
// small over a whole neighbourhood of a branch point. Such points flicker
// in their eigenvalue counts and tangent, which would be taken for folds
// and branch points that are not there. The step with the point's own
// matrix measures the distance to the curve.
func (r *run) refine(br, nb *branch, st *step) (bool, error) {
	const maxRefine = 5
	N := r.N
	c := weighted(br.t, br.wx)
	for it := 0; ; it++ {
		rhs := make([]float64, N+1)
		for k := 0; k < N; k++ {
			rhs[k] = nb.y[k] - st.f[k]
		}
		dz, err := nb.fac.solve(rhs)
		if err != nil {
			return false, nil
		}
		if wnorm(dz, nb.wx) <= r.s.TolLocate {
			return true, nil
		}
		if it == maxRefine {
			return false, nil
		}
		for k := range nb.y {
			nb.y[k] += dz[k]
		}
		r.ev.set(br.row, nb.y[:N], r.uAt(nb.seg, nb.y[N]))
		if err := r.ev.jacobians(); err != nil {
			return false, err
		}
		st.f = append(st.f[:0], r.ev.rowF(br.row)...)
		st.res = residual(st.f, nb.y[:N])
		if st.res > r.s.TolResidual*max(1, maxAbs(nb.y[:N])) {
			return false, nil
		}
		if err := r.linearize(nb, r.ev.rowJx(br.row), r.ev.rowJu(br.row), c); err != nil {
			return false, nil
		}
	}
}
