package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// GMRES solves A_k d_k = b_k for n systems (candidates) at once by
// restarted GMRES, where A_k v comes from a batched product: each Arnoldi
// step applies A to the newest basis vector of every candidate still
// iterating in one pass (see Solve). One system is the case n = 1. Each candidate stops when its
// residual ||b - A d|| falls to eta_k ||b||, when its Krylov space stops
// reducing it (stagnation: less than gmresStagnation over gmresWindow steps,
// a near-singular A in the direction of b, typical near a slow point), or
// after its restarts.
//
// Storage is n x (m+1) x N for the bases and n x (m+1) x m for the
// Hessenberg matrices, allocated once per batch size and dimension, with
// Solve's scratch: a Solve allocates nothing.
type GMRES struct {
	n, N, m  int
	V        []float64 // basis vectors: V[k][j] at ((k*(m+1))+j)*N
	H        []float64 // Hessenberg, column j of candidate k at (k*m+j)*(m+1)
	cs, sn   []float64 // Givens rotations, k*m + j
	g        []float64 // rotated right-hand side, k*(m+1) + j
	y        []float64 // scratch for the small triangular solve, k*m
	beta     []float64 // ||b_k||, the norm the tolerances are relative to
	eta      []float64 // relative tolerance per candidate
	res      []float64 // current residual norm estimate per candidate
	iters    []int     // Arnoldi steps taken (all cycles)
	dims     []int     // steps in the current cycle
	cycles   []int
	active   []bool
	stagnant []bool    // stopped by stagnation
	first    []float64 // |A v_0| of the first cycle
	// Solve's scratch: the product's packed rows, input and output, the
	// residuals of each cycle's steps (k*m + step) and their counts, the
	// Gram-Schmidt coefficients (k*(m+1)) and a restart's residual and
	// rotated vector (shared: restarts run one at a time).
	rows    []int
	vs, out []float64
	hist    []float64
	nhist   []int
	t       []float64
	r, z    []float64
}

const (
	gmresStagnation = 0.9 // the residual must fall below this factor ...
	gmresWindow     = 20  // ... over this many Arnoldi steps
)

// NewGMRES returns the storage for up to n systems of dimension N with
// cycles of up to m Arnoldi steps.
func NewGMRES(n, N, m int) *GMRES {
	return &GMRES{n: n, N: N, m: m,
		V: make([]float64, n*(m+1)*N), H: make([]float64, n*m*(m+1)),
		cs: make([]float64, n*m), sn: make([]float64, n*m), g: make([]float64, n*(m+1)),
		y: make([]float64, n*m), beta: make([]float64, n), eta: make([]float64, n), res: make([]float64, n),
		iters: make([]int, n), dims: make([]int, n), cycles: make([]int, n),
		active: make([]bool, n), stagnant: make([]bool, n), first: make([]float64, n),
		rows: make([]int, 0, n), vs: make([]float64, n*N), out: make([]float64, n*N),
		hist: make([]float64, n*m), nhist: make([]int, n), t: make([]float64, n*(m+1)),
		r: make([]float64, N), z: make([]float64, m+1)}
}

// basis returns candidate k's basis vector j.
func (g *GMRES) basis(k, j int) []float64 {
	o := (k*(g.m+1) + j) * g.N
	return g.V[o : o+g.N]
}

