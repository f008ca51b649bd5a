package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/handloop"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

func handRNNSetup(B int) (*cells.Vanilla, []float64) {
	c := cells.NewVanilla(16, 3, cells.Tanh)
	c.InitUniform(1)
	r := rand.New(rand.NewPCG(1, 1))
	return c, torchref.RandVec(r, B*16)
}

// The hand loop (internal/handloop) computes what the graph computes: F, q and dq/dX agree to
// 1e-14 at 1024 random states of a 16-unit tanh RNN.
func TestHandLoopMatchesObjective(t *testing.T) {
	const B = 1024
	c, x := handRNNSetup(B)
	o, err := NewObjective(c, B, Float64)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetStates(x); err != nil {
		t.Fatal(err)
	}
	if err := o.SetInputs(make([]float64, 3)); err != nil {
		t.Fatal(err)
	}
	if err := o.Eval(); err != nil {
		t.Fatal(err)
	}
	h := handloop.New(c, B, make([]float64, B*c.InputSize()))
	copy(h.X, x)
	h.Eval()
	for _, v := range []struct {
		name      string
		got, want []float64
	}{{"F", o.F(), h.F}, {"q", o.Q(), h.Q}, {"grad", o.Grad(), h.Grad}} {
		worst := 0.0
		for i := range v.got {
			worst = math.Max(worst, math.Abs(v.got[i]-v.want[i]))
		}
		if worst > 1e-14 {
			t.Errorf("%s: graph and hand loop differ by up to %g", v.name, worst)
		}
	}
}

// BenchmarkHandLoop is the hand-written objective of a 16-unit tanh RNN at
// B = 1024, to set beside BenchmarkObjective/rnn/N=16/B=1024.
func BenchmarkHandLoop(b *testing.B) {
	const B = 1024
	c, x := handRNNSetup(B)
	h := handloop.New(c, B, make([]float64, B*c.InputSize()))
	copy(h.X, x)
	b.ReportAllocs()
	for b.Loop() {
		h.Eval()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iters/s")
}
