package finder

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/mat"
)

// Linearize fills the Jacobians of every point of fp (unless s.NoJacobians)
// and then their eigen-decomposition and stability (unless s.NoDecompose).
// See EvalJacobians and Decompose.
func Linearize(cell cells.Cell, fp *FixedPoints, s Settings) error {
	return LinearizeContext(context.Background(), cell, fp, s)
}

// LinearizeContext is Linearize that stops when ctx is canceled, between
// Jacobian passes and between eigen-decompositions, returning ctx's error
// (wrapped) and leaving fp unchanged by the step it interrupted.
func LinearizeContext(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings) error {
	return linearize(ctx, cell, fp, s, nil)
}

// linearize is LinearizeContext; proved (may be nil) gives the radius of a
// Krawczyk proof made at exactly a point's X and U by this search, which
// the stability proofs then take instead of proving the root again.
func linearize(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings, proved func(*Point) (float64, bool)) error {
	s.fill()
	if s.NoJacobians {
		return nil
	}
	if err := EvalJacobiansContext(ctx, cell, fp, s); err != nil {
		return err
	}
	if s.NoDecompose {
		return nil
	}
	if err := decompose(ctx, fp, s, stabilityProver(cell, fp.N, s) != nil); err != nil {
		return err
	}
	return proveStabilityWith(ctx, cell, fp, s, proved)
}

// stabilityProver is cell as a cells.Factored when the stability of its
// points of N states is proved (N <= s.ProveStabilityMaxN, s filled), else
// nil. Those points are decomposed in full at once (decomposeOne).
func stabilityProver(cell cells.Cell, N int, s Settings) cells.Factored {
	if fc, ok := cell.(cells.Factored); ok && N > 0 && N <= s.ProveStabilityMaxN {
		return fc
	}
	return nil
}

// linearizeFixed is Find's linearization of its fixed points fp: linearize,
// keeping every matrix, up to Settings.KeepMatricesMaxN states, and
// linearizeLean above.
func (f *finder) linearizeFixed(ctx context.Context, fp *FixedPoints) error {
	if f.s.keepMatrices(fp.N) {
		if a := f.ahead; a != nil {
			f.ahead = nil
			if a.finish(ctx, f.cell, fp, f.provedRadius) {
				return nil
			}
		}
		return linearize(ctx, f.cell, fp, f.s, f.provedRadius)
	}
	return linearizeLean(ctx, f.cell, fp, f.s, f.provedRadius, f.newRightKeeper(fp))
}

