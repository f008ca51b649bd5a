package finder

import (
	"context"
	"math"
	"strings"
	"testing"
)

// A line attractor with a small drift, the linear integrator
// F(x) = A x + eps v with A = R diag(1, 0.5, 0.3) R^T (R a rotation) and v
// the direction of the line's eigenvalue 1: along the line x = t v the state
// moves by eps per step, forever, and off it the other modes contract onto
// it. There is no root, and q = 0.5 (eps^2 + |off-line part of (A - I) x|^2)
// is eps^2/2 all along the line: a valley with no minimum (its Hessian
// (A - I)^T (A - I) is singular along v). Every candidate ends on the line,
// labelled a slow region with its relative speed eps / (network speed);
// none is slow, none unconverged.
func TestLineAttractorSlowRegion(t *testing.T) { bothDescents(t, testLineAttractorSlowRegion) }

func testLineAttractorSlowRegion(t *testing.T, settings *Settings) {
	const N, eps = 3, 1e-4
	// R: the rotation taking e_0 to v = (1, 1, 1)/sqrt(3), from Householder.
	v := []float64{1 / math.Sqrt(3), 1 / math.Sqrt(3), 1 / math.Sqrt(3)}
	w := []float64{v[0] - 1, v[1], v[2]}
	ww := w[0]*w[0] + w[1]*w[1] + w[2]*w[2]
	R := make([]float64, N*N) // I - 2 w w^T / |w|^2: an orthogonal map taking e_0 to v
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			R[i*N+k] = -2 * w[i] * w[k] / ww
			if i == k {
				R[i*N+k]++
			}
		}
	}
	d := []float64{1, 0.5, 0.3}
	A := make([]float64, N*N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			for j := 0; j < N; j++ {
				A[i*N+k] += R[i*N+j] * d[j] * R[k*N+j]
			}
		}
	}
	c := []float64{eps * v[0], eps * v[1], eps * v[2]}
	cell := newAffineCell(N, 0, A, nil, c)
	var x0 []float64
	for b := 0; b < 64; b++ {
		for i := 0; i < N; i++ {
			x0 = append(x0, 1.5*math.Sin(float64(5*b+3*i+1)))
		}
	}
	res := find(t, Problem{Cell: cell, InitialStates: x0}, settings)
	st := res.Stats
	t.Logf("fixed %d, slow %d, slow regions %d (%d unique), unconverged %d %v; network speed %.4g (%s)",
		st.Certified, st.Slow, st.SlowRegions, res.SlowRegions.Len(), st.Unconverged, st.UnconvergedByReason, st.NetworkSpeed, st.SpeedFrom)
	if st.SlowRegions != 64 || st.Slow+st.Certified+st.Unconverged != 0 {
		t.Fatalf("outcomes: %d fixed, %d slow, %d slow regions, %d unconverged; want 64 slow regions", st.Certified, st.Slow, st.SlowRegions, st.Unconverged)
	}
	worst := 0.0
	for _, p := range res.All.Points {
		// Distance from the line: |x - (x.v) v|.
		t0 := p.X[0]*v[0] + p.X[1]*v[1] + p.X[2]*v[2]
		off := math.Hypot(math.Hypot(p.X[0]-t0*v[0], p.X[1]-t0*v[1]), p.X[2]-t0*v[2])
		worst = max(worst, off)
		if math.Abs(p.Speed()-eps) > 1e-10 || math.Abs(p.RelativeSpeed-eps/st.NetworkSpeed) > 1e-9*p.RelativeSpeed {
			t.Errorf("slow region at %v: speed %g, relative %g; want %g, %g", p.X, p.Speed(), p.RelativeSpeed, eps, eps/st.NetworkSpeed)
		}
	}
	if worst > 1e-10 {
		t.Errorf("a slow region lies %g off the line", worst)
	}
	if a := res.Advice(); !strings.HasPrefix(a, "64 of 64 candidates lie on slow regions") || !strings.Contains(a, "manifold summary") {
		t.Errorf("advice %q", a)
	}
}

