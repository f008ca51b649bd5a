package finder

import (
	"time"

	"github.com/rnnfp/fixedpoints/orbits"
)

// Status says how a search ended, judged from the outcomes of all its
// candidates (see Outcome). Only Converged says that every candidate ended
// as a certified fixed point or a checked slow point. The zero value,
// NotTerminated, is the status of a Result that no search filled (one built
// by hand to save a set, say), so that it claims nothing.
type Status int

const (
	// NotTerminated: no search decided this Result's status (gonum's
	// optimize uses the same name for its zero Status). Find never
	// returns it.
	NotTerminated Status = iota
	// Converged: every candidate ended fixed, slow or on a slow region
	// (none unconverged).
	Converged
	// IterationLimit: some candidate ended unconverged because an iteration
	// limit ran out: MaxIters in the first-order search or MaxRefineIters
	// in the refinement (Stats.UnconvergedByReason says which).
	IterationLimit
	// Canceled: the context was canceled; the result holds the work so far.
	Canceled
	// Incomplete: some candidate ended unconverged for a reason other than
	// an iteration limit or cancellation (a stall, divergence, a rise of q,
	// a saturated gate; see Reason), and none hit an iteration limit. The
	// fixed points found are certified all the same; the set may miss some.
	Incomplete
)

// String returns the status's name, as the constant's.
func (s Status) String() string {
	switch s {
	case NotTerminated:
		return "NotTerminated"
	case Converged:
		return "Converged"
	case IterationLimit:
		return "IterationLimit"
	case Canceled:
		return "Canceled"
	case Incomplete:
		return "Incomplete"
	}
	return "Unknown"
}

// Result is what Find returns.
type Result struct {
	// Fixed holds the unique certified fixed points (residual <= TolResidual),
	// after outlier removal and the optional cap, linearized unless disabled.
	Fixed *FixedPoints
	// Slow holds the unique slow points (Outcome OutcomeSlow): checked
	// local minima of q above the tolerance, with their speed q, after
	// outlier removal. They are never mixed with Fixed.
	Slow *FixedPoints
	// Unconverged holds the candidates that ended unconverged (Outcome
	// OutcomeUnconverged, each with its Reason), unique within TolUnique,
	// with no outlier removal: they are what the search could not decide.
	Unconverged *FixedPoints
	// SlowRegions holds the unique candidates that ended on a slow region
	// (Outcome OutcomeSlowRegion): slow against the network's own speed but
	// at neither a root nor a local minimum of q, with no outlier removal.
	SlowRegions *FixedPoints
	// All holds every candidate as it ended, each with its Outcome, in the
	// order of the initial states, followed by the new fixed points the
	// completion stage found (see complete.go).
	All *FixedPoints

	// Orbits holds the periodic orbits of the map found from the initial
	// states when Settings.MaxPeriod >= 2 (package orbits): minimal
	// period, points, Floquet multipliers and their classes; nil otherwise.
	Orbits []orbits.Orbit
	// Cycles holds the limit cycles of the flow dx/dt = F(x) - x found
	// from the initial states when Settings.Cycles is set (package
	// orbits): period, points, Floquet multipliers; nil otherwise.
	Cycles []orbits.Cycle

	Status Status
	Stats  Stats
	// Settings are the effective settings of the search: every zero field
	// resolved to its default, the coupled ones (AdamEpsilon by Optimizer,
	// TolResidual by Dtype) for the settings Find was given.
	Settings Settings
}

// Stats counts the work done.
type Stats struct {
	Candidates     int // initial states (the candidates the outcome counts below partition)
	Iters          int // first-order iterations of the batch (the longest candidate's)
	GradEvals      int // objective+gradient evaluations (batch runs)
	JacobianEvals  int // batched Jacobian evaluations (each one graph pass in closed form, else N/lanes seeded passes)
	RefineIters    int // Levenberg-Marquardt (or Newton-Krylov) iterations of the batch (one Jacobian each for LM)
	KrylovIters    int // GMRES steps summed over candidates (Newton-Krylov refinement)
	JVPPasses      int // batched Jacobian-vector product passes (Newton-Krylov, leading modes)
	DenseFallbacks int // candidates that Newton-Krylov handed to dense LM (GMRES could not solve their systems)
	Certified      int // initial states' candidates certified, before uniqueness (outcome fixed; the completion's new points are in Completion)
	Slow           int // initial states' candidates that ended at a checked slow point, before uniqueness
	SlowRegions    int // initial states' candidates that ended on a slow region, before uniqueness
	Unconverged    int // initial states' candidates that ended unconverged, before uniqueness
	// UnconvergedByReason counts the unconverged candidates by Reason.
	UnconvergedByReason map[Reason]int
	DistanceOutliers    int // dropped as far from the initial states
	// Far counts the proved fixed points kept although the distance rule
	// would drop them (Point.Far); ResidualOnly the fixed points certified
	// by residual alone (the cell has no interval enclosure, or NoProof).
	Far            int
	ResidualOnly   int
	ProofTime      time.Duration // refining on G and proving (prove.go)
	QOutliersRerun int
	Retried        int // candidates sent back to the first-order search after the refinement stalled (counted per round)
	GradientChecks int // batched curvature evaluations that checked uncertified candidates for slow points
	// NetworkSpeed is the speed a slow region is measured against (see
	// Problem.Trajectories), and SpeedFrom says where it came from
	// ("trajectories" or "initial states"); 0 and "" when no candidate
	// needed it.
	NetworkSpeed float64
	SpeedFrom    string
	// Reference counts what the reference would call fixed points (q below
	// its tol_q) among the same candidates.
	Reference ReferenceView

	SearchTime    time.Duration
	RefineTime    time.Duration
	SlowTime      time.Duration // Newton's steps on grad q toward slow points (see slowDescent)
	CheckTime     time.Duration // deciding the outcomes: the gradient checks of the uncertified candidates
	LinearizeTime time.Duration
	Runtime       time.Duration

	// Completion: one entry per round run, the time it took, and the
	// coverage estimate of the final set (also in Result.Fixed.Coverage).
	Completion   []CompletionRound
	CompleteTime time.Duration
	Coverage     *Coverage
	ConnectTime  time.Duration // tracing Result.Fixed.Connections
	OrbitTime    time.Duration // seeking Result.Orbits and Result.Cycles (Settings.MaxPeriod, Settings.Cycles)

	// Warnings, e.g. when float32 cannot reach the requested tolerances.
	Warnings []string
}
