package finder

import (
	"math"
	"slices"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/mat"
)

// curvature is q, its exact gradient and its Hessian at one candidate's
// state. The gradient g = (J - I)^T (F(x) - x) comes from the graph's
// backward pass; the Hessian
//
//	H = (J - I)^T (J - I) + sum_i r_i d2F_i/dx2,  r = F(x) - x,
//
// column by column from central differences of that exact gradient, so it
// holds the second-order term that Gauss-Newton drops. At a local minimum of
// q > 0, J - I is singular (g = 0 with r != 0), so the second-order term is
// all that makes the minimum one.
type curvature struct {
	q     float64
	f, g  []float64 // F(x) and grad q (N)
	H     []float64 // the Hessian, symmetrized, N x N row-major
	aNorm float64   // ||J - I||_F, J from the same differences of F
	// hErr estimates a bound on ||H - Hessian||_2 (with withErr): the
	// change of the differences when their step doubles (three times their
	// truncation error), their asymmetry, and the rounding of the gradient
	// divided by the step, doubled. 0 without withErr.
	hErr float64
}

// rowEval evaluates q, F and grad q at many states at once, in batches of
// at most maxRows rows, in the search's result dtype (Settings.Dtype).
type rowEval struct {
	f       *finder
	objs    bySize[*graph.Objective]
	maxRows int
	// Buffers kept from call to call (each call overwrites what it
	// reads): eval's batch rows, curvatures' rows and their values.
	xb, ub             []float64
	cx, cu, cq, cf, cg []float64
}

// rowBatchMax caps rowEval's batches: a gradient row costs the graph less
// in batches of 1024 than of 8192 (its tensors stay in cache; gorgonia
// allocates each op's large result afresh). Measured on the slow descent,
// alternating, at load 11-12: the flip-flop GRU-16 (rows of 16 + 3 values)
// median 1.43 s in batches of 1024 against 2.41 s of 8192 (512: 1.71 s,
// 2048: 2.00 s); the GRU-128 3.7 and 4.0 s against 6.9 and 5.9 s in
// batches of 2048. Up to batchFreeN states a row's values do not depend
// on the batch.
const rowBatchMax = 1024

// newRowEval sizes its batches to Settings.JacobianBudget: a row holds a
// few N-vectors in the graph, counted generously as 64 values; at most
// rowBatchMax rows.
func (f *finder) newRowEval() *rowEval {
	r := max(1, f.s.JacobianBudget/(8*64*max(f.N+f.M, 1)))
	p := 1
	for p*2 <= min(r, rowBatchMax) {
		p *= 2
	}
	objs := f.objs // the search's graphs when they compute in this dtype: the same builder, so no size is compiled twice
	if searchDtype(f.s) != f.s.Dtype {
		if f.rowObjs.m == nil {
			f.rowObjs = newBySize(f.cell, f.s.Dtype, graph.Shared.Objective)
		}
		objs = f.rowObjs
	}
	return &rowEval{f: f, objs: objs, maxRows: p}
}

