package orbits

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/mat"
)

// CycleSettings configures FindCycles and RefineCycle. A zero field takes
// the default in its comment.
type CycleSettings struct {
	// StepsPerPeriod is the number of RK4 steps over one period in the
	// shooting (the step is Period / StepsPerPeriod).
	StepsPerPeriod int     // 1000
	MaxNewtonIters int     // 30
	TolResidual    float64 // 1e-10: a cycle is kept when max|Phi_T(x0) - x0| and the phase condition are at most this
	// Seeding: each initial state is integrated over Transient (step
	// SeedStep); a trajectory that has not settled (max|F(x) - x| >= 1e-6)
	// is followed for up to MaxPeriodTime more, and its first return to
	// the hyperplane through its state normal to the flow seeds a cycle.
	Transient     float64 // 50
	SeedStep      float64 // 0.05
	MaxPeriodTime float64 // 50
	TolUnique     float64 // 1e-3: cycles with periods within TolUnique*max(1, T) whose points lie within this of each other are one
}

func (s *CycleSettings) fill() {
	if s.StepsPerPeriod == 0 {
		s.StepsPerPeriod = 1000
	}
	if s.MaxNewtonIters == 0 {
		s.MaxNewtonIters = 30
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.TolResidual, 1e-10)
	def(&s.Transient, 50)
	def(&s.SeedStep, 0.05)
	def(&s.MaxPeriodTime, 50)
	def(&s.TolUnique, 1e-3)
}

func (s *CycleSettings) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"TolResidual", s.TolResidual}, {"Transient", s.Transient}, {"SeedStep", s.SeedStep},
		{"MaxPeriodTime", s.MaxPeriodTime}, {"TolUnique", s.TolUnique}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("orbits: cycle setting %s is %g, want a finite value > 0", f.name, f.v)
		}
	}
	if s.StepsPerPeriod < 4 || s.StepsPerPeriod > 1<<20 || s.MaxNewtonIters < 0 {
		return fmt.Errorf("orbits: StepsPerPeriod %d (want 4 to 2^20) or MaxNewtonIters %d (want >= 0)", s.StepsPerPeriod, s.MaxNewtonIters)
	}
	if s.Transient/s.SeedStep > 1e7 || s.MaxPeriodTime/s.SeedStep > 1e7 {
		return fmt.Errorf("orbits: seeding would take more than 1e7 steps (Transient %g, MaxPeriodTime %g, SeedStep %g)", s.Transient, s.MaxPeriodTime, s.SeedStep)
	}
	return nil
}

// Cycle is a periodic solution (limit cycle) of dx/dt = F(x, u) - x.
type Cycle struct {
	// Period is in the time of that flow: steps of the map. For a cell
	// whose map is an Euler step of tau dh/dt = -h + f (a continuous-time
	// RNN, alpha = dt/tau), F - x = alpha (-h + f): the period in units of
	// tau is Period * alpha.
	Period float64
	X0     []float64   // a point of the cycle (the phase condition's)
	Points [][]float64 // samples along one period from X0, at equal times (at most 128)
	U      []float64
	// Residual is max(max_i |Phi_T(X0)_i - X0_i|, |phase condition|) for
	// the discrete RK4 flow map.
	Residual float64
	// IntegrationError estimates the RK4 error over one period: the max
	// difference of Phi_T(X0) computed with StepsPerPeriod and twice as
	// many steps.
	IntegrationError float64
	// Floquet holds the eigenvalues of the monodromy matrix dPhi_T/dx0,
	// largest modulus first. Their Bound is an estimate, not a bound: the
	// eigenvalue's condition times the change of the monodromy matrix when
	// the step is halved (plus its rounding).
	Floquet []Multiplier
	// Trivial is the index in Floquet of the multiplier along the flow
	// (1 in exact arithmetic), left out of the counts below.
	Trivial int
	// NUnstable and NUndecided count the other multipliers certainly
	// outside the unit circle and straddling it; Stable: all others
	// certainly inside.
	NUnstable, NUndecided int
	Stable                bool

	nodes [][]float64 // all step nodes, for deduplication
}

// CycleResult is what FindCycles returns.
type CycleResult struct {
	Cycles   []Cycle
	Status   Status
	Stats    CycleStats
	Settings CycleSettings
}

