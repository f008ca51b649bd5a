package orbits

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/stability"
)

// tanhFlip is the 1-D map x -> tanh(-a x): for a > 1 the fixed point 0 is
// unstable (multiplier -a) and the only other orbit is the 2-cycle +-x*,
// x* = tanh(a x*), with multiplier (a (1 - x*^2))^2.
func tanhFlip(a float64) *cells.Vanilla {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = -a
	return c
}

// positiveRoot solves x = tanh(a x), x > 0, by bisection in float64 (an
// answer independent of the package's Newton on the shooting system).
func positiveRoot(a float64) float64 {
	lo, hi := 1e-3, 1.0 // x - tanh(a x) < 0 at lo (a > 1), > 0 at 1
	for i := 0; i < 200; i++ {
		m := 0.5 * (lo + hi)
		if m-math.Tanh(a*m) < 0 {
			lo = m
		} else {
			hi = m
		}
	}
	return 0.5 * (lo + hi)
}

func TestTanhTwoCycle(t *testing.T) {
	for _, a := range []float64{1.5, 2, 4} {
		xs := positiveRoot(a)
		wantMult := math.Pow(a*(1-xs*xs), 2)
		var x0 []float64
		for i := 0; i < 64; i++ {
			x0 = append(x0, -1.5+3*float64(i)/63)
		}
		s := DefaultSettings()
		s.MaxPeriod = 4
		res, err := Find(context.Background(), Problem{Cell: tanhFlip(a), InitialStates: x0}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != Converged || len(res.Orbits) != 1 {
			t.Fatalf("a = %g: status %v, %d orbits, want one (the 2-cycle); stats %+v", a, res.Status, len(res.Orbits), res.Stats)
		}
		o := res.Orbits[0]
		if o.Period != 2 || len(o.Points) != 2 {
			t.Fatalf("a = %g: period %d with %d points, want 2", a, o.Period, len(o.Points))
		}
		if d0, d1 := math.Abs(o.Points[0][0]+xs), math.Abs(o.Points[1][0]-xs); d0 > 1e-12 || d1 > 1e-12 {
			t.Errorf("a = %g: points %v, want [-%v %v]", a, o.Points, xs, xs)
		}
		if o.Residual > 1e-12 {
			t.Errorf("a = %g: residual %g", a, o.Residual)
		}
		m := o.Floquet[0]
		if len(o.Floquet) != 1 || math.Abs(real(m.Value)-wantMult) > 1e-12*wantMult || imag(m.Value) != 0 {
			t.Errorf("a = %g: multiplier %v, want %v", a, m.Value, wantMult)
		}
		if m.Bound > 1e-10 || m.Class != stability.ModeStable || !m.Proved || !o.Stable || o.NUnstable != 0 {
			t.Errorf("a = %g: multiplier bound %g class %v (proved %v), stable %v, index %d; want a proved stable orbit", a, m.Bound, m.Class, m.Proved, o.Stable, o.NUnstable)
		}
		// Proved: Krawczyk on the shooting system, with both points apart.
		if pr := o.Proof; pr == nil || pr.Radius > 1e-13 || pr.UniqueRadius < 1e-3 || !pr.MinimalPeriod {
			t.Errorf("a = %g: proof %+v (%s), want a radius below 1e-13, uniqueness beyond 1e-3 and the minimal period proved", a, pr, o.ProofReason)
		}
		if res.Stats.Shorter == 0 || res.Stats.FixedPoints == 0 {
			t.Errorf("a = %g: the period-4 search should meet the 2-cycle again and the fixed point 0: stats %+v", a, res.Stats)
		}
		if o.Proof != nil {
			t.Logf("a = %g: x* = %.17g, multiplier %.17g (want %.17g), bound %.3g, proved within %.2g, unique within %.2g; stats %+v", a, o.Points[1][0], real(m.Value), wantMult, m.Bound, o.Proof.Radius, o.Proof.UniqueRadius, res.Stats)
		}
	}
}

// A continuous-time RNN's Euler step h' = 0.1 h + 0.9 tanh(-3h) (alpha =
// 0.9, rate form): its factor D = alpha is constant, so its 2-cycle +-x*,
// 1.1 x* = 0.9 tanh(3 x*), is proved as a vanilla RNN's, with multiplier
// (0.1 - 2.7 (1 - tanh(3x*)^2))^2.
func TestCTRNNTwoCycleProved(t *testing.T) {
	c, err := cells.NewCTRNN(1, 0, 0.9, cells.FormRate, cells.ActTanh)
	if err != nil {
		t.Fatal(err)
	}
	c.Params()[1].Data[0] = -3
	lo, hi := 1e-3, 1.0 // 1.1 x - 0.9 tanh(3x): < 0 at lo, > 0 at 1
	for i := 0; i < 200; i++ {
		m := 0.5 * (lo + hi)
		if 1.1*m-0.9*math.Tanh(3*m) < 0 {
			lo = m
		} else {
			hi = m
		}
	}
	xs := 0.5 * (lo + hi)
	th := math.Tanh(3 * xs)
	want := math.Pow(0.1-2.7*(1-th*th), 2)
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
	m := o.Floquet[0]
	if math.Abs(o.Points[1][0]-xs) > 1e-12 || math.Abs(real(m.Value)-want) > 1e-12 || o.Proof == nil || !m.Proved || !o.Stable {
		t.Errorf("orbit %v multiplier %v (proved %v), proof %+v (%s); want +-%.16f, %.16f, proved, stable", o.Points, m.Value, m.Proved, o.Proof, o.ProofReason, xs, want)
	}
}