// Trajectories that do not fit the cell are refused before any work, with
// an error naming them.
func TestTrajectoriesChecked(t *testing.T) {
	cell := newTanhCell(2, 0, []float64{0.5, 0, 0, 0.5}, nil, nil)
	x0 := []float64{0.1, 0.2}
	for _, c := range []struct {
		tr   Trajectories
		want string
	}{
		{Trajectories{States: make([]float64, 2*3*3), Trials: 2, Time: 3, N: 3}, "trajectories of 3 units, the cell has 2"},
		{Trajectories{States: make([]float64, 5), Trials: 2, Time: 3, N: 2}, "states have 5 values"},
		{Trajectories{States: []float64{0, 0, math.NaN(), 0}, Trials: 1, Time: 2, N: 2}, "state at trial 0, time 1, unit 0 is NaN"},
	} {
		tr := c.tr
		_, err := Find(context.Background(), Problem{Cell: cell, InitialStates: x0, Trajectories: &tr}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

// slowRegionStop, on the 1-D ghost x' = tanh(2x + 0.6): a candidate on the
// concave flank of q's hump (indefinite Hessian, q” < 0 by the closed
// form) is stopped where it is when its speed is below the slow-region
// speed, and labelled a slow region there by decideOutcomes' rules (not a
// root, and checkSlow finds no minimum); with a network fast enough that
// it is not slow, it is followed off the hump to the ghost's minimum or
// the root. A candidate in the minimum's convex basin reaches the minimum
// (analytic, to 1e-10) either way.
func TestSlowRegionStop(t *testing.T) {
	g := ghost{2, 0.6}
	xs, _, _ := g.min()
	qpp := func(x float64) float64 { // q” = (F' - 1)^2 + r F”
		F := math.Tanh(g.w*x + g.b)
		d1, d2 := g.w*(1-F*F), -2*g.w*g.w*F*(1-F*F)
		return (d1-1)*(d1-1) + (F-x)*d2
	}
	flank, basin := g.max()-0.05, xs+0.05
	if qpp(flank) >= 0 || qpp(basin) <= 0 {
		t.Fatalf("q'' %g at the flank, %g in the basin: want < 0 and > 0", qpp(flank), qpp(basin))
	}
	cell := newTanhCell(1, 0, []float64{2}, nil, []float64{0.6})
	for _, c := range []struct {
		name string
		step float64 // the network's speed: its trajectory's one step
		stop bool
	}{{"slow", 1e3, true}, {"fast", 1, false}} {
		t.Run(c.name, func(t *testing.T) {
			p := Problem{Cell: cell, InitialStates: []float64{flank, basin},
				Trajectories: &Trajectories{States: []float64{0, c.step}, Trials: 1, Time: 2, N: 1}}
			s := DefaultSettings()
			s.Refiner = DenseLM
			s.fill()
			f, err := newFinder(p, s)
			if err != nil {
				t.Fatal(err)
			}
			f.problem = p
			cv, err := f.curvatures(f.newRowEval(), []int{0, 1}, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, cd := range f.cands {
				copy(cd.f, cv[i].f)
				cd.q = cv[i].q
			}
			if err := f.slowDescentDense(context.Background()); err != nil {
				t.Fatal(err)
			}
			fl, bs := f.cands[0], f.cands[1]
			t.Logf("flank %.6g -> %.17g (stop %v), basin %.6g -> %.17g; minimum %.17g, root %.17g", flank, fl.x[0], fl.stop, basin, bs.x[0], xs, g.root())
			if math.Abs(bs.x[0]-xs) > 1e-10 {
				t.Errorf("basin candidate at %.17g, want the minimum %.17g", bs.x[0], xs)
			}
			if c.stop {
				if fl.x[0] != flank || fl.stop != ReasonStall || fl.refines != 0 {
					t.Errorf("flank candidate at %.17g (stop %v, %d steps), want stopped at %.17g", fl.x[0], fl.stop, fl.refines, flank)
				}
				if sp := math.Sqrt(2*fl.q) / c.step; sp >= s.SlowRegionSpeed {
					t.Errorf("flank candidate's relative speed %g, want below %g", sp, s.SlowRegionSpeed)
				}
				return
			}
			if math.Abs(fl.x[0]-xs) > 1e-8 && math.Abs(fl.x[0]-g.root()) > 1e-8 {
				t.Errorf("flank candidate at %.17g, want it followed to the minimum %.17g or the root %.17g", fl.x[0], xs, g.root())
			}
		})
	}
}

// The matrix-free descent's shorter patience for slow candidates
// (slowNoNewtonSlow) saves steps and changes no outcome: on the flip-flop
// GRU-16 under NewtonKrylov, Find's points, labels and every count are
// those with the rule off (slowNoNewtonSlow = slowNoNewton), with fewer
// descent steps.
func TestSlowNoNewtonSlow(t *testing.T) {
	compareRule(t, NewtonKrylov, &slowNoNewtonSlow, slowNoNewton)
}

// compareRule runs Find on the flip-flop GRU-16 with the refiner given,
// once with *rule as it is and once with it set to off, and checks that
// the points, labels and every count agree and that the rule saved
// refinement and descent steps.
func compareRule(t *testing.T, refiner Refiner, rule *int, off int) {
	t.Helper()
	if testing.Short() {
		t.Skip("two Finds of the GRU-16")
	}
	p := flipFlopProblem(t, "gru")
	run := func(k int) (goldenRun, int) {
		defer func(v int) { *rule = v }(*rule)
		*rule = k
		res, err := Find(context.Background(), p, &Settings{Seed: benchSeed, Refiner: refiner})
		if err != nil {
			t.Fatal(err)
		}
		steps := 0
		for _, pt := range res.All.Points {
			steps += pt.Refines
		}
		return summarize(res), steps
	}
	on, stepsOn := run(*rule)
	offRun, stepsOff := run(off)
	t.Logf("outcomes %v; refinement and descent steps %d with the rule, %d without", on.Outcomes, stepsOn, stepsOff)
	for _, d := range compareRuns(on, offRun) {
		t.Error(d)
	}
	if stepsOn >= stepsOff {
		t.Errorf("%d steps with the rule, %d without: want fewer", stepsOn, stepsOff)
	}
}

// The dense descent's stop for slow candidates whose shift stays up
// (slowShiftRun) saves descent steps and changes no outcome: on the
// flip-flop GRU-16, Find's points, labels and every count are those with
// the rule off (a run longer than the iterations), with fewer steps.
func TestSlowShiftRun(t *testing.T) {
	compareRule(t, DenseLM, &slowShiftRun, slowMaxIters+1)
}
