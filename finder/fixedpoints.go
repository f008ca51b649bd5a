package finder

import "math"

// Point is one candidate or fixed point with everything known about it.
// Vectors are float64 whatever the dtype of the search.
type Point struct {
	X         []float64 // the state x* (N)
	XInit     []float64 // where the search started (N)
	U         []float64 // the constant input (M)
	F         []float64 // F(x*, u) (N)
	Q         float64   // 0.5*||F(x*) - x*||^2
	Residual  float64   // max_i |F_i(x*) - x*_i|
	DQ        float64   // |q(t) - q(t-1)| at the last first-order step
	Iters     int       // first-order iterations spent on this candidate
	Refines   int       // refinement steps taken (Levenberg-Marquardt and quasi-Newton)
	Condition *int      // the caller's condition id (Problem.Conditions); nil when none

	// How the candidate's search ended (set by Find; see Outcome).
	Outcome Outcome
	Reason  Reason // why it ended unconverged (ReasonNone otherwise)
	// Gradient is ||grad q|| at X over the size rounding alone can give it
	// there (its floor: the rounding of (J - I)^T (F - x) and of X times the
	// Hessian, with a factor 64), checked for every candidate that was not
	// certified: at most 1 at a slow point. 0 when not checked (certified
	// points).
	Gradient float64
	// HessianMin is the smallest eigenvalue of the Hessian of q at X, and
	// HessianError the estimated bound of its error: a slow point has
	// HessianMin > HessianError. RelativeSpeed is Speed over the network's
	// own speed (Stats.NetworkSpeed). All three 0 when not checked.
	HessianMin, HessianError float64
	RelativeSpeed            float64

	// Filled by Linearize.
	Jacobian      []float64 // dF/dx at x*, N x N row-major: J[i*N+k] = dF_i/dx_k
	InputJacobian []float64 // dF/du at x*, N x M row-major
	Modes         []Mode    // eigen-decomposition of Jacobian, fastest-growing first (see Decompose)
	Stability     Stability
	// JacobianError bounds ||J(x*) - Jacobian||_2, the error of the stored
	// Jacobian as the Jacobian at the true fixed point near X, from the
	// rounding of its evaluation and the distance the residual implies (see
	// JacobianErrorBound). Decompose turns it into each mode's Bound. 0 when
	// unknown (then only the rounding of the Jacobian is counted).
	JacobianError float64
}

// Speed is sqrt(2q) = ||F(x) - x||_2, the length of one step of the map at X.
func (p *Point) Speed() float64 { return math.Sqrt(2 * p.Q) }

// FixedPoints is an ordered set of points of one network: N states,
// M inputs, found in Dtype ("float64" or "float32").
type FixedPoints struct {
	N, M   int
	Dtype  string
	Points []Point

	// Set by Find on Result.Fixed, nil otherwise: the coverage estimate and
	// where the unstable modes lead. Both refer to Points by index, so a
	// subset or a concatenation does not carry them.
	Coverage    *Coverage
	Connections []Connection
}

// Len is the number of points.
func (fp *FixedPoints) Len() int { return len(fp.Points) }
