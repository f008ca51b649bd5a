package finder

import "github.com/rnnfp/fixedpoints/stability"

// EigenMethod chooses how Decompose finds the modes of a Jacobian.
type EigenMethod int

const (
	// AutoEigen takes FullEigen below Settings.LeadingMinN states and
	// LeadingEigen from there.
	AutoEigen EigenMethod = iota
	// FullEigen is the full eigen-decomposition (LAPACK's dgeev steps).
	FullEigen
	// LeadingEigen finds only the leading modes by Krylov-Schur (restarted
	// Arnoldi) on the Jacobian and on its transpose (for the left
	// vectors): every mode with |lambda| >= 1 - MarginalTol and at least
	// LeadingModes modes, with a proof that every mode not listed has
	// |lambda| below Stability.RemainderBound < 1 - MarginalTol. When the
	// proof fails after doubling the modes sought up to N/4, the full
	// decomposition is used instead. Discrete time only: with
	// ContinuousTime the full decomposition is used.
	LeadingEigen
)

// useLeading reports whether Decompose finds the leading modes only.
func useLeading(s *Settings, N int) bool {
	if s.ContinuousTime {
		return false
	}
	switch s.Eigen {
	case FullEigen:
		return false
	case LeadingEigen:
		return true
	}
	return N >= s.LeadingMinN
}

// decomposeOne finds the modes of one Jacobian: the leading ones when
// Settings.Eigen says so (bound >= 0 is then the proven bound on the
// others, and schurRes the Schur residual their error bounds include),
// else or when their proof fails all of them (bound -1, schurRes 0).
func decomposeOne(N int, J []float64, s *Settings) (modes []Mode, bound, schurRes float64, err error) {
	if useLeading(s, N) {
		want := max(1, s.LeadingModes)
		m, beta, res, ok, err := stability.LeadingModes(N, J, want, 1-s.MarginalTol, !s.NoEigenvectors)
		if err != nil {
			return nil, 0, 0, err
		}
		if ok {
			return m, beta, res, nil
		}
	}
	m, err := stability.FullModes(N, J, !s.NoEigenvectors)
	return m, -1, 0, err
}
