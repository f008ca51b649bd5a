package finder

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/graph"
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
	s.fill()
	if err := s.validate(); err != nil {
		return err
	}
	if fp == nil {
		return fmt.Errorf("finder: decompose: nil fixed points")
	}
	N := fp.N
	modes := make([][]Mode, len(fp.Points))
	bounds := make([]float64, len(fp.Points))
	for k, p := range fp.Points {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("finder: decompose: %w", err)
		}
		if len(p.Jacobian) != N*N {
			return fmt.Errorf("finder: decompose: point %d has %d Jacobian values, want %d x %d", k, len(p.Jacobian), N, N)
		}
		if err := graph.CheckFinite(fmt.Sprintf("finder: decompose: jacobian of point %d", k), p.Jacobian, N); err != nil {
			return err
		}
		m, bound, schurRes, err := decomposeOne(N, p.Jacobian, &s)
		if err != nil {
			return fmt.Errorf("finder: decompose: point %d: %w", k, err)
		}
		bounds[k] = bound
		if s.ContinuousTime {
			for i := range m {
				m[i].Value -= 1
			}
		}
		stability.SortModes(m, s.ContinuousTime)
		stability.SetBounds(m, p.Jacobian, N, p.JacobianError, schurRes, s.Dtype.Eps(), s.ContinuousTime)
		modes[k] = m
	}
	for k := range fp.Points {
		fp.Points[k].Modes = modes[k]
		fp.Points[k].Stability = stability.Classify(modes[k], s.MarginalTol, s.ContinuousTime)
		if bounds[k] >= 0 {
			fp.Points[k].Stability.Leading = true
			fp.Points[k].Stability.RemainderBound = bounds[k]
		}
	}
	return nil
}