// linearizeLean is linearize that keeps O(N) of each point: the points go
// through EvalJacobians' chunks (jacobianBatch: the same chunks, so the
// same values), and each point of a chunk is decomposed, its stability
// proved and its Jacobians and eigenvectors dropped (but the right vectors
// keep leaves for the connections) before the next chunk is evaluated. The
// memory held is a chunk's Jacobians (Settings.JacobianBudget, twice with
// JacobianError's second evaluation), one full decomposition per CPU, and
// O(N) per point. Each point's Modes, Stability, JacobianError and proofs
// are those linearize gives it. On error the points before the failing
// chunk are analyzed and the others partly or not at all.
func linearizeLean(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings, proved func(*Point) (float64, bool), keep *rightKeeper) error {
	s.fill()
	if s.NoJacobians {
		return nil
	}
	xs, us, jac, bc, err := jacobianGraph(cell, fp, s)
	if err != nil || jac == nil {
		return err
	}
	defer graph.Shared.Put(jac)
	n, N := len(xs), fp.N
	fc := stabilityProver(cell, N, s)
	for lo := 0; lo < n; lo += bc {
		hi := min(lo+bc, n)
		outX, outU, fs, err := evalJacobians(ctx, jac, xs[lo:hi], us[lo:hi])
		if err != nil {
			return err
		}
		jerrs, err := jacobianErrors(ctx, func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
			return evalJacobians(ctx, jac, xs, us)
		}, xs[lo:hi], us[lo:hi], fs, outX, s.Dtype.Eps())
		if err != nil {
			return err
		}
		for k := lo; k < hi; k++ {
			p := &fp.Points[k]
			p.Jacobian, p.InputJacobian, p.JacobianError = outX[k-lo], outU[k-lo], jerrs[k-lo]
		}
		errs := make([]error, hi-lo)
		linalg.ParallelEach(hi-lo, func(a, b int) {
			for k := lo + a; k < lo+b; k++ {
				p := &fp.Points[k]
				if !s.NoDecompose {
					if err := ctx.Err(); err != nil {
						errs[k-lo] = fmt.Errorf("finder: decompose: %w", err)
						return
					}
					m, st, err := decomposePoint(N, p, &s, fc != nil)
					if err != nil {
						errs[k-lo] = fmt.Errorf("finder: decompose: point %d: %w", k, err)
						return
					}
					p.Modes, p.Stability = m, st
					if fc != nil {
						proveStabilityAt(fc, p, s, proved)
					}
				}
				p.Jacobian, p.InputJacobian = nil, nil
				outX[k-lo], outU[k-lo] = nil, nil
				keep.add(k)
			}
		})
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// LinearizePoints linearizes the points of fp at idx again, in place, as
// Linearize does, keeping everything whatever s.KeepMatricesMaxN: their
// Jacobian, InputJacobian and JacobianError, their Modes with both
// eigenvectors (unless s.NoEigenvectors) and their Stability. It is the way
// back to the matrices that Find drops above Settings.KeepMatricesMaxN,
// for the points wanted: pass Result.Settings and the cell Find ran. The
// Jacobians are evaluated again, as a batch of len(idx) points: the values
// Find had, unless the cell's batched evaluation rounds a point's row
// differently in another batch; the stability proof (up to
// ProveStabilityMaxN) proves each root again. The other points and
// fp.Connections are untouched. An index out of range is an error; on
// error fp is left unchanged.
func LinearizePoints(cell cells.Cell, fp *FixedPoints, idx []int, s Settings) error {
	if fp == nil {
		return fmt.Errorf("finder: linearize points: nil fixed points")
	}
	sub, err := fp.Subset(idx)
	if err != nil {
		return err
	}
	if err := Linearize(cell, sub, s); err != nil {
		return err
	}
	for k, i := range idx {
		p, q := &fp.Points[i], &sub.Points[k]
		p.Jacobian, p.InputJacobian, p.JacobianError = q.Jacobian, q.InputJacobian, q.JacobianError
		p.Modes, p.Stability = q.Modes, q.Stability
	}
	return nil
}

// proveStability proves the mode classes of the points of fp (see
// stability.ProveRoot: Krawczyk's proof of the root, the enclosure of dF/dx
// there, eigenvalue discs) when N <= s.ProveStabilityMaxN and the cell says
// how its residual factors (cells.Factored), then classifies each point
// again, so that Stability.Proved says whether every class is proved. A
// point whose leading modes only were found gets its full decomposition
// first. A point nothing is proved of keeps its estimated classes. Only
// cancellation is an error.
func proveStability(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings) error {
	return proveStabilityWith(ctx, cell, fp, s, nil)
}

// proveStabilityWith is proveStability where proved (may be nil) gives the
// radius of a root already proved at exactly a point's X and U (see
// finder.provedRadius): stability.ProveAt then skips the second existence
// proof, whose radius would be the same.
func proveStabilityWith(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings, proved func(*Point) (float64, bool)) error {
	fc := stabilityProver(cell, fp.N, s)
	if fc == nil {
		return nil
	}
	// Each point's proof is its own (a millisecond at N = 16, seconds at
	// 1024), so the points are split over the CPUs; a point's result does
	// not depend on the split.
	var stopped atomic.Bool
	linalg.ParallelEach(len(fp.Points), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			if ctx.Err() != nil {
				stopped.Store(true)
				return
			}
			proveStabilityAt(fc, &fp.Points[k], s, proved)
		}
	})
	if err := ctx.Err(); err != nil && stopped.Load() {
		return fmt.Errorf("finder: prove stability: %w", err)
	}
	return nil
}