// Solve runs GMRES for the first n candidates with right-hand sides b (n x
// N) and tolerances eta, writing the solutions into d (n x N). apply(rows,
// vs, out) must set out[i] = A_{rows[i]} vs[i] for the listed candidates
// (rows and vs are packed: vs[i] is row i). At most maxCycles cycles of up
// to m steps each are run. It returns the number of product passes.
func (g *GMRES) Solve(n int, b, eta, d []float64, maxCycles int, apply func(rows []int, vs, out []float64) error) (passes int, err error) {
	N, m := g.N, g.m
	clear(d[:n*N])
	for k := 0; k < n; k++ {
		g.eta[k] = eta[k]
		g.beta[k] = Nrm2(b[k*N : (k+1)*N])
		g.iters[k], g.cycles[k], g.stagnant[k] = 0, 0, false
		g.startCycle(k, b[k*N:(k+1)*N], g.beta[k])
	}
	rows, vs, out := g.rows, g.vs, g.out
	clear(out[:n*N]) // apply sees a fresh output, as when it was made here
	clear(g.nhist[:n])
	for {
		rows = rows[:0]
		for k := 0; k < n; k++ {
			if g.active[k] {
				rows = append(rows, k)
			}
		}
		if len(rows) == 0 {
			return passes, nil
		}
		for i, k := range rows {
			copy(vs[i*N:(i+1)*N], g.basis(k, g.dims[k]))
		}
		if err := apply(rows, vs[:len(rows)*N], out[:len(rows)*N]); err != nil {
			return passes, err
		}
		passes++
		Parallel(len(rows), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				g.extend(rows[i], out[i*N:(i+1)*N])
			}
		})
		for _, k := range rows {
			j := g.dims[k] // steps done in this cycle
			// The residual after each step of the cycle.
			hist := g.hist[k*m : k*m+g.nhist[k]+1]
			hist[g.nhist[k]] = g.res[k]
			g.nhist[k]++
			done := g.res[k] <= g.eta[k]*g.beta[k] || g.res[k] == 0
			if !done && len(hist) > gmresWindow && g.res[k] > gmresStagnation*hist[len(hist)-1-gmresWindow] {
				done, g.stagnant[k] = true, true
			}
			if !done && j < m {
				continue
			}
			// End of a cycle: add its correction to d.
			g.update(k, d[k*N:(k+1)*N])
			g.cycles[k]++
			if done || g.cycles[k] >= maxCycles {
				g.active[k] = false
				continue
			}
			// Restart from the true residual of the linear system, which the
			// Arnoldi relation gives without a product: b - A d = V_{m+1} (g
			// with its first m rotated entries zeroed, rotated back).
			clear(g.r) // as a fresh r: a BLAS may scale the old contents by beta = 0
			g.cycleResidual(k, g.r)
			g.startCycle(k, g.r, Nrm2(g.r))
			g.nhist[k] = 0
		}
	}
}

// startCycle starts a cycle of candidate k from residual r of norm beta.
func (g *GMRES) startCycle(k int, r []float64, beta float64) {
	m := g.m
	g.dims[k] = 0
	g.res[k] = beta
	clear(g.g[k*(m+1) : (k+1)*(m+1)])
	g.g[k*(m+1)] = beta
	v := g.basis(k, 0)
	g.active[k] = beta > 0 && !math.IsNaN(beta) && !math.IsInf(beta, 0) && beta > g.eta[k]*g.beta[k]
	if !g.active[k] {
		return
	}
	for i := range v {
		v[i] = r[i] / beta
	}
}

// extend, GMRES's Arnoldi step, orthogonalizes w = A v_j against candidate k's basis
// (Orthogonalize: classical Gram-Schmidt, twice, which keeps the basis
// orthogonal to rounding), appends it and updates the Givens rotations and residual.
func (g *GMRES) extend(k int, w []float64) {
	N, m := g.N, g.m
	j := g.dims[k]
	h := g.H[(k*m+j)*(m+1) : (k*m+j+1)*(m+1)]
	clear(h)
	hn := orthogonalize(g.V[k*(m+1)*N:(k*(m+1)+j+1)*N], j+1, N, w, h, g.t[k*(m+1):(k+1)*(m+1)])
	h[j+1] = hn
	if j == 0 && g.cycles[k] == 0 {
		g.first[k] = math.Hypot(Nrm2(h[:1]), hn)
	}
	if hn > 0 {
		nv := g.basis(k, j+1)
		for i := range nv {
			nv[i] = w[i] / hn
		}
	}
	// Apply the previous rotations to the new column, then a new one.
	cs, sn := g.cs[k*m:(k+1)*m], g.sn[k*m:(k+1)*m]
	for i := 0; i < j; i++ {
		a, b := h[i], h[i+1]
		h[i], h[i+1] = cs[i]*a+sn[i]*b, -sn[i]*a+cs[i]*b
	}
	r := math.Hypot(h[j], h[j+1])
	if r == 0 {
		cs[j], sn[j] = 1, 0
	} else {
		cs[j], sn[j] = h[j]/r, h[j+1]/r
	}
	h[j], h[j+1] = r, 0
	gk := g.g[k*(m+1) : (k+1)*(m+1)]
	gk[j], gk[j+1] = cs[j]*gk[j], -sn[j]*gk[j]
	g.res[k] = math.Abs(gk[j+1])
	g.dims[k] = j + 1
	g.iters[k]++
	if hn == 0 { // lucky breakdown: the solution is in the space
		g.res[k] = 0
	}
}

