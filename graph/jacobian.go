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
// give all B of them.
//
// With L lanes each point is repeated L times in the graph's batch and each
// copy is seeded with a different direction, so one pass yields L rows of
// every Jacobian and ceil(N/L) passes suffice. The work is the same; the
// per-pass overhead is paid N/L times instead of N, and for few points of a
// large network the matrix products become efficient (a 1000-unit Hopfield
// network's Jacobians at 3 points go from 1000 thin passes to a handful).
//
// It belongs to one goroutine.
type Jacobians struct {
	B, L     int
	s        *step
	m        G.VM
	seed     *G.Node
	seedT    *tensor.Dense
	jxV, juV G.Value
	F        []float64 // F(X, U) at the last evaluated points, B x N
	fV       G.Value
	fRep     []float64
	rowX     []float64
	rowU     []float64
	seedBuf  []float64
	xRep     []float64
	uRep     []float64
}

// NewJacobians builds and compiles the Jacobian passes for B points, with
// lanes chosen by DefaultLanes.
func NewJacobians(cell cells.Cell, B int, d Dtype) (*Jacobians, error) {
	if cell == nil {
		return nil, fmt.Errorf("graph: nil cell")
	}
	return NewJacobiansLanes(cell, B, DefaultLanes(B, cell.StateSize()), d)
}

// DefaultLanes picks the lanes for B points of N states: enough to make
// about 2048 rows per pass, at most N, and at least 1.
func DefaultLanes(B, N int) int {
	return max(1, min(N, 2048/max(B, 1)))
}

// NewJacobiansLanes builds and compiles the Jacobian passes for B points
// with L lanes (1 <= L <= N).
func NewJacobiansLanes(cell cells.Cell, B, L int, d Dtype) (j *Jacobians, err error) {
	if cell != nil && (L < 1 || L > cell.StateSize()) {
		return nil, fmt.Errorf("graph: %d lanes for %d states, want 1..%d", L, cell.StateSize(), cell.StateSize())
	}
	s, err := buildStep(cell, B*L, d)
	if err != nil {
		return nil, err
	}
	defer recoverErr("build jacobians", &err)
	j = &Jacobians{s: s, B: B, L: L}
	j.seedT = newDense(d, B*L, s.N, nil)
	j.seed = G.NewMatrix(s.g, d.tensor(), G.WithShape(B*L, s.N), G.WithName("S"), G.WithValue(j.seedT))
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
	j.fRep = make([]float64, B*L*s.N)
	j.rowX = make([]float64, B*L*s.N)
	j.rowU = make([]float64, B*L*s.M)
	j.seedBuf = make([]float64, B*L*s.N)
	j.xRep = make([]float64, B*L*s.N)
	j.uRep = make([]float64, B*L*s.M)
	return j, nil
}

// Size is the number of points evaluated at once.
func (j *Jacobians) Size() int { return j.B }

// N and M are the state size and input size.
func (j *Jacobians) N() int { return j.s.N }
func (j *Jacobians) M() int { return j.s.M }

// Eval computes the Jacobians at states x (B x N) and inputs u (B x M, or
// one row of M). jx receives B x N x N values, jx[b*N*N + i*N + k] =
// dF_i/dx_k at point b; ju receives B x N x M values likewise (it may be nil
// when not wanted, or when M = 0). F holds F(x, u) afterwards.
func (j *Jacobians) Eval(x, u []float64, jx, ju []float64) error {
	B, L, N, M := j.B, j.L, j.s.N, j.s.M
	if len(jx) != B*N*N {
		return fmt.Errorf("graph: jacobian buffer has %d values, want %d x %d x %d", len(jx), B, N, N)
	}
	if ju != nil && len(ju) != B*N*M {
		return fmt.Errorf("graph: input jacobian buffer has %d values, want %d x %d x %d", len(ju), B, N, M)
	}
	if len(x) != B*N {
		return fmt.Errorf("graph: %d state values, want %d x %d", len(x), B, N)
	}
	switch len(u) {
	case B * M:
		for b := 0; b < B; b++ {
			for l := 0; l < L; l++ {
				copy(j.uRep[(b*L+l)*M:(b*L+l+1)*M], u[b*M:(b+1)*M])
			}
		}
	case M:
		for r := 0; r < B*L; r++ {
			copy(j.uRep[r*M:(r+1)*M], u)
		}
	default:
		return fmt.Errorf("graph: %d input values, want %d (one row) or %d x %d", len(u), M, B, M)
	}
	for b := 0; b < B; b++ {
		for l := 0; l < L; l++ {
			copy(j.xRep[(b*L+l)*N:(b*L+l+1)*N], x[b*N:(b+1)*N])
		}
	}
	if err := j.s.setX(j.xRep); err != nil {
		return err
	}
	if err := j.s.setU(j.uRep); err != nil {
		return err
	}
	for p := 0; p*L < N; p++ {
		for k := range j.seedBuf {
			j.seedBuf[k] = 0
		}
		for b := 0; b < B; b++ {
			for l := 0; l < L && p*L+l < N; l++ {
				j.seedBuf[(b*L+l)*N+p*L+l] = 1
			}
		}
		copyIn(j.seedT, j.seedBuf)
		if err := run(j.m); err != nil {
			return err
		}
		if err := copyOut(j.rowX, j.jxV.(tensor.Tensor)); err != nil {
			return err
		}
		if ju != nil && M > 0 {
			if err := copyOut(j.rowU, j.juV.(tensor.Tensor)); err != nil {
				return err
			}
		}
		for b := 0; b < B; b++ {
			for l := 0; l < L && p*L+l < N; l++ {
				i, r := p*L+l, b*L+l
				copy(jx[b*N*N+i*N:b*N*N+(i+1)*N], j.rowX[r*N:(r+1)*N])
				if ju != nil && M > 0 {
					copy(ju[b*N*M+i*M:b*N*M+(i+1)*M], j.rowU[r*M:(r+1)*M])
				}
			}
		}
		if p == 0 {
			if err := copyOut(j.fRep, j.fV.(tensor.Tensor)); err != nil {
				return err
			}
			for b := 0; b < B; b++ {
				copy(j.F[b*N:(b+1)*N], j.fRep[b*L*N:(b*L+1)*N])
			}
		}
	}
	return nil
}
