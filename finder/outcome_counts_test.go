package finder

import (
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/handloop"
)

// The outcome counts partition the initial states: on the trained RNN-16,
// where completion adds a 27th point, the counts sum to the 1024 initial
// states (they had counted the completion's point too: "1024 candidates",
// "outcomes: 1025 fixed"), and Certified equals the number of initial
// states' candidates whose plain-Go residual is at most 1e-10 (no gate
// saturates in a tanh RNN, so certified means exactly that).
func TestOutcomeCountsPartitionInitialStates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Find on the trained RNN")
	}
	p := flipFlopProblem(t, "rnn")
	res := find(t, p, &Settings{Seed: benchSeed})
	B := len(p.InitialStates) / p.Cell.StateSize()
	st := res.Stats
	if st.Candidates != B || st.Certified+st.Slow+st.SlowRegions+st.Unconverged != B {
		t.Fatalf("%d candidates, outcomes %d + %d + %d, want %d", st.Candidates, st.Certified, st.Slow, st.Unconverged, B)
	}
	newPoints := 0
	for _, r := range st.Completion {
		newPoints += r.New
	}
	if newPoints != 1 || res.All.Len() != B+newPoints {
		t.Fatalf("completion found %d new points, All holds %d, want 1 and %d", newPoints, res.All.Len(), B+1)
	}
	h := handloop.New(p.Cell.(*cells.Vanilla), 1, p.Inputs)
	small := 0
	for _, pt := range res.All.Points[:B] {
		copy(h.X, pt.X)
		h.Eval()
		if residual(h.F, h.X) <= 1e-10 {
			small++
		}
	}
	if st.Certified != small {
		t.Errorf("Certified %d, plain-Go residual <= 1e-10 at %d of the %d initial states' candidates", st.Certified, small, B)
	}
}
