package finder

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// Linearize fills the Jacobians of every point of fp (unless s.NoJacobians)
// and then their eigen-decomposition and stability (unless s.NoDecompose).
// See EvalJacobians and Decompose.
func Linearize(cell cells.Cell, fp *FixedPoints, s Settings) error {
	return LinearizeContext(context.Background(), cell, fp, s)
}

// LinearizeContext is Linearize that stops when ctx is canceled, between
// Jacobian passes and between eigen-decompositions, returning ctx's error
// (wrapped) and leaving fp unchanged by the step it interrupted.
func LinearizeContext(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings) error {
	s.fill()
	if s.NoJacobians {
		return nil
	}
	if err := EvalJacobiansContext(ctx, cell, fp, s); err != nil {
		return err
	}
	if s.NoDecompose {
		return nil
	}
	return DecomposeContext(ctx, fp, s)
}

// EvalJacobians sets Point.Jacobian (dF/dx, N x N), Point.InputJacobian
// (dF/du, N x M; nil when M = 0) and Point.JacobianError at every point of
// fp, evaluated in s.Dtype.
//
// JacobianError bounds how far the stored Jacobian may be from the Jacobian
// at the true fixed point near X (see JacobianErrorBound): the rounding of
// its evaluation plus the change of J over the Newton correction
// d = -(J - I)^+ (F(x) - x) that the residual implies, measured by a second
// Jacobian evaluation at x + d.
//
// The points go through one batched graph.Jacobians chunk by chunk, the chunk
// as large as s.JacobianBudget allows (see jacobianBatch), so that no more
// than the budget is held in batch buffers at once; jacobianEvals tells how
// many chunks that takes. On error fp is left unchanged.
func EvalJacobians(cell cells.Cell, fp *FixedPoints, s Settings) error {
	return EvalJacobiansContext(context.Background(), cell, fp, s)
}

// EvalJacobiansContext is EvalJacobians that stops when ctx is canceled (checked
// between the graph's seeded passes), returning ctx's error wrapped.
func EvalJacobiansContext(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings) error {
	s.fill()
	if err := s.validate(); err != nil {
		return err
	}
	if fp == nil {
		return fmt.Errorf("finder: jacobians: nil fixed points")
	}
	if cell == nil {
		return fmt.Errorf("finder: jacobians: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if fp.N != N || fp.M != M {
		return fmt.Errorf("finder: jacobians: points have N = %d, M = %d but the cell has N = %d, M = %d", fp.N, fp.M, N, M)
	}
	n := len(fp.Points)
	xs, us := make([][]float64, n), make([][]float64, n)
	for i, p := range fp.Points {
		if len(p.X) != N {
			return fmt.Errorf("finder: jacobians: point %d has %d state values, want %d", i, len(p.X), N)
		}
		if len(p.U) != M {
			return fmt.Errorf("finder: jacobians: point %d has %d input values, want %d", i, len(p.U), M)
		}
		if err := checkFinite(fmt.Sprintf("point %d state", i), p.X, N); err != nil {
			return fmt.Errorf("finder: jacobians: %w", err)
		}
		xs[i], us[i] = p.X, p.U
	}
	if n == 0 {
		return nil
	}
	bc := jacobianBatch(n, N, M, s.JacobianBudget)
	jac, err := graph.NewJacobians(cell, bc, s.Dtype)
	if err != nil {
		return fmt.Errorf("finder: jacobians: %w", err)
	}
	outX, outU, fs, err := evalJacobians(ctx, jac, xs, us)
	if err != nil {
		return err
	}
	errs, err := jacobianErrors(ctx, jac, xs, us, fs, outX, s.Dtype.Eps())
	if err != nil {
		return err
	}
	for k := range fp.Points {
		fp.Points[k].Jacobian = outX[k]
		fp.Points[k].InputJacobian = outU[k]
		fp.Points[k].JacobianError = errs[k]
	}
	return nil
}

// evalJacobians evaluates dF/dx, dF/du and F at the states xs and inputs us
// through jac, chunk by chunk, checking that every value is finite.
func evalJacobians(ctx context.Context, jac *graph.Jacobians, xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
	n, bc, N, M := len(xs), jac.B(), jac.N(), jac.M()
	x := make([]float64, bc*N)
	u := make([]float64, bc*M)
	jx := make([]float64, bc*N*N)
	var ju []float64
	if M > 0 {
		ju = make([]float64, bc*N*M)
	}
	outX, outU, fs = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for lo := 0; lo < n; lo += bc {
		hi := min(lo+bc, n)
		for b := 0; b < bc; b++ {
			// Pad a ragged last chunk by repeating its last point.
			k := min(lo+b, hi-1)
			copy(x[b*N:(b+1)*N], xs[k])
			copy(u[b*M:(b+1)*M], us[k])
		}
		if err := jac.EvalContext(ctx, x, u, jx, ju); err != nil {
			return nil, nil, nil, fmt.Errorf("finder: jacobians of points %d..%d: %w", lo, hi-1, err)
		}
		for k := lo; k < hi; k++ {
			b := k - lo
			j := append([]float64(nil), jx[b*N*N:(b+1)*N*N]...)
			if err := graph.CheckFinite(fmt.Sprintf("finder: jacobian of point %d", k), j, N); err != nil {
				return nil, nil, nil, err
			}
			outX[k] = j
			fs[k] = append([]float64(nil), jac.F()[b*N:(b+1)*N]...)
			if M > 0 {
				ji := append([]float64(nil), ju[b*N*M:(b+1)*N*M]...)
				if err := graph.CheckFinite(fmt.Sprintf("finder: input jacobian of point %d", k), ji, M); err != nil {
					return nil, nil, nil, err
				}
				outU[k] = ji
			}
		}
	}
	return outX, outU, fs, nil
}

// jacobianBatch is the number of points whose Jacobians are evaluated at
// once: as many as fit in budget bytes of float64 Jacobian buffers
// (N*N + N*M values a point), at most n and at least 1.
func jacobianBatch(n, N, M, budget int) int {
	per := 8 * (N*N + N*M)
	bc := n
	if per > 0 && budget/per < bc {
		bc = budget / per
	}
	return max(bc, 1)
}

// jacobianEvals is the number of batched Jacobian evaluations (each N
// seeded passes) that EvalJacobians spends on n points, for Stats: its chunks
// at the points and, for JacobianError, as many at their Newton-corrected
// states (an upper bound: points whose correction moves nothing are not
// evaluated again).
func jacobianEvals(n, N, M int, s Settings) int {
	if n == 0 || s.NoJacobians {
		return 0
	}
	s.fill()
	bc := jacobianBatch(n, N, M, s.JacobianBudget)
	return 2 * ((n + bc - 1) / bc)
}
