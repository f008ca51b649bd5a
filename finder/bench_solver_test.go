package finder

import (
	"context"
	"testing"

	G "gorgonia.org/gorgonia"
)

// BenchmarkSolversFlipFlop times the first-order search (to the hand-off to
// the refinement, default settings) of each trained 16-unit flip-flop
// network from 1024 sampled states, with our CandidateAdam and with each of
// gorgonia's stock solvers at the rate given (masked as Settings.NewSolver
// describes). It reports the first-order iterations, the search time, the
// whole Find time and what was certified in the end. The README's solver
// table is its output.
func BenchmarkSolversFlipFlop(b *testing.B) {
	solvers := append([]struct {
		name string
		make func(rows, n int) G.Solver
	}{{"CandidateAdam", nil}}, benchStockSolvers...)
	for _, kind := range benchKinds {
		p := flipFlopProblem(b, kind)
		for _, sv := range solvers {
			b.Run(kind+"16/"+sv.name, func(b *testing.B) {
				var res *Result
				search := 0.0
				for i := 0; i < b.N; i++ {
					var err error
					if res, err = Find(context.Background(), p, &Settings{Seed: benchSeed, NewSolver: sv.make}); err != nil {
						b.Fatal(err)
					}
					search += float64(res.Stats.SearchTime.Microseconds()) / 1e3
				}
				st := res.Stats
				b.ReportMetric(search/float64(b.N), "search-ms")
				b.ReportMetric(float64(st.Iters), "iters")
				b.ReportMetric(float64(st.RefineIters), "lm-iters")
				b.ReportMetric(float64(st.Certified), "certified")
				b.ReportMetric(float64(res.Fixed.Len()), "fixed")
			})
		}
	}
}

// benchStockSolvers are gorgonia's stock solvers at the rates of the
// table in docs/library.md ("Any gorgonia solver").
var benchStockSolvers = []struct {
	name string
	make func(rows, n int) G.Solver
}{
	{"Vanilla", func(int, int) G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.5)) }},
	{"Momentum", func(int, int) G.Solver { return G.NewMomentum(G.WithLearnRate(0.1)) }},
	{"AdaGrad", func(int, int) G.Solver { return G.NewAdaGradSolver() }},
	{"RMSProp", func(int, int) G.Solver { return G.NewRMSPropSolver(G.WithLearnRate(0.01)) }},
	{"Adam", func(int, int) G.Solver { return G.NewAdamSolver(G.WithLearnRate(0.05)) }},
	{"BarzilaiBorwein", func(int, int) G.Solver { return G.NewBarzilaiBorweinSolver(G.WithLearnRate(0.5)) }},
}
