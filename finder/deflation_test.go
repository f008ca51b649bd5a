package finder

import (
	"context"
	"math"
	"testing"
)

// TestDeflationFindsOtherRoots: on the idealized flip-flop N = 2 the four
// corners are found from the corners; deflated Newton from generic starts
// must reach other roots (saddles, exactly in {-a, 0, a}^2), never a corner.
func TestDeflationFindsOtherRoots(t *testing.T) {
	s := Settings{NoComplete: true}
	s.fill()
	f, err := newFinder(Problem{Cell: flipflopCell(2, 2), InitialStates: corners(2)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.search(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.prove(context.Background(), []int{0, 1, 2, 3}, false); err != nil {
		t.Fatal(err)
	}
	known := f.knownPoints()
	if len(known) != 4 {
		t.Fatalf("%d corners found, want 4", len(known))
	}
	lo := len(f.cands)
	starts := [][]float64{{0.3, 0.8}, {-0.7, 0.25}, {0.45, -0.6}, {-0.2, -0.9}}
	for i, x := range starts {
		f.addSeed(x, i)
	}
	idx := []int{lo, lo + 1, lo + 2, lo + 3}
	if err := f.evalAt(idx); err != nil {
		t.Fatal(err)
	}
	reached, err := f.deflate(context.Background(), idx, known)
	if err != nil {
		t.Fatal(err)
	}
	a := flipflopA(2)
	for _, ci := range reached {
		x := f.cands[ci].x
		t.Logf("reached %v", x)
		zeros := 0
		for _, v := range x {
			d := math.Min(math.Abs(v), math.Min(math.Abs(v-a), math.Abs(v+a)))
			if d > 1e-6 {
				t.Errorf("deflation reached %v, not a fixed point", x)
			}
			if math.Abs(v) < 1e-6 {
				zeros++
			}
		}
		if zeros == 0 {
			t.Errorf("deflation reached the known corner %v", x)
		}
	}
	if len(reached) == 0 {
		t.Errorf("deflation reached no root from 4 generic starts")
	}
}

// TestCompleteFromOneStart: from a single initial state of the flip-flop
// N = 3 the search finds one corner and no pair exists for midpoints; the
// deflated starts of the first round find more points, each one of the 27.
func TestCompleteFromOneStart(t *testing.T) {
	res := find(t, Problem{Cell: flipflopCell(3, 2), InitialStates: []float64{0.5, -0.4, 0.1}}, nil)
	r := res.Stats.Completion
	if len(r) == 0 || r[0].Midpoints != 0 || r[0].Deflation == 0 {
		t.Fatalf("rounds %+v, want a first round without midpoints whose deflation finds points", r)
	}
	checkSubset(t, "flip-flop N=3 from one start", res.Fixed, flipflopExpected(3, 2))
	t.Logf("%d points; rounds %+v", res.Fixed.Len(), r)
}
