package finder

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
)

// Newton-Krylov refinement: for large N a dense Jacobian costs an O(N^3)
// factorization per candidate (and N vector-Jacobian passes for a cell
// without a closed form), and N^2 memory. Newton-Krylov solves (J - I) d = -(F(x) - x) by GMRES with
// Jacobian-vector products, each one row of a batched forward pass (see
// graph.JVP), and never forms J: a Newton step costs as many passes as
// GMRES takes steps, memory (m+1) N per candidate. A cell with products in
// closed form (cells.Tangent: the GRU) gives them instead from its
// Jacobian's coefficients at the step's points, computed once per Newton
// step: a matrix product per weight block and no tanh or exp, where a
// forward difference evaluates the whole step again. On the flip-flop
// GRU-128 they were most of the refinement's CPU time.

const (
	krylovDim      = 50  // Arnoldi steps per GMRES cycle (at most N)
	krylovCycles   = 4   // GMRES cycles (restarts + 1) per Newton step
	krylovEtaMax   = 0.1 // the loosest relative tolerance of a linear solve
	krylovBacktrak = 3   // step halvings tried when a full step raises q
	// A Newton step whose q falls less than this factor, krylovSlowSteps
	// times in a row, is crawling: toward a slow point (a local minimum of q
	// above zero) or along a slow region where F(x) - x has no zero, and
	// Newton's linear model keeps failing. Near a regular zero Newton's q
	// falls far faster; far from one a step may disappoint, but two in a
	// row are rare on the way to a fixed point (measured on the flip-flop
	// GRU-128: the candidates that reach its fixed point alternate).
	krylovSlowRatio = 0.25
	krylovSlowSteps = 2
	krylovSingular  = 0.5
	// A stuck candidate whose |(J - I)^T r| is below this times |(J - I) r|
	// counts as near a slow point.
	krylovSlowGrad = 1e-3
	// Newton steps after which a candidate still 1e3 x TolResidual away is
	// given up, unless its last step shrank q by krylovFastRatio (it is in
	// Newton's basin and converging).
	krylovPatience  = 8
	krylovFastRatio = 1e-2
)

// Refiner chooses the refinement's linear algebra.
type Refiner int

const (
	// AutoRefiner takes DenseLM below Settings.KrylovMinN states and
	// NewtonKrylov from there.
	AutoRefiner Refiner = iota
	// DenseLM is Levenberg-Marquardt with dense Jacobians (graph.Jacobians:
	// closed form or seeded passes), and Broyden steps between them.
	DenseLM
	// NewtonKrylov is Newton's method with GMRES on Jacobian-vector
	// products: no Jacobian is formed.
	NewtonKrylov
)

// useKrylov reports whether the refinement runs Newton-Krylov.
func (f *finder) useKrylov() bool {
	switch f.s.Refiner {
	case DenseLM:
		return false
	case NewtonKrylov:
		return true
	}
	return f.N >= f.s.KrylovMinN
}

// nkState is one candidate's Newton-Krylov state.
type nkState struct {
	res     float64 // max|F(x) - x|
	eta     float64
	iters   int
	slow    int // consecutive steps that shrank q by less than krylovSlowRatio
	stalled bool
	fast    bool // the last step shrank q by krylovFastRatio or more: Newton's basin
	dense   bool // GMRES cannot solve its systems: refine by dense LM
}

// krylovChunk is the number of candidates whose GMRES runs at once within
// JacobianBudget: each holds m+1 basis vectors, an (m+1) x m Hessenberg
// matrix and about eight rows of N for its trial point, step and the
// product passes (graph buffers included).
func (f *finder) krylovChunk(m int) int {
	per := 8 * ((m+9)*f.N + (m+3)*m + 4*f.M)
	c := f.s.JacobianBudget / max(per, 1)
	return max(1, min(c, len(f.cands)))
}

