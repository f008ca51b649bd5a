package proof_test

import (
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/proof"
)

// TestNewtonReachesTheRoot: from (1, 2) Newton reaches (√2, √2) to a few
// ulps, and from a saturated GRU's slab point (residual F − h below 1e-13)
// it reaches the root of n(h) = h found independently (newtonG).
func TestNewtonReachesTheRoot(t *testing.T) {
	x, gn, err := proof.Newton(circle, []float64{1, 2}, nil)
	if err != nil || math.Abs(x[0]-math.Sqrt2) > 4e-16 || math.Abs(x[1]-math.Sqrt2) > 4e-16 || gn > 1e-15 {
		t.Errorf("circle: %v, |G| %g, %v", x, gn, err)
	}
	c := cells.NewGRU(3, 0)
	c.InitUniform(7)
	bz := c.Params()[4*1+2].Data
	bz[0], bz[1] = 30, 40
	root := newtonG(t, c, []float64{0, 0, 0})
	slab := append([]float64(nil), root...)
	slab[0] += 1e-3
	slab[1] -= 2e-3
	x, gn, err = proof.Newton(proof.CellSystem(c, nil), slab, nil)
	for i := range x {
		if err != nil || math.Abs(x[i]-root[i]) > 1e-14 {
			t.Fatalf("GRU slab: %v, want %v (|G| %g, %v)", x, root, gn, err)
		}
	}
}

// BenchmarkFactorGRU128 is the cost of one enclosure of G and dG over a box
// of a 128-unit GRU, the unit of work of a proof and of a Newton step.
func BenchmarkFactorGRU128(b *testing.B) {
	c := cells.NewGRU(128, 3)
	c.InitUniform(1)
	x := make([]interval.I, 128)
	for i := range x {
		x[i] = interval.New(0.1, 0.1+1e-9)
	}
	u := []float64{1, 0, 0}
	for b.Loop() {
		if _, err := c.Factor(x, u, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKrawczykGRU128 is one proof (with its uniqueness search) at a
// root of a 128-unit GRU.
func BenchmarkKrawczykGRU128(b *testing.B) {
	c := cells.NewGRU(128, 3)
	c.InitUniform(1)
	u := []float64{1, 0, 0}
	sys := proof.CellSystem(c, u)
	x, _, err := proof.Newton(sys, make([]float64, 128), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := proof.Krawczyk(sys, x, nil)
		if err != nil || !res.Proved {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// BenchmarkKrawczykLSTM16 is one proof (with its uniqueness search) at a
// root of a 16-unit LSTM (N = 32; its dG has a block of zeros, whose
// radius terms must stay out of the slow subnormal range).
func BenchmarkKrawczykLSTM16(b *testing.B) {
	c := cells.NewLSTM(16, 3)
	c.InitUniform(1)
	u := []float64{1, 0, 0}
	sys := proof.CellSystem(c, u)
	x, _, err := proof.Newton(sys, make([]float64, 32), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := proof.Krawczyk(sys, x, nil)
		if err != nil || !res.Proved {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
