package cells_test

import (
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
)

// benchCell is a 16-unit cell of 3 inputs of the kind ("rnn", "gru" or
// "lstm"), uniformly initialized with seed 1.
func benchCell(kind string) cells.Factored {
	switch kind {
	case "gru":
		g := cells.NewGRU(16, 3)
		g.InitUniform(1)
		return g
	case "lstm":
		l := cells.NewLSTM(16, 3)
		l.InitUniform(1)
		return l
	}
	v := cells.NewVanilla(16, 3, cells.Tanh)
	v.InitUniform(1)
	return v
}

// BenchmarkResiduals is one float64 evaluation of G and D at a point of
// each 16-unit cell (the finder's "near" test calls it per candidate).
func BenchmarkResiduals(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		b.Run(kind, func(b *testing.B) {
			c := benchCell(kind)
			x := make([]float64, c.StateSize())
			for i := range x {
				x[i] = 0.1 * float64(i%7-3)
			}
			u := []float64{1, 0, 0}
			for b.Loop() {
				if _, _, err := cells.Residuals(c, x, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFactorPoint16 is one enclosure of G and dG on a point box of a
// 16-unit GRU (a Newton step's and a proof's centre evaluation).
func BenchmarkFactorPoint16(b *testing.B) {
	c := cells.NewGRU(16, 3)
	c.InitUniform(1)
	x := make([]interval.I, 16)
	for i := range x {
		x[i] = interval.Point(0.1 * float64(i%7-3))
	}
	u := []float64{1, 0, 0}
	for b.Loop() {
		if _, err := c.Factor(x, u, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFactorBox16 is one enclosure of G and dG over a box of radius
// 1e-3 of each 16-unit cell (a proof's unit of work).
func BenchmarkFactorBox16(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		b.Run(kind, func(b *testing.B) {
			c := benchCell(kind)
			x := make([]interval.I, c.StateSize())
			for i := range x {
				v := 0.1 * float64(i%7-3)
				x[i] = interval.New(v-1e-3, v+1e-3)
			}
			u := []float64{1, 0, 0}
			for b.Loop() {
				if _, err := c.Factor(x, u, true); err != nil {
					b.Fatal(err)
				}
			}
		})
		// dG/dx alone, as Krawczyk's uniqueness tests take it.
		if jc, ok := benchCell(kind).(cells.JacobianFactored); ok {
			b.Run(kind+"/jacobian", func(b *testing.B) {
				x := make([]interval.I, jc.StateSize())
				for i := range x {
					v := 0.1 * float64(i%7-3)
					x[i] = interval.New(v-1e-3, v+1e-3)
				}
				u := []float64{1, 0, 0}
				for b.Loop() {
					if _, err := jc.FactorJacobian(x, u); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkQHessianInto16 is one closed-form Jacobian and Hessian of q at a
// point of the 16-unit GRU and LSTM (the dense slow descent takes one per
// candidate and iteration).
func BenchmarkQHessianInto16(b *testing.B) {
	for _, kind := range []string{"gru", "lstm"} {
		b.Run(kind, func(b *testing.B) {
			c := benchCell(kind).(interface {
				cells.Cell
				cells.QHessianInto
			})
			N := c.StateSize()
			x := make([]float64, N)
			for i := range x {
				x[i] = 0.1 * float64(i%7-3)
			}
			u := []float64{1, 0, 0}
			jac, hess := make([]float64, N*N), make([]float64, N*N)
			for b.Loop() {
				if !c.QHessianInto(x, u, jac, hess) {
					b.Fatal("no closed form")
				}
			}
		})
	}
}
