package cells

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/interval"
)

// TestLSTMFhxInPlace: the LSTM's dG/dx built with ∂F_h/∂x in its own rows
// (SettleBlock) is the one built apart and added (AddBlock), bit for bit,
// through Factor and FactorJacobian, on boxes from a point to radius 1,
// at moderate and saturating weights.
func TestLSTMFhxInPlace(t *testing.T) {
	defer func() { lstmFhxApart = false }()
	rng := rand.New(rand.NewPCG(11, 12))
	bits := func(m interval.Mat) []uint64 {
		out := make([]uint64, 0, 2*len(m.Mid))
		for i := range m.Mid {
			out = append(out, math.Float64bits(m.Mid[i]), math.Float64bits(m.Rad[i]))
		}
		return out
	}
	for _, w := range []float64{0.3, 1, 30} {
		l := NewLSTM(5, 2)
		l.InitUniform(3)
		for _, p := range l.Params() {
			for i := range p.Data {
				p.Data[i] *= w
			}
		}
		for _, r := range []float64{0, 1e-9, 1e-3, 1} {
			x := make([]interval.I, 10)
			for i := range x {
				v := rng.Float64() - 0.5
				x[i] = interval.New(v-r, v+r)
			}
			u := []float64{rng.Float64(), -rng.Float64()}
			lstmFhxApart = true
			want, err := l.Factor(x, u, true)
			if err != nil {
				t.Fatal(err)
			}
			lstmFhxApart = false
			got, err := l.Factor(x, u, true)
			if err != nil {
				t.Fatal(err)
			}
			j, err := l.FactorJacobian(x, u)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(bits(got.J), bits(want.J)) || !slices.Equal(bits(j), bits(want.J)) {
				t.Fatalf("w %g, r %g: dG/dx differs from the one built apart", w, r)
			}
			if !slices.Equal(bits(got.DJ), bits(want.DJ)) {
				t.Fatalf("w %g, r %g: dD/dx differs", w, r)
			}
		}
	}
}
