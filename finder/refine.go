package finder

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/graph"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// lmState is one candidate's Levenberg-Marquardt state.
type lmState struct {
	lambda float64
	res    float64 // max|F(x) - x| at the current x
	fails  int
}

const (
	lmMaxTries   = 6     // damping increases tried per Jacobian
	lmLambdaMax  = 1e12  // beyond this a candidate is stalled
	lmLambdaInit = 1e-8  // relative to diag((J-I)^T(J-I)): nearly Gauss-Newton
	lmLambdaMin  = 1e-18 // near-singular J - I needs almost no damping to converge
	lmStallRatio = 0.99  // an accepted step must shrink q below this factor ...
	lmStallSteps = 3     // ... or, after this many such steps in a row, the candidate has stalled
	// A candidate still 1e3 x TolResidual from certification after this many
	// steps is heading for a slow point (a local minimum of q > 0), not a
	// fixed point: Newton's convergence to a zero is fast by then.
	lmPatience = 10
)

// refine polishes the candidates idx with batched Levenberg-Marquardt steps
// on r(x) = F(x) - x. The Jacobians come from the graph's seeded
// vector-Jacobian passes, in chunks of at most Settings.JacobianBudget
// bytes; each chunk's Jacobians serve several damping trials.
func (f *finder) refine(ctx context.Context, idx []int) error {
	s := &f.s
	eps := s.Dtype.Eps()
	st := make(map[int]*lmState, len(idx))
	active := []int{}
	for _, ci := range idx {
		c := f.cands[ci]
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) {
			continue
		}
		st[ci] = &lmState{lambda: lmLambdaInit, res: residual(c.f, c.x)}
		if st[ci].res > floorRes(c.x, eps) {
			active = append(active, ci)
		}
	}
	chunk := f.jacobianChunk()
	for it := 0; it < s.MaxRefineIters && len(active) > 0; it++ {
		if err := ctx.Err(); err != nil {
			f.canceled = true
			return nil
		}
		f.stats.RefineIters++
		next := active[:0:0]
		for lo := 0; lo < len(active); lo += chunk {
			part := active[lo:min(lo+chunk, len(active))]
			keep, err := f.lmChunk(part, st)
			if err != nil {
				return err
			}
			next = append(next, keep...)
		}
		active = next
		f.report("refine", it+1, active)
	}
	return nil
}

// floorRes is the residual below which F(x) - x is rounding noise.
func floorRes(x []float64, eps float64) float64 {
	m := 1.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return 4 * eps * m
}

// jacobianChunk is the batch size of Jacobian evaluations within budget.
func (f *finder) jacobianChunk() int {
	per := 8 * (f.N*f.N + f.N*f.M)
	c := f.s.JacobianBudget / max(per, 1)
	return max(1, min(c, len(f.cands), 4096))
}

