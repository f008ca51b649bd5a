package finder

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// flipflopCell is F(x) = tanh(w x) on N units: the idealized N-bit flip-flop,
// with fixed points at every x in {-a, 0, a}^N, a = tanh(w a).
func flipflopCell(n int, w float64) *cells.Vanilla {
	c := cells.NewVanilla(n, 0, cells.Tanh)
	whh := c.Params()[1]
	for i := 0; i < n; i++ {
		whh.Set(i, i, w)
	}
	return c
}

// flipflopA solves a = tanh(w a), a > 0, by Newton's method.
func flipflopA(w float64) float64 {
	a := 1.0
	for i := 0; i < 100; i++ {
		t := math.Tanh(w * a)
		a -= (a - t) / (1 - w*(1-t*t))
	}
	return a
}

func grid(n, k int, lo, hi float64) []float64 {
	total := 1
	for i := 0; i < n; i++ {
		total *= k
	}
	out := make([]float64, 0, total*n)
	for idx := 0; idx < total; idx++ {
		r := idx
		for i := 0; i < n; i++ {
			out = append(out, lo+(hi-lo)*float64(r%k)/float64(k-1))
			r /= k
		}
	}
	return out
}

// The first-order search alone (NoRefine) finds all 27 fixed points
// {-a, 0, a}^3 of the 3-bit tanh flip-flop from a 5^3 grid, each certified
// at the tolerance the search's TolQ allows (residual <= sqrt(2 TolQ)) and
// within that distance (over 1 - max|J|, the contraction) of the analytic
// point, without a single refinement step; their saddle indices are the
// number of zero coordinates.
func TestFindFlipFlopSearchOnly(t *testing.T) {
	c := flipflopCell(3, 2)
	a := flipflopA(2)
	s := &Settings{NoRefine: true, TolQ: 1e-20, TolResidual: 1e-9, MaxIters: 20000}
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: grid(3, 5, -1.5, 1.5)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 27 {
		t.Fatalf("%d fixed points, want 27 (status %v, stats %+v)", res.Fixed.Len(), res.Status, res.Stats)
	}
	counts := res.Fixed.CountBySaddleIndex()
	if counts[0] != 8 || counts[1] != 12 || counts[2] != 6 || counts[3] != 1 {
		t.Errorf("counts by saddle index %v, want 8/12/6/1", counts)
	}
	for _, p := range res.Fixed.Points {
		if p.Refines != 0 || p.Residual > 1e-9 || p.Outcome != OutcomeFixed {
			t.Errorf("point %v: %d refinements, residual %g, outcome %v", p.X, p.Refines, p.Residual, p.Outcome)
		}
		zeros := 0
		for _, v := range p.X {
			want := 0.0
			if math.Abs(v) > a/2 {
				want = math.Copysign(a, v)
			} else {
				zeros++
			}
			// 1 - tanh'(2a)*2 = 0.167 at the corners; the origin expands.
			if math.Abs(v-want) > 1e-7 {
				t.Errorf("point %v: coordinate %v, want %v", p.X, v, want)
			}
		}
		if p.Stability.NUnstable != zeros {
			t.Errorf("point %v: %d unstable modes, want %d", p.X, p.Stability.NUnstable, zeros)
		}
	}
	if res.Stats.RefineIters != 0 || res.Stats.Certified != 125 || res.Status != Converged {
		t.Errorf("stats %+v, status %v: want no refinement, 125 certified, Converged", res.Stats, res.Status)
	}
}
