package orbits

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/stability"
)

// ErrNotConverged: Newton's method on the multiple-shooting system did not
// bring the residual below TolResidual.
var ErrNotConverged = errors.New("orbit did not converge")

// jacobianBudget is the memory (bytes) of the Jacobians held at once: the
// candidates are refined in chunks of at most this many k N^2 values.
const jacobianBudget = 64 << 20

// Find searches for the periodic orbits of p.Cell of minimal period 2 to
// s.MaxPeriod from p.InitialStates (see the package doc). A nil s means
// DefaultSettings, which seeks none. On cancellation it returns the orbits
// so far with Status Canceled and a nil error.
func Find(ctx context.Context, p Problem, s *Settings) (*Result, error) {
	start := time.Now()
	var st Settings
	if s != nil {
		st = *s
	}
	st.fill()
	if err := st.validate(); err != nil {
		return nil, err
	}
	u, err := checkProblem(p)
	if err != nil {
		return nil, err
	}
	N := p.Cell.StateSize()
	res := &Result{Status: Converged, Settings: st}
	res.Stats.Candidates = len(p.InitialStates) / N
	e := newEvaluator(p.Cell, u)
	var found [][]*Orbit // by period
	for k := 2; k <= st.MaxPeriod; k++ {
		if k*N > st.MaxShootingSize {
			return nil, fmt.Errorf("orbits: period %d of %d states needs a %d x %d shooting system, above MaxShootingSize %d", k, N, k*N, k*N, st.MaxShootingSize)
		}
		pts, err := searchPeriod(ctx, e, p.InitialStates, k, &st, &res.Stats)
		if err != nil {
			if ctx.Err() != nil {
				res.Status = Canceled
				break
			}
			return nil, fmt.Errorf("orbits: period %d: %w", k, err)
		}
		res.Stats.Periods++
		for _, o := range pts {
			d := minimalPeriod(o, st.TolDistinct)
			switch {
			case d == 1:
				res.Stats.FixedPoints++
				continue
			case d < k:
				res.Stats.Shorter++
				o = o[:d]
			}
			for len(found) <= d {
				found = append(found, nil)
			}
			dup := false
			for _, q := range found[d] {
				if sameOrbit(q.Points, o, st.TolUnique) {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if d < k {
				// Solved as k points, equal within TolDistinct after d
				// steps: solve it again as the period-d orbit it is.
				sh := &shooting{x: flatten(o)}
				if _, err := newton(ctx, e, []*shooting{sh}, d, &st); err != nil {
					if ctx.Err() != nil {
						res.Status = Canceled
						break
					}
					return nil, fmt.Errorf("orbits: period %d: %w", d, err)
				}
				if !sh.converged {
					continue
				}
				o = splitRows(sh.x, N)
			}
			found[d] = append(found[d], &Orbit{Period: d, Points: canonical(o), U: append([]float64{}, u...)})
		}
	}
	for _, os := range found {
		for _, o := range os {
			if err := e.analyze(o); err != nil {
				return nil, fmt.Errorf("orbits: period %d: %w", o.Period, err)
			}
			res.Orbits = append(res.Orbits, *o)
		}
	}
	slices.SortStableFunc(res.Orbits, func(a, b Orbit) int {
		if c := cmp.Compare(a.Period, b.Period); c != 0 {
			return c
		}
		if less(a.Points[0], b.Points[0]) {
			return -1
		}
		if less(b.Points[0], a.Points[0]) {
			return 1
		}
		return 0
	})
	res.Stats.Runtime = time.Since(start)
	return res, nil
}

// checkProblem checks p and returns its input row (zeros when none given).
func checkProblem(p Problem) ([]float64, error) {
	if p.Cell == nil {
		return nil, fmt.Errorf("orbits: problem has no cell")
	}
	if err := cells.CheckFinite(p.Cell); err != nil {
		return nil, fmt.Errorf("orbits: %w", err)
	}
	N, M := p.Cell.StateSize(), p.Cell.InputSize()
	if N <= 0 {
		return nil, fmt.Errorf("orbits: cell state size is %d", N)
	}
	if len(p.InitialStates) == 0 || len(p.InitialStates)%N != 0 {
		return nil, fmt.Errorf("orbits: %w: %d initial state values, want a positive multiple of the state size %d", cells.ErrShape, len(p.InitialStates), N)
	}
	if err := graph.CheckFinite("orbits: initial state", p.InitialStates, N); err != nil {
		return nil, err
	}
	u := make([]float64, M)
	switch len(p.Inputs) {
	case 0:
	case M:
		copy(u, p.Inputs)
	default:
		return nil, fmt.Errorf("orbits: %w: %d input values, want one row of %d", cells.ErrShape, len(p.Inputs), M)
	}
	if err := graph.CheckFinite("orbits: input", u, M); err != nil {
		return nil, err
	}
	return u, nil
}

// searchPeriod runs the first-order search on q_k from the initial states,
// then Newton on the multiple-shooting system of each candidate (its k
// points seeded by iterating F from where the search ended), and returns
// the converged solutions, each as k points.
func searchPeriod(ctx context.Context, e *evaluator, x0 []float64, k int, s *Settings, stats *Stats) ([][][]float64, error) {
	N := e.N
	x := append([]float64(nil), x0...)
	it, _, err := firstOrder(ctx, e.cell, k, x, e.u, s)
	stats.Iters += it
	if err != nil {
		return nil, err
	}
	// Every candidate goes on to Newton, whatever its q_k: unstable orbits
	// are saddles of q_k, which the first-order search rarely reaches
	// (keeping only q_k < 1e-2 lost 9 of 35 orbits of a random 32-unit
	// RNN, BenchmarkFindRandomRNN).
	B := len(x) / N
	chunk := max(1, jacobianBudget/(8*k*N*N))
	var out [][][]float64
	for lo := 0; lo < B; lo += chunk {
		hi := min(B, lo+chunk)
		os := make([]*shooting, hi-lo)
		// Seed x_1 .. x_{k-1} by iterating F, all candidates in one batch.
		seed := make([][]float64, k)
		seed[0] = x[lo*N : hi*N]
		for j := 1; j < k; j++ {
			if seed[j], err = e.step(seed[j-1]); err != nil {
				return nil, err
			}
		}
		for c := range os {
			os[c] = &shooting{x: make([]float64, k*N)}
			for j := 0; j < k; j++ {
				copy(os[c].x[j*N:], seed[j][c*N:(c+1)*N])
			}
		}
		nit, err := newton(ctx, e, os, k, s)
		stats.NewtonIters += nit
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			if o.converged {
				stats.Converged++
				out = append(out, splitRows(o.x, N))
			}
		}
	}
	return out, nil
}

// flatten joins rows.
func flatten(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// splitRows cuts x into rows of n values (copies).
func splitRows(x []float64, n int) [][]float64 {
	var out [][]float64
	for i := 0; i+n <= len(x); i += n {
		out = append(out, append([]float64(nil), x[i:i+n]...))
	}
	return out
}

// analyze sets o's Residual, Floquet multipliers and stability from
// Jacobians at its points. Each Jacobian's error bound is its rounding plus
// twice its change over the final Newton correction d (the distance from
// the points to the true orbit, to first order), as for fixed points
// (stability.JacobianErrorBound).
func (e *evaluator) analyze(o *Orbit) error {
	N, k := e.N, o.Period
	x := make([]float64, 0, k*N)
	for _, p := range o.Points {
		x = append(x, p...)
	}
	f, jx, err := e.jacobians(x)
	if err != nil {
		return err
	}
	r := residuals(x, f, k, N)
	o.Residual = maxAbs(r)
	d, err := newtonStep(jx, r, k, N)
	if err != nil {
		return err
	}
	xd := make([]float64, len(x))
	for i := range x {
		xd[i] = x[i] + d[i]
	}
	_, jd, err := e.jacobians(xd)
	if err != nil {
		return err
	}
	errs := make([]float64, k)
	for j := 0; j < k; j++ {
		jj, dd := jx[j*N*N:(j+1)*N*N], jd[j*N*N:(j+1)*N*N]
		diff := make([]float64, N*N)
		for i := range diff {
			diff[i] = dd[i] - jj[i]
		}
		errs[j] = roundingError(jj, N) + 2*frobenius(diff)
	}
	p, logScale, errP := monodromy(jx, errs, k, N)
	if math.IsInf(logScale, -1) {
		// The product is exactly zero: every multiplier is 0, certainly stable.
		o.Floquet = make([]Multiplier, N)
		for i := range o.Floquet {
			o.Floquet[i] = Multiplier{LogAbs: math.Inf(-1), Class: stability.ModeStable}
		}
	} else if o.Floquet, err = multipliers(p, logScale, errP, N); err != nil {
		return err
	}
	o.recount()
	prove(e.cell, o)
	return nil
}

// recount sets NUnstable, NUndecided and Stable from the multipliers'
// classes.
func (o *Orbit) recount() {
	o.NUnstable, o.NUndecided = 0, 0
	for _, m := range o.Floquet {
		switch m.Class {
		case stability.ModeUnstable:
			o.NUnstable++
		case stability.ModeUndecided:
			o.NUndecided++
		}
	}
	o.Stable = o.NUnstable == 0 && o.NUndecided == 0
}

// Refine applies Newton's method on the multiple-shooting system to the
// guess points (k states x_0 .. x_{k-1} of a period-k orbit of cell at the
// input row u) and returns the orbit with its Floquet multipliers, or an
// error wrapping ErrNotConverged when the residual stays above
// s.TolResidual. The orbit keeps the guess's period k and order (it is
// not rotated or checked for a shorter period). A nil s means
// DefaultSettings. For callers that follow orbits (continuation) or seed
// them from a simulation.
func Refine(ctx context.Context, cell cells.Cell, u []float64, points [][]float64, s *Settings) (*Orbit, error) {
	var st Settings
	if s != nil {
		st = *s
	}
	st.fill()
	if err := st.validate(); err != nil {
		return nil, err
	}
	if len(points) < 1 {
		return nil, fmt.Errorf("orbits: refine: no points")
	}
	N := 0
	if cell != nil {
		N = cell.StateSize()
	}
	x := make([]float64, 0, len(points)*N)
	for j, pt := range points {
		if len(pt) != N {
			return nil, fmt.Errorf("orbits: refine: %w: point %d has %d values, want %d", cells.ErrShape, j, len(pt), N)
		}
		x = append(x, pt...)
	}
	uu, err := checkProblem(Problem{Cell: cell, InitialStates: x, Inputs: u})
	if err != nil {
		return nil, err
	}
	k := len(points)
	if k*N > st.MaxShootingSize {
		return nil, fmt.Errorf("orbits: refine: a %d x %d shooting system is above MaxShootingSize %d", k*N, k*N, st.MaxShootingSize)
	}
	e := newEvaluator(cell, uu)
	sh := &shooting{x: x}
	if _, err := newton(ctx, e, []*shooting{sh}, k, &st); err != nil {
		return nil, fmt.Errorf("orbits: refine: %w", err)
	}
	if !sh.converged {
		return nil, fmt.Errorf("orbits: refine: %w (residual %.3g)", ErrNotConverged, sh.res)
	}
	o := &Orbit{Period: k, Points: splitRows(sh.x, N), U: append([]float64{}, uu...)}
	if err := e.analyze(o); err != nil {
		return nil, fmt.Errorf("orbits: refine: %w", err)
	}
	return o, nil
}
