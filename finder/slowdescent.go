package finder

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
)

const (
	// slowMaxIters bounds the trust-region Newton iterations on grad q = 0
	// per candidate.
	slowMaxIters = 40
	// slowMaxCG bounds the conjugate-gradient iterations of one step (each
	// one Hessian-vector product, two gradient rows).
	slowMaxCG = 12
	// slowCGTol: CG stops when its residual is below this times ||g||, so
	// that Newton's steps converge linearly at this rate at worst.
	slowCGTol = 1e-3
	// slowTries is the number of shifts tried per Hessian before giving up
	// (slowDescentDense).
	slowTries = 8
	// slowWindow: a candidate whose q fell by less than slowWindowQ and
	// whose gradient by less than slowWindowG over this many iterations
	// crawls (along a slow manifold where q has no minimum): Newton's steps
	// on grad q shrink the gradient by orders of magnitude near a minimum.
	slowWindow  = 8
	slowWindowQ = 0.99
	slowWindowG = 0.1
	// slowNoNewton (slowDescentCG only): a candidate that kept no full
	// Newton step (positive definite Hessian, step inside the trust region)
	// in this many iterations is taken to be away from any minimum of q,
	// on a valley or ridge of a slow region. It bounds the work at large N,
	// where most candidates of a trained network crawl along slow
	// manifolds (the GRU-128's 1013 took 8 minutes of CG steps without it,
	// 60 s with it at load 20, twice its refinement; 41 of them end
	// unconverged with 6 here, 67 with 4);
	// the dense descent has no such rule: on the GRU-16 it cost 31 of 58
	// slow points and 11 of 1021 of the LSTM-16's roots.
	slowNoNewton = 6
)

// slowNoNewtonSlow is slowNoNewton for a candidate already slower than the
// slow-region speed (see slowRegionStop), whose label, slow region, only a
// minimum of q nearby could change: on the GRU-128 every candidate ran
// slowNoNewton iterations with no Newton step, 785 of them crossing the
// slow-region speed after one or two; with 2 its steps fall from 6078 to
// about 2100 (counted from where each crossed) and every outcome stays as
// it was (1 was measured faster still, 5.3 s against 8.9 s of slow descent
// at load 9.5, with the same outcomes; 2 leaves a candidate one more step
// to reach Newton's region).
// A variable so that a test can compare with it off.
var slowNoNewtonSlow = 2

// slowState is one candidate's state in slowDescent.
type slowState struct {
	slowWindowMarks
	delta      float64 // trust radius (2-norm of the step)
	gPrev      float64 // ||g|| before the last step
	newton     bool    // the last accepted step was a full Newton step (interior, positive curvature)
	lastNewton int     // iters at the last Newton step kept
}

// slowWindowMarks counts a candidate's iterations and holds q and ||g|| at
// the last window mark (slowWindow), for both descents.
type slowWindowMarks struct {
	qMark, gMark float64
	iters        int
}

// crawling applies the slowWindow rule before an iteration at q and
// gradient norm gn: it reports whether the candidate crawls (q and ||g||
// fell too little over the last window); otherwise it marks the window
// when one starts and counts the iteration.
func (s *slowWindowMarks) crawling(q, gn float64) bool {
	if s.iters > 0 && s.iters%slowWindow == 0 {
		if q > slowWindowQ*s.qMark && gn > slowWindowG*s.gMark {
			return true
		}
		s.qMark, s.gMark = q, gn
	} else if s.iters == 0 {
		s.gMark = gn
	}
	s.iters++
	return false
}

// slowDescent drives each candidate that the refinement left short of a
// root to a critical point of q = 0.5||F(x) - x||^2, by Newton's steps on
// grad q = 0 with the full Hessian of q: dense below the Newton-Krylov
// refinement's size (slowDescentDense, as the refiner's choice, see
// Settings.Refiner), matrix-free from there (slowDescentCG).
func (f *finder) slowDescent(ctx context.Context) error {
	if f.useKrylov() {
		return f.slowDescentCG(ctx)
	}
	return f.slowDescentDense(ctx)
}

