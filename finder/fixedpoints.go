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

// Mode is one eigenvalue of the Jacobian with its right and left eigenvectors
// (J r = lambda r, l^H J = lambda l^H), each of unit 2-norm (nil with
// Settings.NoEigenvectors). In continuous time Value is mu = lambda - 1.
type Mode struct {
	Value complex128
	Right []complex128
	Left  []complex128
	// Cond is the eigenvalue's condition number kappa = 1/|l^H r| (unit
	// vectors), +Inf when unknown (no eigenvectors) or defective.
	Cond float64
	// Bound is the first-order bound Cond * ||E||_2 on |Value - true
	// eigenvalue| for the Jacobian's error E (Point.JacobianError plus the
	// rounding of the eigen-decomposition); see EigenvalueBound.
	Bound float64
	// Class is what the bound lets us say: the mode certainly grows,
	// certainly decays, or cannot be told apart from the boundary.
	Class ModeClass
}

// Stability summarises the linearization of a fixed point. The counts rest
// on each mode's error bound (see Mode.Class): NUnstable, NUndecided and the
// certainly decaying modes add up to the number of modes.
type Stability struct {
	Analyzed    bool    // false until Linearize has run
	Stable      bool    // every mode certainly decays: |lambda| + bound < 1 (discrete) or Re(mu) + bound < 0 (continuous)
	NUnstable   int     // saddle index: number of certainly growing modes (|lambda| - bound > 1, or Re(mu) - bound > 0)
	NUndecided  int     // modes whose bound straddles the boundary: neither certainly growing nor decaying
	MaxAbs      float64 // largest |lambda| (discrete) or largest Re(lambda) (continuous)
	Marginal    bool    // some mode lies within the marginal band (MarginalTol) of the boundary: a description of slow modes only
	NMarginal   int     // how many modes lie in that band (whatever their class)
	Flip        bool    // a certainly unstable mode has a negative real eigenvalue (period-2 flips)
	Oscillatory bool    // a certainly unstable mode is a complex pair (rotation)
	Continuous  bool    // judged for dx/dt = F(x) - x rather than the map x -> F(x)
	// Leading: Modes hold only the leading modes (Settings.Eigen); every
	// other mode is proven to have |lambda| <= RemainderBound < 1 - MarginalTol,
	// so it is stable and not marginal, and the counts above are complete.
	Leading        bool
	RemainderBound float64
}

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
