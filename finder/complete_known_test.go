package finder

import (
	"context"
	"testing"
)

// TestIsKnownKeepsCloseProvedRoots: two proved roots 2e-4 apart (each
// proved unique within 5e-5) are two points for the completion, although
// TolUnique (1e-3) would merge them; a seed within TolUnique of a proved
// point counts as at it only inside its uniqueness box; unproved points
// merge within TolUnique as before.
func TestIsKnownKeepsCloseProvedRoots(t *testing.T) {
	pf := Proof{Method: ProofKrawczyk, Radius: 1e-12, UniqueRadius: 5e-5}
	u := []float64{0}
	f := &finder{s: Settings{TolUnique: 1e-3}, cands: []*candidate{
		{x: []float64{0.7071, 0.5}, u: u, pf: pf},
		{x: []float64{0.7073, 0.5}, u: u, pf: pf},
		{x: []float64{-0.9, 0.1}, u: u},
	}}
	known := []int{0}
	if f.isKnown(known, f.cands[1].x, u) {
		t.Error("a proved root 2e-4 from another (uniqueness radius 5e-5) is taken for it")
	}
	if !f.isKnown(known, []float64{0.70711, 0.5}, u) {
		t.Error("a point inside the uniqueness box is not the known root")
	}
	if !f.isKnown(known, f.cands[0].x, u) {
		t.Error("the known root itself is not known")
	}
	if f.isKnown(known, f.cands[0].x, []float64{1}) {
		t.Error("the same state at another input is taken for the known root")
	}
	if f.seedIsKnown(known, []float64{0.7072, 0.5}, u) {
		t.Error("a seed 1e-4 from a proved root, outside its box, is skipped")
	}
	if !f.seedIsKnown(known, []float64{0.70712, 0.5}, u) {
		t.Error("a seed inside the box is seeded again")
	}
	unproved := []int{2}
	if !f.isKnown(unproved, []float64{-0.9005, 0.1}, u) || f.isKnown(unproved, []float64{-0.902, 0.1}, u) {
		t.Error("unproved points no longer merge within TolUnique")
	}
}

// TestRefineStopsInKnownBox: a completion seed inside a known proved
// point's uniqueness box (at its input) leaves the refinement after the
// round that took it there; one outside, or at another input, goes on.
func TestRefineStopsInKnownBox(t *testing.T) {
	pf := Proof{Method: ProofKrawczyk, Radius: 1e-12, UniqueRadius: 5e-5}
	u := []float64{0}
	f := &finder{s: Settings{TolUnique: 1e-3, MaxRefineIters: 3}, cands: []*candidate{
		{x: []float64{0.7071, 0.5}, u: u, pf: pf},
		{x: []float64{0.70712, 0.5}, u: u},
		{x: []float64{0.7072, 0.5}, u: u},
		{x: []float64{0.70712, 0.5}, u: []float64{1}},
	}}
	known := []int{0}
	f.refineStop = func(ci int) bool { return f.inKnownBox(known, f.cands[ci]) }
	seen := map[int]int{}
	step := func(part []int) ([]int, error) {
		for _, ci := range part {
			seen[ci]++
		}
		return part, nil
	}
	left, _, err := f.refineRounds(context.Background(), []int{1, 2, 3}, 8, step)
	if err != nil {
		t.Fatal(err)
	}
	if seen[1] != 1 || seen[2] != 3 || seen[3] != 3 || len(left) != 2 || f.cands[1].active {
		t.Errorf("steps per seed %v, left %v, seed in the box active %v: want 1 step for the seed in the box, 3 for the others", seen, left, f.cands[1].active)
	}
}
