package unroll

import (
	"math"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/cells"
)

// testCells are the four PyTorch cells with weights large enough to
// exercise the nonlinearities (as package graph's tests).
func testCells() map[string]cells.TorchCell {
	v := cells.NewVanilla(5, 3, cells.Tanh)
	r := cells.NewVanilla(5, 3, cells.ReLU)
	g := cells.NewGRU(5, 3)
	l := cells.NewLSTM(4, 3)
	for i, c := range []interface{ InitUniform(uint64) }{v, r, g, l} {
		c.InitUniform(uint64(i + 1))
	}
	for _, c := range []cells.TorchCell{v, r, g, l} {
		for _, p := range c.Params() {
			for k := range p.Data {
				p.Data[k] *= 2
			}
		}
	}
	return map[string]cells.TorchCell{"rnn": v, "relu": r, "gru": g, "lstm": l}
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

func relErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(1e-3, math.Max(math.Abs(a), math.Abs(b)))
}
