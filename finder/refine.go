package finder

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/blasuse"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/internal/vmath"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// lmState is one candidate's Levenberg-Marquardt state.
type lmState struct {
	lambda float64
	res    float64 // max|F(x) - x| at the current x
	fails  int
	iters  int     // iterations with a fresh Jacobian
	qMark  float64 // q when iters was last a multiple of lmWindow
	floor  bool    // stop at the rounding floor of F (lmFloorRatio)
}

const (
	lmMaxTries   = 6     // damping increases tried per Jacobian
	lmLambdaMax  = 1e12  // beyond this a candidate is stalled
	lmLambdaInit = 1e-8  // relative to diag((J-I)^T(J-I)): nearly Gauss-Newton
	lmLambdaMin  = 1e-18 // near-singular J - I needs almost no damping to converge
	lmStallRatio = 0.99  // an accepted step must shrink q below this factor ...
	lmStallSteps = 3     // ... or, after this many such steps in a row, the candidate has stalled
	// A candidate whose q did not fall by lmWindowRatio over lmWindow
	// iterations crawls toward a slow point: Newton's steps shrink q by
	// a factor of 4 or more each, even at a singular zero (a line attractor).
	lmWindow      = 5
	lmWindowRatio = 0.25
	// A candidate still 1e3 x TolResidual from certification after this many
	// steps is heading for a slow point (a local minimum of q > 0), not a
	// fixed point: Newton's convergence to a zero is fast by then. On the
	// flip-flop GRU-16, 536 candidates leave by this rule, and its last
	// steps carry some of them into a slow point's basin: the split of
	// slow points and slow regions follows it (58 slow with 10, 48 with 9,
	// 64 with 11; docs/performance.md), so it is not shortened.
	lmPatience = 10
	// A candidate that Newton-Krylov handed over (refineDense's floor)
	// stops once max|F(x) - x| <= TolResidual where a solved step no
	// longer shrinks q by this factor, or a step is rejected: near a regular root a
	// nearly Gauss-Newton step shrinks q by orders of magnitude, so F's
	// rounding decides there. floorRes's 4 eps max(1, |x|) is below that
	// noise at large N (about 1e-14 on the planted tanh network of 1024
	// units, F a sum of N products): the candidates there took 8 more
	// Jacobians and 20 more step matrices at the noise (0.4 s each), 11
	// in all where 3 reach it. Whether such a point is fixed is prove's
	// Newton on G and Krawczyk's proof, as before.
	lmFloorRatio = 0.25
)

// refine polishes the candidates idx with batched Levenberg-Marquardt steps
// on r(x) = F(x) - x, each followed by quasi-Newton steps. The Jacobians
// come from graph.Jacobians (one forward pass in closed form for the
// built-in cells, else seeded vector-Jacobian passes), in chunks whose
// per-candidate matrices fit Settings.JacobianBudget bytes; each chunk's
// Jacobians serve several damping trials and the quasi-Newton steps.
func (f *finder) refine(ctx context.Context, idx []int) error {
	if f.s.SearchFloat32 && f.s.Dtype == graph.Float64 {
		if err := f.evalFloat64(idx); err != nil {
			return err
		}
	}
	if f.useKrylov() {
		return f.refineKrylov(ctx, idx)
	}
	return f.refineDense(ctx, idx, false)
}

// refineDense is refine by dense Levenberg-Marquardt; floor stops the
// candidates at F's rounding floor (lmFloorRatio), for Newton-Krylov's
// hand-overs.
func (f *finder) refineDense(ctx context.Context, idx []int, floor bool) error {
	s := &f.s
	eps := s.Dtype.Eps()
	st := make(map[int]*lmState, len(idx))
	states := make([]lmState, len(idx)) // st's, one allocation
	active := []int{}
	for k, ci := range idx {
		c := f.cands[ci]
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) {
			continue
		}
		states[k] = lmState{lambda: lmLambdaInit, res: residual(c.f, c.x), qMark: c.q, floor: floor}
		st[ci] = &states[k]
		c.stop = ReasonNone
		if st[ci].res > floorRes(c.x, eps) {
			// Provisional: a candidate still refining at the end ran out
			// of iterations; leaving earlier sets its own reason.
			c.stop, c.active = ReasonRefineLimit, true
			active = append(active, ci)
		}
	}
	sc := f.scratch()
	step := func(part []int) ([]int, error) { return f.lmChunk(part, st, sc) }
	frozen := len(f.early.frozen)
	_, _, err := f.refineRounds(ctx, active, f.jacobianChunk(), step)
	if err != nil {
		return err
	}
	return f.evalMoved(f.early.frozen[frozen:])
}

// evalMoved sets F and q at the roots that prove or freezeAtRoots moved
// the candidates idx to (evalAt also resets q0, the q at the initial
// state, which stays).
func (f *finder) evalMoved(idx []int) error {
	q0 := make([]float64, len(idx))
	for k, ci := range idx {
		q0[k] = f.cands[ci].q0
	}
	if err := f.evalAt(idx); err != nil {
		return err
	}
	for k, ci := range idx {
		f.cands[ci].q0 = q0[k]
	}
	return nil
}

