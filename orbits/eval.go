package orbits

import (
	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// evaluator computes F and its Jacobians at any number of states of one
// cell under one constant input, with graphs compiled per padded batch size
// (a power of two) and kept for reuse. It belongs to one goroutine.
type evaluator struct {
	cell  cells.Cell
	N, M  int
	u     []float64
	jacs  map[int]*graph.Jacobians
	steps map[int]*graph.Stepper
}

func newEvaluator(cell cells.Cell, u []float64) *evaluator {
	return &evaluator{cell: cell, N: cell.StateSize(), M: cell.InputSize(), u: u,
		jacs: map[int]*graph.Jacobians{}, steps: map[int]*graph.Stepper{}}
}

// padded is the least power of two >= rows.
func padded(rows int) int {
	p := 1
	for p < rows {
		p *= 2
	}
	return p
}

// pad returns x (rows x N) extended to P rows by repeating its last row.
func (e *evaluator) pad(x []float64, P int) []float64 {
	N := e.N
	out := make([]float64, P*N)
	copy(out, x)
	rows := len(x) / N
	for r := rows; r < P; r++ {
		copy(out[r*N:], x[(rows-1)*N:rows*N])
	}
	return out
}

// step returns F at the rows of x.
func (e *evaluator) step(x []float64) ([]float64, error) {
	rows := len(x) / e.N
	P := padded(rows)
	st, ok := e.steps[P]
	if !ok {
		var err error
		if st, err = graph.NewStepper(e.cell, P, graph.Float64); err != nil {
			return nil, err
		}
		e.steps[P] = st
	}
	out := make([]float64, P*e.N)
	if err := st.Step(e.pad(x, P), e.u, out); err != nil {
		return nil, err
	}
	return out[:rows*e.N], nil
}

// jacobians returns F and dF/dx (rows x N x N) at the rows of x.
func (e *evaluator) jacobians(x []float64) (f, jx []float64, err error) {
	N := e.N
	rows := len(x) / N
	P := padded(rows)
	j, ok := e.jacs[P]
	if !ok {
		if j, err = graph.NewJacobians(e.cell, P, graph.Float64); err != nil {
			return nil, nil, err
		}
		e.jacs[P] = j
	}
	jx = make([]float64, P*N*N)
	if err := j.Eval(e.pad(x, P), e.u, jx, nil); err != nil {
		return nil, nil, err
	}
	return append([]float64(nil), j.F()[:rows*N]...), jx[:rows*N*N], nil
}
