package finder

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
)

// checkSlow judges, for the candidates idx, whether each rests at a local
// minimum of q > 0, from a curvature evaluated afresh at its final state
// with an error estimate of the Hessian: its gradient is at rounding level
// (at most gradientFloor) and the smallest eigenvalue of its Hessian exceeds
// the Hessian's estimated error (so the true Hessian is positive definite,
// by Weyl's inequality, if the estimate holds). It sets c.grad (the
// gradient over its floor), c.hessMin, c.hessErr, c.slow and c.checked.
//
// The full Hessian costs 4N + 1 gradient rows a candidate, so a screen
// comes first (screenSlow, 9 rows): a candidate whose gradient exceeds 16
// times an estimate of its floor is not slow, and keeps that ratio as
// c.grad with no Hessian (c.hessMin = c.hessErr = 0). It stops early
// (leaving some unchecked) when ctx is canceled.
func (f *finder) checkSlow(ctx context.Context, idx []int) error {
	eps := f.s.Dtype.Eps()
	e := f.newRowEval()
	full, err := f.screenSlow(ctx, e, idx)
	if err != nil || f.canceled {
		return err
	}
	per := 1 + 4*f.N
	group := max(1, e.maxRows/per)
	for lo := 0; lo < len(full); lo += group {
		if ctx.Err() != nil {
			f.canceled = true
			return nil
		}
		part := full[lo:min(lo+group, len(full))]
		cv, err := f.curvatures(e, part, true)
		if err != nil {
			return err
		}
		f.stats.GradientChecks++
		for k, ci := range part {
			c, v := f.cands[ci], &cv[k]
			floor := gradientFloor(v, c.x, eps, linalg.Nrm2(v.H))
			c.grad = linalg.Nrm2(v.g) / floor
			c.hessMin, c.hessErr = minEigenSym(v.H, f.N), v.hErr
			c.checked = true
			c.slow = c.grad <= 1 && c.hessMin > c.hessErr && v.q > 0 &&
				residual(v.f, c.x) > f.s.TolResidual
		}
	}
	return nil
}

// slowProbes is the number of random directions of screenSlow.
const slowProbes = 4

// screenSlow evaluates, for the candidates idx, the exact gradient and,
// from central differences along slowProbes random Gaussian directions z,
// estimates of ||J - I||_F and ||H||_F (Hutchinson: E|A z|^2 = ||A||_F^2),
// hence of the gradient's floor. It marks those whose gradient exceeds 16
// times that estimate checked and not slow, and returns the others, which
// need the full check. The directions are seeded by Settings.Seed.
func (f *finder) screenSlow(ctx context.Context, e *rowEval, idx []int) ([]int, error) {
	N := f.N
	eps := f.s.Dtype.Eps()
	h := math.Cbrt(eps)
	per := 1 + 2*slowProbes
	group := max(1, e.maxRows/per)
	var full []int
	for lo := 0; lo < len(idx); lo += group {
		if ctx.Err() != nil {
			f.canceled = true
			return nil, nil
		}
		part := idx[lo:min(lo+group, len(idx))]
		x := make([]float64, len(part)*per*N)
		rows := make([]int, len(part)*per)
		hs := make([]float64, len(part))
		for k, ci := range part {
			c := f.cands[ci]
			r := rand.New(rand.NewPCG(f.s.Seed, uint64(ci)))
			hs[k] = h * scale(c.x)
			for row := 0; row < per; row++ {
				rows[k*per+row] = ci
				copy(x[(k*per+row)*N:], c.x)
			}
			for p := 0; p < slowProbes; p++ {
				for i := 0; i < N; i++ {
					z := r.NormFloat64()
					x[(k*per+1+2*p)*N+i] += hs[k] * z
					x[(k*per+2+2*p)*N+i] -= hs[k] * z
				}
			}
		}
		_, fo, g, err := f.evalRows(e, x, rows)
		if err != nil {
			return nil, err
		}
		for k, ci := range part {
			c := f.cands[ci]
			base := k * per
			aa, hh := 0.0, 0.0
			for p := 0; p < slowProbes; p++ {
				a, b := base+1+2*p, base+2+2*p
				for i := 0; i < N; i++ {
					z := (x[a*N+i] - x[b*N+i]) / (2 * hs[k])
					jz := (fo[a*N+i]-fo[b*N+i])/(2*hs[k]) - z
					hz := (g[a*N+i] - g[b*N+i]) / (2 * hs[k])
					aa += jz * jz
					hh += hz * hz
				}
			}
			v := curvature{f: fo[base*N : (base+1)*N], aNorm: math.Sqrt(aa / slowProbes)}
			floor := 64 * (gradientRounding(&v, c.x, eps) + eps*math.Sqrt(hh/slowProbes)*math.Sqrt(float64(N))*scale(c.x))
			gn := linalg.Nrm2(g[base*N : (base+1)*N])
			if gn > 16*floor {
				c.grad, c.hessMin, c.hessErr, c.checked, c.slow = gn/floor, 0, 0, true, false
				continue
			}
			full = append(full, ci)
		}
	}
	return full, nil
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

// speed is networkSpeed for the problem's trajectories and initial states
// (f.problem), computed once: the slow descent (slowRegionStop) and
// decideOutcomes judge slow regions against the same speed.
func (f *finder) speed() (float64, string, error) {
	if !f.netSpeed.done {
		v, from, err := f.networkSpeed(f.problem.Trajectories, f.problem.InitialStates)
		if err != nil {
			return 0, "", err
		}
		f.netSpeed.v, f.netSpeed.from, f.netSpeed.done = v, from, true
	}
	return f.netSpeed.v, f.netSpeed.from, nil
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
