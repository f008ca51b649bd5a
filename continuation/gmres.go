package continuation

import (
	"math"
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
	out[N] = dot(b.c, z)
	return out
}

// gmres solves A z = r by restarted GMRES (modified Gram-Schmidt with a
// second pass, Givens rotations), iterating until its residual estimate is
// tol * ||r||; ok says whether the true residual is within accept * ||r||
// (rounding in the N-term products keeps it above the estimate).
func (b *bordered) gmres(r []float64, m, restarts int, tol, accept float64) (z []float64, ok bool) {
	n := len(r)
	z = make([]float64, n)
	rn := math.Sqrt(dot(r, r))
	if rn == 0 {
		return z, true
	}
	m = min(m, n)
	for cycle := 0; cycle < restarts; cycle++ {
		az := b.matvec(z)
		res := make([]float64, n)
		for i := range res {
			res[i] = r[i] - az[i]
		}
		beta := math.Sqrt(dot(res, res))
		if beta <= tol*rn || (cycle > 0 && beta <= accept*rn) {
			return z, true
		}
		V := [][]float64{scaled(res, 1/beta)}
		H := make([][]float64, m+1) // H[i][j], (m+1) x m
		for i := range H {
			H[i] = make([]float64, m)
		}
		cs, sn := make([]float64, m), make([]float64, m)
		g := make([]float64, m+1)
		g[0] = beta
		k := 0
		for ; k < m; k++ {
			w := b.matvec(V[k])
			for pass := 0; pass < 2; pass++ {
				for i := 0; i <= k; i++ {
					h := dot(w, V[i])
					H[i][k] += h
					for j := range w {
						w[j] -= h * V[i][j]
					}
				}
			}
			hn := math.Sqrt(dot(w, w))
			H[k+1][k] = hn
			for i := 0; i < k; i++ {
				a, c := H[i][k], H[i+1][k]
				H[i][k], H[i+1][k] = cs[i]*a+sn[i]*c, -sn[i]*a+cs[i]*c
			}
			d := math.Hypot(H[k][k], H[k+1][k])
			if d == 0 {
				k++
				break
			}
			cs[k], sn[k] = H[k][k]/d, H[k+1][k]/d
			H[k][k], H[k+1][k] = d, 0
			g[k], g[k+1] = cs[k]*g[k], -sn[k]*g[k]
			if math.Abs(g[k+1]) <= tol*rn || hn == 0 {
				k++
				break
			}
			V = append(V, scaled(w, 1/hn))
		}
		// Back substitution for y in H[:k,:k] y = g[:k].
		y := make([]float64, k)
		for i := k - 1; i >= 0; i-- {
			s := g[i]
			for j := i + 1; j < k; j++ {
				s -= H[i][j] * y[j]
			}
			if H[i][i] == 0 {
				return z, false
			}
			y[i] = s / H[i][i]
		}
		for j := 0; j < k; j++ {
			for i := range z {
				z[i] += y[j] * V[j][i]
			}
		}
	}
	az := b.matvec(z)
	res := 0.0
	for i := range az {
		d := r[i] - az[i]
		res += d * d
	}
	return z, math.Sqrt(res) <= accept*rn
}

func scaled(v []float64, a float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = a * x
	}
	return out
}
