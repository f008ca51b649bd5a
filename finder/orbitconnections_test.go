package finder

import (
	"context"
	"maps"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// The 3-unit ring of orbits.TestRingPeriodThree: h1' = tanh(2 h3 + 0.1),
// h2' = tanh(2.5 h1 - 0.2), h3' = tanh(3 h2 + 0.05).
var connRingW, connRingB, connRingSrc = [3]float64{2, 2.5, 3}, [3]float64{0.1, -0.2, 0.05}, [3]int{2, 0, 1}

func connRingCell() *cells.Vanilla {
	c := cells.NewVanilla(3, 0, cells.Tanh)
	whhT, bhh := c.Params()[1], c.Params()[3]
	for i := 0; i < 3; i++ {
		whhT.Set(connRingSrc[i], i, connRingW[i])
		bhh.Data[i] = connRingB[i]
	}
	return c
}

// connRingSim iterates the ring's map in plain Go n times from x.
func connRingSim(x []float64, n int) []float64 {
	h := append([]float64(nil), x...)
	for s := 0; s < n; s++ {
		var f [3]float64
		for i := range f {
			f[i] = math.Tanh(connRingW[i]*h[connRingSrc[i]] + connRingB[i])
		}
		copy(h, f[:])
	}
	return h
}

// connRingEnd is where the ring's map takes start in exact arithmetic,
// found in plain Go: F^3 acts on each unit alone (unit j at step 3t comes
// from unit j at step 0 through three tanh's), so each unit's chain is
// followed by itself: a unit whose start equals base's (the unperturbed
// fixed point or orbit point) stays on base's value, which is the true
// point's to rounding, and the others are simulated for 3000 steps (a
// multiple of 3, so unit j ends where chain j ends). The end state is
// then matched within 1e-9 against the stable fixed points (end "stable")
// and the orbits' points ("stable_orbit" or "orbit").
func connRingEnd(res *Result, base, start []float64) (end string, to int) {
	y := connRingSim(start, 3000)
	for j := range y {
		if start[j] == base[j] {
			y[j] = base[j]
		}
	}
	for i, p := range res.Fixed.Points {
		if p.Stability.Stable && maxDiff(p.X, y) < 1e-9 {
			return EndStable, i
		}
	}
	for i, o := range res.Orbits {
		for _, p := range o.Points {
			if maxDiff(p, y) < 1e-9 {
				if o.Stable {
					return EndStableOrbit, i
				}
				return EndOrbit, i
			}
		}
	}
	return "", -1
}

// TestOrbitConnectionsRing: on the ring, F^3 acts on each unit alone, so
// the monodromy matrix of a period-3 orbit is diagonal and its unstable
// directions are coordinate axes. Each connection, from an orbit or a
// fixed point, must end where connRingEnd's plain-Go analysis of the same
// start says: each index-1 orbit's two directions at a stable period-3
// orbit or a stable fixed point; each index-2 orbit's onto an index-1
// orbit (the unit not perturbed stays on its unstable value). The fixed
// point's 6, which ended 2 stable and 4 "unsettled" while the orbits were
// unknown to them, end 2 at stable orbits and 2 onto index-1 orbits (at
// 90 and 270 degrees the complex eigenvector's unit whose component is
// real gets no perturbation at all).
func TestOrbitConnectionsRing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	x0 := make([]float64, 3*300)
	for i := range x0 {
		x0[i] = 2.4*rng.Float64() - 1.2
	}
	s := DefaultSettings()
	s.MaxPeriod = 3
	res, err := Find(context.Background(), Problem{Cell: connRingCell(), InitialStates: x0}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 8 || res.Fixed.Len() != 3 {
		t.Fatalf("%d orbits and %d fixed points, want the ring's 8 and 3", len(res.Orbits), res.Fixed.Len())
	}
	t.Logf("fixed points: %s; orbits: %s", ConnectionCounts(res.Fixed.Connections), OrbitConnectionCounts(res.Orbits))
	eps := s.ConnectEps * 1  // max(1, max|x|) = 1 on the ring (|tanh| < 1)
	ends := map[[2]int]int{} // (index of the orbit, end is a stable orbit or point) -> count
	for oi, o := range res.Orbits {
		if o.NUnstable == 0 {
			if len(o.Connections) != 0 {
				t.Errorf("stable orbit %d has %d connections", oi, len(o.Connections))
			}
			continue
		}
		if len(o.Connections) != 2*o.NUnstable {
			t.Errorf("orbit %d of index %d: %d connections, want %d (two per real unstable multiplier)", oi, o.NUnstable, len(o.Connections), 2*o.NUnstable)
		}
		for _, c := range o.Connections {
			m := o.Floquet[c.Multiplier]
			// The eigenvector is an axis e_i; the start is x_0 -+ eps e_i.
			axis := -1
			for i, v := range m.Right {
				if cmplx.Abs(v) > 1-1e-12 {
					axis = i
				}
			}
			if axis < 0 || m.Class != ModeUnstable {
				t.Fatalf("orbit %d multiplier %d (%v, %v): eigenvector %v, want an unstable one along an axis", oi, c.Multiplier, m.Value, m.Class, m.Right)
			}
			start := append([]float64(nil), o.Points[0]...)
			sign := math.Copysign(1, real(m.Right[axis]))
			if c.Direction == 180 {
				sign = -sign
			}
			start[axis] += sign * eps
			end, to := connRingEnd(res, o.Points[0], start)
			if end == "" || c.End != end || c.To != to {
				t.Errorf("orbit %d (index %d) direction %v: ends %q at %d, the plain-Go analysis at %q %d", oi, o.NUnstable, c.Direction, c.End, c.To, end, to)
			}
			stableEnd := 0
			if end == EndStable || end == EndStableOrbit {
				stableEnd = 1
			}
			if end == EndOrbit && res.Orbits[to].NUnstable != 1 {
				t.Errorf("orbit %d ends on orbit %d of index %d, want 1", oi, to, res.Orbits[to].NUnstable)
			}
			ends[[2]int{o.NUnstable, stableEnd}]++
		}
	}
	if want := map[[2]int]int{{1, 1}: 8, {2, 0}: 8}; !maps.Equal(ends, want) {
		t.Errorf("connections by (index, ends at a stable orbit or point): %v, want %v", ends, want)
	}
	fixedEnds := map[string]int{}
	for _, c := range res.Fixed.Connections {
		p := res.Fixed.Points[c.From]
		degs, xs := directions(p.X, p.Modes[c.Mode].Value, p.Modes[c.Mode].Right, s.ConnectEps)
		var start []float64
		for k, d := range degs {
			if d == c.Direction {
				start = xs[k]
			}
		}
		end, to := connRingEnd(res, p.X, start)
		if end == "" || c.End != end || c.To != to {
			t.Errorf("fixed point %d mode %d direction %v: ends %q at %d, the plain-Go analysis at %q %d", c.From, c.Mode, c.Direction, c.End, c.To, end, to)
		}
		fixedEnds[c.End]++
	}
	if want := map[string]int{EndStable: 2, EndStableOrbit: 2, EndOrbit: 2}; !maps.Equal(fixedEnds, want) {
		t.Errorf("fixed-point connections end %v, want %v", fixedEnds, want)
	}
}