// eval fills q (n), fo and g (n x N) at the n states x (n x N) with inputs
// u (n x M). Up to batchFreeN states a batch of rows runs as the chunks of
// evalChunks, each a graph of its own on a goroutine of its own (as
// stepRows' do), since a row's values do not depend on its batch there;
// above, in one batch of fewRows' size. A GRU under gruStepper's
// conditions, or an LSTM under lstmStepper's, evaluates its rows in Go
// with the graph's arithmetic (cells.GRU.ObjectiveRows,
// cells.LSTM.ObjectiveRows; TestGRUObjectiveMatchesGraph,
// TestLSTMObjectiveMatchesGraph), spread over the CPUs.
func (e *rowEval) eval(x, u []float64, n int, q, fo, g []float64) error {
	N, M := e.f.N, e.f.M
	gs, _ := e.f.rowStepper().(rowsObjective) // a GRU's or LSTM's objective in Go, the graph's bits
	for lo := 0; lo < n; lo += e.maxRows {
		hi := min(lo+e.maxRows, n)
		if gs != nil {
			objectiveRowsOver(gs, hi-lo, N, M, x[lo*N:hi*N], u[lo*M:hi*M], q[lo:hi], fo[lo*N:hi*N], g[lo*N:hi*N])
			e.f.stats.GradEvals++
			continue
		}
		chunks := []int{fewRows(hi-lo, N)}
		if N <= batchFreeN {
			chunks = halveChunk(evalChunks(hi-lo, N), hi-lo, N)
		}
		total := 0
		for _, b := range chunks {
			total += b
		}
		obs := make([]*graph.Objective, len(chunks))
		if err := e.objs.getEach(chunks, obs); err != nil {
			return err
		}
		e.xb, e.ub = growTo(e.xb, total*N), growTo(e.ub, total*M)
		xb, ub := e.xb, e.ub
		err := runChunks(hi-lo, chunks, func(i, clo, real int) error {
			b, ob := chunks[i], obs[i]
			for r := clo; r < clo+b; r++ {
				s := lo + min(r, clo+real-1) // padding repeats the chunk's last row
				copy(xb[r*N:(r+1)*N], x[s*N:(s+1)*N])
				copy(ub[r*M:(r+1)*M], u[s*M:(s+1)*M])
			}
			if err := ob.SetStates(xb[clo*N : (clo+b)*N]); err != nil {
				return err
			}
			if err := ob.SetInputs(ub[clo*M : (clo+b)*M]); err != nil {
				return err
			}
			if err := ob.Eval(); err != nil {
				return err
			}
			at := lo + clo
			copy(q[at:at+real], ob.Q()[:real])
			copy(fo[at*N:(at+real)*N], ob.F()[:real*N])
			copy(g[at*N:(at+real)*N], ob.Grad()[:real*N])
			return nil
		})
		if err != nil {
			return err
		}
		e.f.stats.GradEvals++
	}
	return nil
}

// evalSplitWork is rowChunks' splitWork for an objective with its
// gradient, whose rows cost more beside a run's fixed overhead: a run of
// the flip-flop GRU-16's objective costs about what 28 of its rows do (55
// µs at 4 rows, 164 µs at 64), the LSTM-16's about 17 rows of 32 states,
// 2^13 and 2^14 in row values times N.
const evalSplitWork = 1 << 13

// evalChunks is the batches, each a compiled size, that rowEval evaluates
// n rows of N states in: k full power-of-two chunks (each the largest
// that fits the rows left, at least fewRows' floor) and one last chunk of
// fewRows' size for the rest, with the k that costs least, counting each
// row N² and each run evalSplitWork (k = 0 is one batch of fewRows(n, N)).
// 300 rows of 16 states run as 256 + 32 + 16 instead of 512. Every chunk
// but the last is full, so runChunks' split of the rows is this one.
func evalChunks(n, N int) []int {
	best := []int{fewRows(n, N)}
	bestCost := best[0]*N*N + evalSplitWork
	var full []int
	done, cost := 0, 0
	for {
		b := fewRows(1, N)
		for b*2 <= n-done {
			b *= 2
		}
		if b > n-done {
			break
		}
		full = append(full, b)
		done += b
		cost += b*N*N + evalSplitWork
		c := cost
		if done < n {
			c += fewRows(n-done, N)*N*N + evalSplitWork
		}
		if c < bestCost {
			best, bestCost = slices.Clone(full), c
			if done < n {
				best = append(best, fewRows(n-done, N))
			}
		}
		if done == n {
			break
		}
	}
	return best
}

