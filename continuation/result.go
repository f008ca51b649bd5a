package continuation

import "time"

// Kind is the type of a bifurcation.
type Kind int

const (
	// Fold: a real eigenvalue of J crosses +1 and the branch turns back in s
	// (a saddle-node: two fixed points meet and vanish).
	Fold Kind = iota
	// Flip: a real eigenvalue of J crosses -1 (period doubling).
	Flip
	// NeimarkSacker: a complex pair of eigenvalues of J crosses the unit circle.
	NeimarkSacker
	// Hopf: for dx/dt = F(x) - x, a complex pair of J - I crosses the
	// imaginary axis.
	Hopf
	// BranchPoint: a real eigenvalue of J crosses +1 (for the flow, one of
	// J - I crosses 0) while the branch goes on in s without turning: another
	// branch of fixed points crosses this one there (a pitchfork or a
	// transcritical point). Also a turn in s where a real eigenvalue touches
	// +1 without crossing (the branch that bifurcates at a pitchfork): no
	// fixed points vanish there. The crossing branch is not followed unless
	// one of its points is a seed.
	BranchPoint
)

var kindNames = [...]string{"fold", "flip", "neimark-sacker", "hopf", "branch point"}

// String is the name used in the JSON layout: "fold", "flip",
// "neimark-sacker", "hopf" or "branch point".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// End says why a branch stopped.
type End int

const (
	// PathEnd: the branch reached the end of the path (s = Length).
	PathEnd End = iota
	// PathStart: the branch came back to the start of the path (s = 0),
	// after turning at a fold.
	PathStart
	// LeftRegion: the state left the bounding box (Settings.Bound).
	LeftRegion
	// Budget: Settings.MaxSteps steps were taken.
	Budget
	// StepTooSmall: the corrector failed down to Settings.MinStep.
	StepTooSmall
	// Joined: the branch met another branch, followed from its other end;
	// it was merged into that one (see Branch.Seeds).
	Joined
	// Canceled: the context was canceled.
	Canceled
)

var endNames = [...]string{"path-end", "path-start", "left-region", "budget", "step-too-small", "joined", "canceled"}

// String is the name used in the JSON layout.
func (e End) String() string {
	if e < 0 || int(e) >= len(endNames) {
		return "unknown"
	}
	return endNames[e]
}

// Point is one point of a branch.
//
// Its labels are certain: a mode counts as unstable or decaying only when
// its distance from the stability boundary exceeds both
// Settings.MarginalTol and, for N <= 128, a first-order error bound
// kappa (N eps ||J||_F + 1e-9), kappa the eigenvalue's condition number
// 1/|l^H r|; otherwise it is undecided. Above Settings.DenseEigenMax only
// the Ritz values of an Arnoldi factorization are seen (the largest in
// modulus), and Stable is never set.
//
// Up to Settings.ProveStabilityMaxN states, a cell that says how its
// residual factors (cells.Factored) has each point's classes proved
// (stability.ProveRoot: Krawczyk's proof of the root, an enclosure of every
// eigenvalue of the Jacobian there); when every mode's class is proved,
// Proved is set and the counts are the proved ones (NUndecided 0).
type Point struct {
	S          float64   // the path parameter (arc length of the input path)
	U          []float64 // u(S), M values
	X          []float64 // the fixed point, N values
	NUnstable  int       // modes surely growing: |lambda| > 1 + MarginalTol (map) or Re(lambda) > 1 + MarginalTol (flow)
	NUndecided int       // modes within MarginalTol of the stability boundary
	Stable     bool      // every mode surely decays (NUnstable = NUndecided = 0)
	Residual   float64   // max|F(x, u) - x|
	Proved     bool      // the counts are proved, not estimated (see above)
}

// Branch is one curve of fixed points, ordered along the curve. S need not
// be monotonic: it turns back at folds.
type Branch struct {
	Points []Point
	Seeds  []int // indices in Problem.Start of the seeds on this branch (two when it joined another)
	End    End   // why the last point is the last
	Steps  int   // accepted continuation steps
}

// Bifurcation is a located bifurcation point.
type Bifurcation struct {
	Kind       Kind
	Branch     int          // index in Result.Branches
	After      int          // it lies between points After and After+1 of the branch
	S          float64      // path parameter
	U          []float64    // input u(S)
	X          []float64    // state
	Eigenvalue complex128   // the critical eigenvalue of J (not shifted in continuous time); +imag of a pair
	Vector     []complex128 // its unit right eigenvector
	TestValue  float64      // the test function at the located point
	Bracket    float64      // width in s of the last bracket
}

// Result is what Continue returns.
type Result struct {
	N, M           int
	Path           Path
	ContinuousTime bool
	Branches       []Branch
	Bifurcations   []Bifurcation
	Stats          Stats
}

// Stats counts the work done.
type Stats struct {
	Steps          int // accepted steps over all branches
	Rejected       int // steps retried shorter
	FEvals         int // batched evaluations of F
	JacobianEvals  int // batched Jacobian evaluations
	Factorizations int // LU factorizations of bordered systems
	Krylov         int // bordered systems solved by GMRES (N > 400)
	Eigen          int // eigen-decompositions
	Elapsed        time.Duration
}
