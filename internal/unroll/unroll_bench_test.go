package unroll

import (
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// BenchmarkUnrolled times one loss-and-gradient run and one forward run of
// the 16-unit cells unrolled over the flip-flop's 64 steps for 64 trials
// (the training default), and the build (graph, gradient, two compiles).
func BenchmarkUnrolled(b *testing.B) {
	const B, T, M, O, H = 64, 64, 3, 3, 16
	cellsByName := map[string]func() cells.TorchCell{
		"lstm": func() cells.TorchCell { return cells.NewLSTM(H, M) },
		"gru":  func() cells.TorchCell { return cells.NewGRU(H, M) },
		"rnn":  func() cells.TorchCell { return cells.NewVanilla(H, M, cells.Tanh) },
	}
	for _, name := range []string{"lstm", "gru", "rnn"} {
		c := cellsByName[name]()
		c.(interface{ InitUniform(uint64) }).InitUniform(1)
		build := func() *Graph {
			u, err := New(c, cells.NewParam("w", H, O), cells.NewParam("b", 1, O), nil, Config{Batch: B, Steps: T})
			if err != nil {
				b.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			if err := u.SetSequences(torchref.RandVec(r, B*T*M), torchref.RandVec(r, B*T*O)); err != nil {
				b.Fatal(err)
			}
			return u
		}
		b.Run(name+"/build", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				build()
			}
		})
		u := build()
		b.Run(name+"/lossgrad", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := u.LossGrad(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/forward", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := u.Forward(nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