// refineKrylov polishes the candidates idx by inexact Newton steps, each
// solved by restarted GMRES on batched Jacobian-vector products, with a
// trust region (capStep) and a backtracking line search on q. The
// tolerance of each linear solve follows Eisenstat and Walker's second
// choice, so that early steps are cheap and late ones converge fast.
func (f *finder) refineKrylov(ctx context.Context, idx []int) error {
	N := f.N
	eps := f.s.Dtype.Eps()
	st := map[int]*nkState{}
	var active []int
	for _, ci := range idx {
		c := f.cands[ci]
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) {
			continue
		}
		s := &nkState{res: residual(c.f, c.x), eta: krylovEtaMax}
		st[ci] = s
		c.stop = ReasonNone
		if s.res > floorRes(c.x, eps) {
			c.stop, c.active = ReasonRefineLimit, true // provisional, as in refineDense
			active = append(active, ci)
		}
	}
	m := min(krylovDim, N)
	chunk := f.krylovChunk(m)
	var gm *linalg.GMRES
	step := func(part []int) ([]int, error) {
		if gm == nil || gm.Capacity() < len(part) {
			gm = linalg.NewGMRES(len(part), N, m)
		}
		return f.newtonKrylovStep(part, st, gm)
	}
	active, canceled, err := f.refineRounds(ctx, active, chunk, step)
	if err != nil || canceled {
		return err
	}
	// Candidates that left before the iterations ran out stalled, or
	// reached the rounding floor (then their residual decides).
	still := map[int]bool{}
	for _, ci := range active {
		still[ci] = true
	}
	for _, ci := range idx {
		if c := f.cands[ci]; c.stop == ReasonRefineLimit && !still[ci] {
			c.stop = ReasonStall
		}
	}
	var hard []int
	for _, ci := range idx {
		if s := st[ci]; s != nil && s.dense {
			hard = append(hard, ci)
		}
	}
	if len(hard) > 0 {
		f.stats.DenseFallbacks += len(hard)
		return f.refineDense(ctx, hard, true)
	}
	return nil
}

// gradNorms returns |(J - I)^T (F(x) - x)| = |dq/dx| at the candidates
// part[k], k in ks, from one batched objective evaluation.
func (f *finder) gradNorms(part, ks []int) ([]float64, error) {
	N := f.N
	idx := make([]int, len(ks))
	for i, k := range ks {
		idx[i] = part[k]
	}
	ob, err := f.objs.get(batchRows(len(idx), N))
	if err != nil {
		return nil, err
	}
	if err := f.load(ob, idx); err != nil {
		return nil, err
	}
	if err := ob.Eval(); err != nil {
		return nil, err
	}
	f.stats.GradEvals++
	out := make([]float64, len(idx))
	for i := range idx {
		out[i] = linalg.Nrm2(ob.Grad()[i*N : (i+1)*N])
	}
	return out, nil
}

