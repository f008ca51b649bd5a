package finder

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/stability"
)

// Decompose sets Point.Modes and Point.Stability of every point of fp from
// its Jacobian (which EvalJacobians fills).
//
// For the map x -> F(x) (the default) Modes are the eigenvalues lambda of J
// sorted by |lambda| descending. With s.ContinuousTime the flow
// dx/dt = F(x) - x is judged instead: Modes hold the eigenvalues
// mu = lambda - 1 of J - I (same eigenvectors), sorted by Re(mu) descending,
// so the fastest-growing mode comes first in both cases. Ties are broken by
// the real, then the imaginary part, descending, so that a complex pair
// lists +imag first.
//
// Right and left eigenvectors (J r = lambda r, l^H J = lambda l^H) have unit
// 2-norm, with the phase fixed so that their largest component is real and
// positive. Each mode gets its condition number, error bound and class
// (see EigenvalueBound and ClassifyMode) from the point's JacobianError, or
// when that is 0 from the rounding of a Jacobian evaluated in s.Dtype (see
// JacobianRoundingError); the rounding of the eigen-decomposition itself is
// added. Without eigenvectors (s.NoEigenvectors) no condition number is
// known: every bound is +Inf and every mode undecided. See classify for the
// stability rules. On error fp is left unchanged.
func Decompose(fp *FixedPoints, s Settings) error {
	return DecomposeContext(context.Background(), fp, s)
}

// DecomposeContext is Decompose that stops when ctx is canceled, checked
// before each point's eigen-decomposition (one LAPACK call, which cannot be
// interrupted: seconds at N = 1000), returning ctx's error wrapped.
func DecomposeContext(ctx context.Context, fp *FixedPoints, s Settings) error {
	return decompose(ctx, fp, s, false)
}

// decompose is DecomposeContext; full takes every point's full
// decomposition whatever Settings.Eigen says (see decomposeOne).
func decompose(ctx context.Context, fp *FixedPoints, s Settings, full bool) error {
	s.fill()
	if err := s.validate(); err != nil {
		return err
	}
	if fp == nil {
		return fmt.Errorf("finder: decompose: nil fixed points")
	}
	N := fp.N
	for k, p := range fp.Points {
		if len(p.Jacobian) != N*N {
			return fmt.Errorf("finder: decompose: point %d has %d Jacobian values, want %d x %d (run EvalJacobians)", k, len(p.Jacobian), N, N)
		}
		if err := graph.CheckFinite(fmt.Sprintf("finder: decompose: jacobian of point %d", k), p.Jacobian, N); err != nil {
			return err
		}
	}
	// Each point's decomposition is its own (seconds each at N = 256), so
	// the points are split over the CPUs; a point's result does not depend
	// on the split, and the first error by point order is returned.
	modes := make([][]Mode, len(fp.Points))
	stab := make([]Stability, len(fp.Points))
	errs := make([]error, len(fp.Points))
	linalg.ParallelEach(len(fp.Points), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			if err := ctx.Err(); err != nil {
				errs[k] = fmt.Errorf("finder: decompose: %w", err)
				return
			}
			m, st, err := decomposePoint(N, &fp.Points[k], &s, full)
			if err != nil {
				errs[k] = fmt.Errorf("finder: decompose: point %d: %w", k, err)
				return
			}
			modes[k], stab[k] = m, st
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for k := range fp.Points {
		fp.Points[k].Modes, fp.Points[k].Stability = modes[k], stab[k]
	}
	return nil
}

// decomposePoint returns the modes and stability of p from its Jacobian
// (see Decompose; full as decomposeOne's), leaving p unchanged.
func decomposePoint(N int, p *Point, s *Settings, full bool) ([]Mode, Stability, error) {
	m, bound, schurRes, err := decomposeOne(N, p.Jacobian, s, full)
	if err != nil {
		return nil, Stability{}, err
	}
	if s.ContinuousTime {
		for i := range m {
			m[i].Value -= 1
		}
	}
	stability.SortModes(m, s.ContinuousTime)
	stability.SetBounds(m, p.Jacobian, N, p.JacobianError, schurRes, s.Dtype.Eps(), s.ContinuousTime)
	st := stability.Classify(m, s.MarginalTol, s.ContinuousTime)
	if bound >= 0 {
		st.Leading = true
		st.RemainderBound = bound
	}
	return m, st, nil
}

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
	// ContinuousTime the full decomposition is used. Where Linearize
	// proves the stability (Settings.ProveStabilityMaxN), whose proof
	// takes every mode, the full decomposition comes first and the
	// leading modes only for a point nothing was proved of: its Modes and
	// Stability are then the leading ones, as before the proof.
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
// Settings.Eigen says so and not full (bound >= 0 is then the proven bound
// on the others, and schurRes the Schur residual their error bounds
// include), else or when their proof fails all of them (bound -1,
// schurRes 0). full is for a point whose stability is to be proved
// (proveStabilityAt), which takes every mode: the leading ones first were
// a second decomposition, the larger part of linearizing a point at
// N = 1024 (Krylov-Schur ends in dense Schur work there).
func decomposeOne(N int, J []float64, s *Settings, full bool) (modes []Mode, bound, schurRes float64, err error) {
	if !full && useLeading(s, N) {
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

// HasBounds reports whether p's stability labels rest on per-mode error
// bounds (Mode.Bound, Mode.Cond, Mode.Class, Stability.NUndecided), as
// Decompose sets them. A point read from a file written before the bounds
// existed has Stable, NUnstable and NMarginal from its eigenvalues alone
// (a mode within MarginalTol of the boundary marginal, the others stable
// or unstable by |lambda|) and every Mode.Class at its zero value,
// ModeUndecided. A bound or condition number is never exactly 0 once
// computed: the rounding of the Jacobian alone makes it positive.
func (p *Point) HasBounds() bool {
	if p.Stability.NUndecided != 0 {
		return true
	}
	for _, m := range p.Modes {
		if m.Bound != 0 || m.Cond != 0 || m.Class != ModeUndecided {
			return true
		}
	}
	return false
}
