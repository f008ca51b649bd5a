package orbits

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// shooting is the multiple-shooting system of one candidate orbit of k
// points: unknowns x_0 .. x_{k-1} (k N values, row-major), residuals
// R_j = F(x_j) - x_{j+1 mod k}.
type shooting struct {
	x         []float64 // k x N
	res       float64   // max |R| at x
	norm      float64   // ||R||_2 at x
	converged bool
	stalled   bool
	polish    int // Newton steps taken after res <= TolResidual
}

// polishSteps is the number of Newton steps taken once the residual is
// below the tolerance, each kept only when it shrinks the residual.
const polishSteps = 2

// residuals returns R (k x N) from x and f = F at the rows of x.
func residuals(x, f []float64, k, N int) []float64 {
	r := make([]float64, k*N)
	for j := 0; j < k; j++ {
		next := x[((j+1)%k)*N : ((j+1)%k+1)*N]
		for i := 0; i < N; i++ {
			r[j*N+i] = f[j*N+i] - next[i]
		}
	}
	return r
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, a := range v {
		if !(math.Abs(a) <= m) {
			m = math.Abs(a)
		}
	}
	return m
}

func norm2(v []float64) float64 {
	s := 0.0
	for _, a := range v {
		s = math.Hypot(s, a)
	}
	return s
}

// newtonStep solves the multiple-shooting Newton system
// J_j d_j - d_{j+1} = -R_j (j = 0..k-1, indices mod k) for d (k x N), with
// jx the k Jacobians (k x N x N). A well-conditioned system is solved by
// LU; a nearly singular one (a line of orbits, a multiplier at 1) takes
// the minimum-norm solution from the SVD.
func newtonStep(jx, r []float64, k, N int) (d []float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("orbits: factorizing the shooting matrix panicked: %v", p)
		}
	}()
	n := k * N
	a := mat.NewDense(n, n, nil)
	for j := 0; j < k; j++ {
		next := (j + 1) % k
		for i := 0; i < N; i++ {
			for c := 0; c < N; c++ {
				a.Set(j*N+i, j*N+c, jx[j*N*N+i*N+c])
			}
			a.Set(j*N+i, next*N+i, a.At(j*N+i, next*N+i)-1)
		}
	}
	rhs := make([]float64, n)
	for i := range rhs {
		rhs[i] = -r[i]
	}
	b := mat.NewVecDense(n, rhs)
	var lu mat.LU
	lu.Factorize(a)
	if lu.Cond() < 1e12 {
		var dv mat.VecDense
		if err := lu.SolveVecTo(&dv, false, b); err == nil {
			return append([]float64(nil), dv.RawVector().Data...), nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("orbits: SVD of the shooting matrix did not converge")
	}
	sv := svd.Values(nil)
	rank := 0
	for _, s := range sv {
		if s > float64(n)*0x1p-52*sv[0] {
			rank++
		}
	}
	if rank == 0 {
		return make([]float64, n), nil
	}
	var dm mat.Dense
	svd.SolveTo(&dm, b, rank)
	return append([]float64(nil), dm.RawMatrix().Data...), nil
}

// newton runs Newton's method with backtracking on the multiple-shooting
// systems of the candidate orbits os (all of k points), all evaluated in
// one batch per step. It returns the batch's iterations.
func newton(ctx context.Context, e *evaluator, os []*shooting, k int, s *Settings) (int, error) {
	N := e.N
	it := 0
	for ; ; it++ {
		if err := ctx.Err(); err != nil {
			return it, err
		}
		var act []*shooting
		for _, o := range os {
			if !o.converged && !o.stalled {
				act = append(act, o)
			}
		}
		if len(act) == 0 {
			return it, nil
		}
		xs := make([]float64, 0, len(act)*k*N)
		for _, o := range act {
			xs = append(xs, o.x...)
		}
		f, jx, err := e.jacobians(xs)
		if err != nil {
			return it, err
		}
		type trial struct {
			o       *shooting
			d       []float64
			alpha   float64
			pending bool
		}
		var ts []*trial
		for c, o := range act {
			r := residuals(o.x, f[c*k*N:(c+1)*k*N], k, N)
			o.res, o.norm = maxAbs(r), norm2(r)
			if o.res <= s.TolResidual && (o.polish >= polishSteps || o.res == 0) {
				o.converged = true
				continue
			}
			if o.res > s.TolResidual && (it >= s.MaxNewtonIters || math.IsNaN(o.res) || math.IsInf(o.res, 0)) {
				o.stalled = true
				continue
			}
			d, err := newtonStep(jx[c*k*N*N:(c+1)*k*N*N], r, k, N)
			if err != nil {
				o.stalled = o.res > s.TolResidual
				o.converged = !o.stalled
				continue
			}
			if o.res <= s.TolResidual {
				o.polish++
			}
			ts = append(ts, &trial{o: o, d: d, alpha: 1, pending: true})
		}
		// Backtracking: every pending trial evaluated in one batch per round.
		for round := 0; round < 30; round++ {
			var pend []*trial
			for _, t := range ts {
				if t.pending {
					pend = append(pend, t)
				}
			}
			if len(pend) == 0 {
				break
			}
			xt := make([]float64, 0, len(pend)*k*N)
			for _, t := range pend {
				for i, v := range t.o.x {
					xt = append(xt, v+t.alpha*t.d[i])
				}
			}
			ft, err := e.step(xt)
			if err != nil {
				return it, err
			}
			for c, t := range pend {
				r := residuals(xt[c*k*N:(c+1)*k*N], ft[c*k*N:(c+1)*k*N], k, N)
				nr := norm2(r)
				if t.o.polish > 0 {
					// Polishing: keep the full step only if it helps.
					if nr < t.o.norm {
						copy(t.o.x, xt[c*k*N:(c+1)*k*N])
					} else {
						t.o.polish = polishSteps
					}
					t.pending = false
					continue
				}
				if nr <= (1-1e-4*t.alpha)*t.o.norm || maxAbs(r) <= s.TolResidual {
					copy(t.o.x, xt[c*k*N:(c+1)*k*N])
					t.pending = false
					continue
				}
				t.alpha /= 2
			}
		}
		for _, t := range ts {
			if t.pending {
				t.o.stalled = true // no decrease along the Newton direction
			}
		}
	}
}
