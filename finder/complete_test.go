package finder

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/handloop"
)

// corners returns the 2^N states with every coordinate +/-1.
func corners(N int) []float64 {
	var out []float64
	for idx := 0; idx < 1<<N; idx++ {
		for i := 0; i < N; i++ {
			v := -1.0
			if idx>>i&1 == 1 {
				v = 1
			}
			out = append(out, v)
		}
	}
	return out
}

// TestCompleteFlipFlopFromCorners: from the 2^N corners alone, the search
// finds the 2^N stable points; the completion finds every saddle, so all
// 3^N fixed points are found, certified and linearized with the known
// eigenvalues, for N = 3 and 5.
func TestCompleteFlipFlopFromCorners(t *testing.T) {
	for _, N := range []int{3, 5} {
		name := fmt.Sprintf("flip-flop N=%d from %d corners", N, 1<<N)
		off := find(t, Problem{Cell: flipflopCell(N, 2), InitialStates: corners(N)}, &Settings{NoComplete: true})
		if off.Fixed.Len() != 1<<N {
			t.Errorf("%s without completion: %d points, want the %d corners", name, off.Fixed.Len(), 1<<N)
		}
		res := find(t, Problem{Cell: flipflopCell(N, 2), InitialStates: corners(N)}, nil)
		checkFound(t, name, res.Fixed, flipflopExpected(N, 2), 1e-8, 1e-10)
		t.Logf("%s: rounds %+v, %v, coverage %v", name, res.Stats.Completion, res.Stats.CompleteTime, res.Stats.Coverage)
	}
}

// hopfieldGaussian is 512 states with Gaussian coordinates of standard
// deviation 1: random starts that know nothing of the patterns.
func hopfieldGaussian(N int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 12))
	out := make([]float64, 512*N)
	for i := range out {
		out[i] = r.NormFloat64()
	}
	return out
}

// TestCompleteHopfieldTwoPatterns: "two-pattern Hopfield, disjoint blocks
// of 25, beta = 2, 512 Gaussian starts". x' = tanh(W x) with two orthogonal
// patterns has exactly 9 fixed points (the products of {-a, 0, a} per
// pattern, hopfieldExpected). The 512 random starts miss some of them (the
// search alone finds 7); with completion all 9 are found, certified and
// linearized with their known eigenvalues, and nothing else.
func TestCompleteHopfieldTwoPatterns(t *testing.T) {
	const beta = 2
	cell, xi := hopfieldBlocks(2, 25, beta, 3)
	init := hopfieldGaussian(cell.StateSize(), 11)
	want := hopfieldExpected(xi, beta)
	off := find(t, Problem{Cell: cell, InitialStates: init}, &Settings{NoComplete: true})
	missed := 0
	for _, w := range want {
		if !off.Fixed.Contains(w.x, nil, 1e-6) {
			missed++
		}
	}
	if missed == 0 {
		t.Fatalf("the random starts found all %d points: the case no longer tests completion", len(want))
	}
	res := find(t, Problem{Cell: cell, InitialStates: init}, nil)
	checkFound(t, "hopfield two patterns with completion", res.Fixed, want, 1e-8, 1e-9)
	t.Logf("search alone missed %d of %d; completion rounds %+v", missed, len(want), res.Stats.Completion)
}

// TestCompleteOffAndBudget: NoComplete leaves no completion rounds; a
// budget of one seed runs one round of one seed.
func TestCompleteOffAndBudget(t *testing.T) {
	p := Problem{Cell: flipflopCell(3, 2), InitialStates: corners(3)}
	off := find(t, p, &Settings{NoComplete: true})
	if len(off.Stats.Completion) != 0 || off.All.Len() != 8 {
		t.Errorf("NoComplete: rounds %+v, %d candidates in All, want none and 8", off.Stats.Completion, off.All.Len())
	}
	one := find(t, p, &Settings{CompleteBudget: 1})
	if r := one.Stats.Completion; len(r) != 1 || r[0].Midpoints+r[0].Deflated != 1 || r[0].New != 1 {
		t.Errorf("CompleteBudget 1: rounds %+v, want one round of one seed finding one point", r)
	}
	if one.Fixed.Len() != 9 || one.All.Len() != 9 {
		t.Errorf("CompleteBudget 1: %d fixed, %d in All, want 9 and 9", one.Fixed.Len(), one.All.Len())
	}
}

