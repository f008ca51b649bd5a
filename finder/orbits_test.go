package finder

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
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

// hopfFlowCell is F(x) = x + mu x + omega R x - |x|^2 x: the flow
// dx/dt = F(x) - x is the Hopf normal form, with the limit cycle
// |x| = sqrt(mu) of period 2 pi / omega around the unstable focus 0.
type hopfFlowCell struct{ params []*cells.Param }

func newHopfFlowCell(mu, omega float64) *hopfFlowCell {
	aT := cells.NewParam("a_T", 2, 2)
	aT.Set(0, 0, 1+mu)
	aT.Set(1, 1, 1+mu)
	aT.Set(0, 1, omega)
	aT.Set(1, 0, -omega)
	ones := cells.NewParam("ones", 2, 2)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	return &hopfFlowCell{params: []*cells.Param{aT, ones}}
}

func (c *hopfFlowCell) StateSize() int         { return 2 }
func (c *hopfFlowCell) InputSize() int         { return 0 }
func (c *hopfFlowCell) Params() []*cells.Param { return c.params }
func (c *hopfFlowCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	lin := G.Must(G.Mul(x, p[0]))
	r2 := G.Must(G.Mul(G.Must(G.Square(x)), p[1]))
	return G.Sub(lin, G.Must(G.HadamardProd(r2, x)))
}

// TestFindCycles: with ContinuousTime and Cycles, Find reports the focus 0
// as a fixed point and the limit cycle |x| = 0.5, T = 2 pi / 1.3, stable,
// in Result.Cycles.
func TestFindCycles(t *testing.T) {
	s := DefaultSettings()
	s.ContinuousTime, s.Cycles = true, true
	res, err := Find(context.Background(), Problem{Cell: newHopfFlowCell(0.25, 1.3), InitialStates: []float64{0.05, 0, 1, 1, -0.3, 0.2}}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cycles) != 1 {
		t.Fatalf("%d cycles, want 1", len(res.Cycles))
	}
	c := res.Cycles[0]
	if math.Abs(c.Period-2*math.Pi/1.3) > 1e-8 || math.Abs(math.Hypot(c.X0[0], c.X0[1])-0.5) > 1e-8 || !c.Stable {
		t.Errorf("cycle of period %v through %v (stable %v), want period %v, radius 0.5, stable", c.Period, c.X0, c.Stable, 2*math.Pi/1.3)
	}
	s.ContinuousTime = false
	if _, err := Find(context.Background(), Problem{Cell: newHopfFlowCell(0.25, 1.3), InitialStates: []float64{0.05, 0}}, &s); !errors.Is(err, ErrSettings) {
		t.Errorf("Cycles without ContinuousTime: error %v, want ErrSettings", err)
	}
}

// A MaxPeriod whose shooting system would exceed orbits' limit is cut to
// what fits, with a warning, and the search goes on.
func TestFindOrbitsLimit(t *testing.T) {
	c := cells.NewVanilla(200, 0, cells.Tanh)
	s := DefaultSettings()
	s.MaxPeriod, s.NoComplete, s.NoConnections = 4, true, true
	x0 := make([]float64, 200)
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: x0}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stats.Warnings) == 0 || !strings.Contains(res.Stats.Warnings[len(res.Stats.Warnings)-1], "up to period 2 only, not 4") {
		t.Errorf("warnings %q, want one saying the orbits were sought up to period 2", res.Stats.Warnings)
	}
}
