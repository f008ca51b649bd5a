package continuation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	G "gorgonia.org/gorgonia"
)

// polyCell is the scalar map x' = x + h (u x - x^p), p = 3 (pitchfork at
// u = 0 on the branch x = 0, with x = ±sqrt(u) for u > 0) or p = 2
// (transcritical: the branches x = 0 and x = u cross at u = 0). On x = 0
// the eigenvalue is 1 + h u; on x = u (p = 2) it is 1 - h u.
type polyCell struct {
	power  int
	params []*cells.Param // h as a 1 x 1 matrix
}

func newPolyCell(power int, h float64) *polyCell {
	hp := cells.NewParam("h", 1, 1)
	hp.Data[0] = h
	return &polyCell{power: power, params: []*cells.Param{hp}}
}

func (c *polyCell) StateSize() int         { return 1 }
func (c *polyCell) InputSize() int         { return 1 }
func (c *polyCell) Params() []*cells.Param { return c.params }

func (c *polyCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if len(p) != 1 {
		return nil, fmt.Errorf("poly cell: %d params, want 1", len(p))
	}
	ux, err := G.HadamardProd(u, x)
	if err != nil {
		return nil, err
	}
	xp, err := G.HadamardProd(x, x)
	if err != nil {
		return nil, err
	}
	if c.power == 3 {
		if xp, err = G.HadamardProd(xp, x); err != nil {
			return nil, err
		}
	}
	d, err := G.Sub(ux, xp)
	if err != nil {
		return nil, err
	}
	hd, err := G.Mul(d, p[0])
	if err != nil {
		return nil, err
	}
	return G.Add(x, hd)
}

// polyStart is the seed list holding the fixed points xs of a polyCell at
// the path's start, as finder would report them.
func polyStart(xs ...float64) *finder.FixedPoints {
	fp := &finder.FixedPoints{N: 1, M: 1, Dtype: "float64"}
	for _, x := range xs {
		fp.Points = append(fp.Points, finder.Point{X: []float64{x}})
	}
	return fp
}

// x' = x + h (u x - x^3), h = 0.5, u from -0.5 to 0.5, seeded at x = 0:
// the trivial branch x = 0 has eigenvalue 1 + h u, so it is stable for
// u < 0 and a saddle for u > 0, and the branches x = ±sqrt(u) cross it at
// u = 0 (a pitchfork). The branch never turns in s: exactly one branch
// point, at u = 0, eigenvalue 1, no fold.
func TestBranchPointPitchfork(t *testing.T) {
	const h = 0.5
	p := Problem{Cell: newPolyCell(3, h), Path: Segment([]float64{-0.5}, []float64{0.5})}
	p.Start = seeds(t, p, [][]float64{{0.01}})
	res, e := continueOne(t, p, Settings{}, BranchPoint)
	if len(res.Branches) != 1 {
		t.Fatalf("%d branches, want 1", len(res.Branches))
	}
	checkU(t, e, 0)
	if math.Abs(e.S-0.5) > 1e-8 || math.Abs(e.X[0]) > 1e-12 {
		t.Errorf("branch point at s = %.12f, x = %.3g; want s = 0.5, x = 0", e.S, e.X[0])
	}
	if math.Abs(real(e.Eigenvalue)-1) > 1e-8 || imag(e.Eigenvalue) != 0 {
		t.Errorf("critical eigenvalue %v, want 1", e.Eigenvalue)
	}
	if len(e.Vector) != 1 || math.Abs(cmplxAbs(e.Vector[0])-1) > 1e-12 {
		t.Errorf("critical vector %v, want a unit vector", e.Vector)
	}
	b := res.Branches[0]
	if b.End != PathEnd {
		t.Errorf("branch ends %v, want the path's end", b.End)
	}
	checkExchange(t, b, h, 0, 1)
}

