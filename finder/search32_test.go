package finder

import (
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/heappeak"
)

// TestSearchFloat32: a float32 first-order search followed by float64
// refinement certifies the same points as the float64 search, to 1e-10,
// and reports float64 values (q below float32's reach).
func TestSearchFloat32(t *testing.T) {
	for _, bc := range batteryCases(t)[:5] {
		ref := find(t, bc.p, &Settings{NoJacobians: true, NoComplete: true})
		got := find(t, bc.p, &Settings{NoJacobians: true, NoComplete: true, SearchFloat32: true})
		if ref.Fixed.Len() != got.Fixed.Len() {
			t.Errorf("%s: float32 search certified %d points, float64 %d", bc.name, got.Fixed.Len(), ref.Fixed.Len())
		}
		for _, p := range got.Fixed.Points {
			if p.Residual > 1e-10 || len(ref.Fixed.Find(p.X, p.U, 1e-8)) != 1 {
				t.Errorf("%s: point with residual %g not among the float64 search's", bc.name, p.Residual)
			}
		}
		if got.Fixed.Len() > 0 && got.Fixed.Points[0].Q > 1e-20 {
			t.Errorf("%s: q = %g: not recomputed in float64", bc.name, got.Fixed.Points[0].Q)
		}
	}
}

// peakHeap runs fn and returns the largest growth of the heap's live
// objects over the start, sampled every millisecond, with the collector
// made eager (GOGC 10) so that the samples track what is held.
func peakHeap(fn func()) uint64 {
	old := debug.SetGCPercent(10)
	defer debug.SetGCPercent(old)
	base, peak := heappeak.Measure(time.Millisecond, fn)
	return max(peak, base) - base
}

// TestRefinementWithinBudget: the refinement's N x N and Krylov storage
// stays within Settings.JacobianBudget. 256 starts at N = 128 would hold
// 256 x 3 x 128 x 128 x 8 bytes = 96 MiB of matrices in one unsplit batch;
// with a 1 MiB budget the measured peak heap growth must stay below a
// quarter of that, so the test fails when the budget is ignored (the old
// test's 32 starts needed 4 MiB, under its 24 MiB limit either way), and
// the results must equal those of the default budget.
func TestRefinementWithinBudget(t *testing.T) {
	const N, B = 128, 256
	p := plantedProblem(t, N, 1, 21)
	for len(p.InitialStates) < B*N {
		p.InitialStates = append(p.InitialStates, p.InitialStates...)
	}
	p.InitialStates = p.InitialStates[:B*N]
	for i := range p.InitialStates { // distinct starts, not copies
		p.InitialStates[i] += 1e-3 * float64(i%97) / 97
	}
	unsplit := uint64(B * 3 * N * N * 8)
	for _, r := range []Refiner{DenseLM, NewtonKrylov} {
		var small, big *Result
		// The least of two runs: the collector's timing only adds to a
		// run's peak (13-24 MiB over runs of one binary), while an ignored
		// budget holds its 96 MiB live in every run. A collection before
		// each (and Measure's own) empties lmScratchPool and lastScratch, so
		// that the second run makes its refinement buffers anew too.
		peakSmall := uint64(math.MaxUint64)
		for range 2 {
			runtime.GC()
			peakSmall = min(peakSmall, peakHeap(func() {
				small = find(t, p, &Settings{Refiner: r, JacobianBudget: 1 << 20, NoJacobians: true, NoComplete: true})
			}))
		}
		peakBig := peakHeap(func() {
			big = find(t, p, &Settings{Refiner: r, NoJacobians: true, NoComplete: true})
		})
		if small.Fixed.Len() != big.Fixed.Len() || small.Stats.Certified != big.Stats.Certified {
			t.Errorf("refiner %d: budget 1 MiB certified %d (%d unique), 256 MiB %d (%d unique)", r, small.Stats.Certified, small.Fixed.Len(), big.Stats.Certified, big.Fixed.Len())
		}
		t.Logf("refiner %d: peak heap growth %.1f MiB with a 1 MiB budget, %.1f MiB with 256 MiB (one unsplit batch: %.0f MiB); %d certified",
			r, float64(peakSmall)/(1<<20), float64(peakBig)/(1<<20), float64(unsplit)/(1<<20), small.Stats.Certified)
		if peakSmall > unsplit/4 {
			t.Errorf("refiner %d: peak heap growth %.1f MiB with a 1 MiB budget, want below %.0f MiB (a quarter of one unsplit batch)",
				r, float64(peakSmall)/(1<<20), float64(unsplit/4)/(1<<20))
		}
	}
	f := &finder{N: 2048, M: 3, s: Settings{JacobianBudget: 1 << 20}, cands: make([]*candidate, 1024)}
	if c := f.jacobianChunk(); c != 1 {
		t.Errorf("dense chunk %d at N = 2048 in 1 MiB, want 1 (the least)", c)
	}
	f.s.JacobianBudget = 256 << 20
	m := min(krylovDim, f.N)
	if c := f.krylovChunk(m); c*8*((m+1)*f.N) > f.s.JacobianBudget || c < 1 {
		t.Errorf("Krylov chunk %d holds %d bytes of bases, budget %d", c, c*8*(m+1)*f.N, f.s.JacobianBudget)
	}
}

// TestTanhObjectiveMatchesGraph: tanhStep.ObjectiveRows, the float64
// search's objective of a one-layer tanh RNN, gives graph.Objective's F, q
// and gradient bit for bit, at every batch size the search runs, states
// from 1e-3 to 1e4 (saturated units too), with and without inputs.
func TestTanhObjectiveMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		cell := cells.NewVanilla(16, M, cells.Tanh)
		cell.InitUniform(uint64(10 + M))
		const N = 16
		s := Settings{}
		s.fill()
		f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, N)}, s)
		if err != nil {
			t.Fatal(err)
		}
		ts := f.tanhStepper()
		for _, B := range []int{4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024} {
			r := rand.New(rand.NewPCG(uint64(B), uint64(M)))
			x := make([]float64, B*N)
			for i := range x {
				x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-3))
			}
			u := make([]float64, B*M)
			for i := range u {
				u[i] = r.NormFloat64()
			}
			ob, err := graph.NewObjective(cell, B, graph.Float64)
			if err != nil {
				t.Fatal(err)
			}
			if err := ob.SetStates(x); err != nil {
				t.Fatal(err)
			}
			if M > 0 {
				if err := ob.SetInputs(u); err != nil {
					t.Fatal(err)
				}
			}
			if err := ob.Eval(); err != nil {
				t.Fatal(err)
			}
			o := newGoObjective(ts, B, N, M)
			o.SetStates(x)
			o.SetInputs(u)
			o.Eval()
			for i := range o.g {
				if math.Float64bits(o.g[i]) != math.Float64bits(ob.Grad()[i]) || math.Float64bits(o.f[i]) != math.Float64bits(ob.F()[i]) {
					t.Fatalf("M %d B %d: [%d] g %v f %v, graph %v %v", M, B, i, o.g[i], o.f[i], ob.Grad()[i], ob.F()[i])
				}
			}
			for i := range o.q {
				if math.Float64bits(o.q[i]) != math.Float64bits(ob.Q()[i]) {
					t.Fatalf("M %d B %d: q[%d] %v graph %v", M, B, i, o.q[i], ob.Q()[i])
				}
			}
		}
	}
}
