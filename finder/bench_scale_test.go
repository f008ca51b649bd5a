package finder

import (
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/heappeak"
)

var (
	plantedSizes  = flag.String("planted-n", "", "sizes of BenchmarkFindPlanted, e.g. 1024,2048 (minutes each); empty skips it")
	plantedBudget = flag.Int("planted-complete-budget", 0, "Settings.CompleteBudget of BenchmarkFindPlanted (0: the default)")
	plantedStarts = flag.Int("planted-starts", 1024, "initial states of BenchmarkFindPlanted (fewer: the per-point costs, e.g. of the proofs, at a size whose full run takes hours)")
	plantedShare  = flag.Bool("planted-proof-share", true, "time BenchmarkFindPlanted's stability proofs again after Find for the proofs' share (a second linearization: false halves a long run)")
)

// findPeak runs Find once, sampling the heap's live and unswept objects
// (runtime/metrics) every 5 ms, and returns the result with the peak.
func findPeak(tb testing.TB, p Problem, s *Settings) (*Result, uint64) {
	tb.Helper()
	var res *Result
	var err error
	_, peak := heappeak.Measure(5*time.Millisecond, func() { res, err = Find(context.Background(), p, s) })
	if err != nil {
		tb.Fatal(err)
	}
	return res, peak
}

// plantedVanilla is the built-in tanh RNN x' = tanh(W x) of N units (a
// factored cell: its fixed points are proved), W row-major.
func plantedVanilla(N int, W []float64) *cells.Vanilla {
	c := cells.NewVanilla(N, 0, cells.Tanh)
	for _, p := range c.Params() {
		if strings.HasPrefix(p.Name, "w_hh") { // stored transposed: a batch step is X W^T
			for k := 0; k < N; k++ {
				for i := 0; i < N; i++ {
					p.Data[k*N+i] = W[i*N+k]
				}
			}
		}
	}
	return c
}

// BenchmarkFindGRU128 times Find with default settings (proofs, slow
// points, completion and connections on) on the scale benchmark's
// PyTorch-trained flip-flop GRU-128 from its 1024 sampled initial states
// (issue #30's target: <= 2 s).
func BenchmarkFindGRU128(b *testing.B) {
	p := gru128Problem(b)
	var res *Result
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var pk uint64
		res, pk = findPeak(b, p, &Settings{Seed: benchSeed})
		peak = max(peak, pk)
	}
	b.StopTimer()
	st := res.Stats
	b.ReportMetric(float64(res.Fixed.Len()), "fixed")
	b.ReportMetric(float64(res.Slow.Len()), "slow")
	b.ReportMetric(float64(st.Certified), "certified")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.Logf("%v search %v refine %v slow %v check %v complete %v linearize %v connect %v", res.Status, st.SearchTime, st.RefineTime, st.SlowTime, st.CheckTime, st.CompleteTime, st.LinearizeTime, st.ConnectTime)
}

// plantedBattery is a tanh network of N units built as the battery's
// (TestBatteryPlanted): V uniform in +/-0.9, W = atanh(V) V^-1, so that 0
// and the columns of V and their negatives are fixed points; 1024 initial
// states (-planted-starts) lie within 1e-4 of them in turn. Its Jacobians' spectra surround
// 1, unlike the V = 0.9 I + noise network of examples/bench's planted
// table.
func plantedBattery(tb testing.TB, N int, seed uint64) Problem {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, seed+1))
	V := mat64(N, func(i, k int) float64 { return 0.9 * (2*r.Float64() - 1) })
	c := plantedVanilla(N, plantWeights(tb, N, V))
	planted := [][]float64{make([]float64, N)}
	for k := 0; k < N && len(planted) < 1024; k++ {
		v, nv := make([]float64, N), make([]float64, N)
		for i := range v {
			v[i], nv[i] = V[i*N+k], -V[i*N+k]
		}
		planted = append(planted, v, nv)
	}
	nStarts := max(1, *plantedStarts)
	starts := make([]float64, 0, nStarts*N)
	for b := 0; b < nStarts; b++ {
		for _, x := range planted[b%len(planted)] {
			starts = append(starts, x+1e-4*r.NormFloat64())
		}
	}
	return Problem{Cell: c, InitialStates: starts}
}