// x' = x + h (u x - x^2), h = 0.5, u from -0.5 to 0.5, seeded at x = 0
// and x = -0.5: the branches x = 0 (eigenvalue 1 + h u) and x = u
// (eigenvalue 1 - h u) cross at u = 0 and exchange stability there
// (transcritical). Each has one branch point at u = 0, eigenvalue 1.
func TestBranchPointTranscritical(t *testing.T) {
	const h = 0.5
	p := Problem{Cell: newPolyCell(2, h), Path: Segment([]float64{-0.5}, []float64{0.5})}
	p.Start = polyStart(0, -0.5)
	res, err := Continue(context.Background(), p, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	logResult(t, res)
	if len(res.Branches) != 2 || len(res.Bifurcations) != 2 {
		t.Fatalf("%d branches, %d bifurcations; want 2 and 2", len(res.Branches), len(res.Bifurcations))
	}
	seen := map[int]bool{}
	for _, e := range res.Bifurcations {
		if e.Kind != BranchPoint {
			t.Errorf("%v at u = %v, want only branch points", e.Kind, e.U)
			continue
		}
		seen[e.Branch] = true
		checkU(t, e, 0)
		if math.Abs(e.X[0]) > 1e-8 || math.Abs(real(e.Eigenvalue)-1) > 1e-8 {
			t.Errorf("branch point at x = %.3g, eigenvalue %v; want 0 and 1", e.X[0], e.Eigenvalue)
		}
	}
	if len(seen) != 2 {
		t.Errorf("branch points on branches %v, want one on each", seen)
	}
	for _, b := range res.Branches {
		if b.End != PathEnd {
			t.Errorf("branch from %v ends %v, want the path's end", b.Points[0].X, b.End)
		}
		if x0 := b.Points[0].X[0]; x0 == 0 {
			checkExchange(t, b, h, 0, 1)
		} else {
			checkExchange(t, b, h, 1, -1)
		}
	}
}

// checkExchange checks that every point of b lies on the line x = a u and
// is labelled by its eigenvalue 1 + sign h u: stable on one side of u = 0,
// one unstable mode on the other.
func checkExchange(t *testing.T, b Branch, h, a, sign float64) {
	t.Helper()
	var nStable, nSaddle int
	for _, pt := range b.Points {
		x, u := pt.X[0], pt.U[0]
		if math.Abs(x-a*u) > 1e-10 {
			t.Errorf("point x = %v at u = %v, want %v", x, u, a*u)
		}
		lam := 1 + sign*h*u
		switch {
		case math.Abs(lam-1) < 1e-6:
		case lam < 1 && !pt.Stable, lam > 1 && (pt.Stable || pt.NUnstable != 1):
			t.Errorf("point at u = %v (lambda %v): stable %v, %d unstable", u, lam, pt.Stable, pt.NUnstable)
		case lam < 1:
			nStable++
		default:
			nSaddle++
		}
	}
	if nStable == 0 || nSaddle == 0 {
		t.Errorf("%d stable and %d saddle points, want both", nStable, nSaddle)
	}
}

func cmplxAbs(z complex128) float64 { return math.Hypot(real(z), imag(z)) }

// F(x, u) = tanh(A x + B u) - tanh(B u) with A = R diag(2, 0.5) R^T, R the
// rotation by 30 degrees, and B = (1, 1): x = 0 is a fixed point for every
// u, with J = sech^2(u) A. Its eigenvalue 2 sech^2(u) falls through +1 at
// u* = acosh(sqrt 2) = 0.881373587..., eigenvector (cos 30°, sin 30°): a
// branch point (the other branch, through the origin, is not seeded). The
// branch goes from one unstable mode to stable. With ContinuousTime the
// flow dx/dt = F - x has the same branch point (J - I's eigenvalue
// 2 sech^2(u) - 1 crosses 0) and no Hopf point.
func TestBranchPointTanh2D(t *testing.T) {
	uStar := math.Acosh(math.Sqrt2)
	c, s := math.Cos(math.Pi/6), math.Sin(math.Pi/6)
	A := []float64{
		2*c*c + 0.5*s*s, (2 - 0.5) * c * s,
		(2 - 0.5) * c * s, 2*s*s + 0.5*c*c,
	}
	for _, flow := range []bool{false, true} {
		t.Run(fmt.Sprintf("continuous=%v", flow), func(t *testing.T) {
			p := Problem{Cell: newTanhCell(2, 1, A, []float64{1, 1}, nil, true), Path: Segment([]float64{0.3}, []float64{1.5})}
			p.Start = &finder.FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{0, 0}}}}
			res, e := continueOne(t, p, Settings{ContinuousTime: flow}, BranchPoint)
			checkU(t, e, uStar)
			if math.Abs(e.S-(uStar-0.3)) > 1e-8 || math.Abs(e.X[0])+math.Abs(e.X[1]) > 1e-12 {
				t.Errorf("branch point at s = %.12f, x = %v; want s = %.12f, x = 0", e.S, e.X, uStar-0.3)
			}
			if math.Abs(real(e.Eigenvalue)-1) > 1e-8 || imag(e.Eigenvalue) != 0 {
				t.Errorf("critical eigenvalue %v, want 1", e.Eigenvalue)
			}
			if len(e.Vector) != 2 {
				t.Fatalf("critical vector %v, want 2 values", e.Vector)
			}
			// Up to sign: |v . (cos 30°, sin 30°)| = 1.
			if d := math.Abs(real(e.Vector[0])*c + real(e.Vector[1])*s); math.Abs(d-1) > 1e-8 || imag(e.Vector[0]) != 0 || imag(e.Vector[1]) != 0 {
				t.Errorf("critical vector %v, want ±(%.6f, %.6f)", e.Vector, c, s)
			}
			b := res.Branches[0]
			first, last := b.Points[0], b.Points[len(b.Points)-1]
			if first.NUnstable != 1 || !last.Stable || b.End != PathEnd {
				t.Errorf("branch from %+v to %+v (%v), want one unstable mode to stable at the path's end", first, last, b.End)
			}
			for _, pt := range b.Points {
				lam := 2 / math.Pow(math.Cosh(pt.U[0]), 2)
				if math.Abs(lam-1) > 1e-6 && (lam > 1) != (pt.NUnstable == 1) {
					t.Errorf("point at u = %v: lambda %v but %d unstable", pt.U[0], lam, pt.NUnstable)
				}
			}
		})
	}
}