// proveStabilityAt proves the mode classes of one point (see
// proveStability) and classifies it again when something was proved.
// Linearize decomposes such a point in full at once (decomposeOne's full);
// where nothing is proved and Settings.Eigen asks for the leading modes,
// the point gets them (decomposePoint) as Decompose gives them, so that
// its Modes and Stability are those of a decomposition followed by a
// failed proof, whichever decomposition came first.
func proveStabilityAt(fc cells.Factored, p *Point, s Settings, proved func(*Point) (float64, bool)) {
	N := len(p.X)
	if len(p.Jacobian) != N*N {
		return // dropped (Settings.KeepMatricesMaxN) or never evaluated
	}
	modes := p.Modes
	if len(modes) != N {
		var err error
		if modes, err = stability.FullModes(N, p.Jacobian, !s.NoEigenvectors); err != nil {
			return
		}
		if s.ContinuousTime {
			for i := range modes {
				modes[i].Value -= 1
			}
		}
		stability.SortModes(modes, s.ContinuousTime)
		stability.SetBounds(modes, p.Jacobian, N, p.JacobianError, 0, s.Dtype.Eps(), s.ContinuousTime)
	}
	var n int
	if r, ok := provedAt(proved, p); ok {
		n, _ = stability.ProveAt(fc, p.X, p.U, r, p.Jacobian, modes, s.ContinuousTime)
	} else {
		n, _ = stability.ProveRoot(fc, p.X, p.U, p.Jacobian, modes, s.ContinuousTime)
	}
	if n == 0 {
		if len(p.Modes) == N && useLeading(&s, N) {
			if m, st, err := decomposePoint(N, p, &s, false); err == nil {
				p.Modes, p.Stability = m, st
			}
		}
		return
	}
	p.Modes = modes
	p.Stability = stability.Classify(modes, s.MarginalTol, s.ContinuousTime)
}

// EvalJacobians sets Point.Jacobian (dF/dx, N x N), Point.InputJacobian
// (dF/du, N x M; nil when M = 0) and Point.JacobianError at every point of
// fp, evaluated in s.Dtype.
//
// JacobianError bounds how far the stored Jacobian may be from the Jacobian
// at the true fixed point near X (see JacobianErrorBound): the rounding of
// its evaluation plus the change of J over the Newton correction
// d = -(J - I)^+ (F(x) - x) that the residual implies, measured by a second
// Jacobian evaluation at x + d.
//
// The points go through one batched graph.Jacobians chunk by chunk, the chunk
// as large as s.JacobianBudget allows (see jacobianBatch), so that no more
// than the budget is held in batch buffers at once; jacobianEvals tells how
// many chunks that takes. On error fp is left unchanged.
func EvalJacobians(cell cells.Cell, fp *FixedPoints, s Settings) error {
	return EvalJacobiansContext(context.Background(), cell, fp, s)
}

// EvalJacobiansContext is EvalJacobians that stops when ctx is canceled (checked
// before each of the graph's passes), returning ctx's error wrapped.
func EvalJacobiansContext(ctx context.Context, cell cells.Cell, fp *FixedPoints, s Settings) error {
	s.fill()
	var eval jacobiansFunc
	var xs, us [][]float64
	if closed := closedJacobians(cell, s.Dtype); closed != nil {
		var err error
		if xs, us, err = jacobianInputs(cell, fp, s); err != nil || len(xs) == 0 {
			return err
		}
		eval = func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, fmt.Errorf("finder: jacobians of points 0..%d: %w", len(xs)-1, err)
			}
			return closed(xs, us)
		}
	} else {
		var jac *graph.Jacobians
		var err error
		xs, us, jac, _, err = jacobianGraph(cell, fp, s)
		if err != nil || jac == nil {
			return err
		}
		defer graph.Shared.Put(jac)
		eval = func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
			return evalJacobians(ctx, jac, xs, us)
		}
	}
	outX, outU, fs, err := eval(xs, us)
	if err != nil {
		return err
	}
	errs, err := jacobianErrors(ctx, eval, xs, us, fs, outX, s.Dtype.Eps())
	if err != nil {
		return err
	}
	for k := range fp.Points {
		fp.Points[k].Jacobian = outX[k]
		fp.Points[k].InputJacobian = outU[k]
		fp.Points[k].JacobianError = errs[k]
	}
	return nil
}

