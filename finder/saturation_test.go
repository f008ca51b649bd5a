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
// state of that region is reported as a fixed point except the real root 0
// (b_in = b_hn = 0), which one candidate starts on; each of the others is
// labelled saturated. n - h is checked here in plain Go.
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
	if res.Fixed.Len() != 1 {
		t.Errorf("%d fixed points, want 1 (the origin)", res.Fixed.Len())
	}
	if n := res.Stats.UnconvergedByReason[ReasonSaturated]; n != 64 {
		t.Errorf("%d candidates labelled saturated, want 64 (stats %+v)", n, res.Stats)
	}
	if res.Status != Incomplete {
		t.Errorf("status %v, want Incomplete", res.Status)
	}
}