// TestCompleteTrainedRNN: from the default example's 1024 initial states
// the search alone certifies 26 points of the trained 16-unit RNN; the
// completion adds the 27th (a 3-bit flip-flop has 3^3). The new points are
// checked in plain Go (internal/handloop): max|F(x) - x| <= 1e-10, and at
// least 1e-3 from every point the search found.
func TestCompleteTrainedRNN(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Find on the trained RNN twice")
	}
	p := flipFlopProblem(t, "rnn")
	off := find(t, p, &Settings{Seed: benchSeed, NoComplete: true})
	on := find(t, p, &Settings{Seed: benchSeed})
	if off.Fixed.Len() != 26 || on.Fixed.Len() != 27 {
		t.Fatalf("%d points without completion, %d with, want 26 and 27", off.Fixed.Len(), on.Fixed.Len())
	}
	cell := p.Cell.(*cells.Vanilla)
	h := handloop.New(cell, 1, p.Inputs)
	added := 0
	for _, q := range on.Fixed.Points {
		if off.Fixed.Contains(q.X, q.U, 1e-3) {
			continue
		}
		added++
		copy(h.X, q.X)
		h.Eval()
		if r := residual(h.F, h.X); r > 1e-10 {
			t.Errorf("new point: plain-Go residual %g > 1e-10", r)
		}
	}
	if added != 1 {
		t.Errorf("%d new points, want 1", added)
	}
	t.Logf("rounds %+v; %v", on.Stats.Completion, on.Stats.Coverage)
}

// TestCompleteBudgetDefault: the default seed budget is 4096 up to N = 64
// and 2^30 / N^3 above (Result.Settings shows the value used);
// a budget given is used as given; the seeds a run spends stay within it.
func TestCompleteBudgetDefault(t *testing.T) {
	for _, c := range []struct{ N, want int }{{1, 4096}, {16, 4096}, {64, 4096}, {65, 3909}, {128, 512}, {200, 134}, {512, 8}, {1024, 1}, {1025, 0}, {2048, 0}} {
		if got := completeBudget(c.N); got != c.want {
			t.Errorf("completeBudget(%d) = %d, want %d", c.N, got, c.want)
		}
	}
	N := 64
	init := make([]float64, 0, 4*N)
	for _, s := range []float64{0.9, -0.9, 0.5, -0.5} {
		for i := 0; i < N; i++ {
			init = append(init, s*float64(1-2*(i%2)))
		}
	}
	p := Problem{Cell: flipflopCell(N, 2), InitialStates: init}
	for _, c := range []struct{ given, want int }{{0, 4096}, {512, 512}, {3, 3}} {
		res := find(t, p, &Settings{CompleteBudget: c.given, NoConnections: true})
		spent := 0
		for _, r := range res.Stats.Completion {
			spent += r.Midpoints + r.Deflated
		}
		if res.Settings.CompleteBudget != c.want || spent > c.want {
			t.Errorf("N = %d, CompleteBudget %d: ran with %d and spent %d seeds, want %d and at most that", N, c.given, res.Settings.CompleteBudget, spent, c.want)
		}
	}
}

// TestCompleteNoSeedsWarns: when the default budget comes to no seeds
// (N > 1024), completion runs no round and a warning says why.
func TestCompleteNoSeedsWarns(t *testing.T) {
	s := Settings{}
	s.fill()
	f, err := newFinder(Problem{Cell: flipflopCell(3, 2), InitialStates: corners(3)}, s)
	if err != nil {
		t.Fatal(err)
	}
	f.s.CompleteBudget = 0 // as completeBudget(1025) resolves it
	if err := f.complete(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.stats.Completion) != 0 || len(f.stats.Warnings) != 1 || !strings.Contains(f.stats.Warnings[0], "completion seeded nothing") {
		t.Errorf("rounds %+v, warnings %q: want none and one saying completion seeded nothing", f.stats.Completion, f.stats.Warnings)
	}
}