// slowDescentCG drives each candidate that the refinement left short of a
// root to a critical point of q = 0.5||F(x) - x||^2 by trust-region Newton
// steps on grad q = 0 (Steihaug's truncated conjugate gradients), with
// Hessian-vector products from central differences of the graph's exact
// gradient: the Hessian (J - I)^T (J - I) + sum_i r_i d2F_i/dx2 with its
// second-order term, which Gauss-Newton drops. The refinement's
// Gauss-Newton steps cannot finish at a local minimum of q > 0: there
// J - I is singular (grad q = (J - I)^T r = 0 with r != 0), and its model
// of q is flat in the direction that matters. A step is kept when q falls
// (or, for a full Newton step, stays equal within rounding). A candidate
// leaves when its residual is certified (a root after all), when a full
// Newton step no longer shrinks the gradient or is at the rounding of x (a
// critical point; decideOutcomes checks it), when it crawls (see
// slowWindow), when it kept no Newton step for slowNoNewton iterations
// (slowNoNewtonSlow once it is slow), or when the trust region collapses.
func (f *finder) slowDescentCG(ctx context.Context) error {
	eps := f.s.Dtype.Eps()
	var active []int
	st := map[int]*slowState{}
	for i, c := range f.cands[:f.nInit()] {
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x) || residual(c.f, c.x) <= f.s.TolResidual {
			continue
		}
		active = append(active, i)
		st[i] = &slowState{slowWindowMarks: slowWindowMarks{qMark: c.q, gMark: math.Inf(1)}, gPrev: math.Inf(1), delta: maxStep * scale(c.x)}
	}
	if len(active) == 0 {
		return nil
	}
	e := f.newRowEval()
	N := f.N
	slowSpeed, err := f.slowRegionStop()
	if err != nil {
		return err
	}
	for it := 0; it < slowMaxIters && len(active) > 0; it++ {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		q, fo, g, err := f.evalCands(e, active)
		if err != nil {
			return err
		}
		var go_ []int // candidates that take a step
		for k, ci := range active {
			c, s := f.cands[ci], st[ci]
			c.q = q[k]
			copy(c.f, fo[k*N:(k+1)*N])
			gk := g[k*N : (k+1)*N]
			gn := linalg.Nrm2(gk)
			switch {
			case !finite(gk) || math.IsNaN(c.q):
				c.stop = ReasonDiverged
				continue
			case residual(c.f, c.x) <= f.s.TolResidual:
				c.stop = ReasonNone
				continue
			case s.newton && gn >= 0.5*s.gPrev:
				c.stop = ReasonNone // Newton no longer helps: the gradient is at its noise
				continue
			}
			if noNewton := s.iters - s.lastNewton; noNewton >= slowNoNewton || (noNewton >= slowNoNewtonSlow && math.Sqrt(2*c.q) < slowSpeed) {
				c.stop = ReasonStall // no Newton step for a while: not near a minimum
				continue
			}
			if s.crawling(c.q, gn) {
				c.stop = ReasonStall
				continue
			}
			s.gPrev = gn
			go_ = append(go_, k)
		}
		// Steihaug-CG steps for all of them, batched.
		gs := make([][]float64, len(go_))
		idx := make([]int, len(go_))
		delta := make([]float64, len(go_))
		for j, k := range go_ {
			gs[j], idx[j], delta[j] = g[k*N:(k+1)*N], active[k], st[active[k]].delta
		}
		steps, err := f.steihaug(e, idx, gs, delta)
		if err != nil {
			return err
		}
		trial := make([]float64, len(go_)*N)
		for j, ci := range idx {
			c := f.cands[ci]
			for i := 0; i < N; i++ {
				trial[j*N+i] = c.x[i] + steps[j].p[i]
			}
		}
		tq, tf, _, err := f.evalRows(e, trial, idx)
		if err != nil {
			return err
		}
		var next []int
		for j, ci := range idx {
			c, s, sp := f.cands[ci], st[ci], &steps[j]
			pn := linalg.Nrm2(sp.p)
			if sp.newton && maxAbs(sp.p) <= 4*eps*scale(c.x) {
				c.stop = ReasonNone // the Newton step is below the rounding of x
				continue
			}
			// q carries the rounding of F(x) - x, about eps max(1, |x|) a
			// component, times |F(x) - x|: changes below that are noise.
			noise := 4*eps*scale(c.x)*math.Sqrt(float64(N))*math.Sqrt(2*c.q) + 16*eps*c.q
			if sp.pred <= noise && !sp.newton {
				// The model sees nothing to gain above rounding, and the
				// curvature is not positive along its step: a flat valley
				// or a ridge, to be judged by decideOutcomes. (Near a
				// minimum Newton's steps go on: q is flat to second order
				// there, and the gradient, not q, says when to stop.)
				c.stop = ReasonStall
				continue
			}
			actual := c.q - tq[j]
			rho := actual / sp.pred
			accept := actual > noise || (sp.newton && actual >= -noise)
			if accept {
				copy(c.x, trial[j*N:(j+1)*N])
				copy(c.f, tf[j*N:(j+1)*N])
				c.q, c.refines = tq[j], c.refines+1
				s.newton = sp.newton
				if sp.newton {
					s.lastNewton = s.iters
				}
				if rho > 0.75 && !sp.newton {
					s.delta = min(2*s.delta, maxStep*scale(c.x))
				}
			} else {
				s.newton = false
				s.gPrev = math.Inf(1)
			}
			if !accept || (rho < 0.25 && actual > noise) {
				s.delta = pn / 4
			}
			if s.delta < 4*eps*scale(c.x) {
				c.stop = ReasonStall // the trust region collapsed: no step lowers q
				continue
			}
			next = append(next, ci)
		}
		for _, ci := range next {
			f.cands[ci].stop = ReasonRefineLimit // provisional: iterations may run out
		}
		f.markActive(active, next)
		active = next
		f.report("slow", it+1, active)
	}
	if len(active) > 0 { // out of iterations: F at the final states
		q, fo, _, err := f.evalCands(e, active)
		if err != nil {
			return err
		}
		for k, ci := range active {
			c := f.cands[ci]
			c.q = q[k]
			copy(c.f, fo[k*N:(k+1)*N])
		}
	}
	return nil
}