// BenchmarkFindPlanted times Find on the battery-built planted tanh
// network at the sizes of -planted-n, everything on and the stability
// proofs on at every size (ProveStabilityMaxN = N): time, peak heap, and
// the share of the proofs (proveStability timed again on the result).
// Targets (issue #30): N = 1024 <= 60 s and <= 4 GiB with proofs <= 25%;
// N = 2048 within 24 GiB.
func BenchmarkFindPlanted(b *testing.B) {
	if *plantedSizes == "" {
		b.Skip("give sizes with -planted-n (minutes each)")
	}
	for _, f := range strings.Split(*plantedSizes, ",") {
		N, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || N < 2 {
			b.Fatalf("-planted-n: bad size %q", f)
		}
		b.Run(strconv.Itoa(N), func(b *testing.B) {
			p := plantedBattery(b, N, 11)
			s := &Settings{Seed: benchSeed, ProveStabilityMaxN: N, CompleteBudget: *plantedBudget}
			var res *Result
			var peak uint64
			var total time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				var pk uint64
				res, pk = findPeak(b, p, s)
				total += time.Since(t0)
				peak = max(peak, pk)
			}
			b.StopTimer()
			s.fill()
			proved := 0
			for _, q := range res.Fixed.Points {
				if q.Stability.Proved {
					proved++
				}
			}
			b.ReportMetric(float64(res.Fixed.Len()), "fixed")
			b.ReportMetric(float64(proved), "proved")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(retainedBytes(res.Fixed))/float64(max(1, res.Fixed.Len()))/(1<<10), "KiB/point")
			st := res.Stats
			per := total.Seconds() / float64(b.N)
			prove, proveLog := time.Duration(0), "not timed (-planted-proof-share=false)"
			if *plantedShare {
				prove = timeStabilityProofs(b, p.Cell, res.Fixed.Clone(), *s)
				proveLog = prove.String()
				b.ReportMetric(math.Round(1000*prove.Seconds()/per)/10, "proof-%")
				// With the existence proofs (and the Newton steps on G before
				// them: Stats.ProofTime, part of refine and complete).
				b.ReportMetric(math.Round(1000*(prove+st.ProofTime).Seconds()/per)/10, "all-proofs-%")
			}
			b.Logf("N=%d %v total %.1fs search %v refine %v slow %v check %v complete %v linearize %v connect %v; existence proofs %v, stability proofs alone %s; %d completion seeds, %d trajectories; unconverged %v; load %s",
				N, res.Status, per, st.SearchTime, st.RefineTime, st.SlowTime, st.CheckTime, st.CompleteTime, st.LinearizeTime, st.ConnectTime, st.ProofTime, proveLog, seeds(st), len(res.Fixed.Connections), st.UnconvergedByReason, loadAvg())
		})
	}
}

// timeStabilityProofs times proveStability on fp, whose points lose their
// stability labels to it. Points whose Jacobians Find dropped
// (Settings.KeepMatricesMaxN) get them again, and their full modes, eight
// at a time before each eight are timed, so that no more than eight
// points' matrices are held.
func timeStabilityProofs(tb testing.TB, cell cells.Cell, fp *FixedPoints, s Settings) time.Duration {
	tb.Helper()
	if fp.Len() == 0 || len(fp.Points[0].Jacobian) != 0 {
		t0 := time.Now()
		if err := proveStability(context.Background(), cell, fp, s); err != nil {
			tb.Fatal(err)
		}
		return time.Since(t0)
	}
	var total time.Duration
	for lo := 0; lo < fp.Len(); lo += 8 {
		idx := make([]int, 0, 8)
		for k := lo; k < min(lo+8, fp.Len()); k++ {
			idx = append(idx, k)
		}
		sub := fp.subset(idx)
		if err := EvalJacobians(cell, sub, s); err != nil {
			tb.Fatal(err)
		}
		// In full, as Find decomposes a point whose stability it proves
		// (stabilityProver): leading modes would leave proveStability
		// a full decomposition to do inside the timing.
		full := s
		full.Eigen = FullEigen
		if err := Decompose(sub, full); err != nil {
			tb.Fatal(err)
		}
		t0 := time.Now()
		if err := proveStability(context.Background(), cell, sub, s); err != nil {
			tb.Fatal(err)
		}
		total += time.Since(t0)
		for k, i := range idx {
			fp.Points[i].Stability = sub.Points[k].Stability
		}
	}
	return total
}

// retainedBytes is what the points of fp hold in their slices: vectors,
// matrices, and modes with their eigenvectors.
func retainedBytes(fp *FixedPoints) int {
	n := 0
	for i := range fp.Points {
		p := &fp.Points[i]
		n += 8 * (len(p.X) + len(p.XInit) + len(p.U) + len(p.F) + len(p.Jacobian) + len(p.InputJacobian))
		n += len(p.Modes) * int(unsafe.Sizeof(Mode{}))
		for _, m := range p.Modes {
			n += 16 * (len(m.Right) + len(m.Left))
		}
	}
	return n
}

// BenchmarkProveStabilityFlipFlop times the stability proofs alone
// (proveStability: Krawczyk, root Jacobian enclosure, eigenvalue discs) on
// the fixed points Find gives on the trained flip-flop RNN-16 (27 points),
// the stage that was a third of that network's Find.
func BenchmarkProveStabilityFlipFlop(b *testing.B) {
	for _, kind := range []string{"rnn"} {
		b.Run(kind+"16", func(b *testing.B) {
			p := flipFlopProblem(b, kind)
			s := Settings{Seed: benchSeed}
			res, err := Find(context.Background(), p, &s)
			if err != nil {
				b.Fatal(err)
			}
			s.fill()
			proved := 0
			for b.Loop() {
				fp := res.Fixed.Clone()
				if err := proveStability(context.Background(), p.Cell, fp, s); err != nil {
					b.Fatal(err)
				}
				proved = 0
				for _, q := range fp.Points {
					if q.Stability.Proved {
						proved++
					}
				}
			}
			b.ReportMetric(float64(proved), "proved")
		})
	}
}

// seeds counts the completion's seeds.
func seeds(st Stats) int {
	n := 0
	for _, r := range st.Completion {
		n += r.Midpoints + r.Deflated
	}
	return n
}

// loadAvg is /proc/loadavg's three load averages, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
