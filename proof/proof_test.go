package proof_test

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/internal/torchref"
	"github.com/rnnfp/fixedpoints/proof"
)

// funcSystem is a System from enclosure functions, for analytic test maps.
type funcSystem struct {
	n int
	g func(x []interval.I) []interval.I
	j func(x []interval.I) []interval.I // row-major N×N
}

func (s funcSystem) Size() int { return s.n }

func (s funcSystem) Enclose(x []interval.I, jac bool) ([]interval.I, interval.Mat, error) {
	g := s.g(x)
	var m interval.Mat
	if jac {
		v := interval.VecOf(s.j(x))
		m = interval.Mat{Rows: s.n, Cols: s.n, Mid: v.Mid, Rad: v.Rad}
	}
	return g, m, nil
}

// circle is G(x, y) = (x² + y² − 4, x − y): roots ±(√2, √2).
var circle = funcSystem{n: 2,
	g: func(x []interval.I) []interval.I {
		return []interval.I{interval.AddScalar(interval.Add(interval.Sqr(x[0]), interval.Sqr(x[1])), -4), interval.Sub(x[0], x[1])}
	},
	j: func(x []interval.I) []interval.I {
		return []interval.I{interval.Scale(2, x[0]), interval.Scale(2, x[1]), interval.Point(1), interval.Point(-1)}
	},
}

// square is G(x) = x²: a double root at 0.
var square = funcSystem{n: 1,
	g: func(x []interval.I) []interval.I { return []interval.I{interval.Sqr(x[0])} },
	j: func(x []interval.I) []interval.I { return []interval.I{interval.Scale(2, x[0])} },
}

// TestProofOfAKnownRoot: at float64 √2 the proof holds, the exact root
// (200-bit √2) lies within Radius, and UniqueRadius stays below the
// distance to the other root (−√2, −√2) and to where dG is singular (0).
func TestProofOfAKnownRoot(t *testing.T) {
	s2 := math.Sqrt2
	res, err := proof.Krawczyk(circle, []float64{s2, s2}, nil)
	if err != nil || !res.Proved {
		t.Fatalf("√2: %+v, %v", res, err)
	}
	root := new(big.Float).SetPrec(200).Sqrt(new(big.Float).SetPrec(200).SetInt64(2))
	d := new(big.Float).Sub(root, new(big.Float).SetFloat64(s2))
	df, _ := d.Float64()
	if math.Abs(df) > res.Radius {
		t.Errorf("true root %g away, radius %g", math.Abs(df), res.Radius)
	}
	if res.Radius > 1e-14 || res.Radius <= 0 || res.UniqueRadius < res.Radius {
		t.Errorf("radius %g, unique radius %g", res.Radius, res.UniqueRadius)
	}
	// dG = [[2x, 2y], [1, −1]] is singular on x = −y; the uniqueness box
	// around (√2, √2) cannot reach the line x + y = 0 at max-distance √2.
	if res.UniqueRadius >= s2 || res.UniqueRadius < 0.1 {
		t.Errorf("unique radius %g, want in [0.1, √2)", res.UniqueRadius)
	}
	t.Logf("circle: radius %.3g, unique radius %.3g, contraction %.3g", res.Radius, res.UniqueRadius, res.Contraction)
}