// jacobiansFunc evaluates dF/dx, dF/du and F at the states xs (inputs us).
type jacobiansFunc func(xs, us [][]float64) (outX, outU, fs [][]float64, err error)

// closedJacobians returns a one-layer tanh RNN's Jacobians, a GRU's or an
// LSTM's in closed form from F, the graph's bits without a graph
// (tanhStep.jacobians, rowJacobians), or nil for another cell. Each
// point's are computed on their own: the same whatever the batch.
func closedJacobians(cell cells.Cell, d graph.Dtype) jacobiansFunc {
	if t := newTanhStep(cell, d); t != nil {
		return t.jacobians
	} else if g := newGRUStep(cell, d); g != nil {
		return func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) { return rowJacobians(g, xs, us) }
	} else if l := newLSTMStep(cell, d); l != nil {
		return func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) { return rowJacobians(l, xs, us) }
	}
	return nil
}

// jacobianGraph checks s, cell and fp (jacobianInputs) and checks out of
// graph.Shared (built there unless an earlier call for an equal cell and
// batch handed one back, as Find's programs are) the Jacobians' program
// for chunks of bc points (jacobianBatch); jac is nil when fp has no
// points. The caller hands jac back (graph.Shared.Put).
func jacobianGraph(cell cells.Cell, fp *FixedPoints, s Settings) (xs, us [][]float64, jac *graph.Jacobians, bc int, err error) {
	if xs, us, err = jacobianInputs(cell, fp, s); err != nil || len(xs) == 0 {
		return nil, nil, nil, 0, err
	}
	bc = jacobianBatch(len(xs), fp.N, fp.M, s.JacobianBudget)
	if jac, err = graph.Shared.Jacobians(cell, bc, s.Dtype); err != nil {
		return nil, nil, nil, 0, fmt.Errorf("finder: jacobians: %w", err)
	}
	return xs, us, jac, bc, nil
}

// jacobianInputs checks s, cell and the points of fp for EvalJacobians and
// returns the points' states and inputs.
func jacobianInputs(cell cells.Cell, fp *FixedPoints, s Settings) (xs, us [][]float64, err error) {
	if err := s.validate(); err != nil {
		return nil, nil, err
	}
	if fp == nil {
		return nil, nil, fmt.Errorf("finder: jacobians: nil fixed points")
	}
	if cell == nil {
		return nil, nil, fmt.Errorf("finder: jacobians: nil cell")
	}
	N, M := cell.StateSize(), cell.InputSize()
	if fp.N != N || fp.M != M {
		return nil, nil, fmt.Errorf("finder: jacobians: points have N = %d, M = %d but the cell has N = %d, M = %d", fp.N, fp.M, N, M)
	}
	n := len(fp.Points)
	xs, us = make([][]float64, n), make([][]float64, n)
	for i, p := range fp.Points {
		if len(p.X) != N {
			return nil, nil, fmt.Errorf("finder: jacobians: point %d has %d state values, want %d", i, len(p.X), N)
		}
		if len(p.U) != M {
			return nil, nil, fmt.Errorf("finder: jacobians: point %d has %d input values, want %d", i, len(p.U), M)
		}
		if err := checkFinite(fmt.Sprintf("point %d state", i), p.X, N); err != nil {
			return nil, nil, fmt.Errorf("finder: jacobians: %w", err)
		}
		xs[i], us[i] = p.X, p.U
	}
	return xs, us, nil
}

