package orbits

import (
	"context"
	"math"
	"math/cmplx"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/stability"
	G "gorgonia.org/gorgonia"
)

// hopfCell is F(x) = x + g(x) with g the Hopf normal form
//
//	g(x) = mu x + omega R x - |x|^2 x,   R = [[0, -1], [1, 0]],
//
// so that the flow dx/dt = F(x) - x = g(x) has, in polar coordinates,
// dr/dt = mu r - r^3 and dtheta/dt = omega: the limit cycle r = sqrt(mu)
// of period 2 pi / omega with Floquet multipliers 1 and exp(-2 mu T).
type hopfCell struct{ params []*cells.Param }

func newHopfCell(mu, omega float64) *hopfCell {
	aT := cells.NewParam("a_T", 2, 2) // A^T, A = (1 + mu) I + omega R
	aT.Set(0, 0, 1+mu)
	aT.Set(1, 1, 1+mu)
	aT.Set(0, 1, omega) // A[1][0] = omega
	aT.Set(1, 0, -omega)
	ones := cells.NewParam("ones", 2, 2)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	return &hopfCell{params: []*cells.Param{aT, ones}}
}

func (c *hopfCell) StateSize() int         { return 2 }
func (c *hopfCell) InputSize() int         { return 0 }
func (c *hopfCell) Params() []*cells.Param { return c.params }
func (c *hopfCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	lin, err := G.Mul(x, p[0])
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	r2, err := G.Mul(sq, p[1]) // every column holds |x|^2
	if err != nil {
		return nil, err
	}
	cub, err := G.HadamardProd(r2, x)
	if err != nil {
		return nil, err
	}
	return G.Sub(lin, cub)
}

func TestHopfLimitCycle(t *testing.T) {
	const mu, omega = 0.25, 1.3
	wantR, wantT := math.Sqrt(mu), 2*math.Pi/omega
	wantM := math.Exp(-2 * mu * wantT)
	// Candidates inside and outside the cycle, and the unstable focus's
	// neighbourhood; none settles (the origin is unstable).
	x0 := []float64{0.05, 0, 1.2, -0.3, -0.7, 0.9, 0.3, 0.3}
	res, err := FindCycles(context.Background(), Problem{Cell: newHopfCell(mu, omega), InitialStates: x0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cycles) != 1 {
		t.Fatalf("%d cycles, want 1; stats %+v", len(res.Cycles), res.Stats)
	}
	c := res.Cycles[0]
	if math.Abs(c.Period-wantT) > 1e-8 {
		t.Errorf("period %.12g, want %.12g (diff %.2g)", c.Period, wantT, c.Period-wantT)
	}
	maxRad := 0.0
	for _, p := range c.Points {
		maxRad = max(maxRad, math.Abs(math.Hypot(p[0], p[1])-wantR))
	}
	if maxRad > 1e-8 || len(c.Points) < 100 {
		t.Errorf("radius off by up to %.2g over %d points, want within 1e-8 of %g", maxRad, len(c.Points), wantR)
	}
	if len(c.Floquet) != 2 {
		t.Fatalf("%d multipliers", len(c.Floquet))
	}
	triv, other := c.Floquet[c.Trivial], c.Floquet[1-c.Trivial]
	if cmplx.Abs(triv.Value-1) > 1e-8 || cmplx.Abs(other.Value-complex(wantM, 0)) > 1e-8 {
		t.Errorf("multipliers %v (trivial) and %v, want 1 and %.12g", triv.Value, other.Value, wantM)
	}
	if other.Class != stability.ModeStable || !c.Stable || c.NUnstable != 0 {
		t.Errorf("cycle stable %v index %d, multiplier class %v: want a stable cycle", c.Stable, c.NUnstable, other.Class)
	}
	t.Logf("T = %.15g (want %.15g), radius error %.2g, multipliers %v %v (want 1, %.15g), integration error %.2g, stats %+v",
		c.Period, wantT, maxRad, triv.Value, other.Value, wantM, c.IntegrationError, res.Stats)
}
