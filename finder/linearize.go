package finder

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// Linearize fills the Jacobians of every point of fp (unless s.NoJacobians)
// and then their eigen-decomposition and stability (unless s.NoDecompose).
// See EvalJacobians and Decompose.
func Linearize(cell cells.Cell, fp *FixedPoints, s Settings) error {
	s.fill()
	if s.NoJacobians {
		return nil
	}
	if err := EvalJacobians(cell, fp, s); err != nil {
		return err
	}
	if s.NoDecompose {
		return nil
	}
	return Decompose(fp, s)
}

// EvalJacobians sets Point.Jacobian (dF/dx, N x N) and Point.InputJacobian
// (dF/du, N x M; nil when M = 0) at every point of fp, evaluated in s.Dtype.
//
// The points go through one batched graph.Jacobians chunk by chunk, the chunk
// as large as s.JacobianBudget allows (see jacobianBatch), so that no more
// than the budget is held in batch buffers at once; jacobianEvals tells how
// many chunks that takes. On error fp is left unchanged.
func EvalJacobians(cell cells.Cell, fp *FixedPoints, s Settings) error {
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
	for i, p := range fp.Points {
		if len(p.X) != N {
			return fmt.Errorf("finder: jacobians: point %d has %d state values, want %d", i, len(p.X), N)
		}
		if len(p.U) != M {
			return fmt.Errorf("finder: jacobians: point %d has %d input values, want %d", i, len(p.U), M)
		}
	}
	if n == 0 {
		return nil
	}

	bc := jacobianBatch(n, N, M, s.JacobianBudget)
	jac, err := graph.NewJacobians(cell, bc, s.Dtype)
	if err != nil {
		return fmt.Errorf("finder: jacobians: %w", err)
	}
	x := make([]float64, bc*N)
	u := make([]float64, bc*M)
	jx := make([]float64, bc*N*N)
	var ju []float64
	if M > 0 {
		ju = make([]float64, bc*N*M)
	}
	outX := make([][]float64, n)
	outU := make([][]float64, n)
	for lo := 0; lo < n; lo += bc {
		hi := min(lo+bc, n)
		for b := 0; b < bc; b++ {
			// Pad a ragged last chunk by repeating its last point.
			p := &fp.Points[min(lo+b, hi-1)]
			copy(x[b*N:(b+1)*N], p.X)
			copy(u[b*M:(b+1)*M], p.U)
		}
		if err := jac.Eval(x, u, jx, ju); err != nil {
			return fmt.Errorf("finder: jacobians of points %d..%d: %w", lo, hi-1, err)
		}
		for k := lo; k < hi; k++ {
			b := k - lo
			j := append([]float64(nil), jx[b*N*N:(b+1)*N*N]...)
			if err := graph.CheckFinite(fmt.Sprintf("finder: jacobian of point %d", k), j, N); err != nil {
				return err
			}
			outX[k] = j
			if M > 0 {
				ji := append([]float64(nil), ju[b*N*M:(b+1)*N*M]...)
				if err := graph.CheckFinite(fmt.Sprintf("finder: input jacobian of point %d", k), ji, M); err != nil {
					return err
				}
				outU[k] = ji
			}
		}
	}
	for k := range fp.Points {
		fp.Points[k].Jacobian = outX[k]
		fp.Points[k].InputJacobian = outU[k]
	}
	return nil
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
// seeded passes) that EvalJacobians spends on n points, for Stats.
func jacobianEvals(n, N, M int, s Settings) int {
	if n == 0 || s.NoJacobians {
		return 0
	}
	s.fill()
	bc := jacobianBatch(n, N, M, s.JacobianBudget)
	return (n + bc - 1) / bc
}