// TestDoubleRootNeverProved: G = x² at and near its double root.
func TestDoubleRootNeverProved(t *testing.T) {
	for _, x := range []float64{0, 1e-300, 1e-12, 1e-9, -1e-6, 1e-4} {
		res, err := proof.Krawczyk(square, []float64{x}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Proved {
			t.Errorf("x² proved at %g: %+v", x, res)
		}
	}
}

// TestPerturbedPointFails: √2 + 1e-6 is not proved (the root is farther
// than MaxRadius), while √2 + 1e-12 is, with the true distance inside the
// radius.
func TestPerturbedPointFails(t *testing.T) {
	s2 := math.Sqrt2
	res, _ := proof.Krawczyk(circle, []float64{s2 + 1e-6, s2}, nil)
	if res.Proved || res.Reason != proof.ReasonNoContraction {
		t.Errorf("perturbed by 1e-6: %+v", res)
	}
	res, _ = proof.Krawczyk(circle, []float64{s2 + 1e-12, s2}, nil)
	if !res.Proved || res.Radius < 0.5e-12 || res.Radius > 1e-10 {
		t.Errorf("perturbed by 1e-12: %+v", res)
	}
}

// TestExistenceOnly: skipping the uniqueness search proves the same root
// with the same Radius, a uniqueness radius at least that radius but far
// below the full search's, and still refuses a point 1e-6 off and the
// double root.
func TestExistenceOnly(t *testing.T) {
	s2 := math.Sqrt2
	eo := &proof.Settings{ExistenceOnly: true}
	full, _ := proof.Krawczyk(circle, []float64{s2, s2}, nil)
	res, err := proof.Krawczyk(circle, []float64{s2, s2}, eo)
	if err != nil || !res.Proved || res.Radius != full.Radius || res.Contraction != full.Contraction {
		t.Fatalf("existence only %+v, full %+v, %v", res, full, err)
	}
	if res.UniqueRadius < res.Radius || res.UniqueRadius > 1e-12 {
		t.Errorf("existence only: unique radius %g, radius %g (full search %g)", res.UniqueRadius, res.Radius, full.UniqueRadius)
	}
	if res, _ := proof.Krawczyk(circle, []float64{s2 + 1e-6, s2}, eo); res.Proved {
		t.Errorf("existence only, perturbed by 1e-6: %+v", res)
	}
	if res, _ := proof.Krawczyk(square, []float64{1e-9}, eo); res.Proved {
		t.Errorf("existence only, double root: %+v", res)
	}
}

// TestOverflowIsUnproved: an overflowing enclosure (an LSTM whose forget
// bias makes 1/(1 − f) = 1 + e^{800}) is unproved with reason overflow,
// not an error and not a panic.
func TestOverflowIsUnproved(t *testing.T) {
	l := cells.NewLSTM(2, 1)
	l.Params()[4*1+2].Data[0] = 800
	res, err := proof.Krawczyk(proof.CellSystem(l, []float64{0}), []float64{0, 0, 0, 0}, nil)
	if err != nil || res.Proved || res.Reason != proof.ReasonOverflow {
		t.Errorf("%+v, %v", res, err)
	}
	inf := funcSystem{n: 1,
		g: func(x []interval.I) []interval.I { return []interval.I{interval.Exp(interval.Scale(1e300, x[0]))} },
		j: func(x []interval.I) []interval.I { return []interval.I{interval.Exp(interval.Scale(1e300, x[0]))} },
	}
	if res, err := proof.Krawczyk(inf, []float64{1}, nil); err != nil || res.Proved || res.Reason != proof.ReasonOverflow {
		t.Errorf("exp(1e300x): %+v, %v", res, err)
	}
	if _, err := proof.Krawczyk(circle, []float64{math.NaN(), 0}, nil); !errors.Is(err, proof.ErrInput) {
		t.Errorf("NaN point: %v", err)
	}
	if _, err := proof.Krawczyk(circle, []float64{0}, nil); !errors.Is(err, proof.ErrInput) {
		t.Errorf("short point: %v", err)
	}
}

// TestTanhRNNThreeRoots: h' = tanh(2h) has roots 0 and ±h*, h* = tanh(2h*)
// (0.957504..., by bisection in big.Float here). Each is proved, the true
// root lies within the radius, and no uniqueness radius reaches another
// root.
func TestTanhRNNThreeRoots(t *testing.T) {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = 2
	hs := bigTanhRoot()
	for _, want := range []float64{-hs, 0, hs} {
		x := want + 1e-13 // refined points are not exact
		res, err := proof.Krawczyk(proof.CellSystem(c, nil), []float64{x}, nil)
		if err != nil || !res.Proved {
			t.Fatalf("root %g: %+v, %v", want, res, err)
		}
		if math.Abs(x-want) > res.Radius+1e-16 {
			t.Errorf("root %g: distance %g beyond radius %g", want, math.Abs(x-want), res.Radius)
		}
		if res.UniqueRadius >= hs {
			t.Errorf("root %g: unique radius %g reaches another root (%g away)", want, res.UniqueRadius, hs)
		}
		t.Logf("root %.6f: radius %.3g, unique radius %.3g", want, res.Radius, res.UniqueRadius)
	}
}

// bigTanhRoot is the positive root of tanh(2h) = h to float64, by
// bisection on a 100-bit evaluation of tanh through its series-free form
// tanh(y) = 1 − 2/(e^{2y} + 1) (e^y from math/big's own arithmetic).
func bigTanhRoot() float64 {
	lo, hi := 0.5, 1.0
	for range 200 {
		m := lo/2 + hi/2
		if m == lo || m == hi {
			break
		}
		if bigTanh2(m) > m {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// bigTanh2 returns tanh(2m) rounded to float64, via a 120-bit exp series.
func bigTanh2(m float64) float64 {
	const prec = 120
	y := new(big.Float).SetPrec(prec).SetFloat64(4 * m) // e^{4m}
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); i < 200; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		sum.Add(sum, term)
	}
	// tanh(2m) = (e^{4m} − 1)/(e^{4m} + 1)
	num := new(big.Float).SetPrec(prec).Sub(sum, big.NewFloat(1))
	den := new(big.Float).SetPrec(prec).Add(sum, big.NewFloat(1))
	v, _ := num.Quo(num, den).Float64()
	return v
}

// TestSaturatedGRUSlab: in a GRU whose update gates sit at σ(30) and σ(40),
// F − h = (1 − z)(n − h) is below 1e-13 on a whole slab, but only the root
// of n(h) = h (found here by plain-Go Newton with a finite-difference
// Jacobian) is proved; slab points 1e-3 away are not, although their
// residual |F − h| passes a 1e-10 test.
func TestSaturatedGRUSlab(t *testing.T) {
	c := cells.NewGRU(3, 0)
	c.InitUniform(7)
	bz := c.Params()[4*1+2].Data // b_iz
	bz[0], bz[1] = 30, 40
	sys := proof.CellSystem(c, nil)
	root := newtonG(t, c, []float64{0, 0, 0})
	res, err := proof.Krawczyk(sys, root, nil)
	if err != nil || !res.Proved {
		t.Fatalf("root %v: %+v, %v", root, res, err)
	}
	for unit := 0; unit < 2; unit++ {
		x := append([]float64(nil), root...)
		x[unit] += 1e-3
		fx := stepGRU(c, x)
		if d := math.Abs(fx[unit] - x[unit]); d > 1e-10 {
			t.Fatalf("slab point's residual %g: the test's premise is wrong", d)
		}
		if res, _ := proof.Krawczyk(sys, x, nil); res.Proved {
			t.Errorf("slab point (unit %d + 1e-3) proved: %+v", unit, res)
		}
	}
}

// stepGRU is PyTorch's GRU step with no inputs, in plain float64.
func stepGRU(c *cells.GRU, h []float64) []float64 {
	n, z := gruParts(c, h)
	out := make([]float64, len(h))
	for k := range h {
		out[k] = (1-z[k])*n[k] + z[k]*h[k]
	}
	return out
}

func gruParts(c *cells.GRU, h []float64) (n, z []float64) {
	H := len(h)
	p := c.Params()
	// wh is W_hh[g]·h (w_hh_T stores element (j, k) for W[k][j]).
	wh := func(g int) []float64 {
		out := make([]float64, H)
		for k := range out {
			for j := range h {
				out[k] += p[4*g+1].Data[j*H+k] * h[j]
			}
		}
		return out
	}
	b := func(g, which int) []float64 { return p[4*g+2+which].Data } // 0: b_ih, 1: b_hh
	sig := func(a float64) float64 { return 1 / (1 + math.Exp(-a)) }
	wr, wz, wn := wh(0), wh(1), wh(2)
	n, z = make([]float64, H), make([]float64, H)
	for k := range n {
		r := sig(wr[k] + b(0, 0)[k] + b(0, 1)[k])
		z[k] = sig(wz[k] + b(1, 0)[k] + b(1, 1)[k])
		n[k] = math.Tanh(b(2, 0)[k] + r*(wn[k]+b(2, 1)[k]))
	}
	return n, z
}

// newtonG solves n(h) = h by Newton's method with central differences.
func newtonG(t *testing.T, c *cells.GRU, h []float64) []float64 {
	H := len(h)
	g := func(h []float64) []float64 {
		n, _ := gruParts(c, h)
		for k := range n {
			n[k] -= h[k]
		}
		return n
	}
	for range 50 {
		gv := g(h)
		J := make([][]float64, H)
		for i := range J {
			J[i] = make([]float64, H)
		}
		for j := 0; j < H; j++ {
			hp, hm := append([]float64(nil), h...), append([]float64(nil), h...)
			hp[j] += 1e-7
			hm[j] -= 1e-7
			gp, gm := g(hp), g(hm)
			for i := 0; i < H; i++ {
				J[i][j] = (gp[i] - gm[i]) / 2e-7
			}
		}
		d := torchref.Solve(J, gv)
		for i := range h {
			h[i] -= d[i]
		}
	}
	if r := g(h); math.Abs(r[0])+math.Abs(r[1])+math.Abs(r[2]) > 1e-13 {
		t.Fatalf("Newton did not converge: |G| = %v", r)
	}
	return h
}

// factorOnly hides every method of CellSystem but Size and Enclose, so that
// Krawczyk encloses dG/dx through Factor, in a new matrix per box.
type factorOnly struct{ s proof.System }

func (f factorOnly) Size() int { return f.s.Size() }

func (f factorOnly) Enclose(x []interval.I, jac bool) ([]interval.I, interval.Mat, error) {
	return f.s.Enclose(x, jac)
}

// TestKrawczykBufferedJacobian: the contraction tests' dG/dx, written into
// one kept matrix by the tanh RNN (cells.JacobianFactoredTo), gives every
// proof's result bit for bit as Factor's new matrix per box does, at roots
// Newton finds in 12-unit networks with several fixed points, and at
// points moved off them (failed proofs).
func TestKrawczykBufferedJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 31))
	bits := func(r proof.Result) [3]uint64 {
		return [3]uint64{math.Float64bits(r.Radius), math.Float64bits(r.UniqueRadius), math.Float64bits(r.Contraction)}
	}
	proved, unique := 0, 0
	for range 6 {
		c := cells.NewVanilla(12, 2, cells.Tanh)
		c.InitUniform(rng.Uint64())
		gain := 4 + 4*rng.Float64() // several fixed points
		for i := range c.Params()[1].Data {
			c.Params()[1].Data[i] *= gain
		}
		u := []float64{rng.Float64() - 0.5, rng.Float64() - 0.5}
		sys := proof.CellSystem(c, u)
		for range 8 {
			x0 := make([]float64, 12)
			for i := range x0 {
				x0[i] = 2*rng.Float64() - 1
			}
			x, _, err := proof.Newton(sys, x0, nil)
			if err != nil {
				continue
			}
			for _, off := range []float64{0, 1e-9, 1e-4} {
				y := append([]float64(nil), x...)
				y[0] += off
				a, aerr := proof.Krawczyk(sys, y, nil)
				b, berr := proof.Krawczyk(factorOnly{sys}, y, nil)
				if aerr != nil || berr != nil || a.Proved != b.Proved || a.Reason != b.Reason || bits(a) != bits(b) {
					t.Fatalf("buffered %+v (%v), Factor's %+v (%v)", a, aerr, b, berr)
				}
				if a.Proved {
					proved++
					if a.UniqueRadius > a.Radius {
						unique++
					}
				}
			}
		}
	}
	if proved < 10 || unique < 10 {
		t.Errorf("%d proofs, %d with a uniqueness search: too few compared", proved, unique)
	}
	t.Logf("%d proofs compared, %d with a uniqueness search", proved, unique)
}