// update adds V y to d, y solving the cycle's triangular system.
func (g *GMRES) update(k int, d []float64) {
	N, m := g.N, g.m
	j := g.dims[k]
	if j == 0 {
		return
	}
	y := g.y[k*m : k*m+j]
	gk := g.g[k*(m+1):]
	for i := j - 1; i >= 0; i-- {
		s := gk[i]
		for l := i + 1; l < j; l++ {
			s -= g.H[(k*m+l)*(m+1)+i] * y[l]
		}
		if hii := g.H[(k*m+i)*(m+1)+i]; hii != 0 {
			y[i] = s / hii
		} else {
			y[i] = 0
		}
	}
	Vk := blas64.General{Rows: j, Cols: N, Stride: N, Data: g.V[k*(m+1)*N : (k*(m+1)+j)*N]}
	blas64.Gemv(blas.Trans, 1, Vk, blas64.Vector{N: j, Inc: 1, Data: y}, 1, blas64.Vector{N: N, Inc: 1, Data: d})
}

// cycleResidual writes the linear residual at the end of candidate k's
// cycle: V_{j+1} Q^T (0, ..., 0, g_j) with Q the cycle's rotations.
func (g *GMRES) cycleResidual(k int, r []float64) {
	N, m := g.N, g.m
	j := g.dims[k]
	z := g.z[:j+1]
	clear(z)
	z[j] = g.g[k*(m+1)+j]
	cs, sn := g.cs[k*m:(k+1)*m], g.sn[k*m:(k+1)*m]
	for i := j - 1; i >= 0; i-- { // apply the transposed rotations in reverse
		a, b := z[i], z[i+1]
		z[i], z[i+1] = cs[i]*a-sn[i]*b, sn[i]*a+cs[i]*b
	}
	Vk := blas64.General{Rows: j + 1, Cols: N, Stride: N, Data: g.V[k*(m+1)*N : (k*(m+1)+j+1)*N]}
	blas64.Gemv(blas.Trans, 1, Vk, blas64.Vector{N: j + 1, Inc: 1, Data: z}, 0, blas64.Vector{N: N, Inc: 1, Data: r})
}

// FirstImage is |A v_0|, v_0 the unit right-hand side of candidate k's
// first cycle (the norm of its first Hessenberg column, which rotations
// keep), so |A b| = firstImage * |b|. It must be read before a restart.
func (g *GMRES) FirstImage(k int) float64 {
	return g.first[k]
}

// Capacity is the number of systems g was allocated for.
func (g *GMRES) Capacity() int { return g.n }

// Iters is the number of Arnoldi steps candidate k took in the last Solve
// (all cycles).
func (g *GMRES) Iters(k int) int { return g.iters[k] }

// RelResidual is candidate k's final residual estimate relative to its
// right-hand side, ||b - A d|| / ||b|| (the denominator floored at 1e-300).
func (g *GMRES) RelResidual(k int) float64 { return g.res[k] / max(g.beta[k], 1e-300) }