// lmScratch holds the buffers of the dense refinement's chunks (lmChunk,
// broydenSteps, jacobiansIn), kept from chunk to chunk and round to round:
// at N = 16 their allocation and clearing cost more than the arithmetic
// they hold. Every value is written before it is read, so what a buffer
// held before changes nothing.
//
// A finder takes one set when its Find begins (Find calls scratch) and
// hands it back when the Find is done (release, releaseScratch), so that
// the next Find reuses it (lmScratchPool, lastScratch). Taken for each refinement (the search's,
// then completion's and the retries'), a set lasted only until the garbage
// collector's next cycles, which came several times a Find, and every Find
// made its Jacobians, normal and step matrices anew (2 MB each for 1024
// candidates of 16 states, a fifth of the bytes a Find of the RNN-16
// flip-flop network allocated).
type lmScratch struct {
	inUse                  atomic.Bool // a finder owns the set (scratch)
	jx                     []float64   // Jacobians (jacobiansIn)
	h, p                   []float64   // normal matrices (per representative) and step matrices (per candidate)
	r, sy                  []float64   // residuals, accepted steps and changes of residual
	trial, tu, fout        []float64   // a trial batch: states, inputs, F
	bTrial, bTu, bFout, bR []float64   // the quasi-Newton steps' batch and residuals
	xIn, uIn               []float64   // jacobiansIn's batch of states and inputs
	solved, pending        []bool
	// cluster's representatives, each candidate's, and its grid: the
	// first and last representative filed in a cell, and each
	// representative's next in its cell (-1 ends a list).
	reps, repOf, cellNext []int
	grid                  clusterGrid
	// stepMatrices' rows: the row each copies, the first (lead) row of
	// each representative and the next lead of the same representative
	// (-1 ends a list), and the leads.
	src, repLead, leadNext, leads []int
	work                          []float64 // stepMatrices' factors, one N x N per range of leads
}

// clusterKey is a cell of cluster's grid, clusterCell the first and last
// representative filed there.
type (
	clusterKey  struct{ a, b int64 }
	clusterCell struct{ head, tail int }
)

// clusterGrid is cluster's grid: the cells that hold a representative, in
// an open-addressed table of at least twice as many slots as there can be
// cells (a slot is empty when its head is -1). A Go map there, 9 lookups
// and an insertion a candidate, took 3.9 ms of a flip-flop GRU-16 Find,
// on one core, for about 8300 candidates.
type clusterGrid struct {
	keys  []clusterKey
	cells []clusterCell
}

// reset empties the grid for up to n cells.
func (g *clusterGrid) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if cap(g.keys) < size {
		g.keys, g.cells = make([]clusterKey, size), make([]clusterCell, size)
	}
	g.keys, g.cells = g.keys[:size], g.cells[:size]
	for i := range g.cells {
		g.cells[i].head = -1
	}
}

// slot is the slot of key k: its own, or the empty one where it would go.
func (g *clusterGrid) slot(k clusterKey) int {
	mask := len(g.cells) - 1
	h := uint64(k.a)*0x9e3779b97f4a7c15 ^ uint64(k.b)*0xc2b2ae3d27d4eb4f
	i := int(h^h>>29) & mask
	for g.cells[i].head >= 0 && g.keys[i] != k {
		i = (i + 1) & mask
	}
	return i
}

// growInts is grow for indices.
func growInts(buf *[]int, n int) []int {
	if cap(*buf) < n {
		*buf = make([]int, n)
	}
	return (*buf)[:n]
}

// lmScratchPool holds the dense refinement's buffers between Finds: the
// pool lets the garbage collector reclaim sets that no Find asked for
// since. A Get finds only the sets Put on its own processor or moved to
// its shared queue, so that 2 to 3 of 10 LSTM-16 Finds in a row, which
// began on another processor than the last one ended on, made a new set
// of 27 MB; lastScratch points weakly at the last set Put, which the next
// Find takes first, wherever it runs. A set can then be in the pool and
// taken through lastScratch: a finder owns its set alone (scratch to
// releaseScratch) by its inUse flag, and drops a set from the pool that
// another owns already.
var (
	lmScratchPool = sync.Pool{New: func() any { return new(lmScratch) }}
	lastScratch   atomic.Pointer[weak.Pointer[lmScratch]]
)

// scratch is the finder's set of refinement buffers, taken on first use
// (releaseScratch hands it back).
func (f *finder) scratch() *lmScratch {
	if f.lm != nil {
		return f.lm
	}
	if w := lastScratch.Swap(nil); w != nil {
		if sc := w.Value(); sc != nil && sc.inUse.CompareAndSwap(false, true) {
			f.lm = sc
			return sc
		}
	}
	for {
		if sc := lmScratchPool.Get().(*lmScratch); sc.inUse.CompareAndSwap(false, true) {
			f.lm = sc
			return sc
		}
	}
}

// releaseScratch hands the finder's refinement buffers back.
func (f *finder) releaseScratch() {
	sc := f.lm
	if sc == nil {
		return
	}
	f.lm = nil
	sc.inUse.Store(false)
	w := weak.Make(sc)
	lastScratch.Store(&w)
	lmScratchPool.Put(sc)
}

// growBools is grow for flags.
func growBools(buf *[]bool, n int) []bool {
	if cap(*buf) < n {
		*buf = make([]bool, n)
	}
	return (*buf)[:n]
}

// markActive marks the candidates that go on after a refinement round as
// active, and those that left as not, so that a cancellation labels only
// the ones it cut off (decideOutcomes).
func (f *finder) markActive(active, next []int) {
	for _, ci := range active {
		f.cands[ci].active = false
	}
	for _, ci := range next {
		f.cands[ci].active = true
	}
}

// refineRounds runs the rounds of a refinement: while iterations remain
// (Settings.MaxRefineIters) and candidates are active, a round passes the
// active candidates, in parts of at most chunk, through step, which
// returns those of its part that go on (markActive marks them). It returns the
// candidates still active when the iterations ran out, or canceled when ctx
// ended the rounds (f.canceled is then set).
func (f *finder) refineRounds(ctx context.Context, active []int, chunk int, step func(part []int) ([]int, error)) (left []int, canceled bool, err error) {
	for it := 0; it < f.s.MaxRefineIters && len(active) > 0; it++ {
		if err := ctx.Err(); err != nil {
			f.canceled = true
			return active, true, nil
		}
		f.stats.RefineIters++
		f.early.rows += len(active)
		next := active[:0:0]
		for lo := 0; lo < len(active); lo += chunk {
			part := active[lo:min(lo+chunk, len(active))]
			keep, err := step(part)
			if err != nil {
				return nil, false, err
			}
			next = append(next, keep...)
		}
		if f.early.on {
			if next, err = f.freezeAtRoots(active, next); err != nil {
				return nil, false, err
			}
		}
		if f.refineStop != nil {
			next = slices.DeleteFunc(next, f.refineStop)
		}
		f.markActive(active, next)
		active = next
		f.report("refine", it+1, active)
	}
	return active, false, nil
}

