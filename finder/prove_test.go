package finder

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// The truth in these tests is a plain-Go Newton solve of the real equation
// G = 0 (n(h) = h for a GRU, composed layer by layer for a stack), from the
// weights, with a finite-difference Jacobian: written apart from the
// interval code and from the finder.

func sigm(a float64) float64 { return 1 / (1 + math.Exp(-a)) }

// gruLayer returns G = n − h and F of one GRU layer (torch or ONNX reset
// form) at state h and input in, from its params (w_ih_T M×H, w_hh_T H×H,
// b_ih, b_hh per gate r, z, n).
func gruLayer(c *cells.GRU, h, in []float64) (g, f []float64) {
	p := c.Params()
	H := len(h)
	aff := func(gate int, v []float64, w int) []float64 { // W·v, w = 0 input, 1 recurrent
		out := make([]float64, H)
		pw := p[4*gate+w]
		for k := range out {
			for j := range v {
				out[k] += pw.Data[j*H+k] * v[j]
			}
		}
		return out
	}
	b := func(gate, which int) []float64 { return p[4*gate+2+which].Data }
	ar, az := aff(0, h, 1), aff(1, h, 1)
	ir, iz, in_ := aff(0, in, 0), aff(1, in, 0), aff(2, in, 0)
	r, z := make([]float64, H), make([]float64, H)
	for k := range r {
		r[k] = sigm(ar[k] + ir[k] + b(0, 0)[k] + b(0, 1)[k])
		z[k] = sigm(az[k] + iz[k] + b(1, 0)[k] + b(1, 1)[k])
	}
	var hn []float64
	if c.ResetBeforeLinear {
		rh := make([]float64, H)
		for k := range rh {
			rh[k] = r[k] * h[k]
		}
		hn = aff(2, rh, 1)
		for k := range hn {
			hn[k] += b(2, 1)[k]
		}
	} else {
		hn = aff(2, h, 1)
		for k := range hn {
			hn[k] = r[k] * (hn[k] + b(2, 1)[k])
		}
	}
	g, f = make([]float64, H), make([]float64, H)
	for k := range g {
		n := math.Tanh(in_[k] + b(2, 0)[k] + hn[k])
		g[k] = n - h[k]
		f[k] = (1-z[k])*n + z[k]*h[k]
	}
	return g, f
}

// gruG is G of a GRU or a stack of GRUs (no inputs).
func gruG(c cells.Cell, x []float64) []float64 {
	switch c := c.(type) {
	case *cells.GRU:
		g, _ := gruLayer(c, x, nil)
		return g
	case *cells.Stack:
		var g, in []float64
		off := 0
		for _, l := range c.Layers() {
			gl := l.(*cells.GRU)
			H := gl.Hidden()
			gk, fk := gruLayer(gl, x[off:off+H], in)
			g = append(g, gk...)
			in = fk
			off += H
		}
		return g
	}
	panic("not a GRU")
}

// truthRoots solves G = 0 by damped Newton from starts and returns the
// distinct roots (max|G| <= 1e-13).
func truthRoots(c cells.Cell, starts [][]float64) [][]float64 {
	var roots [][]float64
	N := c.StateSize()
	for _, x0 := range starts {
		x := append([]float64(nil), x0...)
		ok := false
		for range 60 {
			g := gruG(c, x)
			if maxAbsOf(g) <= 1e-14 {
				ok = true
				break
			}
			J := make([][]float64, N)
			for i := range J {
				J[i] = make([]float64, N)
			}
			for j := 0; j < N; j++ {
				xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
				xp[j] += 1e-7
				xm[j] -= 1e-7
				gp, gm := gruG(c, xp), gruG(c, xm)
				for i := range J {
					J[i][j] = (gp[i] - gm[i]) / 2e-7
				}
			}
			d := torchref.Solve(J, g)
			t := 1.0
			for range 20 {
				xt := make([]float64, N)
				for i := range xt {
					xt[i] = x[i] - t*d[i]
				}
				if maxAbsOf(gruG(c, xt)) < maxAbsOf(g) {
					x = xt
					break
				}
				t /= 2
			}
		}
		if !ok && maxAbsOf(gruG(c, x)) > 1e-13 {
			continue
		}
		known := false
		for _, r := range roots {
			if supDist(r, x) < 1e-8 {
				known = true
			}
		}
		if !known {
			roots = append(roots, x)
		}
	}
	return roots
}

func maxAbsOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	if math.IsNaN(m) {
		return math.Inf(1)
	}
	return m
}

func supDist(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// gatedGRU returns an H-unit GRU (no inputs) with random weights of gain w,
// 4 added on W_hn's diagonal (so that n(h) = h has several roots) and
// update-gate biases 30 and 40 on units 0 and 1: 1 − z is 9e-14 and 4e-18
// there, so F − h passes a 1e-10 test on whole slabs.
func gatedGRU(H int, seed uint64, w float64, onnx bool) *cells.GRU {
	c := cells.NewGRU(H, 0)
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range c.Params() {
		for i := range p.Data {
			p.Data[i] = w * rng.NormFloat64() / math.Sqrt(float64(H))
		}
	}
	whn := c.Params()[4*2+1]
	for i := 0; i < H; i++ {
		whn.Set(i, i, whn.At(i, i)+4) // flip-flop-like: several roots per unit
	}
	bz := c.Params()[4*1+2].Data
	bz[0], bz[1] = 30, 40
	c.ResetBeforeLinear = onnx
	return c
}

func uniformStates(n, N int, seed uint64, s float64) ([]float64, [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 9))
	flat := make([]float64, n*N)
	rows := make([][]float64, n)
	for b := range rows {
		for i := 0; i < N; i++ {
			flat[b*N+i] = s * (2*rng.Float64() - 1)
		}
		rows[b] = flat[b*N : (b+1)*N]
	}
	return flat, rows
}

// checkAllRootsProved: every reported fixed point is proved (0 < r <= R)
// and is a root of the truth within its radius; every truth root is
// reported; no reported point sits on a slab (|G| > 1e-10).
func checkAllRootsProved(t *testing.T, name string, c cells.Cell, res *Result, truth [][]float64) {
	t.Helper()
	found := make([]bool, len(truth))
	for _, p := range res.Fixed.Points {
		if p.Proof.Method != ProofKrawczyk || !(p.Proof.Radius > 0 && p.Proof.Radius <= p.Proof.UniqueRadius) {
			t.Errorf("%s: fixed point with proof %+v", name, p.Proof)
		}
		if g := maxAbsOf(gruG(c, p.X)); g > 1e-10 {
			t.Errorf("%s: reported point has |G| = %g: a point of the false slab", name, g)
		}
		matched := false
		for i, r := range truth {
			if supDist(r, p.X) <= p.Proof.Radius+1e-12 {
				found[i], matched = true, true
			}
		}
		if !matched {
			t.Errorf("%s: reported point (radius %g) is none of the truth's %d roots", name, p.Proof.Radius, len(truth))
		}
	}
	for i, f := range found {
		if !f {
			t.Errorf("%s: truth root %d (|G| %g) not reported", name, i, maxAbsOf(gruG(c, truth[i])))
		}
	}
	t.Logf("%s: %d roots (truth %d); outcomes %d fixed, %v unconverged", name, res.Fixed.Len(), len(truth), res.Stats.Certified, res.Stats.UnconvergedByReason)
}

