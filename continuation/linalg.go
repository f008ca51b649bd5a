package continuation

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/mat"
)

// wdot is the inner product of (x, s) pairs, wx x_a.x_b + s_a s_b. The
// weight wx is 1/(N max(1, rms(x))^2) at the branch's current point (see
// xWeight): steps are relative changes of the state once it is large.
func wdot(a, b []float64, wx float64) float64 {
	N := len(a) - 1
	d := 0.0
	for i := 0; i < N; i++ {
		d += a[i] * b[i]
	}
	return d*wx + a[N]*b[N]
}

// wnorm is sqrt(wdot(a, a)).
func wnorm(a []float64, wx float64) float64 { return math.Sqrt(wdot(a, a, wx)) }

// weighted returns W a, the vector c with c.y = wdot(a, y).
func weighted(a []float64, wx float64) []float64 {
	N := len(a) - 1
	c := make([]float64, N+1)
	for i := 0; i < N; i++ {
		c[i] = a[i] * wx
	}
	c[N] = a[N]
	return c
}

// xWeight is the state weight of wdot at state x.
func xWeight(x []float64) float64 {
	ss := 0.0
	for _, v := range x {
		ss += v * v
	}
	N := float64(len(x))
	return 1 / (N * math.Max(1, ss/N))
}

// unit scales t to unit wnorm.
func unit(t []float64, wx float64) {
	n := wnorm(t, wx)
	for i := range t {
		t[i] /= n
	}
}

// bordered is the LU factorization of the (N+1) x (N+1) matrix
//
//	[ J - I   J_u d ]
//	[     c^T       ]
//
// the Jacobian of (F(x, u(s)) - x, c.y) in y = (x, s).
//
// Above denseSolveMax states the system is solved by GMRES with products
// by the matrix (N^2 each instead of an N^3 factorization), falling back
// to the factorization when GMRES does not converge.
type bordered struct {
	n     int
	lu    *mat.LU
	c     []float64
	jx    []float64 // J, and the last column J_u d, kept for GMRES
	col   []float64
	stats *Stats
}

// denseSolveMax is the largest N whose bordered systems are factored at
// once; above it GMRES is tried first.
const denseSolveMax = 400

// factor builds and factors the bordered matrix from J (N x N), Ju (N x M),
// the path direction d (M) and the constraint row c (N+1).
func factor(N, M int, jx, ju, d, c []float64, stats *Stats) (b *bordered, err error) {
	b = &bordered{n: N, c: append([]float64(nil), c...), jx: jx, col: make([]float64, N), stats: stats}
	for i := 0; i < N; i++ {
		v := 0.0
		for k := 0; k < M; k++ {
			v += ju[i*M+k] * d[k]
		}
		b.col[i] = v
	}
	if N > denseSolveMax {
		return b, nil
	}
	return b, b.factorize()
}

// factorize computes the LU factorization.
func (b *bordered) factorize() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("continuation: factorization panicked: %v", r)
		}
	}()
	N := b.n
	b.stats.Factorizations++
	a := mat.NewDense(N+1, N+1, nil)
	for i := 0; i < N; i++ {
		row := a.RawRowView(i)
		copy(row[:N], b.jx[i*N:(i+1)*N])
		row[i] -= 1
		row[N] = b.col[i]
	}
	copy(a.RawRowView(N), b.c)
	var lu mat.LU
	lu.Factorize(a)
	if lu.Det() == 0 {
		return fmt.Errorf("continuation: singular bordered system")
	}
	b.lu = &lu
	return nil
}

// solve returns A^-1 r.
func (b *bordered) solve(r []float64) (z []float64, err error) {
	if b.lu == nil {
		b.stats.Krylov++
		if z, ok := b.iterative(r, 60, 4, 1e-13, 1e-10); ok {
			return z, nil
		}
		if err := b.factorize(); err != nil {
			return nil, err
		}
	}
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("continuation: solve panicked: %v", rec)
		}
	}()
	var v mat.VecDense
	if err := b.lu.SolveVecTo(&v, false, mat.NewVecDense(b.n+1, append([]float64(nil), r...))); err != nil {
		// A condition warning still gives a usable solution; anything else does not.
		if _, ok := err.(mat.Condition); !ok {
			return nil, fmt.Errorf("continuation: solve: %w", err)
		}
	}
	z = make([]float64, b.n+1)
	copy(z, v.RawVector().Data)
	for _, x := range z {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("continuation: solve: not finite")
		}
	}
	return z, nil
}

// tangent is the unit (in wnorm) null vector of [J - I, J_u d], oriented so
// that c.t > 0 (c is the factor's constraint row).
func (b *bordered) tangent(wx float64) ([]float64, error) {
	r := make([]float64, b.n+1)
	r[b.n] = 1
	z, err := b.solve(r)
	if err != nil {
		return nil, err
	}
	nz := wnorm(z, wx)
	if nz == 0 {
		return nil, fmt.Errorf("continuation: zero tangent")
	}
	for i := range z {
		z[i] /= nz
	}
	return z, nil
}

// matvec returns A z for the bordered matrix [[J - I, J_u d], [c^T]].
func (b *bordered) matvec(z []float64) []float64 {
	N := b.n
	out := make([]float64, N+1)
	zs := z[N]
	for i := 0; i < N; i++ {
		row := b.jx[i*N : (i+1)*N]
		s := 0.0
		for k, v := range row {
			s += v * z[k]
		}
		out[i] = s - z[i] + b.col[i]*zs
	}
	out[N] = linalg.Dot(b.c, z)
	return out
}

// iterative solves A z = r by linalg's restarted GMRES (cycles of up to m
// steps, at most restarts cycles) to a residual estimate of tol * ||r||;
// ok says whether the true residual is within accept * ||r|| (rounding in
// the N-term products keeps it above the estimate).
func (b *bordered) iterative(r []float64, m, restarts int, tol, accept float64) (z []float64, ok bool) {
	n := len(r)
	z = make([]float64, n)
	rn := math.Sqrt(linalg.Dot(r, r))
	if rn == 0 {
		return z, true
	}
	g := linalg.NewGMRES(1, n, min(m, n))
	apply := func(_ []int, v, out []float64) error {
		copy(out, b.matvec(v))
		return nil
	}
	if _, err := g.Solve(1, r, []float64{tol}, z, restarts, apply); err != nil {
		return z, false
	}
	az := b.matvec(z)
	res := 0.0
	for i := range az {
		d := r[i] - az[i]
		res += d * d
	}
	return z, math.Sqrt(res) <= accept*rn
}
