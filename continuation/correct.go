package continuation

import (
	"math"
)

// task is one corrector solve: from y, iterate chord-Newton steps with the
// factored bordered matrix fac on
//
//	F(x, u(s)) - x = 0,  c.(y - yp) = 0,
//
// where u(s) follows path segment seg (extended linearly past its ends).
type task struct {
	row    int
	y, yp  []float64
	fac    *bordered
	seg    int
	iters  int
	res    float64
	ok     bool
	failed bool
}

// correct runs the tasks together: one batched evaluation of F per
// iteration for all of them.
func (r *run) correct(tasks []*task) error {
	N := r.N
	prev := make([]float64, len(tasks))
	for i := range prev {
		prev[i] = math.Inf(1)
	}
	for it := 0; ; it++ {
		live := 0
		for _, t := range tasks {
			if t.ok || t.failed {
				continue
			}
			live++
			r.ev.set(t.row, t.y[:N], r.uAt(t.seg, t.y[N]))
		}
		if live == 0 {
			return nil
		}
		if err := r.ev.f(); err != nil {
			return err
		}
		for i, t := range tasks {
			if t.ok || t.failed {
				continue
			}
			f := r.ev.rowF(t.row)
			rhs := make([]float64, N+1)
			res := 0.0
			for k := 0; k < N; k++ {
				rhs[k] = t.y[k] - f[k]
				res = math.Max(res, math.Abs(rhs[k]))
			}
			t.res, t.iters = res, it
			if math.IsNaN(res) || math.IsInf(res, 0) {
				t.failed = true
				continue
			}
			if res <= r.s.TolResidual*math.Max(1, maxAbs(t.y[:N])) {
				t.ok = true
				continue
			}
			// Chord steps contract linearly; a residual that does not halve
			// means the step was too long.
			if it >= r.s.MaxCorrector || (it >= 2 && res > 0.5*prev[i]) {
				t.failed = true
				continue
			}
			prev[i] = res
			c := 0.0
			for k := range t.y {
				c += t.fac.c[k] * (t.y[k] - t.yp[k])
			}
			rhs[N] = -c
			dz, err := t.fac.solve(rhs)
			if err != nil {
				t.failed = true
				continue
			}
			for k := range t.y {
				t.y[k] += dz[k]
			}
		}
	}
}

// uAt is u(s) on path segment seg, extended linearly past its ends.
func (r *run) uAt(seg int, s float64) []float64 {
	a := r.p.Path[seg]
	d := r.dirs[seg]
	s0 := r.vertS[seg]
	u := make([]float64, r.M)
	for i := range u {
		u[i] = a[i] + (s-s0)*d[i]
	}
	return u
}
