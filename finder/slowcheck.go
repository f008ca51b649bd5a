package finder

import (
	"context"
	"math"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

// checkSlow judges, for the candidates idx, whether each rests at a local
// minimum of q > 0, from a curvature evaluated afresh at its final state
// with an error estimate of the Hessian: its gradient is at rounding level
// (at most gradientFloor) and the smallest eigenvalue of its Hessian exceeds
// the Hessian's estimated error (so the true Hessian is positive definite,
// by Weyl's inequality, if the estimate holds). It sets c.grad (the
// gradient over its floor), c.hessMin, c.hessErr, c.slow and c.checked. It
// stops early (leaving some unchecked) when ctx is canceled.
func (f *finder) checkSlow(ctx context.Context, idx []int) error {
	eps := f.s.Dtype.Eps()
	e := f.newRowEval()
	per := 1 + 4*f.N
	group := max(1, e.maxRows/per)
	for lo := 0; lo < len(idx); lo += group {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		part := idx[lo:min(lo+group, len(idx))]
		cv, err := f.curvatures(e, part, true)
		if err != nil {
			return err
		}
		f.stats.GradientChecks++
		for k, ci := range part {
			c, v := f.cands[ci], &cv[k]
			floor := gradientFloor(v, c.x, eps)
			c.grad = linalg.Nrm2(v.g) / floor
			c.hessMin, c.hessErr = minEigenSym(v.H, f.N), v.hErr
			c.checked = true
			c.slow = c.grad <= 1 && c.hessMin > c.hessErr && v.q > 0 &&
				residual(v.f, c.x) > f.s.TolResidual
		}
	}
	return nil
}

// networkSpeed is the network's own speed: the median step length
// ||x_{t+1} - x_t|| along tr's trajectories, or, without them, the median
// ||F(x) - x|| over the initial states (under the problem's inputs). It
// says which it used.
func (f *finder) networkSpeed(tr *Trajectories, initial []float64) (float64, string, error) {
	if tr != nil && tr.Time > 1 {
		if err := tr.check(); err != nil {
			return 0, "", err
		}
		N := tr.N
		var steps []float64
		for b := 0; b < tr.Trials; b++ {
			for t := 0; t+1 < tr.Time; t++ {
				e := b*tr.Time + t
				if tr.Valid != nil && !(tr.Valid[e] && tr.Valid[e+1]) {
					continue
				}
				d := make([]float64, N)
				for i := range d {
					d[i] = tr.States[(e+1)*N+i] - tr.States[e*N+i]
				}
				steps = append(steps, linalg.Nrm2(d))
			}
		}
		if len(steps) > 0 {
			return median(steps), "trajectories", nil
		}
	}
	B := len(initial) / f.N
	u := make([]float64, B*f.M)
	for b := 0; b < B; b++ {
		copy(u[b*f.M:(b+1)*f.M], f.cands[b].u)
	}
	q, fo, g := make([]float64, B), make([]float64, B*f.N), make([]float64, B*f.N)
	if err := f.newRowEval().eval(initial, u, B, q, fo, g); err != nil {
		return 0, "", err
	}
	for b := range q {
		q[b] = math.Sqrt(2 * q[b])
	}
	return median(q), "initial states", nil
}

// median of v (sorted in place); NaN when empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
