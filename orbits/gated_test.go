package orbits

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func sig(a float64) float64 { return 1 / (1 + math.Exp(-a)) }

// lstmOne is a 1-unit LSTM without input, state (h, c): i = σ(2),
// f = σ(h - 2) (so D = 1 - f varies), g = tanh(-8h), o = σ(2); with its
// plain-Go step.
func lstmOne() (cells.Cell, func(x []float64) []float64) {
	c := cells.NewLSTM(1, 0)
	p := c.Params() // per gate i, f, g, o: w_ih_T, w_hh_T, b_ih, b_hh
	p[3].Data[0] = 2
	p[5].Data[0], p[7].Data[0] = 1, -2
	p[9].Data[0] = -8
	p[15].Data[0] = 2
	return c, func(x []float64) []float64 {
		h, cc := x[0], x[1]
		c2 := sig(h-2)*cc + sig(2)*math.Tanh(-8*h)
		return []float64{sig(2) * math.Tanh(c2), c2}
	}
}

// gruStack is two 1-unit GRU layers: layer 0 is gruOne, layer 1 takes its
// new h as input (n = tanh(r (0.3 h1) + 1.5 in), z = σ(0.5 in + 0.3 h1),
// r = σ(0.2 in)); with its plain-Go step.
func gruStack(t *testing.T) (cells.Cell, func(x []float64) []float64) {
	s, err := cells.NewStack("gru", 1, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	l0, l1 := s.Layers()[0].Params(), s.Layers()[1].Params()
	g0, F0 := gruOne()
	for k, p := range g0.Params() {
		copy(l0[k].Data, p.Data)
	}
	l1[0].Data[0] = 0.2                     // w_ih_r
	l1[4].Data[0], l1[5].Data[0] = 0.5, 0.3 // w_ih_z, w_hh_z
	l1[8].Data[0], l1[9].Data[0] = 1.5, 0.3 // w_ih_n, w_hh_n
	return s, func(x []float64) []float64 {
		h0, _ := F0(x[0])
		h1 := x[1]
		r, z := sig(0.2*h0), sig(0.5*h0+0.3*h1)
		n := math.Tanh(r*(0.3*h1) + 1.5*h0)
		return []float64{h0, (1-z)*n + z*h1}
	}
}

// TestGatedOrbitsProved: an LSTM's 2-cycle (D = 1 - f varies on the c
// rows) and a two-layer GRU stack's (layer 1's D depends on layer 0's new
// h: the chain rule through the layers) are proved with their
// multipliers. Each is stable, and a plain-Go simulation of 20000 steps
// from the orbit's point, perturbed by 1e-3, returns to within the
// proof's radius (plus 1e-13 of rounding) of its points.
func TestGatedOrbitsProved(t *testing.T) {
	lc, lf := lstmOne()
	sc, sf := gruStack(t)
	for _, tc := range []struct {
		name string
		cell cells.Cell
		step func([]float64) []float64
		x0   []float64
	}{
		{"lstm", lc, lf, []float64{-0.5, -0.5, 0.3, 0.3, 0.8, 0.1}},
		{"gru stack", sc, sf, []float64{-1, 0, -0.4, 0.5, 0.2, -0.2, 0.9, 1}},
	} {
		s := DefaultSettings()
		s.MaxPeriod = 2
		res, err := Find(context.Background(), Problem{Cell: tc.cell, InitialStates: tc.x0}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Orbits) != 1 {
			t.Fatalf("%s: %d orbits, want one 2-cycle", tc.name, len(res.Orbits))
		}
		o := res.Orbits[0]
		if o.Proof == nil || !o.Proof.MinimalPeriod {
			t.Fatalf("%s: orbit %v not proved: %s", tc.name, o.Points, o.ProofReason)
		}
		for _, m := range o.Floquet {
			if !m.Proved || m.Class.String() != "stable" {
				t.Errorf("%s: multiplier %v (bound %.3g) proved %v, class %v; want proved stable", tc.name, m.Value, m.Bound, m.Proved, m.Class)
			}
		}
		x := append([]float64(nil), o.Points[0]...)
		for i := range x {
			x[i] += 1e-3
		}
		for k := 0; k < 20000; k++ {
			x = tc.step(x)
		}
		d := 0.0
		for i := range x {
			d = math.Max(d, math.Abs(x[i]-o.Points[0][i]))
		}
		if d > o.Proof.Radius+1e-13 {
			t.Errorf("%s: the simulation ends %.3g from the orbit's point, beyond the radius %.3g", tc.name, d, o.Proof.Radius)
		}
		t.Logf("%s: 2-cycle %v, radius %.3g, unique within %.3g, multipliers %v; simulation within %.3g", tc.name, o.Points, o.Proof.Radius, o.Proof.UniqueRadius, []complex128{o.Floquet[0].Value, o.Floquet[1].Value}, d)
	}
}
