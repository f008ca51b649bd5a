package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func benchCell(kind string, h int) cells.TorchCell {
	var c cells.TorchCell
	switch kind {
	case "rnn":
		v := cells.NewVanilla(h, 3, cells.Tanh)
		v.InitUniform(1)
		c = v
	case "gru":
		g := cells.NewGRU(h, 3)
		g.InitUniform(1)
		c = g
	case "lstm":
		l := cells.NewLSTM(h, 3)
		l.InitUniform(1)
		c = l
	}
	return c
}

// BenchmarkObjective measures one evaluation of F, q and dq/dX for a batch.
func BenchmarkObjective(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		for _, nb := range [][2]int{{16, 1024}, {64, 256}, {256, 256}} {
			h, B := nb[0], nb[1]
			b.Run(fmt.Sprintf("%s/N=%d/B=%d", kind, h, B), func(b *testing.B) {
				c := benchCell(kind, h)
				o, err := NewObjective(c, B, Float64)
				if err != nil {
					b.Fatal(err)
				}
				r := rand.New(rand.NewPCG(1, 1))
				o.SetStates(randVec(r, B*c.StateSize()))
				o.SetInputs(make([]float64, c.InputSize()))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := o.Eval(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iters/s")
			})
		}
	}
}

// BenchmarkJacobians measures all Jacobians (dF/dx and dF/du) of a batch.
func BenchmarkJacobians(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		b.Run(kind+"/H=16/B=1024", func(b *testing.B) {
			const B = 1024
			c := benchCell(kind, 16)
			j, err := NewJacobians(c, B, Float64)
			if err != nil {
				b.Fatal(err)
			}
			N, M := c.StateSize(), c.InputSize()
			r := rand.New(rand.NewPCG(1, 1))
			x := randVec(r, B*N)
			jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := j.Eval(x, make([]float64, M), jx, ju); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
