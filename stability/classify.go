package stability

import (
	"math"
	"math/cmplx"
)

// Classify judges a fixed point from its modes, whose Class (see
// ClassifyMode) each mode's error bound has set.
//
// For a map (continuous false) a mode grows when |lambda| > 1; for a flow
// (continuous true, modes hold mu = lambda - 1) when Re(mu) > 0. NUnstable
// (the saddle index) counts the modes that certainly grow, NUndecided those
// whose bound straddles the boundary, and Stable means that every mode
// certainly decays. A mode whose growth rate g (|lambda| - 1, or Re(mu))
// has |g| <= tol lies in the marginal band: it counts toward NMarginal, a
// description of slow modes (line attractors, slow manifolds) that changes
// neither NUnstable nor Stable.
//
// Proved is set when every mode's class is proved (Mode.Proved): only
// then is the saddle index, and the stability, a proved fact.
//
// Flip and Oscillatory describe the certainly unstable modes: Flip when
// one is real and negative, which makes a map alternate sign step by step
// (never for a flow, whose unstable real modes are positive); Oscillatory
// when one is complex. MaxAbs is the largest |lambda| for a map and the
// largest Re(mu) for a flow.
func Classify(modes []Mode, tol float64, continuous bool) Stability {
	st := Stability{Analyzed: true, Continuous: continuous, Proved: len(modes) > 0}
	for i, m := range modes {
		st.Proved = st.Proved && m.Proved
		z := m.Value
		r := cmplx.Abs(z)
		g := r - 1
		if continuous {
			r, g = real(z), real(z)
		}
		if i == 0 || r > st.MaxAbs {
			st.MaxAbs = r
		}
		if math.Abs(g) <= tol {
			st.NMarginal++
		}
		switch m.Class {
		case ModeUndecided:
			st.NUndecided++
		case ModeUnstable:
			st.NUnstable++
			if !IsReal(z) {
				st.Oscillatory = true
			} else if real(z) < 0 {
				st.Flip = true
			}
		}
	}
	st.Marginal = st.NMarginal > 0
	st.Stable = st.NUnstable == 0 && st.NUndecided == 0
	return st
}

// IsReal reports whether z is real up to rounding. LAPACK returns exactly
// zero imaginary parts for real eigenvalues; the tolerance is for values
// built by hand or shifted.
func IsReal(z complex128) bool {
	return math.Abs(imag(z)) <= 1e-12*max(1, cmplx.Abs(z))
}