// floorRes is the residual below which F(x) - x is rounding noise.
func floorRes(x []float64, eps float64) float64 { return 4 * eps * scale(x) }

// scale is max(1, max|x_i|): the size of a state that the refinement's
// tolerances and steps are relative to.
func scale(x []float64) float64 { return maxAbsFrom(1, x) }

// normalMatrix sets the upper triangle of the n x n H to A^T A, with the
// bits of blas64.Syrk(Trans, 1, A, 0, H), and overwrites A with A^T (what
// stepMatrix takes). Syrk sums each entry in order of A's rows, one
// rounded product and one rounded addition a term from zero, skipping the
// terms whose A^T entry is zero, and so does linalg.MulNN on A^T and A
// where its kernels are in use (the zero terms it adds change no sum of
// finite terms, and a non-finite A fails the Cholesky factorization
// either way: its diagonal, summed alike, is then not finite). The kernels
// compute the upper triangle's blocks (MulNNUpper; the lower triangle is
// left as it was or set) in less than half the time of Syrk's upper
// triangle (N = 32: 2.7 against 6.6 µs with the transpose, for the whole
// product). at (n x n) is scratch.
func normalMatrix(A, H, at []float64, n int) {
	linalg.Transpose(n, A, at)
	if linalg.KernelsInUse() {
		linalg.MulNNUpper(n, n, at, n, A, n, H, n)
	} else {
		blas64.Syrk(blas.Trans, 1, blas64.General{Rows: n, Cols: n, Stride: n, Data: A},
			0, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: H})
	}
	copy(A, at)
}

// jacobianChunk is the number of candidates refined at once within budget:
// each holds at most three N x N matrices (a Jacobian dF/dx, a normal
// matrix and a step matrix), and its graph pass also computes dF/du.
//
// When the budget binds, the chunk is a power of two: a part is padded to
// the next power of two (the compiled batch sizes, see jacobiansAt), so
// 682 candidates' worth of budget gave parts of 682 padded to 1024 rows,
// half again the work and the memory the budget allows, and 1013
// candidates took 1536 rows instead of 1024.
func (f *finder) jacobianChunk() int {
	per := 8 * (3*f.N*f.N + f.N*f.M)
	c := max(1, min(f.s.JacobianBudget/max(per, 1), 4096))
	if c >= len(f.cands) {
		return max(1, len(f.cands))
	}
	p := 1
	for p*2 <= c {
		p *= 2
	}
	return p
}

// lmChunk runs one Levenberg-Marquardt iteration on the candidates part,
// followed by quasi-Newton steps (broydenSteps), and returns those that are
// still improving.
//
// Candidates within shareRadius of each other share one Jacobian: near
// convergence hundreds of candidates crowd around each fixed point, and one
// Jacobian evaluation then serves them all. The acceptance test uses each
// candidate's own residual, so sharing only slows a step, never corrupts it.
func (f *finder) lmChunk(part []int, st map[int]*lmState, sc *lmScratch) ([]int, error) {
	N, M := f.N, f.M
	NN := N * N
	eps := f.s.Dtype.Eps()
	reps, repOf := f.cluster(part, sc)
	A, err := f.jacobiansAt(reps)
	if err != nil {
		return nil, err
	}
	// A = J - I and H = A^T A (upper triangle) per representative, then
	// A^T in A's place (normalMatrix). Flat
	// buffers and BLAS calls: at N = 16 the per-candidate allocations of
	// mat types cost more than the arithmetic.
	H := grow(&sc.h, len(reps)*NN)
	linalg.ParallelMin(len(reps), minPerRange(linalg.MinParallel, N, 3), func(lo, hi int) {
		at := make([]float64, NN) // normalMatrix's scratch
		for k := lo; k < hi; k++ {
			Ak := A[k*NN : (k+1)*NN]
			for i := 0; i < N; i++ {
				Ak[i*N+i]--
			}
			normalMatrix(Ak, H[k*NN:(k+1)*NN], at, N)
		}
	})
	B := batchRows(len(part), N)
	P := grow(&sc.p, len(part)*NN) // each candidate's step matrix
	solved := growBools(&sc.solved, len(part))
	r := grow(&sc.r, len(part)*N)     // each candidate's residual F(x) - x
	sy := grow(&sc.sy, 2*len(part)*N) // each accepted step and its change of residual
	for k, ci := range part {
		c := f.cands[ci]
		for i := 0; i < N; i++ {
			r[k*N+i] = c.f[i] - c.x[i]
		}
	}
	pending := growBools(&sc.pending, len(part))
	for k := range pending {
		pending[k] = true
	}
	// Each damping trial evaluates only the candidates still pending, packed
	// into the smallest batch that holds them.
	trial := grow(&sc.trial, B*N)
	tu := grow(&sc.tu, B*M)
	fout := grow(&sc.fout, B*N)
	rows := make([]int, 0, len(part)) // the candidate (index in part) of each row
	keep := []int{}
	quasi := []int{} // accepted with a solved step: worth quasi-Newton steps
	for try := 0; try < lmMaxTries; try++ {
		rows = rows[:0]
		for k := range part {
			if pending[k] {
				rows = append(rows, k)
			}
		}
		if len(rows) == 0 {
			break
		}
		f.stepMatrices(part, rows, repOf, len(reps), st, A, H, P, solved, sc)
		linalg.ParallelMin(len(rows), minPerRange(linalg.MinParallel, N, 2), func(lo, hi int) {
			for row := lo; row < hi; row++ {
				k := rows[row]
				trialPoint(f.cands[part[k]], P[k*NN:(k+1)*NN], r[k*N:(k+1)*N], trial[row*N:(row+1)*N], tu[row*M:(row+1)*M])
			}
		})
		if err := f.stepRows(trial, tu, fout, len(rows)); err != nil {
			return nil, err
		}
		for row, k := range rows {
			ci := part[k]
			c, s := f.cands[ci], st[ci]
			xt, ft := trial[row*N:(row+1)*N], fout[row*N:(row+1)*N]
			rt := residual(ft, xt)
			qt := halfSq(ft, xt)
			if qt < c.q || (qt == c.q && rt < s.res) {
				pending[k] = false
				sk, yk, rk := sy[2*k*N:(2*k+1)*N], sy[(2*k+1)*N:(2*k+2)*N], r[k*N:(k+1)*N]
				for i := 0; i < N; i++ {
					sk[i] = xt[i] - c.x[i]
					yk[i] = (ft[i] - xt[i]) - rk[i]
				}
				if qt < lmStallRatio*c.q {
					s.fails = 0
				} else {
					s.fails++
				}
				atFloor := s.floor && solved[k] && rt <= f.s.TolResidual && qt > lmFloorRatio*c.q
				copy(c.x, xt)
				copy(c.f, ft)
				c.q, c.refines = qt, c.refines+1
				s.res = rt
				s.iters++
				s.lambda = max(s.lambda/10, lmLambdaMin)
				hopeless := s.iters >= lmPatience && rt > 1e3*f.s.TolResidual
				if s.iters%lmWindow == 0 {
					hopeless = hopeless || qt > lmWindowRatio*s.qMark
					s.qMark = qt
				}
				if rt > floorRes(c.x, eps) && s.fails < lmStallSteps && !hopeless && !atFloor {
					keep = append(keep, ci)
					if solved[k] {
						quasi = append(quasi, k)
					}
				} else if rt <= floorRes(c.x, eps) || atFloor {
					c.stop = ReasonNone
				} else {
					c.stop = ReasonStall
				}
				continue
			}
			if s.floor && s.res <= f.s.TolResidual {
				pending[k] = false // at the rounding floor (lmFloorRatio)
				c.stop = ReasonNone
				continue
			}
			s.lambda *= 10
			if s.lambda > lmLambdaMax {
				pending[k] = false // stalled: a slow point or the precision floor
				c.stop = ReasonStall
			}
		}
	}
	if len(quasi) > 0 {
		done, err := f.broydenSteps(part, quasi, P, sy, sc)
		if err != nil {
			return nil, err
		}
		keep = slices.DeleteFunc(keep, func(ci int) bool {
			if done[ci] {
				f.cands[ci].stop = ReasonNone
			}
			return done[ci]
		})
	}
	for k, ci := range part {
		if pending[k] {
			keep = append(keep, ci) // still trying with more damping
		}
	}
	return keep, nil
}

