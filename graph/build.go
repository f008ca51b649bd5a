package graph

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// step is one cell step built over a batch in its own graph: the inputs
// X (B x N), U (B x M, nil when M = 0), the weight nodes and F(X, U).
type step struct {
	cell    cells.Cell
	dtype   Dtype
	B, N, M int
	g       *G.ExprGraph
	x, u    *G.Node
	params  []*G.Node // nil for empty params (e.g. input weights when M = 0)
	f       *G.Node
	xT, uT  *tensor.Dense
}

// buildStep builds F(X, U) for batch size B. Weights are input nodes bound
// to a copy of the cell's current values (they are constants for the search:
// no gradient is compiled for them).
func buildStep(cell cells.Cell, B int, d Dtype) (s *step, err error) {
	if cell == nil {
		return nil, fmt.Errorf("graph: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if N <= 0 || M < 0 {
		return nil, fmt.Errorf("graph: cell has state size %d and input size %d", N, M)
	}
	if B <= 0 {
		return nil, fmt.Errorf("graph: batch size %d, want > 0", B)
	}
	if err := cells.CheckFinite(cell); err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	defer recoverErr("build step", &err)
	s = &step{cell: cell, dtype: d, B: B, N: N, M: M, g: G.NewGraph()}
	dt := d.tensor()
	s.xT = newDense(d, B, N, nil)
	s.x = G.NewMatrix(s.g, dt, G.WithShape(B, N), G.WithName("X"), G.WithValue(s.xT))
	if M > 0 {
		s.uT = newDense(d, B, M, nil)
		s.u = G.NewMatrix(s.g, dt, G.WithShape(B, M), G.WithName("U"), G.WithValue(s.uT))
	}
	for i, p := range cell.Params() {
		if p.Rows*p.Cols == 0 {
			s.params = append(s.params, nil)
			continue
		}
		v := newDense(d, p.Rows, p.Cols, p.Data)
		n := G.NewMatrix(s.g, dt, G.WithShape(p.Rows, p.Cols), G.WithName(fmt.Sprintf("param%d_%s", i, p.Name)), G.WithValue(v))
		s.params = append(s.params, n)
	}
	f, err := cell.Step(s.x, s.u, s.params)
	if err != nil {
		return nil, fmt.Errorf("graph: cell step: %w", err)
	}
	if sh := f.Shape(); len(sh) != 2 || sh[0] != B || sh[1] != N {
		return nil, fmt.Errorf("graph: cell step returned shape %v, want (%d, %d)", sh, B, N)
	}
	s.f = f
	return s, nil
}

// inputs lists the bound input nodes, for CompileFunction.
func (s *step) inputs() G.Nodes {
	ns := G.Nodes{s.x}
	if s.u != nil {
		ns = append(ns, s.u)
	}
	for _, p := range s.params {
		if p != nil {
			ns = append(ns, p)
		}
	}
	return ns
}

// setX copies B x N states in.
func (s *step) setX(x []float64) error {
	if len(x) != s.B*s.N {
		return fmt.Errorf("graph: %d state values, want %d x %d", len(x), s.B, s.N)
	}
	copyIn(s.xT, x)
	return nil
}

// setU copies B x M inputs in; one row (M values) is broadcast to all rows.
func (s *step) setU(u []float64) error {
	if s.M == 0 {
		if len(u) != 0 {
			return fmt.Errorf("graph: cell takes no input, got %d input values", len(u))
		}
		return nil
	}
	switch len(u) {
	case s.B * s.M:
		copyIn(s.uT, u)
	case s.M:
		full := make([]float64, s.B*s.M)
		for b := 0; b < s.B; b++ {
			copy(full[b*s.M:], u)
		}
		copyIn(s.uT, full)
	default:
		return fmt.Errorf("graph: %d input values, want %d (one row) or %d x %d", len(u), s.M, s.B, s.M)
	}
	return nil
}

// compile compiles only the given outputs (each a G.Read node) into a machine.
func (s *step) compile(outputs G.Nodes, extra ...*G.Node) (m G.VM, err error) {
	defer recoverErr("compile", &err)
	in := append(s.inputs(), extra...)
	prog, locMap, err := G.CompileFunction(s.g, in, outputs)
	if err != nil {
		return nil, fmt.Errorf("graph: compile: %w", err)
	}
	return G.NewTapeMachine(s.g, G.WithPrecompiled(prog, locMap)), nil
}

// run runs a machine once and resets it, turning panics into errors.
func run(m G.VM) (err error) {
	defer recoverErr("run", &err)
	defer m.Reset()
	if err := m.RunAll(); err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	return nil
}

func recoverErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("graph: %s: gorgonia panicked: %v", what, r)
	}
}

// CheckFinite returns an error naming the first NaN or Inf in v, read as
// rows of width cols.
func CheckFinite(what string, v []float64, cols int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if cols > 0 {
				return fmt.Errorf("%s: value at row %d, column %d is %v", what, i/cols, i%cols, x)
			}
			return fmt.Errorf("%s: value %d is %v", what, i, x)
		}
	}
	return nil
}