// CycleStats counts FindCycles' work.
type CycleStats struct {
	Candidates int // initial states
	Settled    int // trajectories that settled (to a fixed point) or left for infinity
	Seeds      int // trajectories that returned near their start: cycle seeds
	Refined    int // seeds refined by shooting (the others lay on a cycle already found)
	Runtime    time.Duration
}

// FindCycles integrates dx/dt = F(x, u) - x from p.InitialStates, seeds
// a cycle from each trajectory that does not settle (its first return to
// a hyperplane through its state) and refines each seed by RefineCycle's
// shooting; cycles are deduplicated. A nil s means the defaults.
func FindCycles(ctx context.Context, p Problem, s *CycleSettings) (*CycleResult, error) {
	start := time.Now()
	var st CycleSettings
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
	e := newEvaluator(p.Cell, u)
	N := e.N
	res := &CycleResult{Status: Converged, Settings: st}
	res.Stats.Candidates = len(p.InitialStates) / N
	seeds, err := seedCycles(ctx, flow{e}, p.InitialStates, &st, &res.Stats)
	if err != nil {
		if ctx.Err() != nil {
			res.Status = Canceled
			return res, nil
		}
		return nil, err
	}
	for _, sd := range seeds {
		if ctx.Err() != nil {
			res.Status = Canceled
			break
		}
		known := false
		for i := range res.Cycles {
			if nearNodes(sd.x, res.Cycles[i].nodes, 10*st.TolUnique) {
				known = true
				break
			}
		}
		if known {
			continue
		}
		res.Stats.Refined++
		c, err := refineCycle(ctx, e, sd.x, sd.T, &st)
		if err != nil {
			continue // not a cycle the shooting could converge to
		}
		dup := false
		for i := range res.Cycles {
			o := &res.Cycles[i]
			if math.Abs(o.Period-c.Period) <= st.TolUnique*max(1, c.Period) && nearNodes(c.X0, o.nodes, st.TolUnique) {
				dup = true
				break
			}
		}
		if !dup {
			res.Cycles = append(res.Cycles, *c)
		}
	}
	res.Stats.Runtime = time.Since(start)
	return res, nil
}

// nearNodes reports whether x lies within tol (max norm) of the polyline
// through nodes.
func nearNodes(x []float64, nodes [][]float64, tol float64) bool {
	for i := 0; i+1 < len(nodes); i++ {
		a, b := nodes[i], nodes[i+1]
		// The nearest point of segment ab to x, in the 2-norm.
		num, den := 0.0, 0.0
		for j := range x {
			num += (x[j] - a[j]) * (b[j] - a[j])
			den += (b[j] - a[j]) * (b[j] - a[j])
		}
		t := 0.0
		if den > 0 {
			t = min(1, max(0, num/den))
		}
		d := 0.0
		for j := range x {
			d = max(d, math.Abs(a[j]+t*(b[j]-a[j])-x[j]))
		}
		if d <= tol {
			return true
		}
	}
	return len(nodes) == 1 && distMax(x, nodes[0]) <= tol
}

type cycleSeed struct {
	x []float64
	T float64
}