// curvatures evaluates the curvature at the states of the candidates idx,
// in groups that fit the row batches. With withErr each Hessian is also
// differenced with a doubled step, to estimate its error; without it, a
// float64 cell that gives its Hessian of q in closed form
// (cells.QHessian) gives it and J instead of the differences
// (closedCurvatures).
func (f *finder) curvatures(e *rowEval, idx []int, withErr bool) ([]curvature, error) {
	if qh := f.closedQHessian(); qh != nil && !withErr {
		if out, ok, err := f.closedCurvatures(e, qh, idx); ok || err != nil {
			return out, err
		}
	}
	N, M := f.N, f.M
	steps := []float64{1}
	if withErr {
		steps = append(steps, 2)
	}
	per := 1 + 2*N*len(steps)
	group := max(1, e.maxRows/per)
	h := math.Cbrt(f.s.Dtype.Eps()) // balances truncation (h^2) against rounding (eps/h)
	out := make([]curvature, len(idx))
	for lo := 0; lo < len(idx); lo += group {
		part := idx[lo:min(lo+group, len(idx))]
		n := len(part) * per
		e.cx, e.cu = growTo(e.cx, n*N), growTo(e.cu, n*M)
		x, u := e.cx, e.cu
		for k, ci := range part {
			c := f.cands[ci]
			for r := 0; r < per; r++ {
				row := k*per + r
				copy(x[row*N:(row+1)*N], c.x)
				copy(u[row*M:(row+1)*M], c.u)
			}
			for s, m := range steps {
				for j := 0; j < N; j++ {
					d := m * h * max(1, abs(c.x[j]))
					base := k*per + 1 + s*2*N + 2*j
					x[base*N+j] += d
					x[(base+1)*N+j] -= d
				}
			}
		}
		e.cq, e.cf, e.cg = growTo(e.cq, n), growTo(e.cf, n*N), growTo(e.cg, n*N)
		q, fo, g := e.cq, e.cf, e.cg
		if err := e.eval(x, u, n, q, fo, g); err != nil {
			return nil, err
		}
		linalg.Parallel(len(part), func(a, b int) {
			for k := a; k < b; k++ {
				out[lo+k] = assembleCurvature(f.cands[part[k]].x, x, q, fo, g, k*per, N, len(steps), f.s.Dtype.Eps())
			}
		})
	}
	return out, nil
}

// closedCurvatures is curvatures without withErr for a cell that gives the
// Hessian of q and J in closed form: q, F and the gradient from the graph
// at each state (one row a candidate, where the differences take 2N + 1),
// H and ||J - I||_F from the cell. On the flip-flop GRU-16 the slow
// descent's Hessians were 97% of its rows. It reports false when the cell
// has no closed form for its configuration.
func (f *finder) closedCurvatures(e *rowEval, qh cells.QHessian, idx []int) ([]curvature, bool, error) {
	q, fo, g, err := f.evalCands(e, idx)
	if err != nil {
		return nil, true, err
	}
	out, ok := f.closedCurvaturesAt(qh, idx, q, fo, g, nil)
	return out, ok, nil
}

// closedCurvaturesAt is closedCurvatures with q, F and the gradient at the
// candidates' states already evaluated (one row a candidate, as
// evalCands gives them; the curvatures keep slices of fo and g). A cell
// that writes its Hessians into given storage (cells.QHessianInto) writes
// them into *hb, grown to fit (the curvatures' H are slices of it, valid
// until its next use), or into new storage when hb is nil.
func (f *finder) closedCurvaturesAt(qh cells.QHessian, idx []int, q, fo, g []float64, hb *[]float64) ([]curvature, bool) {
	N := f.N
	out := make([]curvature, len(idx))
	closed := make([]bool, len(idx))
	qi, into := qh.(cells.QHessianInto)
	var hs []float64
	if into {
		if hb == nil {
			hb = new([]float64)
		}
		*hb = growTo(*hb, len(idx)*N*N)
		hs = *hb
	}
	linalg.ParallelMin(len(idx), 4, func(a, b int) { // about 16 µs a GRU-16 candidate
		var jw []float64
		if into {
			jw = make([]float64, N*N)
		}
		for k := a; k < b; k++ {
			c := f.cands[idx[k]]
			var jac, H []float64
			var ok bool
			if into {
				jac, H = jw, hs[k*N*N:(k+1)*N*N]
				ok = qi.QHessianInto(c.x, c.u, jac, H)
			} else {
				jac, H, ok = qh.QHessian(c.x, c.u)
			}
			if !ok {
				return
			}
			aa := 0.0
			for i := 0; i < N; i++ {
				for j, v := range jac[i*N : (i+1)*N] {
					if i == j {
						v--
					}
					aa += v * v
				}
			}
			out[k] = curvature{q: q[k], f: fo[k*N : (k+1)*N], g: g[k*N : (k+1)*N], H: H, aNorm: math.Sqrt(aa)}
			closed[k] = true
		}
	})
	for _, ok := range closed {
		if !ok {
			return nil, false
		}
	}
	return out, true
}

