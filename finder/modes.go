package finder

import "github.com/rnnfp/fixedpoints/stability"

// The modes, their classes and the stability summary are package
// stability's; finder names them so that its callers and its JSON format
// need not change.

// Mode is one eigenvalue of a point's Jacobian with its eigenvectors, error
// bound and class (see stability.Mode).
type Mode = stability.Mode

// Stability summarises the linearization of a fixed point (see
// stability.Stability).
type Stability = stability.Stability

// ModeClass is what an eigenvalue's error bound lets us say about its mode
// (see stability.ModeClass).
type ModeClass = stability.ModeClass

// The classes of a mode (see stability.ModeClass).
const (
	ModeUndecided = stability.ModeUndecided
	ModeStable    = stability.ModeStable
	ModeUnstable  = stability.ModeUnstable
)

// ParseModeClass returns the ModeClass whose String is s.
func ParseModeClass(s string) (ModeClass, bool) { return stability.ParseModeClass(s) }

// EigenvalueCond is stability.EigenvalueCond: the condition number
// ||l|| ||r|| / |l^H r| of a simple eigenvalue.
func EigenvalueCond(right, left []complex128) float64 {
	return stability.EigenvalueCond(right, left)
}

// EigenvalueBound is stability.EigenvalueBound: the condition number and
// the first-order bound kappa * normE on an eigenvalue's error.
func EigenvalueBound(right, left []complex128, normE float64) (kappa, bound float64) {
	return stability.EigenvalueBound(right, left, normE)
}

// ClassifyMode is stability.ClassifyMode: whether a mode with eigenvalue
// value and error bound bound certainly grows, certainly decays, or is
// undecided.
func ClassifyMode(value complex128, bound float64, continuous bool) ModeClass {
	return stability.ClassifyMode(value, bound, continuous)
}

// JacobianRoundingError is stability.JacobianRoundingError: a bound on the
// rounding error of an N x N Jacobian evaluated with machine epsilon eps.
func JacobianRoundingError(j []float64, N int, eps float64) float64 {
	return stability.JacobianRoundingError(j, N, eps)
}

// JacobianErrorBound is stability.JacobianErrorBound: the bound on
// ||J(x*) - J||_2 that Jacobians stores in Point.JacobianError.
func JacobianErrorBound(j, jd []float64, n int, eps float64) float64 {
	return stability.JacobianErrorBound(j, jd, n, eps)
}
