package continuation

import (
	"context"
	"math"
	"math/cmplx"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
	G "gorgonia.org/gorgonia"
)

// hopfFamily is F(x, u) = x + u x + omega R x - |x|^2 x (2 states, 1
// input): the flow dx/dt = F - x is the Hopf normal form with mu = u. The
// origin is a fixed point for every u, with eigenvalues u +- i omega of
// J - I: a Hopf point at u = 0, and for u > 0 the stable limit cycle
// |x| = sqrt(u) of period 2 pi / omega, Floquet multipliers 1 and
// exp(-2 u T).
type hopfFamily struct{ params []*cells.Param }

func newHopfFamily(omega float64) *hopfFamily {
	aT := cells.NewParam("a_T", 2, 2) // (I + omega R)^T
	aT.Set(0, 0, 1)
	aT.Set(1, 1, 1)
	aT.Set(0, 1, omega)
	aT.Set(1, 0, -omega)
	ones := cells.NewParam("ones", 2, 2)
	row := cells.NewParam("row", 1, 2)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	row.Data[0], row.Data[1] = 1, 1
	return &hopfFamily{params: []*cells.Param{aT, ones, row}}
}

func (c *hopfFamily) StateSize() int         { return 2 }
func (c *hopfFamily) InputSize() int         { return 1 }
func (c *hopfFamily) Params() []*cells.Param { return c.params }
func (c *hopfFamily) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	lin := G.Must(G.Mul(x, p[0]))
	ux := G.Must(G.HadamardProd(G.Must(G.Mul(u, p[2])), x))
	r2 := G.Must(G.Mul(G.Must(G.Square(x)), p[1]))
	return G.Sub(G.Must(G.Add(lin, ux)), G.Must(G.HadamardProd(r2, x)))
}

func TestFollowHopf(t *testing.T) {
	const omega = 1.3
	T := 2 * math.Pi / omega
	cell := newHopfFamily(omega)
	p := Problem{Cell: cell, Path: Segment([]float64{-0.2}, []float64{0.5})}
	p.Start = seeds(t, p, [][]float64{{0.1, 0.1}})
	s := Settings{ContinuousTime: true}
	_, hopf := continueOne(t, p, s, Hopf)
	if math.Abs(hopf.U[0]) > 1e-8 {
		t.Fatalf("Hopf at u = %g, want 0", hopf.U[0])
	}
	// 400 RK4 steps per period keep the cycles within 1e-8 (the error
	// goes as the step^4: 3e-10 in the radius, 3e-9 in the period) at a
	// fraction of the default's cost; steps of up to 0.25 in u.
	fs := s
	fs.MaxStep, fs.InitialStep = 0.25, 0.1
	br, err := FollowHopf(context.Background(), cell, p.Path, hopf, fs, &orbits.CycleSettings{StepsPerPeriod: 400})
	if err != nil {
		t.Fatal(err)
	}
	if br.End != PathEnd || len(br.Cycles) < 4 {
		t.Fatalf("%d cycles, end %v; want several, to the path's end", len(br.Cycles), br.End)
	}
	for k, c := range br.Cycles {
		u := p.Path.At(br.S[k])[0]
		if u <= 0 {
			t.Errorf("cycle %d at u = %g: want u > 0 (the supercritical side)", k, u)
		}
		worst := 0.0
		for _, x := range c.Points {
			worst = math.Max(worst, math.Abs(math.Hypot(x[0], x[1])-math.Sqrt(u)))
		}
		m := c.Floquet[1-c.Trivial].Value
		want := math.Exp(-2 * u * T)
		if worst > 1e-8 || math.Abs(c.Period-T) > 1e-8 || cmplx.Abs(m-complex(want, 0)) > 1e-8 || !c.Stable {
			t.Errorf("cycle %d at u = %.6f: radius off by %.2g, period %.12f (want %.12f), multiplier %v (want %.10f), stable %v",
				k, u, worst, c.Period, T, m, want, c.Stable)
		}
	}
	t.Logf("%d cycles from u = %.6f to %.6f, end %v", len(br.Cycles), p.Path.At(br.S[0])[0], p.Path.At(br.S[len(br.S)-1])[0], br.End)
}