// newtonKrylovStep takes one Newton step for each candidate of part and
// returns those still improving.
func (f *finder) newtonKrylovStep(part []int, st map[int]*nkState, gm *linalg.GMRES) ([]int, error) {
	N, M := f.N, f.M
	n := len(part)
	eps := f.s.Dtype.Eps()
	b := make([]float64, n*N)
	eta := make([]float64, n)
	for k, ci := range part {
		c, s := f.cands[ci], st[ci]
		for i := 0; i < N; i++ {
			b[k*N+i] = c.x[i] - c.f[i] // -(F(x) - x)
		}
		rn := linalg.Nrm2(b[k*N : (k+1)*N])
		// No need to solve below the rounding floor of the residual.
		floor := 0.5 * floorRes(c.x, eps) / max(rn, 1e-300)
		eta[k] = min(krylovEtaMax, max(s.eta, floor, 1e-10))
	}
	d := make([]float64, n*N)
	xs := make([]float64, n*N)
	fs := make([]float64, n*N)
	us := make([]float64, n*M)
	tan, coef, err := f.tangentCoefs(part)
	if err != nil {
		return nil, err
	}
	apply := func(rows []int, vs, out []float64) error {
		if coef != nil {
			f.applyTangent(tan, coef, rows, vs, out)
			return nil
		}
		for i, k := range rows {
			c := f.cands[part[k]]
			copy(xs[i*N:(i+1)*N], c.x)
			copy(fs[i*N:(i+1)*N], c.f)
			copy(us[i*M:(i+1)*M], c.u)
		}
		if err := f.jvpRows(len(rows), xs, us, vs, fs, out); err != nil {
			return err
		}
		for t := range out {
			out[t] -= vs[t] // (J - I) v
		}
		return nil
	}
	if _, err := gm.Solve(n, b, eta, d, krylovCycles, apply); err != nil {
		return nil, err
	}
	solved := make([]bool, n)
	var stuck []int // GMRES could not reduce the linear residual
	for k := range part {
		f.stats.KrylovIters += gm.Iters(k)
		ratio := gm.RelResidual(k)
		solved[k] = ratio <= eta[k]
		if !solved[k] && ratio > krylovSingular {
			stuck = append(stuck, k)
		}
	}
	// A stuck candidate is near a slow point when the gradient of q,
	// |(J - I)^T r|, is small beside |(J - I) r| (which GMRES's first step
	// gives): r lies along a near-null left singular vector of J - I. For a
	// generic r the two are of one size, however non-normal J is. Otherwise its linear system is merely hard for GMRES (a
	// spectrum of J - I around the origin) and it goes to dense LM.
	nearSlow := make([]bool, n)
	if len(stuck) > 0 {
		gn, err := f.gradNorms(part, stuck)
		if err != nil {
			return nil, err
		}
		for i, k := range stuck {
			rn := math.Sqrt(2 * f.cands[part[k]].q)
			if gn[i] < krylovSlowGrad*gm.FirstImage(k)*rn {
				nearSlow[k] = true
			} else {
				st[part[k]].dense = true
			}
		}
	}
	// Line search: the full (capped) step, then halvings, each pass over
	// the candidates still waiting.
	B := batchRows(n, N)
	trial := make([]float64, B*N)
	tu := make([]float64, B*M)
	fout := make([]float64, B*N)
	pending := make([]int, 0, n)
	for k := range part {
		capStep(d[k*N:(k+1)*N], f.cands[part[k]].x)
		pending = append(pending, k)
	}
	accepted := make([]bool, n)
	for try := 0; try <= krylovBacktrak && len(pending) > 0; try++ {
		for row, k := range pending {
			c := f.cands[part[k]]
			for i := 0; i < N; i++ {
				trial[row*N+i] = c.x[i] + d[k*N+i]
			}
			copy(tu[row*M:(row+1)*M], c.u)
		}
		if err := f.stepRows(trial, tu, fout, len(pending)); err != nil {
			return nil, err
		}
		still := pending[:0]
		for row, k := range pending {
			ci := part[k]
			c, s := f.cands[ci], st[ci]
			xt, ft := trial[row*N:(row+1)*N], fout[row*N:(row+1)*N]
			qt := halfSq(ft, xt)
			if qt < c.q || (qt == c.q && residual(ft, xt) < s.res) {
				if qt > krylovSlowRatio*c.q {
					s.slow++
				} else {
					s.slow = 0
				}
				s.fast = qt <= krylovFastRatio*c.q
				rOld := math.Sqrt(2 * c.q)
				copy(c.x, xt)
				copy(c.f, ft)
				c.q, c.refines = qt, c.refines+1
				s.res = residual(ft, xt)
				s.iters++
				// Eisenstat-Walker choice 2 with its safeguard.
				ratio := math.Sqrt(2*qt) / max(rOld, 1e-300)
				e := 0.9 * ratio * ratio
				if sg := 0.9 * s.eta * s.eta; sg > 0.1 {
					e = max(e, sg)
				}
				s.eta = min(krylovEtaMax, e)
				accepted[k] = true
				continue
			}
			for i := 0; i < N; i++ {
				d[k*N+i] *= 0.5
			}
			still = append(still, k)
		}
		pending = still
	}
	var keep []int
	for k, ci := range part {
		c, s := f.cands[ci], st[ci]
		if s.dense {
			continue // refineKrylov hands it to dense LM
		}
		if !accepted[k] {
			s.stalled = true // no step lowers q: a slow point or the precision floor
			continue
		}
		if s.res <= floorRes(c.x, eps) {
			continue
		}
		if s.slow >= krylovSlowSteps && s.res > f.s.TolResidual {
			continue // crawling: heading for a slow point
		}
		if s.iters >= krylovPatience && !s.fast && s.res > 1e3*f.s.TolResidual {
			continue
		}
		keep = append(keep, ci)
	}
	return keep, nil
}