// cgStep is one candidate's Steihaug step: p, the model's predicted fall of
// q, -(g.p + p.Hp/2), and whether p is a full Newton step (CG converged
// inside the trust region with positive curvature throughout).
type cgStep struct {
	p      []float64
	pred   float64
	newton bool
}

// steihaug runs truncated conjugate gradients on H p = -g within the trust
// radius delta for each candidate idx[j] (gradient gs[j]), all candidates'
// Hessian-vector products in one batch per CG iteration.
func (f *finder) steihaug(e *rowEval, idx []int, gs [][]float64, delta []float64) ([]cgStep, error) {
	N := f.N
	n := len(idx)
	out := make([]cgStep, n)
	type cg struct {
		r, d, hp []float64 // residual H p + g, direction, H p
		rr       float64
		done     bool
	}
	s := make([]cg, n)
	for j := range s {
		out[j].p = make([]float64, N)
		s[j].r = append([]float64(nil), gs[j]...)
		s[j].d = make([]float64, N)
		s[j].hp = make([]float64, N)
		for i, v := range gs[j] {
			s[j].d[i] = -v
		}
		s[j].rr = linalg.Dot(s[j].r, s[j].r)
		if !(s[j].rr > 0) {
			s[j].done, out[j].newton = true, true
		}
	}
	hv, hcoef, err := f.qHessianVecCoefs(idx)
	if err != nil {
		return nil, err
	}
	for it := 0; it < min(slowMaxCG, N+2); it++ {
		var live []int
		for j := range s {
			if !s[j].done {
				live = append(live, j)
			}
		}
		if len(live) == 0 {
			break
		}
		dirs := make([][]float64, len(live))
		ci := make([]int, len(live))
		for k, j := range live {
			dirs[k], ci[k] = s[j].d, idx[j]
		}
		var Hd [][]float64
		if hv != nil {
			Hd = f.applyQHessianVec(hv, hcoef, live, dirs)
		} else if Hd, err = f.hessVecs(e, ci, dirs); err != nil {
			return nil, err
		}
		for k, j := range live {
			c, o := &s[j], &out[j]
			hd := Hd[k]
			dHd := linalg.Dot(c.d, hd)
			if !(dHd > 0) { // negative curvature: to the boundary along d
				tau := toBoundary(o.p, c.d, delta[j])
				axpy(tau, c.d, o.p)
				axpy(tau, hd, c.hp)
				c.done = true
				continue
			}
			alpha := c.rr / dHd
			pn := append([]float64(nil), o.p...)
			axpy(alpha, c.d, pn)
			if linalg.Nrm2(pn) >= delta[j] {
				tau := toBoundary(o.p, c.d, delta[j])
				axpy(tau, c.d, o.p)
				axpy(tau, hd, c.hp)
				c.done = true
				continue
			}
			o.p = pn
			axpy(alpha, hd, c.hp)
			axpy(alpha, hd, c.r)
			rr := linalg.Dot(c.r, c.r)
			if math.Sqrt(rr) <= slowCGTol*linalg.Nrm2(gs[j]) || it+1 == min(slowMaxCG, N+2) {
				c.done, o.newton = true, math.Sqrt(rr) <= slowCGTol*linalg.Nrm2(gs[j])
				continue
			}
			beta := rr / c.rr
			for i := range c.d {
				c.d[i] = -c.r[i] + beta*c.d[i]
			}
			c.rr = rr
		}
	}
	for j := range out {
		out[j].pred = -(linalg.Dot(gs[j], out[j].p) + 0.5*linalg.Dot(out[j].p, s[j].hp))
	}
	return out, nil
}

