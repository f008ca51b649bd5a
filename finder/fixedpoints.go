package finder

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

	// Filled by Linearize.
	Jacobian      []float64 // dF/dx at x*, N x N row-major: J[i*N+k] = dF_i/dx_k
	InputJacobian []float64 // dF/du at x*, N x M row-major
	Modes         []Mode    // eigen-decomposition of Jacobian, fastest-growing first (see Decompose)
	Stability     Stability
}

// Mode is one eigenvalue of the Jacobian with its right and left eigenvectors
// (J r = lambda r, l^H J = lambda l^H), each of unit 2-norm (nil with
// Settings.NoEigenvectors). In continuous time Value is mu = lambda - 1.
type Mode struct {
	Value complex128
	Right []complex128
	Left  []complex128
}

// Stability summarises the linearization of a fixed point.
type Stability struct {
	Analyzed    bool    // false until Linearize has run
	Stable      bool    // every mode decays: |lambda| < 1 (discrete) or Re(mu) < 0 (continuous), none marginal
	NUnstable   int     // saddle index: number of growing modes
	MaxAbs      float64 // largest |lambda| (discrete) or largest Re(lambda) (continuous)
	Marginal    bool    // some mode lies within the marginal band of the stability boundary
	NMarginal   int     // how many modes lie in that band
	Flip        bool    // an unstable mode has a negative real eigenvalue (period-2 flips)
	Oscillatory bool    // an unstable mode is a complex pair (rotation)
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
