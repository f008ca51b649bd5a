package continuation

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// nsFamily is the planar Neimark-Sacker normal form with a fifth-order
// term, F(x, u) = R(omega) x (1 + u - |x|^2 + b |x|^4) (2 states, 1
// input). The origin is a fixed point for every u with eigenvalues
// (1 + u) e^(+-i omega): a Neimark-Sacker point at u = 0. For u > 0 the
// circle |x| = r, b r^4 - r^2 + u = 0, r^2 = (1 - sqrt(1 - 4 b u)) / 2b,
// is invariant and turned by omega each step. In z = x_1 + i x_2 the
// cubic term is -e^(i omega) z |z|^2: with the unit eigenvector q =
// (1, -i)/sqrt 2, x = z' q + conj(z' q) gives z = sqrt 2 z', Kuznetsov's
// d = -2 and |lambda| = 1 + u, so the normal form's first-order circle is
// |z'|^2 = u/2: |x| = sqrt(u), against the true r = sqrt(u + b u^2 + ...).
//
// With k != 0 the map is seen through the coordinates y = phi(x) =
// (x_1, x_2 + k x_1^2), phi^-1(y) = (y_1, y_2 - k y_1^2): G = phi F phi^-1
// has quadratic terms (which the normal form's B terms must cancel: d and
// the rate do not change, Dphi(0) = I) and the circle phi({|x| = r}).
type nsFamily struct{ params []*cells.Param }

func newNSFamily(omega, b, k float64) *nsFamily {
	rT := cells.NewParam("r_T", 2, 2) // R(omega)^T
	rT.Set(0, 0, math.Cos(omega))
	rT.Set(1, 1, math.Cos(omega))
	rT.Set(0, 1, math.Sin(omega))
	rT.Set(1, 0, -math.Sin(omega))
	ones, bones := cells.NewParam("ones", 2, 2), cells.NewParam("b_ones", 2, 2)
	for i := range ones.Data {
		ones.Data[i], bones.Data[i] = 1, b
	}
	row := cells.NewParam("row", 1, 2)
	row.Data[0], row.Data[1] = 1, 1
	kk := cells.NewParam("k", 2, 2) // (y_1^2, y_2^2) kk = (0, k y_1^2)
	kk.Set(0, 1, k)
	return &nsFamily{params: []*cells.Param{rT, ones, bones, row, kk}}
}

func (c *nsFamily) StateSize() int         { return 2 }
func (c *nsFamily) InputSize() int         { return 1 }
func (c *nsFamily) Params() []*cells.Param { return c.params }
func (c *nsFamily) Step(y, u *G.Node, p []*G.Node) (*G.Node, error) {
	x := G.Must(G.Sub(y, G.Must(G.Mul(G.Must(G.Square(y)), p[4]))))
	lin := G.Must(G.Mul(x, p[0]))
	sq := G.Must(G.Square(x))
	r2 := G.Must(G.Mul(sq, p[1]))
	br4 := G.Must(G.HadamardProd(G.Must(G.Mul(sq, p[2])), r2))
	ul := G.Must(G.HadamardProd(G.Must(G.Mul(u, p[3])), lin))
	out := G.Must(G.Add(lin, ul))
	out = G.Must(G.Sub(out, G.Must(G.HadamardProd(r2, lin))))
	out = G.Must(G.Add(out, G.Must(G.HadamardProd(br4, lin))))
	return G.Add(out, G.Must(G.Mul(G.Must(G.Square(out)), p[4])))
}

