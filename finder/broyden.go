package finder

import (
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

const (
	// broydenMaxSteps bounds the quasi-Newton steps taken after the
	// Levenberg-Marquardt step that evaluated a Jacobian.
	broydenMaxSteps = 8
	// broydenRatio is the factor by which a quasi-Newton step must shrink
	// q (half the residual norm); a candidate that contracts slower waits
	// for a fresh Jacobian.
	broydenRatio = 0.25
)

// broydenSteps takes quasi-Newton steps for the candidates part[k], k in ks,
// after their accepted Levenberg-Marquardt step. Each starts from its step
// matrix P[k] (the inverse of its damped normal equations times A^T),
// corrected by Broyden's update for the step and change of residual sy[k]
// it just took, and updated so after every further step.
//
// A step costs one batched evaluation of F and a few N x N matrix-vector
// products, where a fresh Jacobian costs a graph pass (N of them for a cell
// without a closed form) and a factorization; Broyden's updates keep the convergence superlinear. A
// candidate keeps stepping while each step shrinks q by broydenRatio, and
// is otherwise left where it was for the next Levenberg-Marquardt
// iteration.
//
// A candidate bound for a root (boundForRoot) takes no more steps: its
// round's end freezes it at its root or ends its refinement, wherever in
// the box it is.
//
// It returns the candidates that reached the rounding floor.
func (f *finder) broydenSteps(part, ks []int, P, sy []float64, sc *lmScratch) (map[int]bool, error) {
	N, M := f.N, f.M
	NN := N * N
	eps := f.s.Dtype.Eps()
	ks = slices.DeleteFunc(slices.Clone(ks), func(k int) bool { return f.boundForRoot(part[k]) })
	linalg.Parallel(len(ks), func(lo, hi int) {
		pv, pt := make([]float64, N), make([]float64, N)
		for _, k := range ks[lo:hi] {
			broydenUpdate(P[k*NN:(k+1)*NN], sy[2*k*N:(2*k+1)*N], sy[(2*k+1)*N:(2*k+2)*N], pv, pt)
		}
	})
	b := batchRows(len(ks), N)
	trial := grow(&sc.bTrial, b*N)
	tu := grow(&sc.bTu, b*M)
	fout := grow(&sc.bFout, b*N)
	r := grow(&sc.bR, len(ks)*N) // residual at each row's current x
	const (
		rejected = iota
		stepping
		converged
	)
	outcome := make([]int8, len(ks))
	done := map[int]bool{}
	for step := 0; step < broydenMaxSteps && len(ks) > 0; step++ {
		linalg.Parallel(len(ks), func(lo, hi int) {
			for row := lo; row < hi; row++ {
				k := ks[row]
				c := f.cands[part[k]]
				rk := r[row*N : (row+1)*N]
				for i := 0; i < N; i++ {
					rk[i] = c.f[i] - c.x[i]
				}
				trialPoint(c, P[k*NN:(k+1)*NN], rk, trial[row*N:(row+1)*N], tu[row*M:(row+1)*M])
			}
		})
		if err := f.stepRows(trial, tu, fout, len(ks)); err != nil {
			return nil, err
		}
		linalg.Parallel(len(ks), func(lo, hi int) {
			s, y, pv, pt := make([]float64, N), make([]float64, N), make([]float64, N), make([]float64, N)
			for row := lo; row < hi; row++ {
				k := ks[row]
				c := f.cands[part[k]]
				xt, ft, rk := trial[row*N:(row+1)*N], fout[row*N:(row+1)*N], r[row*N:(row+1)*N]
				qt := halfSq(ft, xt)
				if !(qt < broydenRatio*c.q) {
					outcome[row] = rejected
					continue
				}
				for i := 0; i < N; i++ {
					s[i] = xt[i] - c.x[i]
					y[i] = ft[i] - xt[i] - rk[i]
				}
				copy(c.x, xt)
				copy(c.f, ft)
				c.q, c.refines = qt, c.refines+1
				if residual(ft, xt) <= floorRes(c.x, eps) {
					outcome[row] = converged
					continue
				}
				broydenUpdate(P[k*NN:(k+1)*NN], s, y, pv, pt)
				outcome[row] = stepping
			}
		})
		n := 0
		for row, k := range ks {
			switch outcome[row] {
			case converged:
				done[part[k]] = true
			case stepping:
				if !f.boundForRoot(part[k]) {
					ks[n] = k
					n++
				}
			}
		}
		ks = ks[:n]
	}
	return done, nil
}

// boundForRoot reports whether candidate ci may stop refining where it is: in
// the freezing box of a root proved during the search's refinement, where
// the round's end freezes it at that root (freezeAtRoots), or, for
// completion's seeds, where refineStop ends its refinement (a known proved
// point's uniqueness box). Those tests ran only at a round's end, after
// the quasi-Newton steps: on the flip-flop RNN-16 about a third of these
// steps (4,300 of 12,000 a Find) were taken inside such boxes, by
// candidates already bound for that root.
func (f *finder) boundForRoot(ci int) bool {
	c := f.cands[ci]
	return f.early.on && f.freezeBox(c.x, c.u) != nil || f.refineStop != nil && f.refineStop(ci)
}

// broydenUpdate corrects the inverse-Jacobian estimate P (n x n) by
// Broyden's good update for a step s that changed the residual by y:
//
//	P += (s - P y) (s^T P) / (s^T P y),
//
// so that P y = s afterwards (the secant condition), changing P only in
// the direction of s. pv and pt (n each) are scratch. A degenerate update
// (s^T P y = 0 or not finite) is skipped.
func broydenUpdate(P, s, y, pv, pt []float64) {
	n := len(s)
	m := blas64.General{Rows: n, Cols: n, Stride: n, Data: P}
	blas64.Gemv(blas.NoTrans, 1, m, blas64.Vector{N: n, Inc: 1, Data: y}, 0, blas64.Vector{N: n, Inc: 1, Data: pv})
	blas64.Gemv(blas.Trans, 1, m, blas64.Vector{N: n, Inc: 1, Data: s}, 0, blas64.Vector{N: n, Inc: 1, Data: pt})
	den := 0.0
	for i := 0; i < n; i++ {
		den += s[i] * pv[i]
		pv[i] = s[i] - pv[i]
	}
	if den == 0 || den-den != 0 {
		return
	}
	blas64.Ger(1/den, blas64.Vector{N: n, Inc: 1, Data: pv}, blas64.Vector{N: n, Inc: 1, Data: pt}, m)
}

// stepMatrix writes into P (n x n) the matrix of a damped Gauss-Newton
// step for A = J - I, given its transpose At (row-major, so that P = A^T
// is a copy, not a strided transpose): the step from a residual r is
// d = -P r with
//
//	P = (H + lambda*(diag(H) + tiny))^-1 A^T,  H = A^T A (upper triangle),
//
// and reports whether the damped system was solved. Having P, not a
// factor, makes a step one matrix-vector product, shared by the
// candidates of one Jacobian and damping, and lets quasi-Newton updates
// correct it after each step (see broydenUpdate). work (n x n) is scratch.
//
// linalg.Cholesky (LAPACK's potrf without mat's condition estimate, which
// took three quarters of the time of a step at N = 16) factors it. A factor whose diagonal spans more than 1e8 (a condition number
// beyond about 1e16) is treated as singular, as mat's solve would; so is
// one that fails. Then P is a short gradient step, A^T / (lambda*(tr(H)/n + 1)).
func stepMatrix(H, At []float64, lambda float64, work, P []float64) (solved bool) {
	n := 0
	for n*n < len(At) {
		n++
	}
	tr := 0.0
	for i := 0; i < n; i++ {
		tr += H[i*n+i]
	}
	tiny := 1e-12 * max(tr/float64(n), 1e-300)
	copy(work, H)
	for i := 0; i < n; i++ {
		work[i*n+i] = H[i*n+i] + lambda*(H[i*n+i]+tiny) + tiny*1e-4
	}
	copy(P, At)
	if linalg.Cholesky(work, n) {
		linalg.CholeskySolve(work, n, P, n)
		return true
	}
	s := 1 / (lambda * (tr/float64(n) + 1))
	for i := range P {
		P[i] *= s
	}
	return false
}

// trialPoint sets xt = x + d with d = -P r capped by capStep, and ut = u:
// candidate c's next trial point under its step matrix P and residual r.
func trialPoint(c *candidate, P, r, xt, ut []float64) {
	n := len(r)
	blas64.Gemv(blas.NoTrans, -1, blas64.General{Rows: n, Cols: n, Stride: n, Data: P},
		blas64.Vector{N: n, Inc: 1, Data: r}, 0, blas64.Vector{N: n, Inc: 1, Data: xt})
	capStep(xt, c.x)
	for i, v := range c.x {
		xt[i] += v
	}
	copy(ut, c.u)
}