// TestProvedRootsOfSaturatedGRUs: GRUs with update-gate biases 30 and 40
// (PyTorch's reset form, ONNX's linear_before_reset = 0, and a 2-layer
// stack): every real root found and proved, no point of the false slab.
func TestProvedRootsOfSaturatedGRUs(t *testing.T) {
	stack, err := cells.NewStack("gru", 3, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for k, l := range stack.Layers() {
		g := gatedGRU(3, uint64(20+k), 0.5, false)
		l.LoadStateDict(g.StateDict())
	}
	cases := []struct {
		name string
		c    cells.Cell
	}{
		{"gru", gatedGRU(4, 1, 0.5, false)},
		{"gru onnx", gatedGRU(4, 2, 0.5, true)},
		{"stack", stack},
	}
	for _, tc := range cases {
		N := tc.c.StateSize()
		init, _ := uniformStates(1024, N, 3, 1)
		_, starts := uniformStates(600, N, 4, 1.2)
		truth := truthRoots(tc.c, starts)
		res, err := Find(context.Background(), Problem{Cell: tc.c, InitialStates: init}, &Settings{Seed: 5, NoConnections: true})
		if err != nil {
			t.Fatal(err)
		}
		checkAllRootsProved(t, tc.name, tc.c, res, truth)
	}
}

// TestTripleRootNeverProved: h' = tanh(h) has one root, 0, where
// F'(0) = 1 (G = tanh(h) − h ≈ −h³/3): no proof can isolate it, so nothing
// is reported as a fixed point and the candidates that reach it are
// unproved.
func TestTripleRootNeverProved(t *testing.T) {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = 1
	init := []float64{0.3, -0.2, 1e-3, 0}
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: init}, &Settings{Seed: 1, NoConnections: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 0 {
		t.Errorf("%d fixed points reported at a triple root: %+v", res.Fixed.Len(), res.Fixed.Points[0].Proof)
	}
	for _, p := range res.All.Points {
		if p.Proof.Method == ProofKrawczyk {
			t.Errorf("candidate proved at %v", p.X)
		}
	}
	if res.Stats.UnconvergedByReason[ReasonUnproved] == 0 {
		t.Errorf("no candidate unproved: %v", res.Stats.UnconvergedByReason)
	}
}

// TestUnprovedReason: at a point of the slab where z rounds to 1.0 the
// reason is saturated; at a point where F − x is small for no gate's sake
// (here: none exists, we pick a non-root) it is unproved.
func TestUnprovedReason(t *testing.T) {
	c := gatedGRU(3, 1, 1, false)
	c.Params()[4*1+2].Data[0] = 50 // σ(50) rounds to 1.0
	f, err := newFinder(Problem{Cell: c, InitialStates: make([]float64, 3)}, func() Settings { s := Settings{}; s.fill(); return s }())
	if err != nil {
		t.Fatal(err)
	}
	cand := f.cands[0]
	copy(cand.x, []float64{0.7, 0, 0})
	if r := f.unprovedReason(cand); r != ReasonSaturated {
		t.Errorf("slab point: reason %v, want saturated", r)
	}
	clear(c.Params()[4*1+2].Data)
	if r := f.unprovedReason(cand); r != ReasonUnproved {
		t.Errorf("unsaturated point: reason %v, want unproved", r)
	}
}

// torchGRU2 loads the 2-layer GRU that cells/testdata/gen_fixtures.py
// trained on the flip-flop, and the fixed points of an independent float64
// Newton solve on the torch module (torch autograd Jacobians, 2000 starts),
// split into real ones and those of exactly saturated gates.
func torchGRU2(t *testing.T) (cells.Cell, [][]float64, [][]float64) {
	t.Helper()
	dir := filepath.Join("..", "cells", "testdata")
	cell, _, err := cells.LoadModel(filepath.Join(dir, "flipflop_gru2.pt"), cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newton, err := cells.ReadStateDict(filepath.Join(dir, "flipflop_gru2.newton.npz"))
	if err != nil {
		t.Fatal(err)
	}
	pts, sat := newton["points"], newton["saturated"]
	N := pts.Shape[1]
	var real, saturated [][]float64
	for i := 0; i < pts.Shape[0]; i++ {
		x := pts.Data[i*N : (i+1)*N]
		if sat.Data[i] == 0 {
			real = append(real, x)
		} else {
			saturated = append(saturated, x)
		}
	}
	return cell, real, saturated
}

// TestSaturatedStartsOfTorchGRU2: started from the 61 points Newton found
// where gates saturate exactly (F(x) = x in float64, but G ≠ 0), the search
// reports none of them: each candidate either reaches a real root (one of
// Newton's real points, proved) or ends unconverged.
func TestSaturatedStartsOfTorchGRU2(t *testing.T) {
	cell, real, saturated := torchGRU2(t)
	var init []float64
	for _, x := range saturated {
		init = append(init, x...)
	}
	res, err := Find(context.Background(), Problem{Cell: cell, InitialStates: init, Inputs: make([]float64, cell.InputSize())},
		&Settings{Seed: 1, NoComplete: true, NoConnections: true, KeepDistanceOutliers: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Fixed.Points {
		for _, s := range saturated {
			if supDist(p.X, s) < 1e-6 {
				t.Errorf("a saturated start is reported as a fixed point (proof %+v)", p.Proof)
			}
		}
		if p.Proof.Method != ProofKrawczyk {
			t.Errorf("fixed point without proof: %+v", p.Proof)
		}
		best := math.Inf(1)
		for _, r := range real {
			best = math.Min(best, supDist(p.X, r))
		}
		if best > 1e-8 {
			t.Errorf("reported point is none of Newton's real points (nearest %g)", best)
		}
	}
	t.Logf("%d saturated starts: %d fixed points reported (all among Newton's real ones), outcomes %d fixed, %v",
		len(saturated), res.Fixed.Len(), res.Stats.Certified, res.Stats.UnconvergedByReason)
}

// TestTorchGRU2AllProved: from Newton's real points, every one is found
// again and proved, with its radius and uniqueness radius.
func TestTorchGRU2AllProved(t *testing.T) {
	cell, real, _ := torchGRU2(t)
	var init []float64
	for _, x := range real {
		init = append(init, x...)
	}
	res, err := Find(context.Background(), Problem{Cell: cell, InitialStates: init, Inputs: make([]float64, cell.InputSize())},
		&Settings{Seed: 1, NoComplete: true, NoConnections: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != len(real) {
		t.Errorf("%d fixed points from Newton's %d real ones", res.Fixed.Len(), len(real))
	}
	minR, maxR, minU, maxU := math.Inf(1), 0.0, math.Inf(1), 0.0
	for _, p := range res.Fixed.Points {
		pf := p.Proof
		if pf.Method != ProofKrawczyk || !(pf.Radius > 0 && pf.Radius <= pf.UniqueRadius) {
			t.Errorf("proof %+v", pf)
		}
		minR, maxR = math.Min(minR, pf.Radius), math.Max(maxR, pf.Radius)
		minU, maxU = math.Min(minU, pf.UniqueRadius), math.Max(maxU, pf.UniqueRadius)
	}
	t.Logf("%d points proved: radius %.2g..%.2g, unique radius %.2g..%.2g", res.Fixed.Len(), minR, maxR, minU, maxU)
}

// TestProveParallelMatchesOneCore: prove's work done ahead on several CPUs
// (speculate) gives bit for bit the result of one core on the trained
// flip-flop GRU-16, whose candidates take every path (known roots, Newton
// from the state and from the initial state, new roots, failures).
func TestProveParallelMatchesOneCore(t *testing.T) {
	if testing.Short() {
		t.Skip("two Finds of a GRU-16")
	}
	p := flipFlopProblem(t, "gru")
	one, two := findOnCores(t, p, 1), findOnCores(t, p, 2)
	if one.Fixed.Len() != two.Fixed.Len() || one.Stats.Certified != two.Stats.Certified || fmt.Sprint(one.Stats.UnconvergedByReason) != fmt.Sprint(two.Stats.UnconvergedByReason) {
		t.Fatalf("one core: %d fixed, %d certified, %v; two: %d, %d, %v", one.Fixed.Len(), one.Stats.Certified, one.Stats.UnconvergedByReason, two.Fixed.Len(), two.Stats.Certified, two.Stats.UnconvergedByReason)
	}
	for i, a := range one.All.Points {
		b := two.All.Points[i]
		if !slices.Equal(a.X, b.X) || a.Proof != b.Proof || a.Outcome != b.Outcome || a.ProofReason != b.ProofReason {
			t.Fatalf("candidate %d: one core %v %+v %q, two %v %+v %q", i, a.Outcome, a.Proof, a.ProofReason, b.Outcome, b.Proof, b.ProofReason)
		}
	}
}
