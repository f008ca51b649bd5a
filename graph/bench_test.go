package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
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
				o.SetStates(torchref.RandVec(r, B*c.StateSize()))
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
			x := torchref.RandVec(r, B*N)
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

// BenchmarkJacobianLanes measures all Jacobians of a batch as the rows per
// pass (B*L) vary: LSTM-16 at 1024 points and a 1000-unit tanh RNN at 3.
func BenchmarkJacobianLanes(b *testing.B) {
	cases := []struct {
		kind string
		h, B int
		rows []int
	}{
		{"lstm", 16, 1024, []int{1024, 2048, 4096, 8192}},
		{"rnn", 1000, 3, []int{512, 1024, 1500, 2048, 3000}},
	}
	for _, c := range cases {
		for _, rows := range c.rows {
			L := min(rows/c.B, 2*c.h)
			if c.kind == "rnn" {
				L = min(rows/c.B, c.h)
			}
			b.Run(fmt.Sprintf("%s/H=%d/B=%d/rows=%d", c.kind, c.h, c.B, c.B*L), func(b *testing.B) {
				cell := benchCell(c.kind, c.h)
				j, err := NewJacobiansLanes(cell, c.B, L, Float64)
				if err != nil {
					b.Fatal(err)
				}
				N, M := cell.StateSize(), cell.InputSize()
				r := rand.New(rand.NewPCG(1, 1))
				x := torchref.RandVec(r, c.B*N)
				jx, ju := make([]float64, c.B*N*N), make([]float64, c.B*N*M)
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
}

// BenchmarkBuild measures building and compiling the objective and the
// Jacobian passes of a 16-unit cell at 1024 points (Find builds a few of
// each, one per batch size it meets).
func BenchmarkBuild(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		c := benchCell(kind, 16)
		b.Run("objective/"+kind, func(b *testing.B) {
			for b.Loop() {
				if _, err := NewObjective(c, 1024, Float64); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("jacobians/"+kind, func(b *testing.B) {
			for b.Loop() {
				if _, err := NewJacobians(c, 1024, Float64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSmallRun measures one run of a small program: the objective
// and one step of a 16-unit cell on 8 rows, where gorgonia's fixed cost
// per run (not the arithmetic) is most of the time (#30).
func BenchmarkSmallRun(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		c := benchCell(kind, 16)
		const B = 8
		r := rand.New(rand.NewPCG(1, 1))
		x := torchref.RandVec(r, B*c.StateSize())
		b.Run("objective/"+kind, func(b *testing.B) {
			o, err := NewObjective(c, B, Float64)
			if err != nil {
				b.Fatal(err)
			}
			o.SetStates(x)
			o.SetInputs(make([]float64, c.InputSize()))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Eval(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("step/"+kind, func(b *testing.B) {
			st, err := NewStepper(c, B, Float64)
			if err != nil {
				b.Fatal(err)
			}
			u, out := make([]float64, c.InputSize()), make([]float64, B*c.StateSize())
			b.ReportAllocs()
			for b.Loop() {
				if err := st.Step(x, u, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
