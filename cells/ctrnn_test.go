package cells_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/proof"
)

// ctrnnFixture is one entry of testdata/ctrnn.json (gen_ctrnn.py).
type ctrnnFixture struct {
	File          string  `json:"file"`
	ONNX          string  `json:"onnx"`
	Ref           string  `json:"ref"`
	Form          string  `json:"form"`
	Activation    string  `json:"activation"`
	Alpha         float64 `json:"alpha"`
	Prefix        string  `json:"prefix"`
	InputName     string  `json:"input_name"`
	RecurrentName string  `json:"recurrent_name"`
	WRec          string  `json:"wrec"`
	Dtype         string  `json:"dtype"`
	StateInput    string  `json:"state_input"`
	Newton        string  `json:"newton"`
}

func readCTRNNManifest(t *testing.T) []ctrnnFixture {
	t.Helper()
	b, err := os.ReadFile(fixturePath("ctrnn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Fixtures []ctrnnFixture `json:"fixtures"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Fixtures) < 24 {
		t.Fatalf("manifest lists %d fixtures, want gen_ctrnn.py's >= 24", len(m.Fixtures))
	}
	return m.Fixtures
}

func (f ctrnnFixture) options() cells.Options {
	return cells.Options{Kind: "ctrnn", CTRNN: cells.CTRNNOptions{Alpha: f.Alpha, Form: f.Form, Activation: f.Activation,
		InputName: f.InputName, RecurrentName: f.RecurrentName}}
}

// compareFJ checks F and dF/dx of cell at the reference points against the
// torch module's, returning the largest differences.
func compareFJ(t *testing.T, cell cells.Cell, ref string, tol float64) (df, dj float64) {
	t.Helper()
	r, err := cells.ReadStateDict(fixturePath(ref))
	if err != nil {
		t.Fatal(err)
	}
	x, u, f, jac := r["x"], r["u"], r["f"], r["jac"]
	P, N := x.Shape[0], x.Shape[1]
	if cell.StateSize() != N || cell.InputSize() != u.Shape[1] {
		t.Fatalf("%s: cell has N = %d, M = %d; torch's %d, %d", ref, cell.StateSize(), cell.InputSize(), N, u.Shape[1])
	}
	j, err := graph.NewJacobians(cell, P, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	jx := make([]float64, P*N*N)
	if err := j.Eval(x.Data, u.Data, jx, nil); err != nil {
		t.Fatal(err)
	}
	df, dj = maxAbsDiff(j.F(), f.Data), maxAbsDiff(jx, jac.Data)
	if !(df <= tol) || !(dj <= tol) {
		t.Errorf("%s: max |F - torch| = %.3g, max |J - torch| = %.3g, want <= %g", ref, df, dj, tol)
	}
	return df, dj
}

// TestCTRNNFixturesMatchTorch loads every CTRNN weight file gen_ctrnn.py
// wrote from a torch module (each form with each activation, under prefix
// rnn. beside a readout; custom nn.Linear names; nn.RNN names; a kernel
// over [u; h]; PsychRNN's npz with and without Dale's law; a low-rank RNN)
// and checks F and its Jacobian against the module's autograd to 1e-12.
func TestCTRNNFixturesMatchTorch(t *testing.T) {
	n := 0
	for _, f := range readCTRNNManifest(t) {
		if f.File == "" || f.Newton != "" {
			continue
		}
		t.Run(f.File, func(t *testing.T) {
			cell, info, err := cells.LoadModel(fixturePath(f.File), f.options())
			if err != nil {
				t.Fatal(err)
			}
			if info.Prefix != f.Prefix {
				t.Errorf("prefix %q, want %q", info.Prefix, f.Prefix)
			}
			c := cell.(*cells.CTRNN)
			if c.Form.String() != f.Form || c.Act.String() != f.Activation || c.Alpha != f.Alpha {
				t.Errorf("read as %v, %v, alpha %g; want %s, %s, %g", c.Form, c.Act, c.Alpha, f.Form, f.Activation, f.Alpha)
			}
			df, dj := compareFJ(t, cell, f.Ref, 1e-12)
			t.Logf("%s: max |F - torch| %.2g, |J - torch| %.2g", info, df, dj)
		})
		n++
	}
	if n < 21 {
		t.Errorf("%d CTRNN weight files compared, want 21", n)
	}
}

// TestCTRNNFormFromLayout: without -form, PsychRNN's and low-rank layouts
// are read in the voltage form their code is written in, neurogym's in the
// rate form; a form given wins (and then F is not torch's).
func TestCTRNNFormFromLayout(t *testing.T) {
	for file, want := range map[string]cells.CTRNNForm{"psychrnn.dale.npz": cells.FormVoltage, "lowrank.pt": cells.FormVoltage, "ctrnn.rate.tanh.pt": cells.FormRate} {
		cell, _, err := cells.LoadModel(fixturePath(file), cells.Options{Kind: "ctrnn", CTRNN: cells.CTRNNOptions{Alpha: 0.2}})
		if err != nil {
			t.Fatal(err)
		}
		if got := cell.(*cells.CTRNN).Form; got != want {
			t.Errorf("%s: form %v, want %v", file, got, want)
		}
	}
}

// TestPsychRNNMasks: the recurrent matrix the cell uses is the masked one
// PsychRNN's step uses (|W_rec * rec_connectivity| Dale_rec with Dale's
// law, W_rec * rec_connectivity without), not the W_rec saved.
func TestPsychRNNMasks(t *testing.T) {
	for _, name := range []string{"psychrnn.dale", "psychrnn.nodale"} {
		cell, _, err := cells.LoadModel(fixturePath(name+".npz"), cells.Options{Kind: "ctrnn", CTRNN: cells.CTRNNOptions{Alpha: 0.2}})
		if err != nil {
			t.Fatal(err)
		}
		want, err := cells.ReadStateDict(fixturePath(name + ".wrec.npz"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := cells.ReadStateDict(fixturePath(name + ".npz"))
		if err != nil {
			t.Fatal(err)
		}
		got := cell.StateDict()["weight_hh_l0"]
		d, dRaw := maxAbsDiff(got.Data, want["W_rec"].Data), maxAbsDiff(raw["W_rec"].Data, want["W_rec"].Data)
		t.Logf("%s: max |W used - PsychRNN's effective W_rec| = %g (the saved W_rec differs by %g)", name, d, dRaw)
		if d != 0 {
			t.Errorf("%s: the recurrent matrix used differs from PsychRNN's masked one by %g", name, d)
		}
		if dRaw < 0.1 {
			t.Errorf("%s: the fixture's masks change W_rec by only %g: the test could not fail", name, dRaw)
		}
		neg := 0
		for _, v := range got.Data {
			if v < 0 {
				neg++
			}
		}
		t.Logf("%s: %d negative entries of %d", name, neg, len(got.Data))
	}
}

// TestCTRNNAlphaErrors: every way of not giving alpha, or giving a bad
// one, is a one-line error naming what is wrong.
func TestCTRNNAlphaErrors(t *testing.T) {
	for _, c := range []struct {
		o    cells.CTRNNOptions
		want string
	}{
		{cells.CTRNNOptions{}, "alpha = dt/tau is not in the state_dict"},
		{cells.CTRNNOptions{DT: 10}, "dt = 10 given without tau"},
		{cells.CTRNNOptions{Tau: 100}, "tau = 100 given without dt"},
		{cells.CTRNNOptions{Alpha: 1.5}, "alpha = dt/tau = 1.5: want 0 < alpha <= 1"},
		{cells.CTRNNOptions{Alpha: -0.1}, "want 0 < alpha <= 1"},
		{cells.CTRNNOptions{Alpha: math.NaN()}, "want 0 < alpha <= 1"},
		{cells.CTRNNOptions{DT: 100, Tau: 10}, "dt/tau = 100/10 = 10: want 0 < dt/tau <= 1"},
		{cells.CTRNNOptions{DT: -1, Tau: 10}, "want both > 0"},
		{cells.CTRNNOptions{Alpha: 0.2, DT: 10, Tau: 100}, "given both as alpha = 0.2 and as dt/tau"},
	} {
		_, _, err := cells.LoadModel(fixturePath("ctrnn.rate.relu.pt"), cells.Options{Kind: "ctrnn", CTRNN: c.o})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line containing %q", c.o, err, c.want)
		}
	}
	cell, _, err := cells.LoadModel(fixturePath("ctrnn.rate.relu.pt"), cells.Options{Kind: "ctrnn", CTRNN: cells.CTRNNOptions{DT: 20, Tau: 100}})
	if err != nil || cell.(*cells.CTRNN).Alpha != 0.2 {
		t.Errorf("dt 20, tau 100: %v, want alpha 0.2", err)
	}
}

// TestUnknownStateDictNamesTheWay: a state_dict with no nn.RNN/GRU/LSTM
// layer is refused with its tensors listed and the flags that read them,
// with an example.
func TestUnknownStateDictNamesTheWay(t *testing.T) {
	_, _, err := cells.LoadModel(fixturePath("ctrnn.rate.relu.pt"), cells.Options{})
	for _, s := range []string{`"rnn.h2h.weight" [5 5]`, `"rnn.input2h.weight" [5 3]`, `nn.Linear input2h, h2h, prefix "rnn."`,
		"-cell ctrnn", "fixedpoints find -weights FILE -cell ctrnn -alpha 0.2"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v lacks %q", err, s)
		}
	}
	_, _, err = cells.LoadModel(fixturePath("gated.ref.npz"), cells.Options{})
	for _, s := range []string{`"jac" [6 5 5]`, "-input-name NAME -recurrent-name NAME", "-cell ctrnn -alpha 0.2 -recurrent-name"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v lacks %q", err, s)
		}
	}
}

// TestCTRNNFactorEnclosesTorch: for every CTRNN fixture, Factor's G and D
// at each reference point agree with the torch module's F (D ⊙ G = F − h:
// G = (F − h)/α in rate and voltage form, F − h in post form) to 1e-12, and
// over the hull of all reference points (a wide box) the enclosures of G and
// of dG/dx hold the torch module's values at every point: (J − I)/α or
// J − I from torch's autograd Jacobian.
func TestCTRNNFactorEnclosesTorch(t *testing.T) {
	for _, f := range readCTRNNManifest(t) {
		if f.File == "" || f.Newton != "" {
			continue
		}
		cell, _, err := cells.LoadModel(fixturePath(f.File), f.options())
		if err != nil {
			t.Fatal(err)
		}
		c := cell.(*cells.CTRNN)
		r, err := cells.ReadStateDict(fixturePath(f.Ref))
		if err != nil {
			t.Fatal(err)
		}
		x, u, fx, jac := r["x"], r["u"], r["f"], r["jac"]
		P, N, M := x.Shape[0], x.Shape[1], u.Shape[1]
		d := c.Alpha
		if c.Form == cells.FormPost {
			d = 1
		}
		worst, worstJ := 0.0, 0.0
		for k := 0; k < P; k++ {
			xk, uk := x.Data[k*N:(k+1)*N], u.Data[k*M:(k+1)*M]
			g, dd, err := cells.Residuals(c, xk, uk)
			if err != nil {
				t.Fatal(err)
			}
			hull := make([]interval.I, N)
			for i := range hull {
				hull[i] = interval.Point(xk[i])
				for q := 0; q < P; q++ {
					hull[i] = interval.Hull(hull[i], interval.Point(x.Data[q*N+i]))
				}
			}
			box, err := c.Factor(hull, uk, true)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < N; i++ {
				want := (fx.Data[k*N+i] - xk[i]) / d
				worst = math.Max(worst, math.Abs(g[i]-want))
				if dd[i] != d {
					t.Errorf("%s: D = %g, want %g", f.File, dd[i], d)
				}
				if gi := box.G[i]; !(gi.Lo-1e-12 <= want && want <= gi.Hi+1e-12) {
					t.Errorf("%s: point %d: G_%d = %g (torch) outside the hull's enclosure [%g, %g]", f.File, k, i, want, gi.Lo, gi.Hi)
				}
				for j := 0; j < N; j++ {
					want := jac.Data[(k*N+i)*N+j] / d
					if i == j {
						want = (jac.Data[(k*N+i)*N+j] - 1) / d
					}
					e := box.J.At(i, j)
					if !(e.Lo-1e-12 <= want && want <= e.Hi+1e-12) {
						t.Errorf("%s: point %d: dG_%d/dx_%d = %g (torch) outside the hull's enclosure [%g, %g]", f.File, k, i, j, want, e.Lo, e.Hi)
					}
					worstJ = math.Max(worstJ, e.Hi-e.Lo)
				}
			}
		}
		if worst > 1e-12 {
			t.Errorf("%s: G at the reference points differs from torch's (F - h)/D by %g", f.File, worst)
		}
		t.Logf("%s (%v, %v): max |G - torch| %.2g; widest dG/dx enclosure over the hull %.3g", f.File, c.Form, c.Act, worst, worstJ)
	}
}

// TestCTRNNNewtonPointsProved: through CTRNN's factorization, Krawczyk's
// operator (package proof) proves each of the torch Newton solve's 7 fixed
// points of the trained flip-flop CTRNN a unique root of G = f(a) − h.
func TestCTRNNNewtonPointsProved(t *testing.T) {
	cell, _, err := cells.LoadModel(fixturePath("flipflop_ctrnn.pt"), cells.Options{Kind: "ctrnn", CTRNN: cells.CTRNNOptions{Alpha: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	nw, err := cells.ReadStateDict(fixturePath("flipflop_ctrnn.newton.npz"))
	if err != nil {
		t.Fatal(err)
	}
	pts := nw["points"]
	N := pts.Shape[1]
	sys := proof.CellSystem(cell.(cells.Factored), make([]float64, cell.InputSize()))
	for k := 0; k < pts.Shape[0]; k++ {
		r, err := proof.Krawczyk(sys, pts.Data[k*N:(k+1)*N], nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("point %d: proved %v, radius %.2g, unique within %.2g (contraction %.2g)", k, r.Proved, r.Radius, r.UniqueRadius, r.Contraction)
		if !r.Proved {
			t.Errorf("Newton's point %d not proved: %s", k, r.Reason)
		}
	}
}