// minPerRange is the least number of candidates a goroutine takes in a
// loop whose work per candidate grows as N^pow, given least16, the number
// that suits N = 16: the dense refinement's loops were sized for 16
// states (linalg.MinParallel's 64), where at N = 1024 one candidate's step
// matrix takes about half a second and a range of 64 left the second core
// idle; below 16 states it stays least16. The split never changes a
// value (linalg.Parallel).
func minPerRange(least16, N, pow int) int {
	r := float64(least16)
	for range pow {
		r *= 16 / float64(max(N, 16))
	}
	return max(1, int(r))
}

// stepMatrices sets the step matrix P[k] of each candidate part[k], k in
// rows, for its representative's Jacobian and its own damping: computed
// once per (representative, damping), in the order of their first rows
// (the leads), and copied to the others. nreps is the number of
// representatives (repOf's values are below it); At holds their A^T, H
// their A^T A (normalMatrix).
func (f *finder) stepMatrices(part, rows, repOf []int, nreps int, st map[int]*lmState, At, H, P []float64, solved []bool, sc *lmScratch) {
	NN := f.N * f.N
	src := growInts(&sc.src, len(rows)) // the row whose matrix each row copies
	repLead := growInts(&sc.repLead, nreps)
	for i := range repLead {
		repLead[i] = -1
	}
	leadNext := growInts(&sc.leadNext, len(rows))
	leads := sc.leads[:0]
	for row, k := range rows {
		lambda := st[part[k]].lambda
		j, last := repLead[repOf[k]], -1
		for j >= 0 && st[part[rows[j]]].lambda != lambda {
			last, j = j, leadNext[j]
		}
		if j >= 0 {
			src[row] = j
			continue
		}
		src[row], leadNext[row] = row, -1
		if last >= 0 {
			leadNext[last] = row
		} else {
			repLead[repOf[k]] = row
		}
		leads = append(leads, row)
	}
	sc.leads = leads
	// About 3 µs a lead at N = 16: ranges of at least perRange leads
	// (ParallelMin), each with its own work matrix in sc.work, at
	// lo/perRange (the ranges are disjoint and that long, so no two share
	// one). From about 40 states (minPerRange 1) a lead is a range (half a
	// second at 1024), and each range makes its own work matrix: sc.work
	// would hold one a lead.
	perRange := minPerRange(16, f.N, 3)
	var works []float64
	if perRange > 1 {
		works = grow(&sc.work, (len(leads)/perRange+1)*NN)
	}
	linalg.ParallelMin(len(leads), perRange, func(lo, hi int) {
		var work []float64
		if perRange > 1 {
			work = works[lo/perRange*NN : (lo/perRange+1)*NN]
		} else {
			work = make([]float64, NN)
		}
		for _, row := range leads[lo:hi] {
			k := rows[row]
			rep := repOf[k]
			solved[k] = stepMatrix(H[rep*NN:(rep+1)*NN], At[rep*NN:(rep+1)*NN], st[part[k]].lambda, work, P[k*NN:(k+1)*NN])
		}
	})
	for row, k := range rows {
		if j := src[row]; j != row {
			copy(P[k*NN:(k+1)*NN], P[rows[j]*NN:(rows[j]+1)*NN])
			solved[k] = solved[rows[j]]
		}
	}
}

