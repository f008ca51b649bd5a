package torchref

import (
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/cells"
)

// Cells returns the four PyTorch cells the gorgonia graphs are checked on
// (tanh and ReLU RNNs and a GRU of 5 hidden units, an LSTM of 4, each with
// 3 inputs), keyed "rnn", "relu", "gru" and "lstm". Their weights are
// PyTorch's uniform initialisation (seeds 1 to 4) doubled, large enough to
// exercise the nonlinearities. Each call returns new cells.
func Cells() map[string]cells.TorchCell {
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

// RandVec returns n standard normal values drawn from r.
func RandVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}
