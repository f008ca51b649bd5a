package finder

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

const (
	// slowMaxIters bounds the Newton iterations on grad q = 0 per candidate.
	slowMaxIters = 40
	// slowTries is the number of shifts tried per Hessian before giving up.
	slowTries = 8
	// slowWindow: a candidate whose q fell by less than slowWindowQ and
	// whose gradient by less than slowWindowG over this many iterations
	// crawls (along a slow manifold where q has no minimum): Newton's steps
	// on grad q shrink the gradient by orders of magnitude near a minimum.
	slowWindow  = 8
	slowWindowQ = 0.99
	slowWindowG = 0.1
)

// slowState is one candidate's state in slowDescent.
type slowState struct {
	mu           float64 // shift of the Hessian: 0 is Newton's step
	qMark, gMark float64 // q and ||g|| at the last window mark
	iters        int
}

// slowDescent drives each candidate that the refinement left short of a
// root to a critical point of q = 0.5||F(x) - x||^2, by Newton's steps on
// grad q = 0 with the full Hessian (see curvature), shifted by mu*I until
// positive definite (Levenberg-Marquardt on grad q) and capped by the
// refinement's trust region (capStep); a step is kept only when q does not
// rise. The Gauss-Newton steps of the refinement cannot finish at a local
// minimum of q > 0: there J - I is singular and its model of q is flat in
// the direction that matters. A candidate leaves when its residual is
// certified (a root after all), when its gradient is at rounding level
// with a positive definite Hessian (decideOutcomes then checks it again),
// when it crawls (see slowWindow), or when no shift lowers q.
func (f *finder) slowDescent(ctx context.Context) error {
	eps := f.s.Dtype.Eps()
	var active []int
	st := map[int]*slowState{}
	for i, c := range f.cands[:f.nInit()] {
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x) || residual(c.f, c.x) <= f.s.TolResidual {
			continue
		}
		active = append(active, i)
		st[i] = &slowState{qMark: c.q, gMark: math.Inf(1)}
	}
	if len(active) == 0 {
		return nil
	}
	e := f.newRowEval()
	N, M := f.N, f.M
	for it := 0; it < slowMaxIters && len(active) > 0; it++ {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		cv, err := f.curvatures(e, active, false)
		if err != nil {
			return err
		}
		next := active[:0:0]
		var steps []int // index into active of candidates taking a step
		for k, ci := range active {
			c, s := f.cands[ci], st[ci]
			v := &cv[k]
			c.q = v.q
			copy(c.f, v.f)
			gn := linalg.Nrm2(v.g)
			switch {
			case !finite(v.H) || !finite(v.g):
				c.stop = ReasonDiverged
				continue
			case residual(c.f, c.x) <= f.s.TolResidual:
				c.stop = ReasonNone
				continue
			case gn <= gradientFloor(v, c.x, eps) && posDef(v.H, 0, N):
				c.stop = ReasonNone // a critical point of q; decideOutcomes judges it
				continue
			}
			if s.iters > 0 && s.iters%slowWindow == 0 {
				if v.q > slowWindowQ*s.qMark && gn > slowWindowG*s.gMark {
					c.stop = ReasonStall
					continue
				}
				s.qMark, s.gMark = v.q, gn
			} else if s.iters == 0 {
				s.gMark = gn
			}
			s.iters++
			steps = append(steps, k)
		}
		// Trials: each candidate tries shifted Newton steps until q does
		// not rise; all pending candidates are evaluated in one batch.
		pending := steps
		trial := make([]float64, len(steps)*N)
		tu := make([]float64, len(steps)*M)
		tq, tf, tg := make([]float64, len(steps)), make([]float64, len(steps)*N), make([]float64, len(steps)*N)
		for try := 0; try < slowTries && len(pending) > 0; try++ {
			rows := pending[:0:0]
			for _, k := range pending {
				ci := active[k]
				c, s := f.cands[ci], st[ci]
				row := len(rows)
				if !shiftedStep(cv[k].H, cv[k].g, &s.mu, N, trial[row*N:(row+1)*N]) {
					c.stop = ReasonStall
					continue
				}
				capStep(trial[row*N:(row+1)*N], c.x)
				for i := range c.x {
					trial[row*N+i] += c.x[i]
				}
				copy(tu[row*M:(row+1)*M], c.u)
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
					c.q, c.refines = qt, c.refines+1
					s.mu /= 10
					if s.mu < 1e-12*(linalg.Nrm2(cv[k].H)+1e-300) {
						s.mu = 0
					}
					next = append(next, ci)
					continue
				}
				s.mu = max(10*s.mu, 1e-6*(linalg.Nrm2(cv[k].H)+1e-300))
				if s.mu > 1e12*(linalg.Nrm2(cv[k].H)+1) {
					c.stop = ReasonStall
					continue
				}
				pending = append(pending, k)
			}
		}
		for _, k := range pending {
			f.cands[active[k]].stop = ReasonStall // no shift lowered q
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

// shiftedStep writes d = -(H + mu I)^-1 g, raising *mu until H + mu I has a
// Cholesky factor (so d goes down q). It reports false when no shift up to
// 1e12 ||H|| gives one.
func shiftedStep(H, g []float64, mu *float64, n int, d []float64) bool {
	hn := linalg.Nrm2(H) + 1e-300
	work := make([]float64, n*n)
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

// posDef reports whether H + mu I has a Cholesky factor.
func posDef(H []float64, mu float64, n int) bool {
	return posDefInto(H, mu, n, make([]float64, n*n))
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