// evalJacobians evaluates dF/dx, dF/du and F at the states xs and inputs us
// through jac, chunk by chunk, checking that every value is finite.
func evalJacobians(ctx context.Context, jac *graph.Jacobians, xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
	n, bc, N, M := len(xs), jac.B(), jac.N(), jac.M()
	x := make([]float64, bc*N)
	u := make([]float64, bc*M)
	jx := make([]float64, bc*N*N)
	var ju []float64
	if M > 0 {
		ju = make([]float64, bc*N*M)
	}
	outX, outU, fs = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for lo := 0; lo < n; lo += bc {
		hi := min(lo+bc, n)
		for b := 0; b < bc; b++ {
			// Pad a ragged last chunk by repeating its last point.
			k := min(lo+b, hi-1)
			copy(x[b*N:(b+1)*N], xs[k])
			copy(u[b*M:(b+1)*M], us[k])
		}
		if err := jac.EvalContext(ctx, x, u, jx, ju); err != nil {
			return nil, nil, nil, fmt.Errorf("finder: jacobians of points %d..%d: %w", lo, hi-1, err)
		}
		for k := lo; k < hi; k++ {
			b := k - lo
			j := append([]float64(nil), jx[b*N*N:(b+1)*N*N]...)
			if err := graph.CheckFinite(fmt.Sprintf("finder: jacobian of point %d", k), j, N); err != nil {
				return nil, nil, nil, err
			}
			outX[k] = j
			fs[k] = append([]float64(nil), jac.F()[b*N:(b+1)*N]...)
			if M > 0 {
				ji := append([]float64(nil), ju[b*N*M:(b+1)*N*M]...)
				if err := graph.CheckFinite(fmt.Sprintf("finder: input jacobian of point %d", k), ji, M); err != nil {
					return nil, nil, nil, err
				}
				outU[k] = ji
			}
		}
	}
	return outX, outU, fs, nil
}

// jacobianBatch is the number of points whose Jacobians are evaluated at
// once: as many as fit in budget bytes of float64 Jacobian buffers
// (N*N + N*M values a point), at most n and at least 1.
func jacobianBatch(n, N, M, budget int) int {
	per := 8 * (N*N + N*M)
	bc := n
	if per > 0 && budget/per < bc {
		bc = budget / per
	}
	return max(bc, 1)
}

// jacobianEvals is the number of batched Jacobian evaluations (each one
// graph.Jacobians.Eval) that EvalJacobians spends on n points, for Stats: its chunks
// at the points and, for JacobianError, as many at their Newton-corrected
// states (an upper bound: points whose correction moves nothing are not
// evaluated again).
func jacobianEvals(n, N, M int, s Settings) int {
	if n == 0 || s.NoJacobians {
		return 0
	}
	s.fill()
	bc := jacobianBatch(n, N, M, s.JacobianBudget)
	return 2 * ((n + bc - 1) / bc)
}

// newtonCorrection returns the minimum-norm Newton correction
// d = -(J - I)^+ r for the n x n row-major Jacobian j and residual
// r = F(x) - x, with singular values of J - I below n * eps64 * sigma_max
// taken as zero (the numerical null space, e.g. along a line attractor).
// A well-conditioned J - I (condition estimate below 1e10) is solved by LU,
// several times cheaper than the SVD the others take.
func newtonCorrection(j, r []float64) (d []float64, err error) {
	n := len(r)
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("factorization of J - I panicked: %v", p)
		}
	}()
	a := mat.NewDense(n, n, append([]float64(nil), j...))
	for i := 0; i < n; i++ {
		a.Set(i, i, a.At(i, i)-1)
	}
	var lu mat.LU
	lu.Factorize(a)
	if c := lu.Cond(); c < 1e10 {
		var dv mat.VecDense
		if err := lu.SolveVecTo(&dv, false, mat.NewVecDense(n, append([]float64(nil), r...))); err == nil {
			d = make([]float64, n)
			for i := range d {
				d[i] = -dv.AtVec(i)
			}
			return d, nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("SVD of J - I did not converge")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	sv := svd.Values(nil)
	tol := float64(n) * 0x1p-52 * sv[0] // the SVD runs in float64
	c := make([]float64, n)             // c = -Sigma^+ U^T r
	for k, s := range sv {
		if s <= tol || s == 0 {
			continue
		}
		dot := 0.0
		for i := 0; i < n; i++ {
			dot += u.At(i, k) * r[i]
		}
		c[k] = -dot / s
	}
	d = make([]float64, n)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			d[i] += v.At(i, k) * c[k]
		}
	}
	return d, nil
}