// A branch point is saved as kind "branch point" and reads back equal; a
// file naming an older kind still reads, and a kind this version does not
// know is refused with ErrFormat, naming it.
func TestJSONBranchPoint(t *testing.T) {
	p := Problem{Cell: newPolyCell(3, 0.5), Path: Segment([]float64{-0.5}, []float64{0.5}), Start: polyStart(0)}
	res, err := Continue(context.Background(), p, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bifurcations) != 1 || res.Bifurcations[0].Kind != BranchPoint {
		t.Fatalf("bifurcations %+v, want one branch point", res.Bifurcations)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.String()
	if !strings.Contains(data, `"format":"branches/v1"`) || strings.Count(data, `"kind":"branch point"`) != 1 {
		t.Fatalf("file %s: want branches/v1 with one \"branch point\"", data)
	}
	back, err := ReadJSON(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	res.Stats = Stats{}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("read back differs:\n got %+v\nwant %+v", back, res)
	}
	old, err := ReadJSON(strings.NewReader(strings.Replace(data, `"branch point"`, `"flip"`, 1)))
	if err != nil || old.Bifurcations[0].Kind != Flip {
		t.Errorf("a file with an older kind: %v", err)
	}
	_, err = ReadJSON(strings.NewReader(strings.Replace(data, `"branch point"`, `"branch-point"`, 1)))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), `"branch-point"`) {
		t.Errorf("unknown kind: err %v, want ErrFormat naming it", err)
	}
	if s := BranchPoint.String(); s != "branch point" {
		t.Errorf("BranchPoint.String() = %q", s)
	}
}

