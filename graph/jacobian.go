package graph

import (
	"context"
	"errors"
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
// A cell that knows its Jacobians in closed form (cells.Linearized: the
// built-in RNN, GRU and LSTM) gets them from one forward pass instead (see
// closedForm); NewJacobians picks that, NewJacobiansLanes always seeds.
//
// It belongs to one goroutine.
type Jacobians struct {
	closed   *closedForm // nil: seeded passes
	b, lanes int
	n, m     int
	dtype    Dtype
	xT, uT   *tensor.Dense // the B*L replicated rows; parts read views of them
	seedT    *tensor.Dense
	parts    []*jacobianPart
	ms       []G.VM
	f        []float64 // F(X, U) at the last evaluated points, B x N
	fRep     []float64
	rowX     []float64
	rowU     []float64
	seedBuf  []float64
	xRep     []float64
	uRep     []float64
	bytes    int64       // estimated, for Cache
	ce       *cacheEntry // set when checked out of a Cache
}

// jacobianPart is the graph of a block of rows [lo, hi) of the replicated
// batch; the blocks run concurrently, as the objective's do.
type jacobianPart struct {
	lo, hi       int
	jxV, juV, fV G.Value
}

// NewJacobians builds and compiles the Jacobians for B points: in closed
// form when the cell is a cells.Linearized that has one, else by seeded
// passes with lanes chosen by DefaultLanes.
func NewJacobians(cell cells.Cell, B int, d Dtype) (*Jacobians, error) {
	if cell == nil {
		return nil, fmt.Errorf("graph: nil cell")
	}
	if lc, ok := cell.(cells.Linearized); ok {
		j, err := newClosedJacobians(lc, B, d)
		if !errors.Is(err, cells.ErrNoClosedForm) {
			return j, err
		}
	}
	return NewJacobiansLanes(cell, B, DefaultLanes(B, cell.StateSize()), d)
}

// newClosedJacobians builds the closed-form Jacobians of cell for B points.
func newClosedJacobians(cell cells.Linearized, B int, d Dtype) (*Jacobians, error) {
	if err := checkBatch(cell, B); err != nil {
		return nil, err
	}
	N, M := cell.StateSize(), cell.InputSize()
	j := &Jacobians{b: B, n: N, m: M, dtype: d, xT: newDense(d, B, N, nil), f: make([]float64, B*N)}
	if M > 0 {
		j.uT = newDense(d, B, M, nil)
	}
	cf, err := newClosedForm(cell, B, d, j.xT, j.uT)
	if err != nil {
		return nil, err
	}
	j.closed = cf
	j.bytes = cf.bytes
	return j, nil
}

// ClosedForm reports whether the Jacobians come in closed form (one
// forward pass) rather than by seeded passes.
func (j *Jacobians) ClosedForm() bool { return j.closed != nil }

// DefaultLanes picks the lanes for B points of N states: enough to make
// about 4096 rows per pass (2^21 values at most, so a 1000-unit network's
// pass stays near 16 MB per intermediate), at most N and at least 1, then
// spread evenly over the passes that takes. Measured on 2 cores, 4096 rows
// beat 2048 by 5-13% for 16-unit cells and matched it elsewhere. Spreading
// keeps the last pass from being mostly idle lanes: 682 lanes for N = 1000
// make two passes, the second 318 lanes wide but as costly as the first;
// 500 lanes do the same two passes with a third less work.
func DefaultLanes(B, N int) int {
	rows := min(4096, max(1, (1<<21)/max(N, 1)))
	L := max(1, min(N, rows/max(B, 1)))
	passes := (N + L - 1) / L
	return (N + passes - 1) / passes
}

// NewJacobiansLanes builds and compiles the Jacobian passes for B points
// with L lanes (1 <= L <= N).
func NewJacobiansLanes(cell cells.Cell, B, L int, d Dtype) (j *Jacobians, err error) {
	if err := checkBatch(cell, B); err != nil {
		return nil, err
	}
	N, M := cell.StateSize(), cell.InputSize()
	if L < 1 || L > N {
		return nil, fmt.Errorf("graph: %d lanes for %d states, want 1..%d", L, N, N)
	}
	R := B * L
	j = &Jacobians{b: B, lanes: L, n: N, m: M, dtype: d,
		xT: newDense(d, R, N, nil), seedT: newDense(d, R, N, nil)}
	if M > 0 {
		j.uT = newDense(d, R, M, nil)
	}
	bounds := partBounds(R, N)
	for p := 0; p+1 < len(bounds); p++ {
		part := &jacobianPart{lo: bounds[p], hi: bounds[p+1]}
		m, err := j.buildPart(cell, part)
		if err != nil {
			return nil, err
		}
		j.parts = append(j.parts, part)
		j.ms = append(j.ms, m)
	}
	j.f = make([]float64, B*N)
	j.fRep = make([]float64, R*N)
	j.rowX = make([]float64, R*N)
	j.rowU = make([]float64, R*M)
	j.seedBuf = make([]float64, R*N)
	j.xRep = make([]float64, R*N)
	j.uRep = make([]float64, R*M)
	return j, nil
}

// buildPart builds the seeded vector-Jacobian pass over the part's rows.
func (j *Jacobians) buildPart(cell cells.Cell, part *jacobianPart) (m G.VM, err error) {
	var uT *tensor.Dense
	if j.m > 0 {
		uT = rowsOf(j.uT, part.lo, part.hi)
	}
	s, err := buildStepOn(cell, j.dtype, rowsOf(j.xT, part.lo, part.hi), uT)
	if err != nil {
		return nil, err
	}
	defer recoverErr("build jacobians", &err)
	defer func() { j.bytes += graphBytes(s.g) }()
	seed := G.NewMatrix(s.g, j.dtype.tensor(), G.WithShape(part.hi-part.lo, j.n), G.WithName("S"), G.WithValue(rowsOf(j.seedT, part.lo, part.hi)))
	wrt := G.Nodes{s.x}
	if s.u != nil {
		wrt = append(wrt, s.u)
	}
	vjp, err := G.Backpropagate(G.Nodes{s.f}, G.Nodes{seed}, wrt)
	if err != nil {
		return nil, fmt.Errorf("graph: vector-Jacobian product: %w", err)
	}
	outs := G.Nodes{G.Read(vjp[0], &part.jxV), G.Read(s.f, &part.fV)}
	if s.u != nil {
		outs = append(outs, G.Read(vjp[1], &part.juV))
	}
	return s.compile(outs, seed)
}

// B is the number of points evaluated at once.
func (j *Jacobians) B() int { return j.b }

// Lanes is the number of seed directions each pass handles per point (0
// in closed form).
func (j *Jacobians) Lanes() int { return j.lanes }

// F is F(X, U) at the points of the last Eval, B x N row-major. The slice
// belongs to j and is overwritten by the next Eval.
func (j *Jacobians) F() []float64 { return j.f }

// N is the state size.
func (j *Jacobians) N() int { return j.n }

// M is the input size.
func (j *Jacobians) M() int { return j.m }

// Eval computes the Jacobians at states x (B x N) and inputs u (B x M, or
// one row of M). jx receives B x N x N values, jx[b*N*N + i*N + k] =
// dF_i/dx_k at point b; ju receives B x N x M values likewise (it may be nil
// when not wanted, or when M = 0). F holds F(x, u) afterwards.
func (j *Jacobians) Eval(x, u []float64, jx, ju []float64) error {
	return j.EvalContext(context.Background(), x, u, jx, ju)
}

// EvalContext is Eval that checks ctx before each of its seeded passes (N/L
// of them, seconds in all at N = 1000) and returns ctx's error, wrapped,
// when it is canceled; jx and ju then hold partial results.
func (j *Jacobians) EvalContext(ctx context.Context, x, u []float64, jx, ju []float64) error {
	B, L, N, M := j.b, j.lanes, j.n, j.m
	if len(jx) != B*N*N {
		return fmt.Errorf("graph: jacobian buffer has %d values, want %d x %d x %d", len(jx), B, N, N)
	}
	if ju != nil && len(ju) != B*N*M {
		return fmt.Errorf("graph: input jacobian buffer has %d values, want %d x %d x %d", len(ju), B, N, M)
	}
	if len(x) != B*N {
		return fmt.Errorf("graph: %d state values, want %d x %d", len(x), B, N)
	}
	if j.closed != nil {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("graph: jacobians: %w", err)
		}
		if len(u) != M && len(u) != B*M {
			return fmt.Errorf("graph: %d input values, want %d (one row) or %d x %d", len(u), M, B, M)
		}
		copyIn(j.xT, x)
		if err := setInputs(j.uT, u, B, M); err != nil {
			return err
		}
		return j.closed.eval(B, N, M, j.f, jx, ju)
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
	copyIn(j.xT, j.xRep)
	if M > 0 {
		copyIn(j.uT, j.uRep)
	}
	for p := 0; p*L < N; p++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("graph: jacobians: %w", err)
		}
		for k := range j.seedBuf {
			j.seedBuf[k] = 0
		}
		for b := 0; b < B; b++ {
			for l := 0; l < L && p*L+l < N; l++ {
				j.seedBuf[(b*L+l)*N+p*L+l] = 1
			}
		}
		copyIn(j.seedT, j.seedBuf)
		if err := runAll(j.ms); err != nil {
			return err
		}
		for _, pt := range j.parts {
			if err := copyOut(j.rowX[pt.lo*N:pt.hi*N], pt.jxV.(tensor.Tensor)); err != nil {
				return err
			}
			if ju != nil && M > 0 {
				if err := copyOut(j.rowU[pt.lo*M:pt.hi*M], pt.juV.(tensor.Tensor)); err != nil {
					return err
				}
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
			for _, pt := range j.parts {
				if err := copyOut(j.fRep[pt.lo*N:pt.hi*N], pt.fV.(tensor.Tensor)); err != nil {
					return err
				}
			}
			for b := 0; b < B; b++ {
				copy(j.f[b*N:(b+1)*N], j.fRep[b*L*N:(b*L+1)*N])
			}
		}
	}
	return nil
}
