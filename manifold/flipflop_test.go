package manifold_test

import (
	"context"
	"math"
	"math/cmplx"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/fftest"
	"github.com/rnnfp/fixedpoints/manifold"
)

// TestFlipFlopGRUSlowPointsOnManifolds: the default flip-flop GRU keeps
// hundreds of slow points (it holds memories partly with saturated update
// gates). The analysis summarizes them by the manifolds they lie on: most
// slow points eligible for a manifold (inside the region of the initial
// states, q <= QMax, leading mode in the band) are in one, the summary says how many, and each manifold holds one
// memory: over its members every readout output keeps one sign, as the
// trained readout (independent of the analysis) reads it.
func TestFlipFlopGRUSlowPointsOnManifolds(t *testing.T) {
	// finder's benchmark search on the trained 16-unit flip-flop GRU.
	m, res := fftest.Find(t, "../finder/testdata/flipflop-gru16.safetensors")
	ro := &manifold.Readout{Outputs: 3, Weight: m.Readout.Weight, Bias: m.Readout.Bias}
	a, err := manifold.Analyze(context.Background(), m.Cell, res, ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := a.Summary()
	t.Logf("%d fixed, %d slow\n%s", res.Fixed.Len(), res.Slow.Len(), sum)
	s := manifold.DefaultSettings()
	eligible, on := 0, 0
	member := map[int]bool{}
	for _, mf := range a.Manifolds {
		for _, i := range mf.Members {
			member[i] = true
		}
	}
	for i := a.NFixed; i < a.Points.Len(); i++ {
		p := a.Points.Points[i]
		if a.Region.Contains(p.X) && p.Q <= s.QMax && math.Abs(cmplx.Abs(p.Modes[0].Value)-1) <= s.Band {
			eligible++
			if member[i] {
				on++
			}
		}
	}
	t.Logf("%d of %d eligible slow points lie on detected manifolds", on, eligible)
	if eligible < 50 || float64(on) < 0.8*float64(eligible) {
		t.Errorf("%d of %d eligible slow points lie on detected manifolds, want at least 80%% of 50 or more", on, eligible)
	}
	if !strings.Contains(sum, "slow manifolds:") || !strings.Contains(sum, "slow, slow-region or unconverged candidates") {
		t.Errorf("summary %q", sum)
	}
	for k, mf := range a.Manifolds {
		for o := 0; o < 3; o++ {
			if mf.EncodedMin[o] < 0 && mf.EncodedMax[o] > 0 {
				t.Errorf("manifold %d (%d points): output %d spans %v..%v, both signs: it mixes memories", k, len(mf.Members), o, mf.EncodedMin[o], mf.EncodedMax[o])
			}
		}
	}
}