// qHessianVecCoefs returns the cell's closed-form Hessian-vector products
// (cells.QHessianVec: the GRU) and their coefficients at the candidates idx
// (one row each), or nil when the cell has none or the dtype is not
// float64: then steihaug's products are hessVecs' differences. Blocks of
// tangentRows candidates run at once (a cut by the count only, as
// tangentCoefs').
func (f *finder) qHessianVecCoefs(idx []int) (cells.QHessianVec, []float64, error) {
	hv, ok := f.cell.(cells.QHessianVec)
	if !ok || f.s.Dtype != graph.Float64 {
		return nil, nil, nil
	}
	coef, ok := f.coefsAt(idx, hv.QHessianVecSize(), hv.QHessianVecAt)
	if !ok {
		return nil, nil, nil
	}
	return hv, coef, nil
}

// applyQHessianVec returns H d for the candidates live[k] (indices into the
// coefficients coef of qHessianVecCoefs) and directions dirs[k], in blocks
// of tangentRows run at once: the Hessian of q in closed form, where
// hessVecs differences the gradient.
func (f *finder) applyQHessianVec(hv cells.QHessianVec, coef []float64, live []int, dirs [][]float64) [][]float64 {
	N := f.N
	n := len(live)
	v, out := make([]float64, n*N), make([]float64, n*N)
	for k := range live {
		copy(v[k*N:(k+1)*N], dirs[k])
	}
	blocks := (n + tangentRows - 1) / tangentRows
	_ = linalg.Concurrently(blocks, func(b int) error {
		lo, hi := b*tangentRows, min((b+1)*tangentRows, n)
		hv.ApplyQHessianVec(coef, live[lo:hi], v[lo*N:hi*N], out[lo*N:hi*N])
		return nil
	})
	hd := make([][]float64, n)
	for k := range hd {
		hd[k] = out[k*N : (k+1)*N]
	}
	return hd
}

// hessVecs returns H d for each candidate idx[k] and direction dirs[k], by
// central differences of the exact gradient at x +- h d/|d|, h =
// cbrt(eps) max(1, |x|).
func (f *finder) hessVecs(e *rowEval, idx []int, dirs [][]float64) ([][]float64, error) {
	N := f.N
	h := math.Cbrt(f.s.Dtype.Eps())
	x := make([]float64, 2*len(idx)*N)
	rowOf := make([]int, 2*len(idx))
	steps := make([]float64, len(idx))
	for k, ci := range idx {
		c := f.cands[ci]
		dn := linalg.Nrm2(dirs[k])
		hk := h * scale(c.x) / dn
		steps[k] = hk
		for i := 0; i < N; i++ {
			x[2*k*N+i] = c.x[i] + hk*dirs[k][i]
			x[(2*k+1)*N+i] = c.x[i] - hk*dirs[k][i]
		}
		rowOf[2*k], rowOf[2*k+1] = ci, ci
	}
	_, _, g, err := f.evalRows(e, x, rowOf)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(idx))
	for k := range idx {
		out[k] = make([]float64, N)
		for i := 0; i < N; i++ {
			out[k][i] = (g[2*k*N+i] - g[(2*k+1)*N+i]) / (2 * steps[k])
		}
	}
	return out, nil
}

