package finder

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// TestFindOrbits: with MaxPeriod 3, Find on x -> tanh(-2x + u) reports the
// 2-cycle +-x* (x* = tanh(2x*) = 0.9575040240772688 at u = 0) in
// Result.Orbits beside the unstable fixed point 0, once per input row
// (two rows here: u = 0 and u = 3, where no cycle exists).
func TestFindOrbits(t *testing.T) {
	c := cells.NewVanilla(1, 1, cells.Tanh)
	c.Params()[0].Data[0] = 1  // w_ih
	c.Params()[1].Data[0] = -2 // w_hh
	x0 := []float64{-1, -0.3, 0.4, 1, -1, 0.5}
	u := []float64{0, 0, 0, 0, 3, 3}
	s := DefaultSettings()
	s.MaxPeriod = 3
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: x0, Inputs: u}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 1 {
		t.Fatalf("%d orbits, want the 2-cycle at u = 0 only", len(res.Orbits))
	}
	o := res.Orbits[0]
	const xs = 0.9575040240772688
	if o.Period != 2 || o.U[0] != 0 || math.Abs(o.Points[0][0]+xs) > 1e-13 || math.Abs(o.Points[1][0]-xs) > 1e-13 || !o.Stable {
		t.Errorf("orbit %+v, want the stable 2-cycle +-%v at u = 0", o, xs)
	}
	if res.Fixed.Len() != 2 {
		t.Errorf("%d fixed points, want 0 at u = 0 and one at u = 3", res.Fixed.Len())
	}
	s.ContinuousTime = true
	if _, err := Find(context.Background(), Problem{Cell: c, InitialStates: x0, Inputs: u}, &s); !errors.Is(err, ErrSettings) {
		t.Errorf("MaxPeriod with ContinuousTime: error %v, want ErrSettings", err)
	}
}
