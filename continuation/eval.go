package continuation

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// evaluator computes F and the Jacobians of B rows in one batched graph each
// (graph.Objective for F, graph.Jacobians for dF/dx and dF/du). Every call
// evaluates all rows; callers set the rows they care about and ignore the
// others.
type evaluator struct {
	B, N, M int
	obj     *graph.Objective
	jac     *graph.Jacobians
	x, u    []float64 // B x N, B x M: the points of the next evaluation
	F       []float64 // B x N after f or jacobians
	Jx, Ju  []float64 // B x N x N, B x N x M after jacobians
	stats   *Stats
}

func newEvaluator(cell cells.Cell, B int, stats *Stats) (*evaluator, error) {
	obj, err := graph.NewObjective(cell, B, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	jac, err := graph.NewJacobians(cell, B, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	N, M := cell.StateSize(), cell.InputSize()
	return &evaluator{B: B, N: N, M: M, obj: obj, jac: jac,
		x: make([]float64, B*N), u: make([]float64, B*M), F: make([]float64, B*N),
		Jx: make([]float64, B*N*N), Ju: make([]float64, B*N*M), stats: stats}, nil
}

// set puts a point into row b.
func (e *evaluator) set(b int, x, u []float64) {
	copy(e.x[b*e.N:(b+1)*e.N], x)
	copy(e.u[b*e.M:(b+1)*e.M], u)
}

// f evaluates F at the rows' points.
func (e *evaluator) f() error {
	e.stats.FEvals++
	if err := e.obj.SetStates(e.x); err != nil {
		return fmt.Errorf("continuation: %w", err)
	}
	if err := e.obj.SetInputs(e.u); err != nil {
		return fmt.Errorf("continuation: %w", err)
	}
	if err := e.obj.Eval(); err != nil {
		return fmt.Errorf("continuation: evaluate F: %w", err)
	}
	copy(e.F, e.obj.F())
	return nil
}

// jacobians evaluates F, dF/dx and dF/du at the rows' points.
func (e *evaluator) jacobians() error {
	e.stats.JacobianEvals++
	if err := e.jac.Eval(e.x, e.u, e.Jx, e.Ju); err != nil {
		return fmt.Errorf("continuation: evaluate Jacobians: %w", err)
	}
	copy(e.F, e.jac.F())
	return nil
}

// rowF, rowJx and rowJu are row b's slices of the last evaluation.
func (e *evaluator) rowF(b int) []float64  { return e.F[b*e.N : (b+1)*e.N] }
func (e *evaluator) rowJx(b int) []float64 { return e.Jx[b*e.N*e.N : (b+1)*e.N*e.N] }
func (e *evaluator) rowJu(b int) []float64 { return e.Ju[b*e.N*e.M : (b+1)*e.N*e.M] }