// newtonCorrected is jacobianErrors' first part at one point, of Jacobian
// j, F(x) = fx and state x: its JacobianErrorBound without a second
// Jacobian, and the Newton-corrected state, where the Jacobian is to be
// evaluated again (nil where the correction moves nothing, or fails: then
// the bound is final, +Inf for a failed correction).
func newtonCorrected(j, fx, x []float64, eps float64) (float64, []float64) {
	N := len(x)
	r := make([]float64, N)
	for i := range r {
		r[i] = fx[i] - x[i]
	}
	e := JacobianErrorBound(j, nil, N, eps)
	d, err := newtonCorrection(j, r)
	if err != nil || !finite(d) {
		return math.Inf(1), nil // no estimate of the distance: no bound
	}
	xc := make([]float64, N)
	same := true
	for i := range xc {
		xc[i] = x[i] + d[i]
		same = same && xc[i] == x[i]
	}
	if same {
		return e, nil
	}
	return e, xc
}

// jacobianErrors computes JacobianErrorBound for every point: the Newton
// correction from its Jacobian js[k] and residual fs[k] - xs[k], and the
// Jacobians at the corrected states through eval (those whose correction
// moves the state at all).
func jacobianErrors(ctx context.Context, eval func(xs, us [][]float64) (outX, outU, fs [][]float64, err error), xs, us, fs, js [][]float64, eps float64) ([]float64, error) {
	n := len(xs)
	if n == 0 {
		return []float64{}, nil
	}
	N := len(xs[0])
	out := make([]float64, n)
	var moved []int
	var xc, uc [][]float64
	for k := range xs {
		var x []float64
		if out[k], x = newtonCorrected(js[k], fs[k], xs[k], eps); x != nil {
			moved = append(moved, k)
			xc, uc = append(xc, x), append(uc, us[k])
		}
	}
	if len(moved) == 0 {
		return out, nil
	}
	jd, _, _, err := eval(xc, uc)
	if ctx.Err() != nil {
		return nil, err
	}
	if err != nil {
		// Not finite at the corrected states: the correction is no
		// estimate of the distance to a fixed point.
		for _, k := range moved {
			out[k] = math.Inf(1)
		}
		return out, nil
	}
	for i, k := range moved {
		out[k] = JacobianErrorBound(js[k], jd[i], N, eps)
	}
	return out, nil
}

// linearizer linearizes one point at a time as linearize does a set, for
// a cell with closed-form Jacobians (closedJacobians): each point's
// Jacobians, JacobianError, Modes and Stability depend on its own X and U
// (and its proved radius) only, so one point's are the set's.
type linearizer struct {
	s      Settings // filled
	closed jacobiansFunc
	fc     cells.Factored // nil: no stability proofs (linearize's proveStabilityWith)
}

// newLinearizer is the linearizer of Find's linearizeFixed under s, or
// nil where it does not apply: Jacobians not in closed form, or not kept
// (linearizeLean), or none wanted.
func newLinearizer(cell cells.Cell, N int, s Settings) *linearizer {
	s.fill()
	if s.NoJacobians || !s.keepMatrices(N) {
		return nil
	}
	closed := closedJacobians(cell, s.Dtype)
	if closed == nil {
		return nil
	}
	l := &linearizer{s: s, closed: closed}
	l.fc = stabilityProver(cell, N, s)
	return l
}

// point sets p's Jacobian, InputJacobian, JacobianError, Modes and
// Stability from its X and U, as linearize would within a set, with r the
// radius of the root proved at p (proved; see finder.provedRadius). It
// reports false, leaving p's results unset or partial, where linearize's
// set could come out otherwise: an error (the set's would fail, or mark
// every point it corrected), which the caller leaves to linearize.
func (l *linearizer) point(p *Point, r float64, proved bool) bool {
	N := len(p.X)
	js, jus, fs, err := l.closed([][]float64{p.X}, [][]float64{p.U})
	if err != nil {
		return false
	}
	e, xc := newtonCorrected(js[0], fs[0], p.X, l.s.Dtype.Eps())
	if xc != nil {
		jd, _, _, err := l.closed([][]float64{xc}, [][]float64{p.U})
		if err != nil {
			return false
		}
		e = JacobianErrorBound(js[0], jd[0], N, l.s.Dtype.Eps())
	}
	p.Jacobian, p.InputJacobian, p.JacobianError = js[0], jus[0], e
	if l.s.NoDecompose {
		return true
	}
	m, st, err := decomposePoint(N, p, &l.s, l.fc != nil)
	if err != nil {
		return false
	}
	p.Modes, p.Stability = m, st
	if l.fc != nil {
		proveStabilityAt(l.fc, p, l.s, func(*Point) (float64, bool) { return r, proved })
	}
	return true
}