// closedQHessian is the cell's closed-form Hessian of q when curvatures
// without withErr uses it (a float64 search), else nil.
func (f *finder) closedQHessian() cells.QHessian {
	if qh, ok := f.cell.(cells.QHessian); ok && f.s.Dtype == graph.Float64 {
		return qh
	}
	return nil
}

// assembleCurvature builds one curvature from its rows, starting at row
// base: the centre, then for each step the pairs (x + d e_j, x - d e_j).
func assembleCurvature(x0, x, q, fo, g []float64, base, N, nSteps int, eps float64) curvature {
	c := curvature{q: q[base],
		f: append([]float64(nil), fo[base*N:(base+1)*N]...),
		g: append([]float64(nil), g[base*N:(base+1)*N]...)}
	Hs := make([][]float64, nSteps)
	hMin := math.Inf(1)
	aa := 0.0
	for s := range Hs {
		H := make([]float64, N*N)
		for j := 0; j < N; j++ {
			p := base + 1 + s*2*N + 2*j
			d := x[p*N+j] - x[(p+1)*N+j] // the step as represented
			hMin = min(hMin, d/2)
			for i := 0; i < N; i++ {
				H[i*N+j] = (g[p*N+i] - g[(p+1)*N+i]) / d
				if s == 0 {
					a := (fo[p*N+i] - fo[(p+1)*N+i]) / d
					if i == j {
						a--
					}
					aa += a * a
				}
			}
		}
		Hs[s] = H
	}
	c.aNorm = math.Sqrt(aa)
	H := Hs[0]
	asym := 0.0
	for i := 0; i < N; i++ {
		for j := i + 1; j < N; j++ {
			d := H[i*N+j] - H[j*N+i]
			asym += 2 * d * d
			m := (H[i*N+j] + H[j*N+i]) / 2
			H[i*N+j], H[j*N+i] = m, m
		}
	}
	c.H = H
	if nSteps > 1 {
		H2, diff := Hs[1], 0.0
		for i := 0; i < N; i++ {
			for j := 0; j < N; j++ {
				m := (H2[i*N+j] + H2[j*N+i]) / 2
				d := H[i*N+j] - m
				diff += d * d
			}
		}
		gErr := gradientRounding(&c, x0, eps)
		c.hErr = 2 * (math.Sqrt(diff) + math.Sqrt(asym)/2 + 4*math.Sqrt(float64(N))*gErr/hMin)
	}
	return c
}

// gradientRounding estimates the rounding error of the computed gradient
// g = (J - I)^T r at x: r = F(x) - x carries about eps*max(1, |x|) per
// component, and J - I about eps*(||J - I|| + 1).
func gradientRounding(c *curvature, x []float64, eps float64) float64 {
	n := float64(len(x))
	rn := 0.0
	for i, v := range c.f {
		d := v - x[i]
		rn += d * d
	}
	return eps * (c.aNorm + 1) * (math.Sqrt(rn) + math.Sqrt(n)*scale(x))
}

// gradientFloor is the size of grad q that rounding alone can produce at
// x: the gradient's own rounding (gradientRounding) plus the Hessian
// times the rounding of x, with a safety factor of 64. A gradient below it
// is zero to working precision. hNorm is ||c.H||_F (linalg.Nrm2), which
// the dense descent's test has at hand.
func gradientFloor(c *curvature, x []float64, eps, hNorm float64) float64 {
	n := float64(len(x))
	return 64 * (gradientRounding(c, x, eps) + eps*hNorm*math.Sqrt(n)*scale(x))
}

// minEigenSym is the smallest eigenvalue of the symmetric n x n H, NaN when
// the decomposition fails or H is not finite.
func minEigenSym(H []float64, n int) float64 {
	if !finite(H) {
		return math.NaN()
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(n, append([]float64(nil), H...)), false) {
		return math.NaN()
	}
	v := es.Values(nil)
	return v[0] // ascending
}
