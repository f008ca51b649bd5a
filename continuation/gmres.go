package continuation

import (
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

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

// gmres solves A z = r by linalg's restarted GMRES (cycles of up to m
// steps, at most restarts cycles) to a residual estimate of tol * ||r||;
// ok says whether the true residual is within accept * ||r|| (rounding in
// the N-term products keeps it above the estimate).
func (b *bordered) gmres(r []float64, m, restarts int, tol, accept float64) (z []float64, ok bool) {
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