// evalCands evaluates q, F and grad q at the states of the candidates idx.
func (f *finder) evalCands(e *rowEval, idx []int) (q, fo, g []float64, err error) {
	N := f.N
	x := make([]float64, len(idx)*N)
	for k, ci := range idx {
		copy(x[k*N:(k+1)*N], f.cands[ci].x)
	}
	return f.evalRows(e, x, idx)
}

// evalRows evaluates q, F and grad q at the states x (one row per entry of
// idx), each with the input of candidate idx[k].
func (f *finder) evalRows(e *rowEval, x []float64, idx []int) (q, fo, g []float64, err error) {
	N, M := f.N, f.M
	n := len(idx)
	u := make([]float64, n*M)
	for k, ci := range idx {
		copy(u[k*M:(k+1)*M], f.cands[ci].u)
	}
	q, fo, g = make([]float64, n), make([]float64, n*N), make([]float64, n*N)
	if n == 0 {
		return q, fo, g, nil
	}
	err = e.eval(x, u, n, q, fo, g)
	return q, fo, g, err
}

// toBoundary is the tau >= 0 with |p + tau d| = delta.
func toBoundary(p, d []float64, delta float64) float64 {
	a, b, c := linalg.Dot(d, d), 2*linalg.Dot(p, d), linalg.Dot(p, p)-delta*delta
	if !(a > 0) {
		return 0
	}
	disc := math.Sqrt(max(b*b-4*a*c, 0))
	return (-b + disc) / (2 * a)
}

// axpy sets y += a x.
func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, abs(x))
	}
	return m
}

// slowShift is one candidate's state in slowDescentDense.
type slowShift struct {
	slowWindowMarks
	mu       float64   // shift of the Hessian: 0 is Newton's step
	unfallen int       // iterations in a row that ended with a shift no smaller than they began with, and positive
	qs       []float64 // q at the start of each iteration
	g        []float64 // grad q at the kept step's state, from its trial evaluation
}

// slowShiftRun and slowShiftQ: a candidate of slowDescentDense already
// slower than the slow-region speed (see slowRegionStop) whose shift has
// not fallen in slowShiftRun iterations in a row (each kept step needed a
// shift at least as large as the one before, so Newton's region, where
// the shift falls tenfold a kept step down to 0, is not in sight) while q
// fell by less than 1 - slowShiftQ over them crawls along its slow region
// with a positive definite but badly conditioned Hessian. Its label, slow
// region, only a minimum of q or a root ahead could change, so it stops
// there as the slow, indefinite candidates do. On the flip-flop GRU-16,
// 143 candidates crawled like this through all slowMaxIters iterations (q
// falling about 0.5% an iteration), 71% of the descent's Hessians, and
// every one ended as a slow region; the 58 that reached slow points kept
// the shift unfallen for at most 4 iterations in a row, and the one that
// crawled to a root (unfallen for 15) had q fall by at least 47% over any
// 6 of them. With 16, 60 of the 143 (and one other candidate that ended as
// a slow region) stop early and the descent evaluates 14% fewer Hessians,
// every outcome as before. Runs of 6 to 14 stop more (up to 40%
// fewer Hessians) with every label as before, but end crawls short of
// where the 40 iterations bring two pairs of them within TolUnique of
// each other: the distinct slow regions rise from 491 to 492 or 493.
// slowShiftRun is a variable so that a test can compare with it off.
var slowShiftRun = 16

const slowShiftQ = 0.8

// shiftStalled records q at the start of an iteration and reports
// whether the candidate, slow says slower than the slow-region speed,
// crawls by the slowShiftRun rule.
func (s *slowShift) shiftStalled(q float64, slow bool) bool {
	s.qs = append(s.qs, q)
	n := len(s.qs)
	return slow && s.unfallen >= slowShiftRun && q > slowShiftQ*s.qs[n-1-slowShiftRun]
}

// endIteration counts the iterations in a row whose shift did not fall
// from muStart, the shift the iteration began with.
func (s *slowShift) endIteration(muStart float64) {
	if s.mu > 0 && s.mu >= muStart {
		s.unfallen++
	} else {
		s.unfallen = 0
	}
}