// TestFollowNeimarkSacker: on nsFamily (omega = 0.9, b = 0.5) along u from
// -0.1 to 0.2, Continue finds the Neimark-Sacker point at u = 0; the
// normal form gives d = -2 and d|lambda|/du = 1, so the circle lies at
// u > 0 with first-order amplitude sqrt(u); FollowNeimarkSacker seeds
// orbits.RefineCircle from it and follows the circle to the path's end.
// Every circle has |K(theta)| = r(u) within 1e-8 at 360 angles and
// rotation omega within 1e-10, and the estimate sqrt(u) is off from r by
// the relative amount sqrt(u)/r - 1 = -b u/2 + O(u^2) that a first-order
// estimate must be (within 2 (b u)^2).
func TestFollowNeimarkSacker(t *testing.T) {
	const omega, b = 0.9, 0.5
	cell := newNSFamily(omega, b, 0)
	p := Problem{Cell: cell, Path: Segment([]float64{-0.1}, []float64{0.2})}
	p.Start = seeds(t, p, [][]float64{{0.01, 0.01}})
	s := Settings{MaxStep: 0.05, InitialStep: 0.02}
	_, ns := continueOne(t, p, s, NeimarkSacker)
	checkU(t, ns, 0)
	br, err := FollowNeimarkSacker(context.Background(), cell, p.Path, ns, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(br.Lyapunov+2) > 1e-6 || math.Abs(br.Rate-1) > 1e-6 || br.Side != 1 {
		t.Errorf("Lyapunov coefficient %.10f (want -2), rate %.10f (want 1), side %v (want +1)", br.Lyapunov, br.Rate, br.Side)
	}
	if br.End != PathEnd || len(br.Circles) < 4 {
		t.Fatalf("%d circles, end %v; want several, to the path's end", len(br.Circles), br.End)
	}
	for k, c := range br.Circles {
		u := p.Path.At(br.S[k])[0]
		r := math.Sqrt((1 - math.Sqrt(1-4*b*u)) / (2 * b))
		worst := 0.0
		for j := 0; j < 360; j++ {
			x := c.At(2 * math.Pi * float64(j) / 360)
			worst = math.Max(worst, math.Abs(math.Hypot(x[0], x[1])-r))
		}
		rel := br.Estimate[k]/r - 1
		// Amplitude samples 360 angles: it may miss the max norm r by
		// r (1 - cos(pi/360)).
		if worst > 1e-8 || math.Abs(c.Rotation-omega) > 1e-10 || math.Abs(br.Amplitude[k]-r) > r*(1-math.Cos(math.Pi/360))+1e-12 ||
			math.Abs(rel+b*u/2) > 2*(b*u)*(b*u) {
			t.Errorf("circle %d at u = %.6f: radius off by %.2g, rotation %.12f (want %v), amplitude %.10f and estimate %.10f (want r = %.10f; estimate off by %.3g, first order %.3g)",
				k, u, worst, c.Rotation, omega, br.Amplitude[k], br.Estimate[k], r, rel, -b*u/2)
		}
	}
	t.Logf("%d circles from u = %.6f to %.6f, end %v; d = %.10f, rate %.10f; last: amplitude %.8f, estimate %.8f",
		len(br.Circles), p.Path.At(br.S[0])[0], p.Path.At(br.S[len(br.S)-1])[0], br.End, br.Lyapunov, br.Rate,
		br.Amplitude[len(br.S)-1], br.Estimate[len(br.S)-1])
}

// TestFollowNeimarkSackerQuadratic: nsFamily seen through y = (x_1, x_2 +
// 0.8 x_1^2) has quadratic terms; the first Lyapunov coefficient (its B
// terms now at work) is still -2 and the rate 1, and every circle followed
// is phi of the circle |x| = r(u): |phi^-1(K(theta))| = r within 1e-8 at
// 360 angles.
func TestFollowNeimarkSackerQuadratic(t *testing.T) {
	const omega, b, k = 0.9, 0.5, 0.8
	cell := newNSFamily(omega, b, k)
	p := Problem{Cell: cell, Path: Segment([]float64{-0.1}, []float64{0.2})}
	p.Start = seeds(t, p, [][]float64{{0.01, 0.01}})
	s := Settings{MaxStep: 0.05, InitialStep: 0.02}
	_, ns := continueOne(t, p, s, NeimarkSacker)
	checkU(t, ns, 0)
	br, err := FollowNeimarkSacker(context.Background(), cell, p.Path, ns, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(br.Lyapunov+2) > 1e-6 || math.Abs(br.Rate-1) > 1e-6 || br.Side != 1 {
		t.Errorf("Lyapunov coefficient %.10f (want -2), rate %.10f (want 1), side %v (want +1)", br.Lyapunov, br.Rate, br.Side)
	}
	if br.End != PathEnd || len(br.Circles) < 4 {
		t.Fatalf("%d circles, end %v; want several, to the path's end", len(br.Circles), br.End)
	}
	for i, c := range br.Circles {
		u := p.Path.At(br.S[i])[0]
		r := math.Sqrt((1 - math.Sqrt(1-4*b*u)) / (2 * b))
		worst := 0.0
		for j := 0; j < 360; j++ {
			y := c.At(2 * math.Pi * float64(j) / 360)
			worst = math.Max(worst, math.Abs(math.Hypot(y[0], y[1]-k*y[0]*y[0])-r))
		}
		if worst > 1e-8 {
			t.Errorf("circle %d at u = %.6f (%d harmonics, residual %.2g, check %.2g): radius of phi^-1 off by %.2g", i, u, c.Harmonics, c.Residual, c.Check, worst)
		}
	}
	t.Logf("%d circles from u = %.6f to %.6f, end %v; d = %.10f, rate %.10f", len(br.Circles), p.Path.At(br.S[0])[0], p.Path.At(br.S[len(br.S)-1])[0], br.End, br.Lyapunov, br.Rate)
}

// FollowNeimarkSacker refuses what is not a Neimark-Sacker point of the
// cell, with ErrSettings.
func TestFollowNeimarkSackerBadInput(t *testing.T) {
	cell := newNSFamily(0.9, 0, 0)
	path := Segment([]float64{-0.1}, []float64{0.2})
	ns := Bifurcation{Kind: NeimarkSacker, S: 0.1, U: []float64{0}, X: []float64{0, 0}, Eigenvalue: complex(math.Cos(0.9), math.Sin(0.9))}
	for name, c := range map[string]struct {
		cell *nsFamily
		path Path
		b    Bifurcation
	}{
		"no cell":    {nil, path, ns},
		"short path": {cell, path[:1], ns},
		"fold":       {cell, path, Bifurcation{Kind: Fold, S: 0.1, U: []float64{0}, X: []float64{0, 0}, Eigenvalue: 1}},
		"state size": {cell, path, Bifurcation{Kind: NeimarkSacker, S: 0.1, U: []float64{0}, X: []float64{0}, Eigenvalue: ns.Eigenvalue}},
	} {
		var cc cells.Cell
		if c.cell != nil {
			cc = c.cell
		}
		if _, err := FollowNeimarkSacker(context.Background(), cc, c.path, c.b, Settings{}, nil); !errors.Is(err, ErrSettings) {
			t.Errorf("%s: error %v, want ErrSettings", name, err)
		}
	}
}