// linAhead is the linearization of the roots the search's refinement
// proved (from before prove), of the points known when completion starts
// (nearly every point a Find reports) and of those completion finds as it
// finds them, done by a goroutine of its own while prove and completion
// run, which leave the second CPU idle for most of their time (a 16-unit
// flip-flop network's completion ran 5.0 ms on 2 CPUs for 5.9 ms of CPU).
// linearizeFixed then takes their results, linearizes the points it lacks
// and finishes the ahead ones not yet done, in parallel. A point's results
// are a function of its X, U and proved radius (linearizer.point): each
// point taken is one whose X and U are the same bits and whose radius is
// the same, and any error hands the whole set back to linearize, so the
// results are those of linearize, on any number of CPUs.
type linAhead struct {
	lin *linearizer
	ctx context.Context
	wg  sync.WaitGroup
	mu  sync.Mutex
	// Under mu: the points (X, U and the radius set when added, the
	// results by whoever takes them), the next to take, whether a
	// goroutine is taking them, and whether taking has stopped.
	pts     []*aheadPoint
	next    int
	running bool
	stopped bool
}

// aheadPoint is a point linearized ahead, with the proved radius it was
// linearized with.
type aheadPoint struct {
	p      Point
	r      float64
	proved bool
	ok     bool // p's results are set (linearizer.point)
}

// linearizeAhead adds the candidates known (certified, distinct) to the
// points linearized ahead (linearizeAheadAt), with the radii of their
// roots: f.roots only grows, and its first root at a point stays its
// first.
func (f *finder) linearizeAhead(ctx context.Context, known []int) {
	pts := make([]aheadPoint, len(known))
	for i, ci := range known {
		c := f.cands[ci]
		pts[i].p = Point{X: c.x, U: c.u}
		pts[i].r, pts[i].proved = f.provedRadius(&pts[i].p)
	}
	f.linearizeAheadAt(ctx, pts)
}

// linearizeAheadAt adds the points pts (X, U and radius; copied) to the
// points linearized ahead, but for those there already, and has a
// goroutine of its own take them, where that may pay: more than one CPU,
// a linearizer, and every point reported (no MaxUnique subset, which
// would leave most of the work unused).
func (f *finder) linearizeAheadAt(ctx context.Context, pts []aheadPoint) {
	if runtime.GOMAXPROCS(0) < 2 || len(pts) == 0 || f.s.MaxUnique > 0 {
		return
	}
	a := f.ahead
	if a == nil {
		lin := newLinearizer(f.cell, f.N, f.s)
		if lin == nil {
			return
		}
		a = &linAhead{lin: lin, ctx: ctx}
		f.ahead = a
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	for i := range pts {
		p := &pts[i]
		if slices.ContainsFunc(a.pts, func(q *aheadPoint) bool { return q.same(p.p.X, p.p.U, p.r, p.proved) }) {
			continue
		}
		a.pts = append(a.pts, &aheadPoint{p: Point{X: slices.Clone(p.p.X), U: slices.Clone(p.p.U)}, r: p.r, proved: p.proved})
	}
	if !a.running && a.next < len(a.pts) {
		a.running = true
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			defer func() { _ = recover() }() // a point left undone is linearized again where a panic is caught
			a.work(nil)
		}()
	}
}

// same reports whether ap is the point at x, u with radius r (proved).
func (ap *aheadPoint) same(x, u []float64, r float64, proved bool) bool {
	return slices.Equal(ap.p.X, x) && slices.Equal(ap.p.U, u) && ap.r == r && ap.proved == proved
}

