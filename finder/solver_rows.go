package finder

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rowSolver is the first-order solver of one batch as the search drives it:
// our CandidateAdam, which freezes rows and keeps a learning rate per row
// itself, or any gorgonia.Solver from Settings.NewSolver, which gets the
// same freezing from masking (see stepMasked).
type rowSolver struct {
	adam     *CandidateAdam // ours, or nil
	stock    G.Solver       // a solver from Settings.NewSolver, or nil
	rows     int
	n        int
	frozen   []bool
	saved    []float64 // frozen rows' values across a stock step
	lr       float64   // the learning rate the TolDQ test uses for a stock solver
	newStock func(rows, n int) G.Solver
}

// newRowSolver returns the solver of a batch of rows candidate rows of n
// values, the first live of them live (the rest is padding, frozen).
func newRowSolver(s *Settings, rows, n, live int) (*rowSolver, error) {
	r := &rowSolver{rows: rows, n: n, frozen: make([]bool, rows), lr: s.LearningRate, newStock: s.NewSolver}
	if s.NewSolver == nil {
		r.adam = NewCandidateAdam(rows, n, s.LearningRate, s.AdamEpsilon)
	} else if r.stock = s.NewSolver(rows, n); r.stock == nil {
		return nil, fmt.Errorf("finder: %w: NewSolver returned a nil solver", ErrSettings)
	}
	for b := live; b < rows; b++ {
		r.freeze(b)
	}
	return r, nil
}

// freeze stops row b from moving for the rest of this batch.
func (r *rowSolver) freeze(b int) {
	r.frozen[b] = true
	if r.adam != nil {
		r.adam.Freeze(b)
	}
}

// observe feeds row b's newest q to our learning-rate schedule (a stock
// solver keeps its own rate).
func (r *rowSolver) observe(b int, q float64) {
	if r.adam != nil {
		r.adam.Observe(b, q)
	}
}

// rate is row b's learning rate for the TolDQ test.
func (r *rowSolver) rate(b int) float64 {
	if r.adam != nil {
		return r.adam.LR[b]
	}
	return r.lr
}

// subset returns the solver of a smaller batch of B rows holding the given
// rows of r. Ours carries every row's state over; a stock solver's state is
// shaped like the whole batch, so the smaller batch gets a fresh one.
func (r *rowSolver) subset(rows []int, B int) (*rowSolver, error) {
	if r.adam != nil {
		t := &rowSolver{adam: r.adam.subset(rows, B), rows: B, n: r.n, frozen: make([]bool, B), lr: r.lr}
		for k := range t.frozen {
			t.frozen[k] = k >= len(rows) || r.frozen[rows[k]]
		}
		return t, nil
	}
	t, err := newRowSolver(&Settings{NewSolver: r.newStock, LearningRate: r.lr}, B, r.n, len(rows))
	if err != nil {
		return nil, err
	}
	for k, row := range rows {
		if r.frozen[row] {
			t.freeze(k)
		}
	}
	return t, nil
}

// step takes one step of the batch value v.
func (r *rowSolver) step(v G.ValueGrad) error {
	if r.adam != nil {
		return r.adam.Step([]G.ValueGrad{v})
	}
	return r.stepMasked(v)
}

// stepMasked steps a stock solver so that frozen rows stay where they are:
// their gradient rows are zeroed before the step (so plain gradient steps
// leave them alone and no moment or accumulator grows from them) and their
// values are put back after it (momentum, Adam's moments from earlier
// steps, a Barzilai-Borwein rate or a regularizer would still move them).
func (r *rowSolver) stepMasked(v G.ValueGrad) error {
	gv, err := v.Grad()
	if err != nil {
		return fmt.Errorf("finder: solver: %w", err)
	}
	x, ok1 := v.Value().(*tensor.Dense)
	g, ok2 := gv.(*tensor.Dense)
	if !ok1 || !ok2 || x.Size() != r.rows*r.n || g.Size() != r.rows*r.n {
		return fmt.Errorf("finder: solver: want a %d x %d dense value and gradient", r.rows, r.n)
	}
	if r.saved == nil {
		r.saved = make([]float64, r.rows*r.n)
	}
	n := r.n
	switch xb := x.Data().(type) {
	case []float64:
		gb, ok := g.Data().([]float64)
		if !ok {
			return fmt.Errorf("finder: solver: gradient dtype %v for float64 values", g.Dtype())
		}
		for b, f := range r.frozen {
			if f {
				copy(r.saved[b*n:(b+1)*n], xb[b*n:(b+1)*n])
				clear(gb[b*n : (b+1)*n])
			}
		}
		if err := r.stock.Step([]G.ValueGrad{v}); err != nil {
			return fmt.Errorf("finder: solver: %w", err)
		}
		for b, f := range r.frozen {
			if f {
				copy(xb[b*n:(b+1)*n], r.saved[b*n:(b+1)*n])
			}
		}
	case []float32:
		gb, ok := g.Data().([]float32)
		if !ok {
			return fmt.Errorf("finder: solver: gradient dtype %v for float32 values", g.Dtype())
		}
		for b, f := range r.frozen {
			if f {
				for i := b * n; i < (b+1)*n; i++ {
					r.saved[i] = float64(xb[i]) // exact
				}
				clear(gb[b*n : (b+1)*n])
			}
		}
		if err := r.stock.Step([]G.ValueGrad{v}); err != nil {
			return fmt.Errorf("finder: solver: %w", err)
		}
		for b, f := range r.frozen {
			if f {
				for i := b * n; i < (b+1)*n; i++ {
					xb[i] = float32(r.saved[i])
				}
			}
		}
	default:
		return fmt.Errorf("finder: solver: unsupported dtype %v", x.Dtype())
	}
	return nil
}