// tangentRows is the rows of a block of tangentCoefs and applyTangent,
// which run at once: fixed by the number of rows only, so that a row's
// last bits (which a matrix product's blocking may decide above 64
// states) do not depend on the number of CPUs.
const tangentRows = 64

// tangentCoefs returns the cell's Tangent and the coefficients of dF/dx
// at the candidates part (one row each), or nil when the cell has no such
// products or the dtype is not float64: then the products are
// differences of F (jvpRows).
func (f *finder) tangentCoefs(part []int) (cells.Tangent, []float64, error) {
	tan, ok := f.cell.(cells.Tangent)
	if !ok || f.s.Dtype != graph.Float64 {
		return nil, nil, nil
	}
	coef, ok := f.coefsAt(part, tan.TangentSize(), tan.TangentAt)
	if !ok {
		return nil, nil, nil
	}
	return tan, coef, nil
}

// coefsAt writes the C coefficients a row of the candidates idx (one row
// each, in idx's order) with at (cells.Tangent's TangentAt or
// cells.QHessianVec's QHessianVecAt), in blocks of tangentRows run at once;
// ok is false when at reports no closed form for some block.
func (f *finder) coefsAt(idx []int, C int, at func(n int, x, u, coef []float64) bool) (coef []float64, ok bool) {
	N, M := f.N, f.M
	n := len(idx)
	x, u := make([]float64, n*N), make([]float64, n*M)
	coef = make([]float64, n*C)
	for k, ci := range idx {
		c := f.cands[ci]
		copy(x[k*N:(k+1)*N], c.x)
		copy(u[k*M:(k+1)*M], c.u)
	}
	blocks := (n + tangentRows - 1) / tangentRows
	oks := make([]bool, blocks)
	_ = linalg.Concurrently(blocks, func(b int) error {
		lo, hi := b*tangentRows, min((b+1)*tangentRows, n)
		oks[b] = at(hi-lo, x[lo*N:hi*N], u[lo*M:hi*M], coef[lo*C:hi*C])
		return nil
	})
	for _, o := range oks {
		if !o {
			return nil, false
		}
	}
	return coef, true
}

// applyTangent sets out[i] = (J - I) vs[i] for the candidates rows[i]
// (indices into the coefficients coef of tangentCoefs), in blocks of
// tangentRows run at once.
func (f *finder) applyTangent(tan cells.Tangent, coef []float64, rows []int, vs, out []float64) {
	N := f.N
	n := len(rows)
	blocks := (n + tangentRows - 1) / tangentRows
	_ = linalg.Concurrently(blocks, func(b int) error {
		lo, hi := b*tangentRows, min((b+1)*tangentRows, n)
		tan.ApplyTangent(coef, rows[lo:hi], vs[lo*N:hi*N], out[lo*N:hi*N])
		return nil
	})
	f.stats.JVPPasses++
	for t := range out[:n*N] {
		out[t] -= vs[t]
	}
}

// jvpRows sets out[i] = J(x_i, u_i) v_i for n rows (u: n rows of M) by
// forward differences in one batched pass, run as the batches rowChunks
// chooses (each row's product is its own, so the cut changes no value),
// at once (runChunks).
func (f *finder) jvpRows(n int, x, u, v, fx, out []float64) error {
	N, M := f.N, f.M
	f.stats.JVPPasses++
	chunks := rowChunks(n, N)
	jvs := make([]*graph.JVP, len(chunks))
	if err := f.jvps.getEach(chunks, jvs); err != nil {
		return err
	}
	return runChunks(n, chunks, func(i, lo, c int) error {
		return jvs[i].Apply(c, x[lo*N:(lo+c)*N], u[lo*M:(lo+c)*M], v[lo*N:(lo+c)*N], fx[lo*N:(lo+c)*N], out[lo*N:(lo+c)*N])
	})
}

// newForwardJVP checks out forward-difference products for B rows.
func newForwardJVP(cell cells.Cell, B int, d graph.Dtype) (*graph.JVP, error) {
	return graph.Shared.JVP(cell, B, false, d)
}