// The pitchfork seen from the branch that bifurcates: x' = x + h (u x -
// x^3), h = 0.5, u from 0.5 down to -0.5, seeded at x = sqrt(0.5). The
// branch u = x^2 comes down to the trivial branch at u = 0, turns back in s
// there and goes on to x = -sqrt(0.5) at the path's start. Its eigenvalue
// 1 + h (u - 3 x^2) = 1 - 2 h x^2 touches 1 at x = 0 without crossing: no
// two fixed points meet and vanish, so this turn is no fold but the branch
// point where x = 0 crosses. One branch point at u = 0 (to 1e-8; x = ±sqrt u
// is then only within 1e-4 of 0), eigenvalue 1, no fold; no point unstable.
func TestBranchPointPitchforkSide(t *testing.T) {
	const h = 0.5
	p := Problem{Cell: newPolyCell(3, h), Path: Segment([]float64{0.5}, []float64{-0.5})}
	p.Start = polyStart(math.Sqrt(0.5))
	res, e := continueOne(t, p, Settings{}, BranchPoint)
	checkU(t, e, 0)
	if math.Abs(e.X[0]) > 1e-4 || math.Abs(real(e.Eigenvalue)-1) > 1e-8 || imag(e.Eigenvalue) != 0 {
		t.Errorf("branch point at x = %.3g, eigenvalue %v; want 0 and 1", e.X[0], e.Eigenvalue)
	}
	b := res.Branches[0]
	last := b.Points[len(b.Points)-1]
	if b.End != PathStart || math.Abs(last.X[0]+math.Sqrt(0.5)) > 1e-10 {
		t.Errorf("branch ends %v at x = %v, want the path's start at x = %v", b.End, last.X[0], -math.Sqrt(0.5))
	}
	var neg, pos int
	for _, pt := range b.Points {
		x, u := pt.X[0], pt.U[0]
		if r := math.Abs(h * (u*x - x*x*x)); r > 1e-12 {
			t.Errorf("point x = %v at u = %v: residual %.2g", x, u, r)
		}
		if lam := 1 + h*(u-3*x*x); math.Abs(lam-1) > 1e-6 && !pt.Stable {
			t.Errorf("point at x = %v (lambda %v) not labelled stable", x, lam)
		}
		if pt.NUnstable != 0 {
			t.Errorf("point at x = %v, u = %v labelled unstable", x, u)
		}
		switch {
		case x > 1e-3:
			pos++
		case x < -1e-3:
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		t.Errorf("%d points with x > 0 and %d with x < 0, want both sides of the parabola", pos, neg)
	}
}

// The pitchfork x' = x + h (u x - x^3) over step sizes h and paths, from
// both sides: along x = 0 (u from b < 0 to a > 0) and along u = x^2 (u from
// a down to b, seeded at sqrt a). Each run reports exactly one bifurcation,
// a branch point at u = 0 to 1e-8 with eigenvalue 1 to 1e-8. (Near the
// branch point F - x is small off the curve too; before the corrector's
// points were checked with their own Jacobian, 7 of 27 such side runs
// reported spurious fold pairs there.)
func TestBranchPointPitchforkSweep(t *testing.T) {
	for _, h := range []float64{0.1, 0.5, 1.2} {
		for _, a := range []float64{0.3, 0.77} {
			for _, b := range []float64{-0.2, -0.61} {
				for _, side := range []bool{false, true} {
					p := Problem{Cell: newPolyCell(3, h), Path: Segment([]float64{b}, []float64{a}), Start: polyStart(0)}
					if side {
						p.Path, p.Start = Segment([]float64{a}, []float64{b}), polyStart(math.Sqrt(a))
					}
					res, err := Continue(context.Background(), p, Settings{})
					if err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("h = %v, u from %v to %v", h, p.Path[0][0], p.Path[1][0])
					if len(res.Bifurcations) != 1 {
						t.Errorf("%s: %d bifurcations, want 1", name, len(res.Bifurcations))
						continue
					}
					e := res.Bifurcations[0]
					if e.Kind != BranchPoint || math.Abs(e.U[0]) > 1e-8 || math.Abs(real(e.Eigenvalue)-1) > 1e-8 {
						t.Errorf("%s: %v at u = %.3g, eigenvalue %v; want a branch point at 0, eigenvalue 1", name, e.Kind, e.U[0], e.Eigenvalue)
					}
					if want := map[bool]End{false: PathEnd, true: PathStart}[side]; res.Branches[0].End != want {
						t.Errorf("%s: branch ends %v, want %v", name, res.Branches[0].End, want)
					}
				}
			}
		}
	}
}
