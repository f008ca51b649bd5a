package finder

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/rnnfp/fixedpoints/graph"
)

// samePoints reports the first difference between two Finds' candidates
// (state, F, q, residual, outcome; bit for bit) and sets, or "".
func samePoints(a, b *Result) string {
	if !reflect.DeepEqual(summarize(a), summarize(b)) {
		return "summaries differ"
	}
	if a.Fixed.Len() != b.Fixed.Len() || len(a.All.Points) != len(b.All.Points) {
		return "counts differ"
	}
	for i := range a.All.Points {
		p, q := &a.All.Points[i], &b.All.Points[i]
		if !sameBits(p.X, q.X) || !sameBits(p.F, q.F) || !sameBits([]float64{p.Q, p.Residual}, []float64{q.Q, q.Residual}) || p.Outcome != q.Outcome {
			return "candidate results differ"
		}
	}
	for i := range a.Fixed.Points {
		if !sameBits(a.Fixed.Points[i].X, b.Fixed.Points[i].X) {
			return "fixed points differ"
		}
	}
	return ""
}

// TestFindGraphCache: a Find that reuses the graphs an earlier Find of the
// same cell handed back (graph.Shared) gives the same results bit for bit;
// after a weight of the cell is changed in place between two Finds, the
// second finds the new cell's points, the ones a Find of a separate cell
// with the new weights finds, not the old ones.
func TestFindGraphCache(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{"rnn", "gru"} {
		p := flipFlopProblem(t, kind)
		// A float64 GRU's and tanh RNN's steps, objectives and Jacobians
		// are all computed in Go (newGRUStep, newTanhStep) and run no
		// graph: their float32 search does.
		s := &Settings{Seed: benchSeed, SearchFloat32: true}
		r1, err := Find(ctx, p, s)
		if err != nil {
			t.Fatal(err)
		}
		h := graph.Shared.Stats().Hits
		r2, err := Find(ctx, p, s)
		if err != nil {
			t.Fatal(err)
		}
		if graph.Shared.Stats().Hits == h {
			t.Fatalf("%s: the second Find reused no graph", kind)
		}
		if d := samePoints(r1, r2); d != "" {
			t.Fatalf("%s: a Find with reused graphs: %s", kind, d)
		}
	}

	s := &Settings{Seed: 1}
	x0 := corners(3)
	want, err := Find(ctx, Problem{Cell: flipflopCell(3, 2.5), InitialStates: x0}, s)
	if err != nil {
		t.Fatal(err)
	}
	cell := flipflopCell(3, 2)
	before, err := Find(ctx, Problem{Cell: cell, InitialStates: x0}, s)
	if err != nil {
		t.Fatal(err)
	}
	whh := cell.Params()[1]
	for i := 0; i < 3; i++ {
		whh.Set(i, i, 2.5)
	}
	after, err := Find(ctx, Problem{Cell: cell, InitialStates: x0}, s)
	if err != nil {
		t.Fatal(err)
	}
	if d := samePoints(after, want); d != "" {
		t.Fatalf("weights changed in place: %s from a Find of a cell built with them", d)
	}
	if samePoints(after, before) == "" {
		t.Fatal("weights changed in place: the same points as before the change")
	}
	a, found := flipflopA(2.5), false
	for _, pt := range after.Fixed.Points {
		m := 0.0
		for _, x := range pt.X {
			m = max(m, math.Abs(x))
		}
		found = found || math.Abs(m-a) < 1e-9
	}
	if !found {
		t.Fatalf("weights changed in place: no fixed point with max |x_i| = %v, the new weights' corner", a)
	}
}

// TestFindGraphCacheConcurrent: Finds of one cell at once (each checks its
// graphs out of graph.Shared; run with -race) give what one Find alone
// does, bit for bit.
func TestFindGraphCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	p := Problem{Cell: flipflopCell(3, 2.25), InitialStates: corners(3)}
	s := &Settings{Seed: 2}
	want, err := Find(ctx, p, s)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]*Result, 4)
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 3 && errs[i] == nil; k++ {
				got[i], errs[i] = Find(ctx, p, s)
				if errs[i] == nil {
					if d := samePoints(got[i], want); d != "" {
						errs[i] = errors.New(d)
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
