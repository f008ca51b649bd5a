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

// TestDerivsFromExpsAreSeparate: sigmDerivsExp and tanhDerivsExp, given
// math's exponentials and tanh (as the GRU's QHessianInto takes them from
// vmath for all units at once), give sigm's, dsigm's and dtanh's bits, on
// values from the saturated ends to the subnormals, ±0 and ±Inf.
func TestDerivsFromExpsAreSeparate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	vals := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e-310, -1e-310, 800, -800, 355, -355}
	for range 200000 {
		vals = append(vals, math.Ldexp(2*r.Float64()-1, r.IntN(16)-6), r.NormFloat64()*3)
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	for _, a := range vals {
		s, sm, d, dd := sigmDerivsExp(math.Exp(-a), math.Exp(a))
		if !same(s, sigm(a)) || !same(sm, sigm(-a)) || !same(d, dsigm(a)) || !same(dd, d*(sigm(-a)-sigm(a))) {
			t.Fatalf("sigmDerivsExp at %v: %v %v %v %v, separate %v %v %v", a, s, sm, d, dd, sigm(a), sigm(-a), dsigm(a))
		}
		tn, td, tdd := tanhDerivsExp(math.Tanh(a), math.Exp(-2*a), math.Exp(2*a))
		if !same(tn, math.Tanh(a)) || !same(td, dtanh(a)) || !same(tdd, -2*math.Tanh(a)*dtanh(a)) {
			t.Fatalf("tanhDerivsExp at %v: %v %v %v, separate %v %v", a, tn, td, tdd, math.Tanh(a), dtanh(a))
		}
	}
}

// TestVanillaFactorsAsBefore: the vanilla RNN's Factor (tanh and tanh' by
// interval.TanhSet) and FactorJacobianTo (its vectors from an arena, −I
// without radii) give the bits of the code that mapped Tanh and TanhDeriv
// over the pre-activations and added negOnes, on points and boxes up to
// radius 10, with and without inputs, at moderate and saturating weights.
func TestVanillaFactorsAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 30))
	bits := func(m interval.Mat) []uint64 {
		out := make([]uint64, 0, 2*len(m.Mid))
		for i := range m.Mid {
			out = append(out, math.Float64bits(m.Mid[i]), math.Float64bits(m.Rad[i]))
		}
		return out
	}
	ibits := func(v []interval.I) []uint64 {
		out := make([]uint64, 0, 2*len(v))
		for _, e := range v {
			out = append(out, math.Float64bits(e.Lo), math.Float64bits(e.Hi))
		}
		return out
	}
	n := 0
	for _, m := range []int{0, 3} {
		for _, w := range []float64{0.3, 1, 30} {
			c := NewVanilla(7, m, Tanh)
			c.InitUniform(3)
			for _, p := range c.Params() {
				for i := range p.Data {
					p.Data[i] *= w
				}
			}
			for _, r := range []float64{0, 0, 1e-12, 1e-6, 1e-2, 1, 10} {
				x := make([]interval.I, 7)
				for i := range x {
					v := 2*rng.Float64() - 1
					x[i] = interval.New(interval.Down(v-r), interval.Up(v+r))
				}
				u := make([]float64, m)
				for i := range u {
					u[i] = rng.NormFloat64()
				}
				a := c.pre(0, x, pointBox(u), true)
				wantJ := c.dFdxTo(interval.Mat{}, vec(mapI(a, interval.TanhDeriv)))
				wantJ.AddDiag(0, 0, negOnes(7))
				wantG := zipI(mapI(a, interval.Tanh), x, interval.Sub)
				f, err := c.Factor(x, u, true)
				if err != nil {
					t.Fatal(err)
				}
				j, err := c.FactorJacobianTo(interval.NewMat(7, 7), x, u)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(bits(f.J), bits(wantJ)) || !slices.Equal(bits(j), bits(wantJ)) || !slices.Equal(ibits(f.G), ibits(wantG)) {
					t.Fatalf("m %d, w %g, r %g: Factor or FactorJacobianTo differs from the old path", m, w, r)
				}
				n++
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d boxes", n)
	}
}
