package finder

import "time"

// Status says how a search ended.
type Status int

const (
	// Converged: every candidate met a tolerance.
	Converged Status = iota
	// IterationLimit: MaxIters was reached with some candidates not done.
	IterationLimit
	// Canceled: the context was canceled; the result holds the work so far.
	Canceled
)

// String returns the status's name, as the constant's.
func (s Status) String() string {
	switch s {
	case Converged:
		return "Converged"
	case IterationLimit:
		return "IterationLimit"
	case Canceled:
		return "Canceled"
	}
	return "Unknown"
}

// Result is what Find returns.
type Result struct {
	// Fixed holds the unique certified fixed points (residual <= TolResidual),
	// after outlier removal and the optional cap, linearized unless disabled.
	Fixed *FixedPoints
	// Slow holds the unique candidates that were not certified: slow points,
	// with their speed q. They are never mixed with Fixed.
	Slow *FixedPoints
	// All holds every candidate as it ended, in the order of the initial states,
	// followed by the new fixed points the completion stage found (see complete.go).
	All *FixedPoints

	Status Status
	Stats  Stats
}

// Stats counts the work done.
type Stats struct {
	Candidates       int
	Iters            int // first-order iterations of the batch (the longest candidate's)
	GradEvals        int // objective+gradient evaluations (batch runs)
	JacobianEvals    int // batched Jacobian evaluations (each N passes)
	RefineIters      int // Levenberg-Marquardt (or Newton-Krylov) iterations of the batch (one Jacobian each for LM)
	KrylovIters      int // GMRES steps summed over candidates (Newton-Krylov refinement)
	JVPPasses        int // batched Jacobian-vector product passes (Newton-Krylov, leading modes)
	DenseFallbacks   int // candidates that Newton-Krylov handed to dense LM (GMRES could not solve their systems)
	Certified        int // candidates certified before uniqueness
	DistanceOutliers int // dropped as far from the initial states
	QOutliersRerun   int

	SearchTime    time.Duration
	RefineTime    time.Duration
	LinearizeTime time.Duration
	Runtime       time.Duration

	// Completion: one entry per round run, the time it took, and the
	// coverage estimate of the final set (also in Result.Fixed.Coverage).
	Completion   []CompletionRound
	CompleteTime time.Duration
	Coverage     *Coverage
	ConnectTime  time.Duration // tracing Result.Fixed.Connections

	// Warnings, e.g. when float32 cannot reach the requested tolerances.
	Warnings []string
}
