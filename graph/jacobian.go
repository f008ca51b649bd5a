package graph

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Jacobians evaluates dF/dx (N x N) and dF/du (N x M) at B points at once
// with seeded vector-Jacobian passes: seeding the backward pass with the
// one-hot rows S = e_i gives row i of every point's Jacobians, so N passes
// give all B of them. It belongs to one goroutine.
type Jacobians struct {
	s        *step
	m        G.VM
	seed     *G.Node
	seedT    *tensor.Dense
	jxV, juV G.Value
	F        []float64 // F(X, U) at the last evaluated points, B x N
	fV       G.Value
	rowX     []float64
	rowU     []float64
	seedBuf  []float64
}

// NewJacobians builds and compiles the Jacobian passes for batch size B.
func NewJacobians(cell cells.Cell, B int, d Dtype) (j *Jacobians, err error) {
	s, err := buildStep(cell, B, d)
	if err != nil {
		return nil, err
	}
	defer recoverErr("build jacobians", &err)
	j = &Jacobians{s: s}
	j.seedT = newDense(d, B, s.N, nil)
	j.seed = G.NewMatrix(s.g, d.tensor(), G.WithShape(B, s.N), G.WithName("S"), G.WithValue(j.seedT))
	wrt := G.Nodes{s.x}
	if s.u != nil {
		wrt = append(wrt, s.u)
	}
	vjp, err := G.Backpropagate(G.Nodes{s.f}, G.Nodes{j.seed}, wrt)
	if err != nil {
		return nil, fmt.Errorf("graph: vector-Jacobian product: %w", err)
	}
	outs := G.Nodes{G.Read(vjp[0], &j.jxV), G.Read(s.f, &j.fV)}
	if s.u != nil {
		outs = append(outs, G.Read(vjp[1], &j.juV))
	}
	if j.m, err = s.compile(outs, j.seed); err != nil {
		return nil, err
	}
	j.F = make([]float64, B*s.N)
	j.rowX = make([]float64, B*s.N)
	j.rowU = make([]float64, B*s.M)
	j.seedBuf = make([]float64, B*s.N)
	return j, nil
}

// B, N and M are the batch size, state size and input size.
func (j *Jacobians) B() int { return j.s.B }
func (j *Jacobians) N() int { return j.s.N }
func (j *Jacobians) M() int { return j.s.M }

// Eval computes the Jacobians at states x (B x N) and inputs u (B x M, or
// one row of M). jx receives B x N x N values, jx[b*N*N + i*N + k] =
// dF_i/dx_k at point b; ju receives B x N x M values likewise (it may be nil
// when not wanted, or when M = 0).
func (j *Jacobians) Eval(x, u []float64, jx, ju []float64) error {
	B, N, M := j.s.B, j.s.N, j.s.M
	if len(jx) != B*N*N {
		return fmt.Errorf("graph: jacobian buffer has %d values, want %d x %d x %d", len(jx), B, N, N)
	}
	if ju != nil && len(ju) != B*N*M {
		return fmt.Errorf("graph: input jacobian buffer has %d values, want %d x %d x %d", len(ju), B, N, M)
	}
	if err := j.s.setX(x); err != nil {
		return err
	}
	if err := j.s.setU(u); err != nil {
		return err
	}
	for i := 0; i < N; i++ {
		for k := range j.seedBuf {
			j.seedBuf[k] = 0
		}
		for b := 0; b < B; b++ {
			j.seedBuf[b*N+i] = 1
		}
		copyIn(j.seedT, j.seedBuf)
		if err := run(j.m); err != nil {
			return err
		}
		if err := copyOut(j.rowX, j.jxV.(tensor.Tensor)); err != nil {
			return err
		}
		for b := 0; b < B; b++ {
			copy(jx[b*N*N+i*N:b*N*N+(i+1)*N], j.rowX[b*N:(b+1)*N])
		}
		if ju != nil && M > 0 {
			if err := copyOut(j.rowU, j.juV.(tensor.Tensor)); err != nil {
				return err
			}
			for b := 0; b < B; b++ {
				copy(ju[b*N*M+i*M:b*N*M+(i+1)*M], j.rowU[b*M:(b+1)*M])
			}
		}
		if i == 0 {
			if err := copyOut(j.F, j.fV.(tensor.Tensor)); err != nil {
				return err
			}
		}
	}
	return nil
}