// lmChunk runs one Levenberg-Marquardt iteration on the candidates part
// and returns those that are still improving.
//
// Candidates within shareRadius of each other share one Jacobian: near
// convergence hundreds of candidates crowd around each fixed point, and one
// Jacobian evaluation then serves them all. The acceptance test uses each
// candidate's own residual, so sharing only slows a step, never corrupts it.
func (f *finder) lmChunk(part []int, st map[int]*lmState) ([]int, error) {
	N, M := f.N, f.M
	eps := f.s.Dtype.Eps()
	reps, repOf := f.cluster(part)
	jx, err := f.jacobiansAt(reps)
	if err != nil {
		return nil, err
	}
	B := nextPow2(len(part))
	x, u := f.pack(part, B)
	// Normal equations per candidate: A = J - I, g = A^T r, H = A^T A
	// (upper triangle). H depends only on the representative's Jacobian.
	// Flat buffers and BLAS calls: at N = 16 the per-candidate allocations
	// of mat types cost more than the arithmetic.
	NN := N * N
	H := make([]float64, len(reps)*NN)
	for k := range reps {
		A := jx[k*NN : (k+1)*NN]
		for i := 0; i < N; i++ {
			A[i*N+i]--
		}
		blas64.Syrk(blas.Trans, 1, blas64.General{Rows: N, Cols: N, Stride: N, Data: A},
			0, blas64.Symmetric{N: N, Stride: N, Uplo: blas.Upper, Data: H[k*NN : (k+1)*NN]})
	}
	g := make([]float64, len(part)*N)
	r := make([]float64, N)
	for k, ci := range part {
		c := f.cands[ci]
		for i := 0; i < N; i++ {
			r[i] = c.f[i] - c.x[i]
		}
		rep := repOf[k]
		blas64.Gemv(blas.Trans, 1, blas64.General{Rows: N, Cols: N, Stride: N, Data: jx[rep*NN : (rep+1)*NN]},
			blas64.Vector{N: N, Inc: 1, Data: r}, 0, blas64.Vector{N: N, Inc: 1, Data: g[k*N : (k+1)*N]})
	}
	work := make([]float64, NN)
	d := make([]float64, N)
	pending := make([]bool, len(part))
	for k := range pending {
		pending[k] = true
	}
	// Each damping trial evaluates only the candidates still pending, packed
	// into the smallest batch that holds them.
	trial := make([]float64, B*N)
	tu := make([]float64, B*M)
	fout := make([]float64, B*N)
	rows := make([]int, 0, len(part)) // the candidate (index in part) of each row
	keep := []int{}
	for try := 0; try < lmMaxTries; try++ {
		rows = rows[:0]
		for k, ci := range part {
			if !pending[k] {
				continue
			}
			rep := repOf[k]
			lmStep(H[rep*NN:(rep+1)*NN], g[k*N:(k+1)*N], st[ci].lambda, work, d)
			capStep(d, x[k*N:(k+1)*N])
			row := len(rows)
			for i := 0; i < N; i++ {
				trial[row*N+i] = x[k*N+i] + d[i]
			}
			copy(tu[row*M:(row+1)*M], u[k*M:(k+1)*M])
			rows = append(rows, k)
		}
		if len(rows) == 0 {
			break
		}
		bt := nextPow2(len(rows))
		for row := len(rows); row < bt; row++ { // padding repeats the last
			copy(trial[row*N:(row+1)*N], trial[(len(rows)-1)*N:len(rows)*N])
			copy(tu[row*M:(row+1)*M], tu[(len(rows)-1)*M:len(rows)*M])
		}
		stepper, err := f.stepper(bt)
		if err != nil {
			return nil, err
		}
		if err := stepper.Step(trial[:bt*N], tu[:bt*M], fout[:bt*N]); err != nil {
			return nil, err
		}
		f.stats.GradEvals++
		for row, k := range rows {
			ci := part[k]
			c, s := f.cands[ci], st[ci]
			xt, ft := trial[row*N:(row+1)*N], fout[row*N:(row+1)*N]
			rt := residual(ft, xt)
			qt := halfSq(ft, xt)
			if qt < c.q || (qt == c.q && rt < s.res) {
				pending[k] = false
				if qt < lmStallRatio*c.q {
					s.fails = 0
				} else {
					s.fails++
				}
				copy(c.x, xt)
				copy(c.f, ft)
				c.q, c.refines = qt, c.refines+1
				s.res = rt
				s.lambda = math.Max(s.lambda/10, lmLambdaMin)
				hopeless := c.refines >= lmPatience && rt > 1e3*f.s.TolResidual
				if rt > floorRes(c.x, eps) && s.fails < lmStallSteps && !hopeless {
					keep = append(keep, ci)
				}
				continue
			}
			s.lambda *= 10
			if s.lambda > lmLambdaMax {
				pending[k] = false // stalled: a slow point or the precision floor
			}
		}
	}
	for k, ci := range part {
		if pending[k] {
			keep = append(keep, ci) // still trying with more damping
		}
	}
	return keep, nil
}

// shareRadius is the distance within which candidates share a Jacobian.
func shareRadius(x []float64) float64 {
	m := 1.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return 1e-3 * m
}