// slowDescentDense drives each candidate that the refinement left short of a
// root to a critical point of q = 0.5||F(x) - x||^2, by Newton's steps on
// grad q = 0 with the full Hessian (see curvature), shifted by mu*I until
// positive definite (Levenberg-Marquardt on grad q) and capped by the
// refinement's trust region (capStep); a step is kept only when q does not
// rise. The Gauss-Newton steps of the refinement cannot finish at a local
// minimum of q > 0: there J - I is singular and its model of q is flat in
// the direction that matters. A candidate leaves when its residual is
// certified (a root after all), when its gradient is at rounding level
// with a positive definite Hessian (decideOutcomes then checks it again),
// when it is in a slow region with an indefinite Hessian (see
// slowRegionStop), when it crawls (see slowWindow), or when no shift
// lowers q.
func (f *finder) slowDescentDense(ctx context.Context) error {
	eps := f.s.Dtype.Eps()
	var active []int
	st := map[int]*slowShift{}
	for i, c := range f.cands[:f.nInit()] {
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x) || residual(c.f, c.x) <= f.s.TolResidual {
			continue
		}
		active = append(active, i)
		st[i] = &slowShift{slowWindowMarks: slowWindowMarks{qMark: c.q, gMark: math.Inf(1)}}
	}
	if len(active) == 0 {
		return nil
	}
	e := f.newRowEval()
	N, M := f.N, f.M
	slowSpeed, err := f.slowRegionStop()
	if err != nil {
		return err
	}
	work := make([]float64, N*N) // Cholesky factors
	var cb curvatureBufs         // the iteration's curvatures' storage (slowCurvatures)
	// The iterations' buffers, kept from one to the next: each iteration
	// writes every value of theirs it reads (4.8 of a GRU-16 Find's 59 MB
	// when they were made afresh).
	var hnB, muB, trialB, tuB, tqB, tfB, tgB []float64
	for it := 0; it < slowMaxIters && len(active) > 0; it++ {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		cv, err := f.slowCurvatures(e, active, st, it, &cb)
		if err != nil {
			return err
		}
		next := active[:0:0]
		hnB, muB = growTo(hnB, len(active)), growTo(muB, len(active))
		hn := hnB // ||H||_F, set by slowTest
		muStart := muB
		// Each candidate's test is its own (its Cholesky factor in a
		// worker's buffer), so the candidates are spread over the CPUs.
		stepping := make([]bool, len(active))
		linalg.ParallelMin(len(active), slowMinPer, func(a, b int) {
			work := work
			if a > 0 {
				work = make([]float64, N*N)
			}
			for k := a; k < b; k++ {
				stepping[k] = f.slowTest(cv, k, active[k], st[active[k]], hn, eps, slowSpeed, work)
			}
		})
		var steps []int // index into active of candidates taking a step
		for k, ci := range active {
			if stepping[k] {
				muStart[k] = st[ci].mu
				steps = append(steps, k)
			}
		}
		// Trials: each candidate tries shifted Newton steps until q does
		// not rise; all pending candidates are evaluated in one batch.
		pending := steps
		trialB, tuB = growTo(trialB, len(steps)*N), growTo(tuB, len(steps)*M)
		tqB, tfB, tgB = growTo(tqB, len(steps)), growTo(tfB, len(steps)*N), growTo(tgB, len(steps)*N)
		trial, tu, tq, tf, tg := trialB, tuB, tqB, tfB, tgB
		stepped := make([]bool, len(steps))
		for try := 0; try < slowTries && len(pending) > 0; try++ {
			// Each pending candidate's step into its own slot (spread over
			// the CPUs), then the slots of those that have one packed in
			// order.
			linalg.ParallelMin(len(pending), slowMinPer, func(a, b int) {
				work := work
				if a > 0 {
					work = make([]float64, N*N)
				}
				for j := a; j < b; j++ {
					k := pending[j]
					c, s := f.cands[active[k]], st[active[k]]
					d := trial[j*N : (j+1)*N]
					if stepped[j] = shiftedStep(cv[k].H, cv[k].g, hn[k], &s.mu, N, d, work); !stepped[j] {
						c.stop = ReasonStall
						continue
					}
					capStep(d, c.x)
					for i := range c.x {
						d[i] += c.x[i]
					}
				}
			})
			rows := pending[:0:0]
			for j, k := range pending {
				if !stepped[j] {
					continue
				}
				row := len(rows)
				if row != j {
					copy(trial[row*N:(row+1)*N], trial[j*N:(j+1)*N])
				}
				copy(tu[row*M:(row+1)*M], f.cands[active[k]].u)
				rows = append(rows, k)
			}
			if len(rows) == 0 {
				break
			}
			if err := e.eval(trial, tu, len(rows), tq, tf, tg); err != nil {
				return err
			}
			pending = pending[:0:0]
			for row, k := range rows {
				ci := active[k]
				c, s := f.cands[ci], st[ci]
				// Near a minimum q changes only in its last digits: a step
				// that leaves q equal within rounding is kept, since the
				// gradient check, not q, decides convergence.
				if qt := tq[row]; qt < c.q || (s.mu == 0 && qt <= c.q*(1+16*eps)) {
					copy(c.x, trial[row*N:(row+1)*N])
					copy(c.f, tf[row*N:(row+1)*N])
					s.g = append(s.g[:0], tg[row*N:(row+1)*N]...)
					c.q, c.refines = qt, c.refines+1
					s.mu /= 10
					if s.mu < 1e-12*(hn[k]+1e-300) {
						s.mu = 0
					}
					next = append(next, ci)
					continue
				}
				s.mu = max(10*s.mu, 1e-6*(hn[k]+1e-300))
				if s.mu > 1e12*(hn[k]+1) {
					c.stop = ReasonStall
					continue
				}
				pending = append(pending, k)
			}
		}
		for _, k := range pending {
			f.cands[active[k]].stop = ReasonStall // no shift lowered q
		}
		for _, k := range steps {
			st[active[k]].endIteration(muStart[k])
		}
		for _, ci := range next {
			f.cands[ci].stop = ReasonRefineLimit // provisional: iterations may run out
		}
		f.markActive(active, next)
		active = next
		f.report("slow", it+1, active)
	}
	return nil
}