// stepRows evaluates F at the first n rows of trial (inputs tu) into fout,
// in the batches rowChunks chooses, padding the last by repeating its last
// row, each batch a graph of its own run at once with the others
// (runChunks). Fewer rows than batchRows' floor of 1024/N run in one batch
// of fewRows' size instead (stepFew), as deflation's and the connections'
// do: the refinement's last damping trials and quasi-Newton steps hold a
// few rows each, which that floor padded to 32-64. trial, tu and fout hold
// batchRows(n, N) rows.
func (f *finder) stepRows(trial, tu, fout []float64, n int) error {
	N, M := f.N, f.M
	chunks := halveChunk(rowChunks(n, N), n, N)
	if t := f.tanhStepper(); t != nil {
		total := 0
		for _, b := range chunks {
			total += b
		}
		t.padded(trial, tu, fout, n, total)
		f.stats.GradEvals++
		return nil
	}
	if g := f.rowStepper(); g != nil {
		tot := 0
		for _, b := range chunks {
			tot += b
		}
		f.paddedRows(g, trial, tu, fout, n, tot)
		f.stats.GradEvals++
		return nil
	}
	if fewRows(n, N) < batchRows(1, N) {
		return f.stepFew(trial, tu, fout, n)
	}
	steppers := make([]*graph.Stepper, len(chunks))
	if err := f.steps.getEach(chunks, steppers); err != nil {
		return err
	}
	err := runChunks(n, chunks, func(i, lo, real int) error {
		b := chunks[i]
		for row := lo + real; row < lo+b; row++ {
			last := lo + real - 1
			copy(trial[row*N:(row+1)*N], trial[last*N:(last+1)*N])
			copy(tu[row*M:(row+1)*M], tu[last*M:(last+1)*M])
		}
		return steppers[i].Step(trial[lo*N:(lo+b)*N], tu[lo*M:(lo+b)*M], fout[lo*N:(lo+b)*N])
	})
	if err != nil {
		return err
	}
	f.stats.GradEvals++
	return nil
}

// runChunks calls run(i, lo, real) for each batch i of chunks (rowChunks'
// of n rows), whose rows begin at lo and whose first real of chunks[i]
// rows are the caller's. With several batches each runs on a goroutine of
// its own: every batch is its own graph on its own rows, so running them
// at once changes no value (nor does the number of CPUs), and a small
// batch, which is one row block on one core, runs beside the others
// instead of after them. It returns the first batch's error; a panic in a
// goroutine is raised again in the caller's.
func runChunks(n int, chunks []int, run func(i, lo, real int) error) error {
	los := make([]int, len(chunks)+1) // batch i's rows begin at los[i]
	for i, b := range chunks {
		los[i+1] = los[i] + min(b, n-los[i])
	}
	return linalg.Concurrently(len(chunks), func(i int) error {
		return run(i, los[i], los[i+1]-los[i])
	})
}

// halveChunk is chunks, or, when chunks is one batch of 4096 to 8191 row
// values (N states a row), which the graph runs as one row block (graph's
// partBounds splits from 8192 values, into blocks of at least 4096), and
// the caller's n rows fill more than half of it, that batch as two halves
// that runChunks runs at once on two cores instead of one: a GRU-16 step of
// 256 rows took 396 µs, two of 128 at once 268 µs (smaller halves gain
// nothing: 64 + 64 rows took 207 µs, 128 rows 181). Up to batchFreeN
// states a row's values do not depend on its batch, so the halves change
// no value and may follow the number of CPUs; above it chunks stay as they
// are (see rowChunks).
func halveChunk(chunks []int, n, N int) []int {
	if len(chunks) != 1 || N > batchFreeN || runtime.GOMAXPROCS(0) < 2 {
		return chunks
	}
	if b := chunks[0]; b*N >= 4096 && b*N < 2*4096 && 2*n > b {
		return []int{b / 2, b / 2}
	}
	return chunks
}

// splitWork is the work, in row values times N (a row's share of the
// matrix products), that one more graph run costs in fixed overhead:
// about 100 rows of a 16-unit cell (a run costs 60-70 µs before its first
// row), 2 rows at N = 128.
const splitWork = 1 << 15

// rowChunks is the batches, each a compiled size, that n rows of N states
// are evaluated in: one batch of batchRows(n, N), unless cutting off
// power-of-two chunks saves more padded rows than the extra runs cost
// (splitWork each): 552 rows of a 16-unit cell run as 512 + 64 instead of
// 1024, 45 rows of a 128-unit one as 32 + 8 + 8 instead of 64. The rows are
// independent, so up to batchFreeN states the cut changes no value; above
// it a row's last bits may follow its chunk's rows (gonum's blocked
// products), but the cut, like graph's row blocks, depends on n and N
// only, never on the number of CPUs (TestFindAnyCoresGRU128). Every chunk
// but the last is full; together they hold at most batchRows(n, N) rows.
func rowChunks(n, N int) []int {
	single, m := batchRows(n, N), batchRows(1, N)
	var chunks []int
	total := 0
	for rest := n; rest > 0; {
		b := m // the largest compiled size within the rest, or the smallest, padded
		for b*2 <= rest {
			b *= 2
		}
		chunks = append(chunks, b)
		total += b
		rest -= min(b, rest)
	}
	if len(chunks) == 1 || (single-total)*N*N < (len(chunks)-1)*splitWork {
		return []int{single}
	}
	return chunks
}

// jacobiansAt evaluates dF/dx at the candidates reps, R x N x N, in a
// batch of batchRows, or of fewRows' size below batchRows' floor of 1024/N
// (as jacobiansFew: a closed-form Jacobian of 64 rows of a 16-unit RNN
// costs about 12 times one of 4; the rows are independent, so padding
// changes no value); but never padded beyond the Jacobian budget.
func (f *finder) jacobiansAt(reps []int) ([]float64, error) {
	N := f.N
	if B := fewRows(len(reps), N); B < batchRows(1, N) {
		return f.jacobiansIn(reps, B)
	}
	B := batchRows(len(reps), N)
	if p := nextPow2(len(reps)); B > p && 8*B*(3*N*N+N*f.M) > f.s.JacobianBudget {
		B = p // the padded rows' matrices would not fit Settings.JacobianBudget
	}
	return f.jacobiansIn(reps, B)
}