// seedCycles integrates every initial state (one batch) over the
// transient, drops those that settled or diverged, and follows the others
// until they return to the hyperplane through their state normal to the
// flow, near that state: that state and the return time seed a cycle.
func seedCycles(ctx context.Context, fl flow, x0 []float64, s *CycleSettings, stats *CycleStats) ([]cycleSeed, error) {
	N := fl.e.N
	B := len(x0) / N
	x := append([]float64(nil), x0...)
	h := s.SeedStep
	for t := 0.0; t < s.Transient; t += h {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := fl.rk4(x, h); err != nil {
			return nil, err
		}
	}
	f, err := fl.field(x)
	if err != nil {
		return nil, err
	}
	xa := append([]float64(nil), x...)
	fa := f
	alive := make([]bool, B)
	for b := 0; b < B; b++ {
		fm := maxAbs(fa[b*N : (b+1)*N])
		alive[b] = fm >= 1e-6 && !math.IsNaN(fm) && !math.IsInf(fm, 0) && maxAbs(x[b*N:(b+1)*N]) < 1e12
		if !alive[b] {
			stats.Settled++
		}
	}
	// Section value s_b(t) = (x_b(t) - xa_b) . fa_b; the first upward
	// crossing of 0 after it went negative, near xa_b, is the return.
	prev := make([]float64, B)
	wentNeg := make([]bool, B)
	far := make([]float64, B) // the farthest the trajectory has gone from xa
	var seeds []cycleSeed
	done := make([]bool, B)
	xPrev := append([]float64(nil), x...)
	for t := h; t <= s.MaxPeriodTime; t += h {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		copy(xPrev, x)
		if err := fl.rk4(x, h); err != nil {
			return nil, err
		}
		for b := 0; b < B; b++ {
			if !alive[b] || done[b] {
				continue
			}
			row, ra, rf := x[b*N:(b+1)*N], xa[b*N:(b+1)*N], fa[b*N:(b+1)*N]
			sv := 0.0
			for i := range row {
				sv += (row[i] - ra[i]) * rf[i]
			}
			d := distMax(row, ra)
			far[b] = max(far[b], d)
			if sv < 0 {
				wentNeg[b] = true
			}
			if wentNeg[b] && prev[b] < 0 && sv >= 0 && d < 0.5*far[b] {
				frac := prev[b] / (prev[b] - sv) // linear interpolation of the crossing
				seeds = append(seeds, cycleSeed{x: append([]float64(nil), ra...), T: t - h + frac*h})
				done[b] = true
			}
			prev[b] = sv
		}
	}
	stats.Seeds = len(seeds)
	return seeds, nil
}

// RefineCycle refines a guess of a limit cycle of dx/dt = F(x, u) - x
// through x0 with period T by Newton's method on the shooting system
// Phi_T(x) - x = 0, (x - x0) . f(x0) = 0 (the phase condition: the cycle
// point on the hyperplane through x0 normal to the flow), with unknowns x
// and T, and returns it with its Floquet multipliers. The error wraps
// ErrNotConverged when the residual stays above s.TolResidual. A nil s
// means the defaults. For continuation and examples that seed cycles
// themselves.
func RefineCycle(ctx context.Context, cell cells.Cell, u, x0 []float64, T float64, s *CycleSettings) (*Cycle, error) {
	var st CycleSettings
	if s != nil {
		st = *s
	}
	st.fill()
	if err := st.validate(); err != nil {
		return nil, err
	}
	uu, err := checkProblem(Problem{Cell: cell, InitialStates: x0, Inputs: u})
	if err != nil {
		return nil, err
	}
	if len(x0) != cell.StateSize() {
		return nil, fmt.Errorf("orbits: refine cycle: %w: %d state values, want %d", cells.ErrShape, len(x0), cell.StateSize())
	}
	if !(T > 0) || math.IsInf(T, 0) {
		return nil, fmt.Errorf("orbits: refine cycle: period %g, want a finite value > 0", T)
	}
	return refineCycle(ctx, newEvaluator(cell, uu), x0, T, &st)
}

