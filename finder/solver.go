package finder

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CandidateAdam is a gorgonia.Solver for a batch of candidates (rows of one
// B x N value) that keeps Adam's moments, the step count, the learning rate
// and its adaptive schedule per row, and never moves a frozen row.
//
// gorgonia's stock solvers keep one learning rate per node and keep moving a
// converged row through Adam's momentum; here a row that met its tolerance
// is frozen, so converged candidates stay exactly where they converged.
type CandidateAdam struct {
	B, N         int
	Beta1, Beta2 float64
	Eps          float64

	LR     []float64 // per-row learning rate
	frozen []bool
	m, v   []float64
	t      []int
	sched  []schedule
}

// NewCandidateAdam returns a solver for B rows of N values with initial
// learning rate lr and Adam epsilon eps.
func NewCandidateAdam(B, N int, lr, eps float64) *CandidateAdam {
	s := &CandidateAdam{B: B, N: N, Beta1: 0.9, Beta2: 0.999, Eps: eps,
		LR: make([]float64, B), frozen: make([]bool, B),
		m: make([]float64, B*N), v: make([]float64, B*N), t: make([]int, B),
		sched: make([]schedule, B)}
	for i := range s.LR {
		s.LR[i] = lr
	}
	return s
}

// Freeze stops row b from moving.
func (s *CandidateAdam) Freeze(b int) { s.frozen[b] = true }

// Observe feeds row b's newest q to its learning-rate schedule.
func (s *CandidateAdam) Observe(b int, q float64) { s.LR[b] = s.sched[b].next(s.LR[b], q) }

// Step implements gorgonia.Solver. The model must be one B x N float64 or
// float32 value with its gradient (as graph.Objective.Candidates gives).
func (s *CandidateAdam) Step(model []G.ValueGrad) error {
	if len(model) != 1 {
		return fmt.Errorf("finder: CandidateAdam steps one candidate matrix, got %d values", len(model))
	}
	gv, err := model[0].Grad()
	if err != nil {
		return fmt.Errorf("finder: CandidateAdam: %w", err)
	}
	x, ok1 := model[0].Value().(*tensor.Dense)
	g, ok2 := gv.(*tensor.Dense)
	if !ok1 || !ok2 || x.Size() != s.B*s.N || g.Size() != s.B*s.N {
		return fmt.Errorf("finder: CandidateAdam: want a %d x %d dense value and gradient", s.B, s.N)
	}
	switch xb := x.Data().(type) {
	case []float64:
		gb, ok := g.Data().([]float64)
		if !ok {
			return fmt.Errorf("finder: CandidateAdam: gradient dtype %v for float64 values", g.Dtype())
		}
		s.step(func(i int) float64 { return gb[i] }, func(i int, d float64) { xb[i] += d })
	case []float32:
		gb, ok := g.Data().([]float32)
		if !ok {
			return fmt.Errorf("finder: CandidateAdam: gradient dtype %v for float32 values", g.Dtype())
		}
		s.step(func(i int) float64 { return float64(gb[i]) }, func(i int, d float64) { xb[i] += float32(d) })
	default:
		return fmt.Errorf("finder: CandidateAdam: unsupported dtype %v", x.Dtype())
	}
	return nil
}

// step moves each row that is not frozen by its own Adam step, the rows
// spread over the CPUs (a row's step reads and writes its own values only).
func (s *CandidateAdam) step(grad func(int) float64, add func(int, float64)) {
	linalg.Parallel(s.B, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if s.frozen[b] {
				continue
			}
			s.t[b]++
			c1 := 1 - math.Pow(s.Beta1, float64(s.t[b]))
			c2 := 1 - math.Pow(s.Beta2, float64(s.t[b]))
			for i := b * s.N; i < (b+1)*s.N; i++ {
				gi := grad(i)
				s.m[i] = s.Beta1*s.m[i] + (1-s.Beta1)*gi
				s.v[i] = s.Beta2*s.v[i] + (1-s.Beta2)*gi*gi
				add(i, -s.LR[b]*(s.m[i]/c1)/(math.Sqrt(s.v[i]/c2)+s.Eps))
			}
		}
	})
}

// increasing reports whether rows are nonnegative and strictly increasing,
// so that rows[k] >= k.
func increasing(rows []int) bool {
	for i, r := range rows {
		if r < 0 || i > 0 && r <= rows[i-1] {
			return false
		}
	}
	return true
}

// schedule is FixedPointFinder's adaptive learning rate for one sequence of
// losses: x0.95 when the newest loss exceeds each of the previous 5, x1/0.95
// after 5 strictly decreasing steps, at most one change per 5 steps.
type schedule struct {
	hist  [6]float64
	n     int // losses seen
	since int // steps since the last change
}

func (s *schedule) next(lr, q float64) float64 {
	copy(s.hist[:5], s.hist[1:])
	s.hist[5] = q
	s.n++
	s.since++
	if s.n < 6 || s.since < 5 {
		return lr
	}
	rise, fall := true, true
	for i := 0; i < 5; i++ {
		if !(q > s.hist[i]) {
			rise = false
		}
		if !(s.hist[i+1] < s.hist[i]) {
			fall = false
		}
	}
	switch {
	case rise:
		s.since = 0
		return lr * 0.95
	case fall:
		s.since = 0
		return lr / 0.95
	}
	return lr
}

// subset returns a solver for the given rows of s, padded to B rows (the
// padding rows are frozen). With rows increasing and B <= s.B it is s
// itself, its rows moved down in place (row rows[k] >= k goes to k, so no
// row is overwritten before it moves) and its padding made as a new
// solver's: s is not used afterwards (rowSolver.subset replaces it), and a
// new solver for each smaller batch made its moments anew (half a
// megabyte a GRU-16 or LSTM-16 Find).
func (s *CandidateAdam) subset(rows []int, B int) *CandidateAdam {
	if B <= s.B && len(rows) <= B && increasing(rows) {
		N := s.N
		for k, r := range rows {
			s.LR[k], s.frozen[k], s.t[k], s.sched[k] = s.LR[r], s.frozen[r], s.t[r], s.sched[r]
			copy(s.m[k*N:(k+1)*N], s.m[r*N:(r+1)*N])
			copy(s.v[k*N:(k+1)*N], s.v[r*N:(r+1)*N])
		}
		for k := len(rows); k < B; k++ {
			s.LR[k], s.frozen[k], s.t[k], s.sched[k] = 0, true, 0, schedule{}
			clear(s.m[k*N : (k+1)*N])
			clear(s.v[k*N : (k+1)*N])
		}
		s.B = B
		s.LR, s.frozen, s.t, s.sched = s.LR[:B], s.frozen[:B], s.t[:B], s.sched[:B]
		s.m, s.v = s.m[:B*N], s.v[:B*N]
		return s
	}
	return s.subsetNew(rows, B)
}

// subsetNew is subset into a new solver.
func (s *CandidateAdam) subsetNew(rows []int, B int) *CandidateAdam {
	t := NewCandidateAdam(B, s.N, 0, s.Eps)
	t.Beta1, t.Beta2 = s.Beta1, s.Beta2
	for r := range t.frozen {
		t.frozen[r] = true
	}
	for k, r := range rows {
		t.LR[k], t.frozen[k], t.t[k], t.sched[k] = s.LR[r], s.frozen[r], s.t[r], s.sched[r]
		copy(t.m[k*s.N:(k+1)*s.N], s.m[r*s.N:(r+1)*s.N])
		copy(t.v[k*s.N:(k+1)*s.N], s.v[r*s.N:(r+1)*s.N])
	}
	return t
}
