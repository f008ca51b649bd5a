package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func benchUnrolled(b *testing.B, c cells.Cell, R int) {
	const B, T, O = 128, 64, 3
	w := cells.NewParam("w", R, O)
	bias := cells.NewParam("b", 1, O)
	u, err := NewUnrolled(c, w, bias, nil, UnrollConfig{Batch: B, Steps: T})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	in := randVec(r, B*T*c.InputSize())
	tg := randVec(r, B*T*O)
	if err := u.SetSequences(in, tg); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := u.LossGrad(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnrolledLossGrad(b *testing.B) {
	l := cells.NewLSTM(16, 3)
	l.InitUniform(1)
	g := cells.NewGRU(16, 3)
	g.InitUniform(1)
	v := cells.NewVanilla(16, 3, cells.Tanh)
	v.InitUniform(1)
	b.Run("lstm", func(b *testing.B) { benchUnrolled(b, l, 16) })
	b.Run("gru", func(b *testing.B) { benchUnrolled(b, g, 16) })
	b.Run("rnn", func(b *testing.B) { benchUnrolled(b, v, 16) })
}
