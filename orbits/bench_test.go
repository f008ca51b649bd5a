package orbits

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// BenchmarkFindRandomRNN seeks orbits of period 2..4 of a random tanh RNN
// of 32 units with gain 2 (chaotic-ish: many unstable orbits) from 256
// candidates.
func BenchmarkFindRandomRNN(b *testing.B) {
	const N, B = 32, 256
	c := cells.NewVanilla(N, 0, cells.Tanh)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range c.Params()[1].Data {
		c.Params()[1].Data[i] = 2 * r.NormFloat64() / 5.66
	}
	x0 := make([]float64, B*N)
	for i := range x0 {
		x0[i] = 2*r.Float64() - 1
	}
	s := DefaultSettings()
	s.MaxPeriod = 4
	for b.Loop() {
		res, err := Find(context.Background(), Problem{Cell: c, InitialStates: x0}, &s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Orbits)), "orbits")
		b.ReportMetric(float64(res.Stats.NewtonIters), "newton-iters")
		b.ReportMetric(float64(res.Stats.Iters), "search-iters")
		b.ReportMetric(float64(res.Stats.Converged), "converged")
	}
}
