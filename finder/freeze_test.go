package finder

import (
	"context"
	"math"
	"testing"
)

// findInternal runs Find's pipeline on p with the default settings (seeded
// as the benchmarks) and returns the finder, with the search's freezing at
// early proved roots (freezeAtRoots) on or off.
func findInternal(t *testing.T, p Problem, freeze bool) *finder {
	t.Helper()
	s := Settings{Seed: benchSeed}
	s.fill()
	f, err := newFinder(p, s)
	if err != nil {
		t.Fatal(err)
	}
	f.early.off = !freeze
	if _, err := f.run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	f.release()
	return f
}

// TestFreezeAtRootsTanh16: on the flip-flop tanh-16, freezing the
// candidates that enter an early proved root's uniqueness box saves
// refinement (fewer candidate rounds), and every candidate ends as without
// it: same outcome, and a frozen one certified at the root (to 1e-12) that
// full refinement and prove give it, carrying that root's proof.
func TestFreezeAtRootsTanh16(t *testing.T) {
	p := flipFlopProblem(t, "rnn")
	full := findInternal(t, p, false)
	fr := findInternal(t, p, true)
	if len(full.early.frozen) != 0 || len(full.early.roots) != 0 {
		t.Fatalf("freezing off: %d frozen, %d early roots", len(full.early.frozen), len(full.early.roots))
	}
	nInit := full.nInit()
	if fr.nInit() != nInit || len(fr.cands) != len(full.cands) {
		t.Fatalf("%d candidates (%d initial), want %d (%d)", len(fr.cands), fr.nInit(), len(full.cands), nInit)
	}
	// Measured: 929 of 1024 frozen, 1895 candidate rounds against 2824
	// (the completion's rounds included).
	if len(fr.early.frozen) < nInit/2 {
		t.Errorf("%d of %d candidates frozen, want at least half", len(fr.early.frozen), nInit)
	}
	if !(fr.early.rows < full.early.rows*3/4) {
		t.Errorf("%d candidate rounds refined with freezing, %d without: want a quarter fewer", fr.early.rows, full.early.rows)
	}
	t.Logf("%d frozen at %d early roots; candidate rounds %d, without freezing %d", len(fr.early.frozen), len(fr.early.roots), fr.early.rows, full.early.rows)
	for i := range full.cands {
		a, b := full.cands[i], fr.cands[i]
		if a.outcome != b.outcome {
			t.Errorf("candidate %d: %v with freezing, %v without", i, b.outcome, a.outcome)
		}
	}
	for _, ci := range fr.early.frozen {
		a, b := full.cands[ci], fr.cands[ci]
		if b.outcome != OutcomeFixed || b.pf.Method != ProofKrawczyk || a.outcome != OutcomeFixed {
			t.Errorf("frozen candidate %d: %v (%q), without freezing %v", ci, b.outcome, b.pf.Method, a.outcome)
			continue
		}
		if d := maxAbsDiff(a.x, b.x); !(d <= 1e-12) {
			t.Errorf("frozen candidate %d ends %g from where full refinement and prove put it", ci, d)
		}
		// It carries the proof of the root it was moved to: one of the
		// final prove's roots, at its state bit for bit.
		r, ok := fr.provedRadius(&Point{X: b.x, U: b.u})
		if !ok || r != b.pf.Radius {
			t.Errorf("frozen candidate %d is at no proved root of the search (%v, radius %g vs %g)", ci, ok, r, b.pf.Radius)
		}
	}
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i, v := range a {
		d = math.Max(d, math.Abs(v-b[i]))
	}
	return d
}