// cluster picks representatives among part greedily in order: a candidate
// within shareRadius (2-norm) of an existing representative joins it.
// repOf[k] is the index in reps of part[k]'s representative. Representatives
// are filed in a grid on the first two coordinates, with cells as wide as
// the largest radius, so each candidate looks at 9 cells, not all of them.
func (f *finder) cluster(part []int) (reps []int, repOf []int) {
	repOf = make([]int, len(part))
	cell := 0.0
	for _, ci := range part {
		cell = math.Max(cell, shareRadius(f.cands[ci].x))
	}
	type key struct{ a, b int64 }
	at := func(x []float64, i int) float64 {
		if i < len(x) {
			return x[i]
		}
		return 0
	}
	keyOf := func(x []float64) key {
		return key{int64(math.Floor(at(x, 0) / cell)), int64(math.Floor(at(x, 1) / cell))}
	}
	grid := map[key][]int{} // indices into reps
	for k, ci := range part {
		x := f.cands[ci].x
		rad := shareRadius(x)
		found := -1
		c := keyOf(x)
		for da := int64(-1); da <= 1 && found < 0; da++ {
			for db := int64(-1); db <= 1 && found < 0; db++ {
				for _, r := range grid[key{c.a + da, c.b + db}] {
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
			grid[c] = append(grid[c], found)
		}
		repOf[k] = found
	}
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

// jacobiansAt evaluates dF/dx at the candidates reps, R x N x N.
func (f *finder) jacobiansAt(reps []int) ([]float64, error) {
	N := f.N
	B := nextPow2(len(reps))
	jac, err := f.jacobians(B)
	if err != nil {
		return nil, err
	}
	x, u := f.pack(reps, B)
	jx := f.jxBuf(B * N * N)
	if err := jac.Eval(x, u, jx, nil); err != nil {
		return nil, err
	}
	f.stats.JacobianEvals++
	return jx, nil
}

// maxStep bounds one refinement step, in max-norm, relative to the scale
// max(1, |x|): a trust region. Without it a Gauss-Newton step can leap
// into regions where gates saturate and F(x) = x holds trivially (a GRU
// whose update gate is 1), far from the dynamics being studied.
const maxStep = 0.5

// capStep scales d so that max|d_i| <= maxStep*max(1, max|x_i|).
func capStep(d, x []float64) {
	m, dm := 1.0, 0.0
	for i := range x {
		m = math.Max(m, math.Abs(x[i]))
		dm = math.Max(dm, math.Abs(d[i]))
	}
	if lim := maxStep * m; dm > lim {
		for i := range d {
			d[i] *= lim / dm
		}
	}
}

// lmStep solves (H + lambda*(diag(H) + tiny)) d = -g by Cholesky, H being
// the upper triangle of an n x n matrix, into d, with work (n x n) as
// scratch.
//
// LAPACK's potrf/potrs are called directly: mat.Cholesky also estimates the
// condition number, which took three quarters of the time of a step at
// N = 16. A factor whose diagonal spans more than 1e8 (a condition number
// beyond about 1e16) is treated as singular, as mat's solve would.
func lmStep(H, g []float64, lambda float64, work, d []float64) {
	n := len(g)
	tr := 0.0
	for i := 0; i < n; i++ {
		tr += H[i*n+i]
	}
	tiny := 1e-12 * math.Max(tr/float64(n), 1e-300)
	copy(work, H)
	for i := 0; i < n; i++ {
		work[i*n+i] = H[i*n+i] + lambda*(H[i*n+i]+tiny) + tiny*1e-4
	}
	a := blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: work}
	if _, ok := lapack64.Potrf(a); ok {
		lo, hi := math.Inf(1), 0.0
		for i := 0; i < n; i++ {
			v := math.Abs(work[i*n+i])
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if lo > 1e-8*hi {
			for i := range d {
				d[i] = -g[i]
			}
			lapack64.Potrs(blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: work},
				blas64.General{Rows: n, Cols: 1, Stride: 1, Data: d})
			return
		}
	}
	// Fall back to a gradient step when the damped system is not safely
	// positive definite in floating point.
	for i := range d {
		d[i] = -g[i] / (lambda * (tr/float64(n) + 1))
	}
}

func (f *finder) jacobians(B int) (*graph.Jacobians, error) {
	if j, ok := f.jacs[B]; ok {
		return j, nil
	}
	j, err := graph.NewJacobians(f.cell, B, f.s.Dtype)
	if err != nil {
		return nil, err
	}
	f.jacs[B] = j
	return j, nil
}

func (f *finder) stepper(B int) (*graph.Stepper, error) {
	if st, ok := f.steps[B]; ok {
		return st, nil
	}
	st, err := graph.NewStepper(f.cell, B, f.s.Dtype)
	if err != nil {
		return nil, err
	}
	f.steps[B] = st
	return st, nil
}

func (f *finder) jxBuf(n int) []float64 {
	if cap(f.jx) < n {
		f.jx = make([]float64, n)
	}
	return f.jx[:n]
}