// jacobiansIn evaluates the Jacobians at the candidates reps in one batch
// of B >= len(reps) rows (the padding repeats the last candidate). For a
// one-layer tanh RNN (tanhStepper) they are formed from the F each
// candidate holds, for a GRU or LSTM (rowStepper) by its JacobianRows, the
// same bits, and only the first len(reps) blocks are written.
func (f *finder) jacobiansIn(reps []int, B int) ([]float64, error) {
	N := f.N
	if t := f.tanhStepper(); t != nil {
		jx := grow(&f.scratch().jx, B*N*N)
		tanhJacobians(f.cands, reps, t.jw, N, jx)
		f.stats.JacobianEvals++
		return jx, nil
	}
	if g := f.rowStepper(); g != nil {
		// A GRU's or LSTM's dF/dx with the graph's closed-form arithmetic,
		// without a graph run (cells.GRU.JacobianRows,
		// cells.LSTM.JacobianRows).
		M := f.M
		sc := f.scratch()
		x, u := f.packInto(reps, grow(&sc.xIn, B*N), grow(&sc.uIn, B*M))
		jx := grow(&sc.jx, B*N*N)
		linalg.ParallelMin(len(reps), minPerRange(linalg.MinParallel, N, 2), func(lo, hi int) {
			g.JacobianRows(hi-lo, x[lo*N:hi*N], u[lo*M:hi*M], jx[lo*N*N:hi*N*N])
		})
		f.stats.JacobianEvals++
		return jx, nil
	}
	return f.jacobiansGraph(reps, B)
}

// jacobiansGraph is jacobiansIn by a graph pass.
func (f *finder) jacobiansGraph(reps []int, B int) ([]float64, error) {
	N := f.N
	jac, err := f.jacs.get(B)
	if err != nil {
		return nil, err
	}
	sc := f.scratch()
	x, u := f.packInto(reps, grow(&sc.xIn, B*N), grow(&sc.uIn, B*f.M))
	jx := grow(&sc.jx, B*N*N)
	if err := jac.Eval(x, u, jx, nil); err != nil {
		return nil, err
	}
	f.stats.JacobianEvals++
	return jx, nil
}

// gruStepper is the cell when the dense refinement's, completion's and
// connections' trial points can be stepped by cells.GRU.StepRows, the
// graph's arithmetic outside the graph, where each batch was a graph run
// (60-70 µs of fixed cost, most of them of a few rows): a GRU in
// PyTorch's form, in float64, with finite weights and products small
// enough to stay in the build's own kernels (blasuse.Large); else nil.
// TestGRUStepMatchesGraph.
func (f *finder) gruStepper() *cells.GRU {
	if !f.gruSD {
		f.gruSD = true
		f.gruS = newGRUStep(f.cell, f.s.Dtype)
	}
	return f.gruS
}

// goRows is a cell whose trial points and Jacobians dF/dx the finder
// forms in Go with the graph's arithmetic (cells.GRU and cells.LSTM).
type goRows interface {
	StepRows(n int, x, u, out []float64) bool
	JacobianRows(n int, x, u, jx []float64) bool
}

// rowStepper is gruStepper's or lstmStepper's cell, or nil.
func (f *finder) rowStepper() goRows {
	if g := f.gruStepper(); g != nil {
		return g
	}
	if l := f.lstmStepper(); l != nil {
		return l
	}
	return nil
}

// lstmStepper is gruStepper for a single-layer LSTM (cells.LSTM.StepRows
// and JacobianRows): the cell when it is float64 with finite weights and
// products small enough to stay in the build's own kernels; else nil.
// TestLSTMStepMatchesGraph.
func (f *finder) lstmStepper() *cells.LSTM {
	if !f.lstmSD {
		f.lstmSD = true
		f.lstmS = newLSTMStep(f.cell, f.s.Dtype)
	}
	return f.lstmS
}

// newLSTMStep is lstmStepper's decision for cell in dtype d.
func newLSTMStep(cell cells.Cell, d graph.Dtype) *cells.LSTM {
	l, ok := cell.(*cells.LSTM)
	if !ok || d != graph.Float64 {
		return nil
	}
	if !stepsInGo(l.Hidden(), l.InputSize(), l.Params()) {
		return nil
	}
	return l
}

// stepsInGo reports whether a float64 cell of H units and M inputs with
// the weights ps may step in Go with the graph's bits: its products stay in
// the build's own kernels (below blasuse's sizes) and its weights are
// finite (newLSTMStep, newGRUStep, newTanhStep).
func stepsInGo(H, M int, ps []*cells.Param) bool {
	if H == 0 || blasuse.Large(1, H, H) || blasuse.Large(1, H, M) {
		return false
	}
	for _, p := range ps {
		if !finite(p.Data) {
			return false
		}
	}
	return true
}

// newGRUStep is gruStepper's decision for cell in dtype d: the cell when
// it is a GRU in PyTorch's form, d is float64, its weights are finite and
// its products stay in the build's own kernels; else nil.
func newGRUStep(cell cells.Cell, d graph.Dtype) *cells.GRU {
	g, ok := cell.(*cells.GRU)
	if !ok || g.ResetBeforeLinear || d != graph.Float64 {
		return nil
	}
	if !stepsInGo(g.StateSize(), g.InputSize(), g.Params()) {
		return nil
	}
	return g
}

// jacobianRowsU is a cell whose F, dF/dx and dF/du the finder forms in Go
// with the graph's arithmetic (cells.GRU, cells.LSTM).
type jacobianRowsU interface {
	StateSize() int
	InputSize() int
	StepRows(n int, x, u, out []float64) bool
	JacobianRowsU(n int, x, u, jx, ju []float64) bool
}

// rowJacobians is tanhStep.jacobians for a GRU or an LSTM (newGRUStep,
// newLSTMStep): F, dF/dx and dF/du at each point by the cell's StepRows
// and JacobianRowsU, checked finite as the graph's are.
func rowJacobians(c jacobianRowsU, xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
	return pointJacobians(c.StateSize(), c.InputSize(), xs, us, func(k int, fx, j, ju []float64) {
		c.StepRows(1, xs[k], us[k], fx)
		c.JacobianRowsU(1, xs[k], us[k], j, ju)
	})
}