func refineCycle(ctx context.Context, e *evaluator, x0 []float64, T float64, s *CycleSettings) (*Cycle, error) {
	fl := flow{e}
	N, n := e.N, s.StepsPerPeriod
	f0, err := fl.field(x0)
	if err != nil {
		return nil, err
	}
	x := append([]float64(nil), x0...)
	resid := func(x []float64, T float64, deriv bool) (g, end, m []float64, err error) {
		end, m, _, err = fl.flowMapWith(x, T, n, deriv)
		if err != nil {
			return nil, nil, nil, err
		}
		g = make([]float64, N+1)
		for i := 0; i < N; i++ {
			g[i] = end[i] - x[i]
			g[N] += (x[i] - x0[i]) * f0[i]
		}
		return g, end, m, nil
	}
	g, end, m, err := resid(x, T, true)
	if err != nil {
		return nil, err
	}
	polish := 0
	for it := 0; ; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := maxAbs(g)
		if r <= s.TolResidual && (polish >= polishSteps || r == 0) {
			break
		}
		if r > s.TolResidual && (it >= s.MaxNewtonIters || math.IsNaN(r) || math.IsInf(r, 0)) {
			return nil, fmt.Errorf("orbits: cycle: %w (residual %.3g after %d steps)", ErrNotConverged, r, it)
		}
		if r <= s.TolResidual {
			polish++
		}
		fe, err := fl.field(end)
		if err != nil {
			return nil, err
		}
		d, err := cycleStep(m, fe, f0, g, N)
		if err != nil {
			return nil, err
		}
		accepted := false
		for alpha := 1.0; alpha > 1e-6; alpha /= 2 {
			xt := make([]float64, N)
			for i := range xt {
				xt[i] = x[i] + alpha*d[i]
			}
			Tt := T + alpha*d[N]
			if !(Tt > 0) {
				continue
			}
			gt, _, _, err := resid(xt, Tt, false)
			if errors.Is(err, ErrNotConverged) {
				continue // the trial's flow diverged: a shorter step
			}
			if err != nil {
				return nil, err
			}
			if norm2(gt) < (1-1e-4*alpha)*norm2(g) || (polish == 0 && maxAbs(gt) <= s.TolResidual) {
				x, T, g, accepted = xt, Tt, gt, true // end and m: computed again below
				break
			}
			if polish > 0 {
				break // polishing keeps only full steps that help
			}
		}
		if !accepted {
			if r <= s.TolResidual {
				break
			}
			return nil, fmt.Errorf("orbits: cycle: %w (no decrease along the Newton step, residual %.3g)", ErrNotConverged, r)
		}
		if g, end, m, err = resid(x, T, true); err != nil {
			return nil, err
		}
	}
	c := &Cycle{Period: T, X0: x, U: append([]float64{}, e.u...), Residual: maxAbs(g)}
	end, m, nodes, err := fl.flowMap(x, T, n)
	if err != nil {
		return nil, err
	}
	end2, m2, _, err := fl.flowMap(x, T, 2*n)
	if err != nil {
		return nil, err
	}
	c.nodes = nodes
	c.IntegrationError = distMax(end, end2)
	step := max(1, n/128)
	for i := 0; i < n; i += step {
		c.Points = append(c.Points, nodes[i])
	}
	diff := make([]float64, N*N)
	for i := range diff {
		diff[i] = m2[i] - m[i]
	}
	if c.Floquet, err = multipliers(m, 0, frobenius(diff), N); err != nil {
		return nil, err
	}
	// The trivial multiplier: the one nearest 1.
	for i, fm := range c.Floquet {
		if cmplx.Abs(fm.Value-1) < cmplx.Abs(c.Floquet[c.Trivial].Value-1) {
			c.Trivial = i
		}
	}
	for i, fm := range c.Floquet {
		if i == c.Trivial {
			continue
		}
		switch fm.Class {
		case stability.ModeUnstable:
			c.NUnstable++
		case stability.ModeUndecided:
			c.NUndecided++
		}
	}
	c.Stable = c.NUnstable == 0 && c.NUndecided == 0
	return c, nil
}

// cycleStep solves the bordered Newton system of the cycle shooting:
//
//	[M - I   f(end)] [dx]     [g_x    ]
//	[f0^T    0     ] [dT] = - [g_phase]
func cycleStep(m, fe, f0, g []float64, N int) (d []float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("orbits: factorizing the cycle system panicked: %v", p)
		}
	}()
	a := mat.NewDense(N+1, N+1, nil)
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			a.Set(i, j, m[i*N+j])
		}
		a.Set(i, i, a.At(i, i)-1)
		a.Set(i, N, fe[i])
		a.Set(N, i, f0[i])
	}
	rhs := make([]float64, N+1)
	for i := range rhs {
		rhs[i] = -g[i]
	}
	var dv mat.VecDense
	if err := dv.SolveVec(a, mat.NewVecDense(N+1, rhs)); err != nil {
		var svd mat.SVD
		if !svd.Factorize(a, mat.SVDThin) {
			return nil, fmt.Errorf("orbits: the cycle system is singular")
		}
		var dm mat.Dense
		svd.SolveTo(&dm, mat.NewVecDense(N+1, rhs), N)
		return append([]float64(nil), dm.RawMatrix().Data...), nil
	}
	return append([]float64(nil), dv.RawVector().Data...), nil
}
