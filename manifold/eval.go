package manifold

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
)

// evaluator computes F, dF/dx and dF/du at one state under a fixed input,
// in float64, through the graph package.
type evaluator struct {
	N, M int
	u    []float64
	st   *graph.Stepper
	jac  *graph.Jacobians
	f    []float64 // scratch for F
	jx   []float64 // N x N
	ju   []float64 // N x M
}

func newEvaluator(cell cells.Cell, u []float64) (*evaluator, error) {
	if cell == nil {
		return nil, fmt.Errorf("manifold: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if N <= 0 {
		return nil, fmt.Errorf("manifold: cell state size is %d", N)
	}
	if len(u) != M {
		return nil, fmt.Errorf("manifold: %w: input has %d values, the cell takes %d", cells.ErrShape, len(u), M)
	}
	if err := graph.CheckFinite("manifold: input", u, max(M, 1)); err != nil {
		return nil, err
	}
	st, err := graph.NewStepper(cell, 1, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("manifold: %w", err)
	}
	jac, err := graph.NewJacobians(cell, 1, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("manifold: %w", err)
	}
	return &evaluator{N: N, M: M, u: append([]float64(nil), u...), st: st, jac: jac,
		f: make([]float64, N), jx: make([]float64, N*N), ju: make([]float64, N*M)}, nil
}

// residual returns r = F(x) - x (a fresh slice) and q = ½‖r‖².
func (e *evaluator) residual(x []float64) (r []float64, q float64, err error) {
	if err := e.st.Step(x, e.u, e.f); err != nil {
		return nil, 0, fmt.Errorf("manifold: evaluate F: %w", err)
	}
	r = make([]float64, e.N)
	for i := range r {
		r[i] = e.f[i] - x[i]
		q += r[i] * r[i]
	}
	return r, q / 2, nil
}

// jacobians evaluates dF/dx (into e.jx) and dF/du (into e.ju) at x.
func (e *evaluator) jacobians(x []float64) error {
	var ju []float64
	if e.M > 0 {
		ju = e.ju
	}
	if err := e.jac.Eval(x, e.u, e.jx, ju); err != nil {
		return fmt.Errorf("manifold: evaluate Jacobians: %w", err)
	}
	return graph.CheckFinite("manifold: jacobian", e.jx, e.N)
}

// modes eigen-decomposes the last Jacobian (finder.Decompose: unit right
// and left eigenvectors, sorted by |lambda| descending).
func (e *evaluator) modes() ([]finder.Mode, error) {
	fp := &finder.FixedPoints{N: e.N, M: e.M, Points: []finder.Point{{
		X: make([]float64, e.N), U: e.u, Jacobian: append([]float64(nil), e.jx...)}}}
	if err := finder.Decompose(fp, finder.DefaultSettings()); err != nil {
		return nil, fmt.Errorf("manifold: %w", err)
	}
	return fp.Points[0].Modes, nil
}
