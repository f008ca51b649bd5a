package graph

import (
	"context"
	"fmt"
	"slices"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Stepper runs a cell one step at a time for a batch of B states; a large
// batch runs as concurrent row blocks, as the objective's.
// It belongs to one goroutine.
type Stepper struct {
	b, n, m int
	xT, uT  *tensor.Dense
	parts   []*stepperPart
	ms      []G.VM
	steps   []*step
	lastU   []float64   // the inputs the drives were computed for; nil: none yet
	bytes   int64       // estimated, for Cache
	ce      *cacheEntry // set when checked out of a Cache
}

type stepperPart struct {
	lo, hi int
	fV     G.Value
}

// NewStepper builds and compiles one forward step for batch size B.
func NewStepper(cell cells.Cell, B int, d Dtype) (st *Stepper, err error) {
	if err := checkBatch(cell, B); err != nil {
		return nil, err
	}
	N, M := cell.StateSize(), cell.InputSize()
	st = &Stepper{b: B, n: N, m: M, xT: newDense(d, B, N, nil)}
	if M > 0 {
		st.uT = newDense(d, B, M, nil)
	}
	bounds := partBounds(B, N)
	for p := 0; p+1 < len(bounds); p++ {
		part := &stepperPart{lo: bounds[p], hi: bounds[p+1]}
		var uT *tensor.Dense
		if M > 0 {
			uT = rowsOf(st.uT, part.lo, part.hi)
		}
		s, err := buildDrivenStepOn(cell, d, rowsOf(st.xT, part.lo, part.hi), uT)
		if err != nil {
			return nil, err
		}
		st.steps = append(st.steps, s)
		st.bytes += graphBytes(s.g)
		m, err := s.compile(G.Nodes{G.Read(s.f, &part.fV)})
		if err != nil {
			return nil, err
		}
		st.parts = append(st.parts, part)
		st.ms = append(st.ms, m)
	}
	return st, nil
}

// Step computes out = F(x, u) for B x N states x and B x M (or 1 x M) inputs u.
func (st *Stepper) Step(x, u, out []float64) error {
	if err := setStates(st.xT, x, st.b, st.n); err != nil {
		return err
	}
	if st.lastU == nil || !slices.Equal(st.lastU, u) {
		if err := setInputs(st.uT, u, st.b, st.m); err != nil {
			return err
		}
		if err := refreshDrives(st.steps); err != nil {
			return err
		}
		st.lastU = append(st.lastU[:0], u...)
	}
	if len(out) != st.b*st.n {
		return fmt.Errorf("graph: output has %d values, want %d", len(out), st.b*st.n)
	}
	if err := runAll(st.ms); err != nil {
		return err
	}
	for _, p := range st.parts {
		if err := copyOut(out[p.lo*st.n:p.hi*st.n], p.fV.(tensor.Tensor)); err != nil {
			return err
		}
	}
	return nil
}

// Simulate runs cell over input sequences from initial states.
// x0 is B x N (or N values, shared by every trial); inputs is B x T x M
// row-major (trial, time, input). It returns the states B x T x N, where
// states[b][t] is the state after consuming inputs[b][t]. For an autonomous
// cell (M = 0) pass inputs nil and T > 0 steps via steps.
func Simulate(ctx context.Context, cell cells.Cell, x0, inputs []float64, B, T int, d Dtype) ([]float64, error) {
	if cell == nil {
		return nil, fmt.Errorf("graph: simulate: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if B <= 0 || T <= 0 {
		return nil, fmt.Errorf("graph: simulate: %d trials of %d steps, want both > 0", B, T)
	}
	if len(inputs) != B*T*M {
		return nil, fmt.Errorf("graph: simulate: %d input values, want %d trials x %d steps x %d inputs", len(inputs), B, T, M)
	}
	x := make([]float64, B*N)
	switch len(x0) {
	case B * N:
		copy(x, x0)
	case N:
		for b := 0; b < B; b++ {
			copy(x[b*N:], x0)
		}
	case 0:
	default:
		return nil, fmt.Errorf("graph: simulate: %d initial-state values, want %d (one state) or %d x %d", len(x0), N, B, N)
	}
	if err := CheckFinite("graph: simulate: initial state", x, N); err != nil {
		return nil, err
	}
	if err := CheckFinite("graph: simulate: inputs", inputs, M); err != nil {
		return nil, err
	}
	st, err := NewStepper(cell, B, d)
	if err != nil {
		return nil, err
	}
	out := make([]float64, B*T*N)
	u := make([]float64, B*M)
	next := make([]float64, B*N)
	for t := 0; t < T; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for b := 0; b < B; b++ {
			copy(u[b*M:(b+1)*M], inputs[(b*T+t)*M:(b*T+t+1)*M])
		}
		if err := st.Step(x, u, next); err != nil {
			return nil, err
		}
		x, next = next, x
		for b := 0; b < B; b++ {
			copy(out[(b*T+t)*N:(b*T+t+1)*N], x[b*N:(b+1)*N])
		}
	}
	return out, nil
}