// pointJacobians is the linearization's Jacobians in Go (rowJacobians,
// tanhStep.jacobians): fill writes point k's F, dF/dx and dF/du (nil when
// M is 0) into the storage it is given, and each is checked finite as the
// graph's are.
func pointJacobians(N, M int, xs, us [][]float64, fill func(k int, fx, j, ju []float64)) (outX, outU, fs [][]float64, err error) {
	n := len(xs)
	outX, outU, fs = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for k := range xs {
		fx, j := make([]float64, N), make([]float64, N*N)
		var ju []float64
		if M > 0 {
			ju = make([]float64, N*M)
		}
		fill(k, fx, j, ju)
		fs[k] = fx
		if err := graph.CheckFinite(fmt.Sprintf("finder: jacobian of point %d", k), j, N); err != nil {
			return nil, nil, nil, err
		}
		outX[k] = j
		if M > 0 {
			if err := graph.CheckFinite(fmt.Sprintf("finder: input jacobian of point %d", k), ju, M); err != nil {
				return nil, nil, nil, err
			}
			outU[k] = ju
		}
	}
	return outX, outU, fs, nil
}

// paddedRows is tanhStep.padded for a GRU or LSTM (rowStepper): F at the
// first n rows of x (inputs u) into out, rows n to total of the three set
// to their last real row's, as the graph's padded batches left them.
func (f *finder) paddedRows(g goRows, x, u, out []float64, n, total int) {
	N, M := f.N, f.M
	linalg.Parallel(n, func(lo, hi int) {
		g.StepRows(hi-lo, x[lo*N:hi*N], u[lo*M:hi*M], out[lo*N:hi*N])
	})
	for row := n; row < total; row++ {
		copy(x[row*N:(row+1)*N], x[(n-1)*N:n*N])
		copy(u[row*M:(row+1)*M], u[(n-1)*M:n*M])
		copy(out[row*N:(row+1)*N], out[(n-1)*N:n*N])
	}
}

// tanhStep is a one-layer tanh RNN's step F(x) = tanh(x·W + d(u)), d(u) =
// u·W_ih + (b_ih + b_hh) (b_ih + b_hh alone without inputs), in float64 with
// the graph's arithmetic: its products by linalg.MulNN (each entry summed
// from zero in order of k, the bits of the graph's products below
// blasuse.MinDim in either build), then the elementwise sums, then
// math.Tanh's bits (vmath). The dense refinement's and completion's
// batches of trial points run through it instead of a graph (stepRows,
// stepFew): 60-70 µs of a graph run's fixed cost each, 67 runs an RNN-16
// Find, for a few microseconds of arithmetic in the small ones
// (TestTanhStepMatchesGraph).
//
// Its Jacobians dF/dx = diag(1 − F²) W_hh and dF/du = diag(1 − F²) W_ih
// follow from F in closed form (tanhJacobians, jacobians): the refinement
// forms them from the F each candidate holds, the linearization from F at
// its points, with graph's closed-form arithmetic.
type tanhStep struct {
	n, m int
	whh  []float64 // N x N, the graph's x·W_hh factor (cells' params[1])
	wih  []float64 // M x N
	b    []float64 // b_ih + b_hh
	jw   []float64 // W_hh row-major (row i the weights into unit i), N x N
	jwu  []float64 // W_ih row-major, N x M
}

// newTanhStep is cell's tanhStep in dtype d, or nil when the cell is not
// a one-layer tanh RNN in float64 with finite weights small enough for the
// build's own products (blasuse.Large), where the graph's values would
// not be these.
func newTanhStep(cell cells.Cell, d graph.Dtype) *tanhStep {
	v, ok := cell.(*cells.Vanilla)
	if !ok || v.Act != cells.Tanh || d != graph.Float64 {
		return nil
	}
	N, M := v.StateSize(), v.InputSize()
	ps := v.Params()
	if len(ps) != 4 || !stepsInGo(N, M, ps) {
		return nil
	}
	wih, whh, bih, bhh := ps[0], ps[1], ps[2], ps[3]
	if wih.Rows != M || wih.Cols != N || whh.Rows != N || whh.Cols != N || len(bih.Data) != N || len(bhh.Data) != N {
		return nil
	}
	t := &tanhStep{n: N, m: M, whh: slices.Clone(whh.Data), wih: slices.Clone(wih.Data), b: make([]float64, N),
		jw: make([]float64, N*N), jwu: make([]float64, N*M)}
	for j := range t.b {
		t.b[j] = bih.Data[j] + bhh.Data[j]
	}
	for i := 0; i < N; i++ { // graph's closed-form terms' weights
		for k := 0; k < N; k++ {
			t.jw[i*N+k] = whh.Data[k*N+i]
		}
		for k := 0; k < M; k++ {
			t.jwu[i*M+k] = wih.Data[k*N+i]
		}
	}
	return t
}

// tanhStepper is the finder's tanhStep (newTanhStep), or nil.
func (f *finder) tanhStepper() *tanhStep {
	if f.tanhS == nil {
		f.tanhS = &tanhStep{} // decided: none unless set below
		if t := newTanhStep(f.cell, f.s.Dtype); t != nil {
			f.tanhS = t
		}
	}
	if f.tanhS.n == 0 {
		return nil
	}
	return f.tanhS
}

// padded is rows, then rows n to total of x, u and out set to their last
// real row's, as the graph's padded batches left them.
func (t *tanhStep) padded(x, u, out []float64, n, total int) {
	N, M := t.n, t.m
	t.rows(x, u, out, n)
	for row := n; row < total; row++ {
		copy(x[row*N:(row+1)*N], x[(n-1)*N:n*N])
		copy(u[row*M:(row+1)*M], u[(n-1)*M:n*M])
		copy(out[row*N:(row+1)*N], out[(n-1)*N:n*N])
	}
}

