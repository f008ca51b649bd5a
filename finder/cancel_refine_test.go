package finder

import (
	"context"
	"testing"
)

// TestCancelDuringRefinementLabels: candidates cut off by a cancellation
// in the middle of the refinement are labelled canceled, whichever
// refiner ran: none ran out of its iterations (MaxRefineIters is 50, the
// cancellation comes after the first), so none may say "refine limit".
func TestCancelDuringRefinementLabels(t *testing.T) {
	for _, r := range []Refiner{DenseLM, NewtonKrylov} {
		ctx, cancel := context.WithCancel(context.Background())
		// NoProof: with proofs the dense refinement freezes every candidate
		// of this small network at its proved root after the first round
		// (freezeAtRoots), leaving none to cut off.
		s := &Settings{Refiner: r, NoComplete: true, NoProof: true, Progress: func(p Progress) {
			if p.Stage == "refine" && p.Iter == 1 {
				cancel()
			}
		}}
		res, err := Find(ctx, Problem{Cell: flipflopCell(3, 1.05), InitialStates: grid(3, 5, -1.5, 1.5)}, s)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != Canceled {
			t.Errorf("%v: status %v, want Canceled", r, res.Status)
		}
		canceled := res.Stats.UnconvergedByReason[ReasonCanceled]
		if n := res.Stats.UnconvergedByReason[ReasonRefineLimit]; n != 0 || canceled == 0 {
			t.Errorf("%v: %d candidates labelled refine limit and %d canceled after one refinement iteration of 50: want 0 and some", r, n, canceled)
		}
		t.Logf("%v: %d refinement iterations, %d fixed, unconverged %v", r, res.Stats.RefineIters, res.Stats.Certified, res.Stats.UnconvergedByReason)
	}
}