// linearizeAheadRoots adds the roots proved during the search's
// refinement (the early roots, at which its candidates froze: prove adopts
// them, and finds nearly every point there) to the points linearized
// ahead, as prove will give their radii, so that their linearization runs
// during prove too.
func (f *finder) linearizeAheadRoots(ctx context.Context) {
	pts := make([]aheadPoint, len(f.early.roots))
	for i, r := range f.early.roots {
		pts[i] = aheadPoint{p: Point{X: r.x, U: r.u}, r: r.pf.Radius, proved: true}
	}
	f.linearizeAheadAt(ctx, pts)
}

// take returns the next point to linearize that need reports true for
// (nil: any), or nil when there is none (and then the goroutine, when
// need is nil, is no longer running).
func (a *linAhead) take(need []bool) *aheadPoint {
	a.mu.Lock()
	defer a.mu.Unlock()
	for !a.stopped && a.ctx.Err() == nil && a.next < len(a.pts) {
		i := a.next
		a.next++
		if need == nil || need[i] {
			return a.pts[i]
		}
	}
	if need == nil {
		a.running = false
	}
	return nil
}

// work linearizes the points a.take gives, one at a time.
func (a *linAhead) work(need []bool) {
	for ap := a.take(need); ap != nil; ap = a.take(need) {
		ap.ok = a.lin.point(&ap.p, ap.r, ap.proved)
	}
}

// halt stops the taking of points and waits for the goroutine.
func (a *linAhead) halt() {
	a.mu.Lock()
	a.stopped = true
	a.mu.Unlock()
	a.wg.Wait()
}

// finish linearizes the points of fp (Find's fixed points) from what a
// did ahead and reports true, or reports false with fp unchanged, for
// linearize to do it all: on cancellation, an input linearize rejects or
// an error at any point. Nothing is added to a once it runs.
func (a *linAhead) finish(ctx context.Context, cell cells.Cell, fp *FixedPoints, proved func(*Point) (float64, bool)) bool {
	if ctx.Err() != nil {
		a.halt()
		return false
	}
	if _, _, err := jacobianInputs(cell, fp, a.lin.s); err != nil {
		a.halt()
		return false
	}
	a.mu.Lock()
	pts := a.pts // X, U and the radii only are read here: the goroutine may be setting results
	left := len(pts) - a.next
	a.mu.Unlock()
	from := make([]*aheadPoint, len(fp.Points)) // the point each takes its results from
	need := make([]bool, len(pts))
	var missing []*aheadPoint
	for k := range fp.Points {
		p := &fp.Points[k]
		r, pr := proved(p)
		i := 0
		for i < len(pts) && (need[i] || !pts[i].same(p.X, p.U, r, pr)) {
			i++
		}
		if i < len(pts) {
			from[k], need[i] = pts[i], true
			continue
		}
		from[k] = &aheadPoint{p: Point{X: p.X, U: p.U}, r: r, proved: pr}
		missing = append(missing, from[k])
	}
	// The ahead points still untaken (that fp needs) and the missing ones,
	// over the CPUs, as many as there are points left (often none: no
	// worker is woken for nothing): each worker takes the next when done.
	var nextMissing atomic.Int64
	linalg.ParallelEach(min(runtime.GOMAXPROCS(0), left+len(missing)), func(int, int) {
		a.work(need)
		for {
			i := int(nextMissing.Add(1)) - 1
			if i >= len(missing) || ctx.Err() != nil {
				return
			}
			mp := missing[i]
			mp.ok = a.lin.point(&mp.p, mp.r, mp.proved)
		}
	})
	a.halt()
	if ctx.Err() != nil {
		return false
	}
	for _, ap := range from {
		if !ap.ok {
			return false
		}
	}
	for k, ap := range from {
		p, q := &fp.Points[k], &ap.p
		p.Jacobian, p.InputJacobian, p.JacobianError = q.Jacobian, q.InputJacobian, q.JacobianError
		p.Modes, p.Stability = q.Modes, q.Stability
	}
	return true
}