// rows sets out's first n rows to F at x's rows, with inputs u's rows.
func (t *tanhStep) rows(x, u, out []float64, n int) {
	N, M := t.n, t.m
	linalg.Parallel(n, func(lo, hi int) {
		linalg.MulNN(hi-lo, N, N, x[lo*N:], N, t.whh, N, out[lo*N:], N, false)
		d := slices.Clone(t.b)
		var du []float64 // the input d is for (none yet: nil)
		for r := lo; r < hi; r++ {
			if ur := u[r*M : (r+1)*M]; M > 0 && (du == nil || !slices.Equal(ur, du)) {
				linalg.MulNN(1, N, M, ur, M, t.wih, N, d, N, false) // u·W_ih, then + b
				for j := range d {
					d[j] += t.b[j]
				}
				du = ur
			}
			row := out[r*N : (r+1)*N]
			for j := range row {
				row[j] += d[j]
			}
			vmath.Tanh(row, row)
		}
	})
}

// jacobians is graph.Jacobians' evaluation at the points xs (inputs us)
// for the linearization (evalJacobians): each point's dF/dx, dF/du (nil
// without inputs) and F, the same bits (TestTanhLinearizationMatchesGraph).
func (t *tanhStep) jacobians(xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
	N, M := t.n, t.m
	return pointJacobians(N, M, xs, us, func(k int, fx, j, ju []float64) {
		t.rows(xs[k], us[k], fx, 1)
		for i := 0; i < N; i++ {
			si := 1 - float64(fx[i]*fx[i]) // the conversions round the products (no fused multiply-add)
			for c, v := range t.jw[i*N : (i+1)*N] {
				j[i*N+c] = 0 + float64(si*v)
			}
			for c, v := range t.jwu[i*M : (i+1)*M] {
				ju[i*M+c] = 0 + float64(si*v)
			}
		}
	})
}

// tanhJacobians writes into jx (one N x N block per candidate of reps)
// dF/dx = diag(s) W, s = 1 − F², at each candidate's state, from the F it
// holds (c.f, F at c.x as the graph evaluated it), with graph's
// closed-form Jacobians' arithmetic: s_i = 1 − f_i·f_i rounded after the
// product, and each entry 0 + s_i·w_ik, so the same bits
// (TestTanhJacobiansMatchGraph). A graph pass computed F again at each
// state to get the same s: about 4% of an RNN-16 Find's CPU.
func tanhJacobians(cands []*candidate, reps []int, w []float64, N int, jx []float64) {
	linalg.ParallelMin(len(reps), minPerRange(linalg.MinParallel, N, 2), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			fx := cands[reps[r]].f
			j := jx[r*N*N : (r+1)*N*N]
			for i := 0; i < N; i++ {
				si := 1 - float64(fx[i]*fx[i]) // the conversions round the products (no fused multiply-add)
				row, wi := j[i*N:(i+1)*N], w[i*N:(i+1)*N]
				for k, v := range wi {
					row[k] = 0 + float64(si*v)
				}
			}
		}
	})
}

// maxStep bounds one refinement step, in max-norm, relative to the scale
// max(1, |x|): a trust region. Without it a Gauss-Newton step can leap
// into regions where gates saturate and F(x) = x holds trivially (a GRU
// whose update gate is 1), far from the dynamics being studied.
const maxStep = 0.5

// capStep scales d so that max|d_i| <= maxStep*max(1, max|x_i|).
func capStep(d, x []float64) {
	dm := maxAbsFrom(0, d)
	if lim := maxStep * scale(x); dm > lim {
		for i := range d {
			d[i] *= lim / dm
		}
	}
}

// grow returns (*buf)[:n], reallocating when it is too small: the
// refinement's large scratch lives as long as the search.
func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// shareRadius is the distance within which candidates share a Jacobian.
func shareRadius(x []float64) float64 { return 1e-3 * scale(x) }

// cluster picks representatives among part greedily in order: a candidate
// within shareRadius (2-norm) of an existing representative joins it.
// repOf[k] is the index in reps of part[k]'s representative. Representatives
// are filed in a grid on the first two coordinates, with cells as wide as
// the largest radius, so each candidate looks at 9 cells, not all of them;
// within a cell in the order they were filed. reps and repOf are sc's,
// valid until the next call.
func (f *finder) cluster(part []int, sc *lmScratch) (reps []int, repOf []int) {
	repOf = growInts(&sc.repOf, len(part))
	next := growInts(&sc.cellNext, len(part)) // indexed by representative
	reps = sc.reps[:0]
	cell := 0.0
	for _, ci := range part {
		cell = math.Max(cell, shareRadius(f.cands[ci].x))
	}
	at := func(x []float64, i int) float64 {
		if i < len(x) {
			return x[i]
		}
		return 0
	}
	keyOf := func(x []float64) clusterKey {
		return clusterKey{int64(math.Floor(at(x, 0) / cell)), int64(math.Floor(at(x, 1) / cell))}
	}
	grid := &sc.grid
	grid.reset(len(part))
	for k, ci := range part {
		x := f.cands[ci].x
		rad := shareRadius(x)
		found := -1
		c := keyOf(x)
		for da := int64(-1); da <= 1 && found < 0; da++ {
			for db := int64(-1); db <= 1 && found < 0; db++ {
				for r := grid.cells[grid.slot(clusterKey{c.a + da, c.b + db})].head; r >= 0; r = next[r] {
					if dist2(x, f.cands[reps[r]].x) <= rad*rad {
						found = r
						break
					}
				}
			}
		}
		if found < 0 {
			reps = append(reps, ci)
			found = len(reps) - 1
			next[found] = -1
			if i := grid.slot(c); grid.cells[i].head >= 0 {
				next[grid.cells[i].tail] = found
				grid.cells[i].tail = found
			} else {
				grid.keys[i], grid.cells[i] = c, clusterCell{found, found}
			}
		}
		repOf[k] = found
	}
	sc.reps = reps
	return reps, repOf
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}
