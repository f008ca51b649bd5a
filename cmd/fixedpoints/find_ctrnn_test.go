package main

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// newtonCTRNN is gen_ctrnn.py's float64 Newton solve on the trained
// flip-flop CTRNN: the points and their unstable counts for the flow and
// the map.
func newtonCTRNN(t *testing.T) (pts [][]float64, flow, mapU []int) {
	t.Helper()
	nw, err := cells.ReadStateDict(fixture("flipflop_ctrnn.newton.npz"))
	if err != nil {
		t.Fatal(err)
	}
	p := nw["points"]
	N := p.Shape[1]
	for i := 0; i < p.Shape[0]; i++ {
		pts = append(pts, p.Data[i*N:(i+1)*N])
		flow = append(flow, int(nw["n_unstable_flow"].Data[i]))
		mapU = append(mapU, int(nw["n_unstable_map"].Data[i]))
	}
	return pts, flow, mapU
}

// matchNewton checks both ways that our certified points are Newton's,
// with the saddle index want gives.
func matchNewton(t *testing.T, fp *finder.FixedPoints, want [][]float64, unstable []int) {
	t.Helper()
	matched := make([]bool, len(want))
	for _, p := range fp.Points {
		best, bi := math.Inf(1), -1
		for i, w := range want {
			d := 0.0
			for k := range w {
				d = math.Max(d, math.Abs(p.X[k]-w[k]))
			}
			if d < best {
				best, bi = d, i
			}
		}
		if best > 1e-8 {
			t.Errorf("our point (%d unstable) is none of Newton's: nearest at %g", p.Stability.NUnstable, best)
			continue
		}
		matched[bi] = true
		if p.Stability.NUnstable != unstable[bi] {
			t.Errorf("Newton's point %d: saddle index %d, Newton's eigenvalues say %d", bi, p.Stability.NUnstable, unstable[bi])
		}
	}
	for i, m := range matched {
		if !m {
			t.Errorf("Newton's point %d (%d unstable) not found", i, unstable[i])
		}
	}
	t.Logf("%d of our points, %d of Newton's", fp.Len(), len(want))
}

// The neurogym-style CTRNN gen_ctrnn.py trained on the 3-bit flip-flop
// (rate form, relu, alpha 0.2; nn.Linear input2h, h2h under rnn.): find
// from the .pt with -cell ctrnn -alpha 0.2 reports the fixed points of an
// independent float64 Newton solve on the torch module, with the flow's
// saddle indices (-continuous is the default for ctrnn), and shows both
// mu and lambda = (mu - 1)/alpha.
func TestFindFlipFlopCTRNNMatchesNewton(t *testing.T) {
	if testing.Short() {
		t.Skip("a full search")
	}
	want, flow, _ := newtonCTRNN(t)
	o, err := parseFindFlags([]string{"-weights", fixture("flipflop_ctrnn.pt"), "-cell", "ctrnn", "-alpha", "0.2", "-out", t.TempDir(), "-quiet"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Search.Continuous() {
		t.Error("-continuous is not the default for -cell ctrnn")
	}
	out, fp := runOK(t, o)
	t.Logf("%s", out)
	matchNewton(t, fp, want, flow)
	for _, s := range []string{"lambda = (mu - 1)/alpha, alpha = 0.2", "leading mu = 0.883341, lambda = -0.583297"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

// Every missing or stray alpha flag is a one-line usage error naming it.
func TestFindCTRNNFlagErrors(t *testing.T) {
	w := fixture("ctrnn.rate.relu.pt")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-cell", "ctrnn"}, "-alpha, -dt, -tau: CTRNN alpha = dt/tau is not in the state_dict"},
		{[]string{"-cell", "ctrnn", "-dt", "20"}, "dt = 20 given without tau"},
		{[]string{"-cell", "ctrnn", "-tau", "100"}, "tau = 100 given without dt"},
		{[]string{"-cell", "ctrnn", "-alpha", "2"}, "want 0 < alpha <= 1"},
		{[]string{"-cell", "ctrnn", "-dt", "200", "-tau", "100"}, "want 0 < dt/tau <= 1"},
		{[]string{"-cell", "ctrnn", "-alpha", "0.2", "-form", "leaky"}, `-form: CTRNN form "leaky"`},
		{[]string{"-cell", "ctrnn", "-alpha", "0.2", "-activation", "gelu"}, `-activation: activation "gelu"`},
		{[]string{"-alpha", "0.2"}, "-alpha is for continuous-time RNNs: give -cell ctrnn with it"},
	} {
		_, err := parseFindFlags(append([]string{"-weights", w}, c.args...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line containing %q", c.args, err, c.want)
		}
	}
}

// The same trained CTRNN exported as an ONNX step (torch.onnx.export of
// its one step, input and hidden): find with no flags at all reads it
// (the graph says nothing of alpha, so the map's stability is judged) and
// reports Newton's points with the map's saddle indices.
func TestFindFlipFlopONNXStepMatchesNewton(t *testing.T) {
	if testing.Short() {
		t.Skip("a full search")
	}
	want, _, mapU := newtonCTRNN(t)
	o, err := parseFindFlags([]string{"-weights", fixture("flipflop_ctrnn.onnx"), "-out", t.TempDir(), "-quiet"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out, fp := runOK(t, o)
	t.Logf("%s", out)
	if !strings.Contains(out, "ONNX step") {
		t.Errorf("output does not say the model is an ONNX step")
	}
	matchNewton(t, fp, want, mapU)
}
