package orbits

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// gruOne is a 1-unit GRU without input: r = σ(3), z = σ(0.8h - 1) (so D =
// 1 - z varies with h), n = tanh(r (-3h)); F(h) = (1 - z) n + z h, with
// F'(h) = (1 - z) n' + z + (h - n) z'. Its slope at the fixed point 0 is
// below -1, so a 2-cycle (not symmetric: z is not even) surrounds it.
func gruOne() (*cells.GRU, func(h float64) (f, df float64)) {
	c := cells.NewGRU(1, 0)
	p := c.Params()
	p[3].Data[0] = 3   // b_hh_r
	p[5].Data[0] = 0.8 // w_hh_z
	p[7].Data[0] = -1  // b_hh_z
	p[9].Data[0] = -3  // w_hh_n
	r := 1 / (1 + math.Exp(-3))
	return c, func(h float64) (f, df float64) {
		a := 0.8*h - 1
		z, omz := 1/(1+math.Exp(-a)), 1/(1+math.Exp(a))
		n := math.Tanh(r * -3 * h)
		f = omz*n + z*h
		df = omz*(1-n*n)*r*-3 + z + (h-n)*z*omz*0.8
		return f, df
	}
}

// TestGRUTwoCycleProved: a gated cell's orbit is proved, its dF/dx
// enclosed as I + diag(D) dG/dx + diag(G) dD/dx (cells.Factors.DJ). The
// 2-cycle of gruOne is found against bisection on F(F(x)) - x in plain Go
// (its two roots besides 0): each point within the proof's radius (plus
// rounding), the multiplier F'(x0) F'(x1) within its proved bound, the
// minimal period proved.
func TestGRUTwoCycleProved(t *testing.T) {
	c, F := gruOne()
	g := func(x float64) float64 {
		y, _ := F(x)
		z, _ := F(y)
		return z - x
	}
	var roots []float64
	const n = 2000
	for i := 0; i < n; i++ {
		lo, hi := -1+2*float64(i)/n, -1+2*float64(i+1)/n
		if g(lo) == 0 || g(lo)*g(hi) > 0 || math.Abs(lo) < 1e-9 || math.Abs(hi) < 1e-9 {
			continue
		}
		for k := 0; k < 200; k++ {
			m := 0.5 * (lo + hi)
			if g(lo)*g(m) <= 0 {
				hi = m
			} else {
				lo = m
			}
		}
		roots = append(roots, 0.5*(lo+hi))
	}
	if len(roots) != 2 {
		t.Fatalf("bisection: roots %v of F(F(x)) = x besides 0, want the 2-cycle's two", roots)
	}
	_, d0 := F(roots[0])
	_, d1 := F(roots[1])
	want := d0 * d1
	s := DefaultSettings()
	s.MaxPeriod = 2
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: []float64{-1, -0.4, 0.2, 0.9}}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 1 {
		t.Fatalf("%d orbits, want the 2-cycle", len(res.Orbits))
	}
	o := res.Orbits[0]
	if o.Proof == nil {
		t.Fatalf("orbit %v not proved: %s", o.Points, o.ProofReason)
	}
	m := o.Floquet[0]
	tol := o.Proof.Radius + 4e-16
	if math.Abs(o.Points[0][0]-roots[0]) > tol || math.Abs(o.Points[1][0]-roots[1]) > tol || !o.Proof.MinimalPeriod {
		t.Errorf("orbit %v, proof %+v; want %v within the radius, minimal period proved", o.Points, *o.Proof, roots)
	}
	if !m.Proved || math.Abs(real(m.Value)-want) > m.Bound || m.Class.String() != "stable" {
		t.Errorf("multiplier %v (bound %.3g, proved %v, %v), want %.16f, proved stable", m.Value, m.Bound, m.Proved, m.Class, want)
	}
	t.Logf("2-cycle %.16f, %.16f; radius %.3g, unique within %.3g; multiplier %.16f (want %.16f), bound %.3g",
		o.Points[0][0], o.Points[1][0], o.Proof.Radius, o.Proof.UniqueRadius, real(m.Value), want, m.Bound)
}