// slowMinPer is the least number of candidates a goroutine takes in
// slowDescentDense's tests and steps: each candidate's is a few µs at N =
// 16 (||H||_F, a Cholesky factorization or more, a solve), where Parallel
// assumes one and kept fewer than 128 on one core (the GRU-16's last 17
// of 40 iterations, 84 to 120 candidates). Each candidate's values are
// its own, so the split never changes one.
const slowMinPer = 16

// slowTest is slowDescentDense's test of candidate ci (k in active,
// state s) at the start of an iteration, at its curvature cv[k]: it sets
// hn[k] = ||H||_F and reports whether the candidate takes a step, or sets
// why it stops. work holds an N x N Cholesky factor.
func (f *finder) slowTest(cv []curvature, k, ci int, s *slowShift, hn []float64, eps, slowSpeed float64, work []float64) bool {
	c, v := f.cands[ci], &cv[k]
	c.q = v.q
	copy(c.f, v.f)
	gn := linalg.Nrm2(v.g)
	hn[k] = linalg.Nrm2(v.H)
	if !finite(v.H) || !finite(v.g) {
		c.stop = ReasonDiverged
		return false
	}
	if residual(c.f, c.x) <= f.s.TolResidual {
		c.stop = ReasonNone
		return false
	}
	atFloor, slow := gn <= gradientFloor(v, c.x, eps, hn[k]), math.Sqrt(2*v.q) < slowSpeed
	pd := (atFloor || slow) && posDefInto(v.H, 0, f.N, work)
	switch {
	case atFloor && pd:
		c.stop = ReasonNone // a critical point of q; decideOutcomes judges it
		return false
	case slow && !pd:
		// Slow, and the Hessian is indefinite: not at a minimum of q
		// (whose Hessian is positive semidefinite) but on a valley or
		// ridge of a slow region, where decideOutcomes labels it as it is
		// (see slowRegionStop).
		c.stop = ReasonStall
		return false
	}
	if s.crawling(v.q, gn) || s.shiftStalled(v.q, slow) {
		c.stop = ReasonStall
		return false
	}
	return true
}

