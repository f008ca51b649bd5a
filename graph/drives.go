package graph

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// drives is the input side of a step of a cells.Driven cell: a small program
// that computes the drives D(U) into dT, which the step's graph reads as
// inputs. The search holds U constant, so the objective runs it once per
// input instead of computing U*W_ih + b on every iteration.
type drives struct {
	m  G.VM
	v  []G.Value
	dT []*tensor.Dense
}

// buildDrivenStepOn builds F as buildStepOn does, but for a cells.Driven
// cell with inputs it computes the drives in a program of their own; the
// step's graph then has no U node (s.u is nil) and s.drv is set. Other
// cells get buildStepOn.
func buildDrivenStepOn(cell cells.Cell, d Dtype, xT, uT *tensor.Dense) (s *step, err error) {
	dc, ok := cell.(cells.Driven)
	if !ok || cell.InputSize() == 0 {
		return buildStepOn(cell, d, xT, uT)
	}
	defer recoverErr("build driven step", &err)
	B, N, M := xT.Shape()[0], cell.StateSize(), cell.InputSize()
	dt := d.tensor()

	// The drive program: U and the weights in, the drives out.
	dg := G.NewGraph()
	u := G.NewMatrix(dg, dt, G.WithShape(B, M), G.WithName("U"), G.WithValue(uT))
	dp := paramNodes(dg, cell, d)
	dn, err := dc.Drives(u, dp)
	if err != nil {
		return nil, fmt.Errorf("graph: cell drives: %w", err)
	}
	drv := &drives{v: make([]G.Value, len(dn))}
	reads := G.Nodes{}
	for i, n := range dn {
		sh := n.Shape()
		if len(sh) != 2 || sh[0] != B {
			return nil, fmt.Errorf("graph: cell drive %d has shape %v, want (%d, k)", i, sh, B)
		}
		drv.dT = append(drv.dT, newDense(d, B, sh[1], nil))
		reads = append(reads, G.Read(n, &drv.v[i]))
	}
	in := append(G.Nodes{u}, usedParams(dg, dp)...)
	prog, locMap, err := G.CompileFunction(dg, in, reads)
	if err != nil {
		return nil, fmt.Errorf("graph: compile drives: %w", err)
	}
	drv.m = G.NewTapeMachine(dg, G.WithPrecompiled(prog, locMap))

	// The step: X, the drives and the weights in.
	s = &step{cell: cell, dtype: d, B: B, N: N, M: M, g: G.NewGraph(), xT: xT, uT: uT, drv: drv}
	s.x = G.NewMatrix(s.g, dt, G.WithShape(B, N), G.WithName("X"), G.WithValue(xT))
	for i, t := range drv.dT {
		s.d = append(s.d, G.NewMatrix(s.g, dt, G.WithShape(t.Shape()...), G.WithName(fmt.Sprintf("D%d", i)), G.WithValue(t)))
	}
	s.params = paramNodes(s.g, cell, d)
	if err := s.setF(dc.StepDriven(s.x, s.d, s.params)); err != nil {
		return nil, err
	}
	return s, nil
}

// refresh recomputes the drives from the current U.
func (dv *drives) refresh() error {
	if err := run(dv.m); err != nil {
		return err
	}
	for i, v := range dv.v {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return fmt.Errorf("graph: drive %d read as %T", i, v)
		}
		switch dst := dv.dT[i].Data().(type) {
		case []float64:
			copy(dst, t.Data().([]float64))
		case []float32:
			copy(dst, t.Data().([]float32))
		}
	}
	return nil
}

// refreshDrives recomputes the drives of every driven step in ss.
func refreshDrives(ss []*step) error {
	for _, s := range ss {
		if s.drv != nil {
			if err := s.drv.refresh(); err != nil {
				return err
			}
		}
	}
	return nil
}
