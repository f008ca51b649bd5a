package finder

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// A GRU whose update gate is driven to 1.0 in float64 everywhere (b_hz =
// 50): the rounded map is the identity, so every state passes the residual
// test, but the real map h' = h + (1 - z)(n - h) has its roots only where
// n(h) = h. With KeepDistanceOutliers on (nothing else to keep them out), no
// state of that region is reported as a fixed point: the candidates are
// refined on G = n - h and end at the real root 0 (b_in = b_hn = 0, the
// only root: the truth's Newton from 200 starts finds no other), proved.
// n - h is checked here in plain Go. With NoProof the search certifies by
// residual, as before issue 26, and every slab point is "fixed" (labelled
// "residual"): the proof is what tells them apart.
func TestSaturatedGRUNotFixed(t *testing.T) {
	const H = 4
	c := cells.NewGRU(H, 0)
	p := c.Params()
	r := rand.New(rand.NewPCG(1, 2))
	for g := 0; g < 3; g++ {
		whh := p[4*g+1]
		for i := range whh.Data {
			whh.Data[i] = 0.8 * r.NormFloat64()
		}
	}
	for i := range p[4*1+3].Data {
		p[4*1+3].Data[i] = 50 // b_hz: z = sigmoid(50 + ...) = 1.0 in float64
	}
	init := make([]float64, 0, 65*H)
	for k := 0; k < 64*H; k++ {
		init = append(init, 2*r.Float64()-1)
	}
	init = append(init, make([]float64, H)...) // the real root 0
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: init}, &Settings{KeepDistanceOutliers: true, NoComplete: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	nMinusH := func(h []float64) float64 { // max_i |n_i(h) - h_i| in plain Go
		m := 0.0
		for i := 0; i < H; i++ {
			rp, np := 0.0, 0.0
			for j := 0; j < H; j++ {
				rp += h[j] * p[1].At(j, i)
				np += h[j] * p[4*2+1].At(j, i)
			}
			m = math.Max(m, math.Abs(math.Tanh(np/(1+math.Exp(-rp)))-h[i]))
		}
		return m
	}
	for _, pt := range res.Fixed.Points {
		if d := nMinusH(pt.X); d > 1e-10 {
			t.Errorf("reported fixed point %v has |n - h| = %g: not a root of the real map", pt.X, d)
		}
	}
	if res.Fixed.Len() != 1 || maxAbsOf(res.Fixed.Points[0].X) > res.Fixed.Points[0].Proof.Radius {
		t.Fatalf("%d fixed points, want 1 (the origin)", res.Fixed.Len())
	}
	if pf := res.Fixed.Points[0].Proof; pf.Method != ProofKrawczyk || !(pf.Radius > 0 && pf.Radius <= pf.UniqueRadius) {
		t.Errorf("origin's proof %+v", pf)
	}
	_, starts := uniformStates(200, H, 11, 2)
	if truth := truthRoots(c, starts); len(truth) != 1 {
		t.Errorf("truth has %d roots, want 1", len(truth))
	}
	// The candidate that starts at the root is certified there; the others
	// stay on the slab, labelled saturated (Newton on G from them reaches
	// the root, which is that one point).
	if res.Stats.Certified != 1 || res.Stats.UnconvergedByReason[ReasonSaturated] != 64 {
		t.Errorf("%d candidates certified, %d saturated, want 1 and 64 (stats %+v)", res.Stats.Certified, res.Stats.UnconvergedByReason[ReasonSaturated], res.Stats)
	}
	old, err := Find(context.Background(), Problem{Cell: c, InitialStates: init}, &Settings{KeepDistanceOutliers: true, NoComplete: true, Seed: 3, NoProof: true})
	if err != nil {
		t.Fatal(err)
	}
	if old.Fixed.Len() < 60 || old.Fixed.Points[0].Proof.Method != ProofResidual {
		t.Errorf("NoProof: %d fixed points (%+v), want the slab's (about 65), labelled residual", old.Fixed.Len(), old.Fixed.Points[0].Proof)
	}
}