// slowCurvatures is curvatures (without withErr) at the states of the
// candidates active at iteration it of slowDescentDense. From the second
// iteration on every active candidate kept a step in the one before, whose
// trial evaluation gave q, F and the gradient at its state: a cell with
// the Hessian of q in closed form takes them from there instead of
// evaluating them again (on the flip-flop GRU-16 these evaluations were
// 12% of the descent). Up to batchFreeN states a row's values do not
// depend on its batch, so they are the numbers an evaluation would give,
// bit for bit; above, it evaluates them as before. The Hessians, q, F and
// the gradients go into b's storage, reused from one iteration to the next
// (the curvatures are valid until its next use).
func (f *finder) slowCurvatures(e *rowEval, active []int, st map[int]*slowShift, it int, b *curvatureBufs) ([]curvature, error) {
	if qh := f.closedQHessian(); qh != nil && it > 0 && f.N <= batchFreeN {
		N := f.N
		b.q, b.fo, b.g = growTo(b.q, len(active)), growTo(b.fo, len(active)*N), growTo(b.g, len(active)*N)
		q, fo, g := b.q, b.fo, b.g
		for k, ci := range active {
			c, s := f.cands[ci], st[ci]
			if len(s.g) != N {
				return f.curvatures(e, active, false)
			}
			q[k] = c.q
			copy(fo[k*N:(k+1)*N], c.f)
			copy(g[k*N:(k+1)*N], s.g)
		}
		if cv, ok := f.closedCurvaturesAt(qh, active, q, fo, g, &b.h); ok {
			return cv, nil
		}
	}
	return f.curvatures(e, active, false)
}

// curvatureBufs is slowCurvatures' storage: the Hessians, q, F and the
// gradients of an iteration's curvatures.
type curvatureBufs struct{ h, q, fo, g []float64 }

// slowRegionStop is the speed sqrt(2q) below which slowDescentDense stops a
// candidate whose Hessian of q is indefinite (and slowDescentCG one that
// kept no Newton step in slowNoNewtonSlow iterations): the slow-region speed
// (Settings.SlowRegionSpeed times the network's speed, as decideOutcomes
// labels). Such a candidate is labelled a slow region where it stops, a
// true label there (slow, not a root, and checkSlow finds no minimum); a
// minimum of q further along the region is left to other candidates.
// Following them cost most of the descent's work on trained GRUs, where
// they crawl along slow manifolds toward saturation (q falling toward 0,
// no minimum) until the iterations run out: on the flip-flop GRU-16, 296
// of its 562 descending candidates stop here, cutting its Hessians from
// 18635 to 8480, with every outcome as before. Candidates faster than
// that are followed as before: on the trained LSTM-16 they cross
// indefinite regions on their way to roots. It is 0 (no stop) when the
// network's speed is not positive and finite.
func (f *finder) slowRegionStop() (float64, error) {
	speed, _, err := f.speed()
	if err != nil || !(speed > 0) || math.IsInf(speed, 0) {
		return 0, err
	}
	return f.s.SlowRegionSpeed * speed, nil
}

// shiftedStep writes d = -(H + mu I)^-1 g, raising *mu until H + mu I has a
// Cholesky factor (so d goes down q), factored in work (n x n); hNorm is
// ||H||_F. It reports false when no shift up to 1e12 ||H|| gives one.
func shiftedStep(H, g []float64, hNorm float64, mu *float64, n int, d, work []float64) bool {
	hn := hNorm + 1e-300
	for {
		if posDefInto(H, *mu, n, work) {
			copy(d, g)
			linalg.CholeskySolve(work, n, d, 1)
			for i := range d {
				d[i] = -d[i]
			}
			return finite(d)
		}
		*mu = max(10**mu, 1e-6*hn)
		if *mu > 1e12*(hn+1) {
			return false
		}
	}
}

// posDefInto factors H + mu I into work (upper Cholesky factor,
// linalg.Cholesky) and reports whether it succeeded with a diagonal
// spanning less than 1e8.
func posDefInto(H []float64, mu float64, n int, work []float64) bool {
	copy(work, H)
	for i := 0; i < n; i++ {
		work[i*n+i] += mu
	}
	return linalg.Cholesky(work, n)
}
