package continuation

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/fftest"
	"github.com/rnnfp/fixedpoints/tasks"
)

// readout is the model's output at state x.
func readout(m *tasks.Model, x []float64) []float64 {
	ro := m.Readout
	y := make([]float64, ro.Outputs)
	for o := range y {
		y[o] = ro.Bias[o]
		for j := 0; j < ro.Inputs; j++ {
			y[o] += ro.Weight[o*ro.Inputs+j] * x[j]
		}
	}
	return y
}

// The trained flip-flop with input bit 1 ramped from 0 to +1: each of the
// 4 stable corners whose bit 1 reads -1 loses its stability or vanishes at
// some u in (0, 1]; at u = 1 the stable points are exactly those Find finds
// there on its own, and all read bit 1 = +1.
func TestFlipFlopRamp(t *testing.T) {
	if testing.Short() {
		t.Skip("finds the fixed points of the trained LSTM")
	}
	// The trained 16-unit LSTM of the golden test (seed 6, validation MSE
	// 1e-4) and its fixed points at zero input.
	m, found := fftest.Find(t, "../testdata/flipflop-lstm16.safetensors")
	start := found.Fixed
	var minus []int
	for k, p := range start.Points {
		if p.Stability.Stable && readout(m, p.X)[0] < 0 {
			minus = append(minus, k)
		}
	}
	if len(minus) != 4 {
		t.Fatalf("%d stable corners with bit 1 = -1 at u = 0, want 4 (of %d fixed points)", len(minus), len(start.Points))
	}
	path := Segment([]float64{0, 0, 0}, []float64{1, 0, 0})
	res, err := Continue(context.Background(), Problem{Cell: m.Cell, Start: start, Path: path}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d fixed points at u = 0 -> %d branches, %d bifurcations; %+v", len(start.Points), len(res.Branches), len(res.Bifurcations), res.Stats)
	for _, k := range minus {
		bi, forward := branchOf(res, k)
		if bi < 0 {
			t.Errorf("corner %d: no branch", k)
			continue
		}
		b := res.Branches[bi]
		// Walk from the seed along the branch to the first point that is not
		// surely stable; the bifurcation there is what the corner meets.
		n := len(b.Points)
		idx := func(i int) int {
			if forward {
				return i
			}
			return n - 1 - i
		}
		lost := -1
		for i := 0; i < n; i++ {
			if !b.Points[idx(i)].Stable {
				lost = i
				break
			}
		}
		if lost < 0 {
			t.Errorf("corner %d (branch %d, end %v) stays stable to s = %v", k, bi, b.End, b.Points[idx(n-1)].S)
			continue
		}
		var met *Bifurcation
		for j := range res.Bifurcations {
			e := &res.Bifurcations[j]
			if e.Branch != bi {
				continue
			}
			// Steps from the seed to the event.
			pos := e.After
			if !forward {
				pos = n - 2 - e.After
			}
			if pos <= lost && (met == nil || closer(e, met, forward)) {
				met = e
			}
		}
		if met == nil {
			t.Errorf("corner %d: stability lost at point %d (u = %v) with no bifurcation located", k, idx(lost), b.Points[idx(lost)].U)
			continue
		}
		u := met.U[0]
		if !(u > 0 && u <= 1) {
			t.Errorf("corner %d: %v at u = %v, want in (0, 1]", k, met.Kind, u)
		}
		t.Logf("corner %d (readout %.3f): %v at u = %.10f, eigenvalue %.6g, branch %d (%v, seeds %v)",
			k, readout(m, start.Points[k].X), met.Kind, u, met.Eigenvalue, bi, b.End, b.Seeds)
		// Independently: finder's linearization at the located point has
		// the critical eigenvalue.
		fp := &finder.FixedPoints{N: res.N, M: res.M, Dtype: "float64", Points: []finder.Point{{X: met.X, U: met.U}}}
		if err := finder.Linearize(m.Cell, fp, finder.Settings{}); err != nil {
			t.Fatal(err)
		}
		best := math.Inf(1)
		for _, md := range fp.Points[0].Modes {
			best = math.Min(best, cmplxDist(md.Value, met.Eigenvalue))
		}
		if best > 1e-6 {
			t.Errorf("corner %d: finder's Jacobian at the %v has no eigenvalue near %v (closest %.2g away)", k, met.Kind, met.Eigenvalue, best)
		}
	}
	// At u = 1: the stable points at the end of the path, against Find's.
	var endStable [][]float64
	for _, b := range res.Branches {
		for _, p := range b.Points {
			if p.S == path.Length() && p.Stable {
				endStable = append(endStable, p.X)
				if y := readout(m, p.X); y[0] <= 0 {
					t.Errorf("stable point at u = 1 reads bit 1 = %.3f, want > 0", y[0])
				}
			}
		}
	}
	// Find at u = 1, on its own: from the states of the trajectories and
	// from the branch ends (whose cell states, c = i g/(1 - f) with f near
	// 1, lie far beyond the trajectories), keeping far points.
	inits := fftest.States(t, m)
	for _, b := range res.Branches {
		for _, p := range b.Points {
			if p.S == path.Length() {
				inits = append(inits, p.X...)
			}
		}
	}
	at1, err := finder.Find(context.Background(), finder.Problem{Cell: m.Cell, InitialStates: inits, Inputs: []float64{1, 0, 0}},
		&finder.Settings{KeepDistanceOutliers: true, MarginalTol: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	var findStable [][]float64
	for _, p := range at1.Fixed.Points {
		if p.Stability.Stable {
			findStable = append(findStable, p.X)
		}
	}
	t.Logf("at u = 1: %d stable branch ends, Find finds %d stable points", len(endStable), len(findStable))
	if len(endStable) != 4 || len(findStable) != 4 {
		t.Errorf("%d stable branch ends and %d stable points found at u = 1, want the 4 corners with bit 1 = +1", len(endStable), len(findStable))
	}
	for _, x := range findStable {
		ok := false
		for _, y := range endStable {
			ok = ok || dist(x, y) < 1e-6*math.Max(1, maxAbs(x))
		}
		if !ok {
			t.Errorf("Find's stable point at u = 1 (bit 1 reads %.3f) is no stable branch end", readout(m, x)[0])
		}
	}
}

func cmplxDist(a, b complex128) float64 { return math.Hypot(real(a)-real(b), imag(a)-imag(b)) }

// branchOf is the branch holding seed k, and whether its points run from
// that seed (forward) or towards it.
func branchOf(res *Result, k int) (int, bool) {
	for i, b := range res.Branches {
		for j, s := range b.Seeds {
			if s == k {
				return i, j == 0
			}
		}
	}
	return -1, false
}

// closer reports whether e comes before f walking from the seed.
func closer(e, f *Bifurcation, forward bool) bool {
	if forward {
		return e.After < f.After
	}
	return e.After > f.After
}
