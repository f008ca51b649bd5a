package cells_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// The fixtures in testdata/ were written by PyTorch and NumPy themselves
// (testdata/gen_fixtures.py, which lists them in testdata/fixtures.json):
// weight files from torch modules' state_dicts, torch.save and
// torch.onnx.export files, and the modules' own trajectories and steps.

// fixture is one entry of testdata/fixtures.json.
type fixture struct {
	File   string   `json:"file"`
	Format string   `json:"format"`
	Kind   string   `json:"kind"`
	Layers int      `json:"layers"`
	Dtype  string   `json:"dtype"`
	Prefix string   `json:"prefix"`
	Key    string   `json:"key"`
	Ref    string   `json:"ref"`
	Refs   []string `json:"refs"`
	Values string   `json:"values"`
	Refuse string   `json:"refuse"`
	Newton string   `json:"newton"`
}

// Fixture sizes (gen_fixtures.py: HIDDEN, INPUTS).
const (
	fixHidden = 4
	fixInputs = 3
)

func fixturePath(name string) string { return filepath.Join("testdata", name) }

func readManifest(t *testing.T) []fixture {
	t.Helper()
	b, err := os.ReadFile(fixturePath("fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Fixtures []fixture `json:"fixtures"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Fixtures) < 35 {
		t.Fatalf("manifest lists %d fixtures, want the generator's >= 35", len(m.Fixtures))
	}
	return m.Fixtures
}

// torchRun is a torch module's reference run (NAME.ref.npz).
type torchRun struct {
	x0, inputs, states    cells.Tensor
	stepX, stepU, stepF   cells.Tensor
	trials, steps, points int
}

func readRun(t *testing.T, name string) torchRun {
	t.Helper()
	a, err := cells.ReadStateDict(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	r := torchRun{x0: a["x0"], inputs: a["inputs"], states: a["states"], stepX: a["step_x"], stepU: a["step_u"], stepF: a["step_f"]}
	r.trials, r.steps, r.points = r.states.Shape[0], r.states.Shape[1], r.stepX.Shape[0]
	return r
}

// options are the LoadModel options a fixture needs: the kind only for an
// nn.RNN state_dict (its nonlinearity is not in the file).
func (f fixture) options() cells.Options {
	o := cells.Options{Key: f.Key}
	if strings.HasPrefix(f.Kind, "rnn") && f.Format != "onnx" {
		o.Kind = f.Kind
	}
	return o
}

// compareRun checks that the cell's trajectories and steps equal torch's.
func compareRun(t *testing.T, cell cells.Cell, r torchRun, dt graph.Dtype, tol float64) {
	t.Helper()
	got, err := graph.Simulate(context.Background(), cell, r.x0.Data, r.inputs.Data, r.trials, r.steps, dt)
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(got, r.states.Data)
	f, err := graph.Simulate(context.Background(), cell, r.stepX.Data, r.stepU.Data, r.points, 1, dt)
	if err != nil {
		t.Fatal(err)
	}
	df := maxAbsDiff(f, r.stepF.Data)
	t.Logf("max |ours - torch|: trajectories %.3g, F %.3g (tolerance %g)", d, df, tol)
	if !(d <= tol) || !(df <= tol) {
		t.Errorf("trajectories differ from torch's by %g and F by %g, want <= %g", d, df, tol)
	}
}

// TestTorchFixtures loads every weight file the generator made from a torch
// module (safetensors, npz, torch.save zip and legacy, checkpoints,
// multi-layer, ONNX) by content and checks what was read and that our F and
// trajectories equal the torch module's: to 1e-12 for float64 modules in
// float64, to 1e-5 for float32 modules in float32 (and in float64).
func TestTorchFixtures(t *testing.T) {
	n := 0
	for _, f := range readManifest(t) {
		if f.Ref == "" {
			continue
		}
		n++
		t.Run(f.File, func(t *testing.T) {
			cell, info, err := cells.LoadModel(fixturePath(f.File), f.options())
			if err != nil {
				t.Fatal(err)
			}
			wantKind := f.Kind
			if wantKind == "rnn" {
				wantKind = "rnn"
			}
			if info.Kind != wantKind || info.Layers != f.Layers || info.Hidden != fixHidden || info.Inputs != fixInputs ||
				cell.InputSize() != fixInputs || info.StateSize != cell.StateSize() {
				t.Errorf("info %+v, want kind %s, %d layers, hidden %d, inputs %d", info, f.Kind, f.Layers, fixHidden, fixInputs)
			}
			if f.Format != "onnx" && (info.Prefix != f.Prefix || info.Key != f.Key) {
				t.Errorf("prefix %q key %q, want %q %q", info.Prefix, info.Key, f.Prefix, f.Key)
			}
			if !strings.Contains(strings.ToLower(info.Format), strings.Fields(f.Format)[0]) {
				t.Errorf("format %q, want %q", info.Format, f.Format)
			}
			r := readRun(t, f.Ref)
			if f.Dtype == "f32" {
				compareRun(t, cell, r, graph.Float32, 1e-5)
				compareRun(t, cell, r, graph.Float64, 1e-5)
			} else {
				compareRun(t, cell, r, graph.Float64, 1e-12)
			}
		})
	}
	if n < 31 {
		t.Errorf("%d fixtures with a torch run, want >= 31", n)
	}
}

// TestTorchLowPrecisionStorages: float16 and bfloat16 storages of
// torch.save read to exactly the values torch converts them to.
func TestTorchLowPrecisionStorages(t *testing.T) {
	for _, f := range readManifest(t) {
		if f.Values == "" {
			continue
		}
		got, err := cells.ReadStateDict(fixturePath(f.File))
		if err != nil {
			t.Fatal(err)
		}
		want, err := cells.ReadStateDict(fixturePath(f.Values))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d tensors, want %d", f.File, len(got), len(want))
		}
		for name, w := range want {
			g := got[name]
			if !slices.Equal(g.Shape, w.Shape) || maxAbsDiff(g.Data, w.Data) != 0 {
				t.Errorf("%s: %s = %v %v, want %v %v", f.File, name, g.Shape, g.Data, w.Shape, w.Data)
			}
		}
		if _, _, err := cells.LoadModel(fixturePath(f.File), cells.Options{}); err != nil {
			t.Errorf("%s: %v", f.File, err)
		}
	}
}

// TestTorchRefusals: every file that must be refused is, with an error
// naming the problem and the way out.
func TestTorchRefusals(t *testing.T) {
	want := map[string]struct {
		sentinel error
		parts    []string
	}{
		"refuse.module.pt":        {cells.ErrNotStateDict, []string{"pickled whole module", "torch.nn.modules.rnn.GRU", "torch.save(model.state_dict()"}},
		"refuse.bidirectional.pt": {cells.ErrUnsupported, []string{"bidirectional", "_reverse", "no forward-in-time dynamics"}},
		"refuse.proj.pt":          {cells.ErrUnsupported, []string{"proj_size", "weight_hr_l0"}},
		"refuse.nostatedict.pt":   {cells.ErrNotStateDict, []string{"no tensors", `"epoch"`, "-key", "torch.save(model.state_dict()"}},
	}
	seen := 0
	for _, f := range readManifest(t) {
		if f.Refuse == "" {
			continue
		}
		seen++
		w, ok := want[f.File]
		if !ok {
			t.Errorf("no expectation for %s", f.File)
			continue
		}
		_, _, err := cells.LoadModel(fixturePath(f.File), cells.Options{})
		t.Logf("%s: %v", f.File, err)
		wantErr(t, err, append(w.parts, f.File)...)
		if !errors.Is(err, w.sentinel) {
			t.Errorf("%s: error does not wrap %v", f.File, w.sentinel)
		}
	}
	if seen != len(want) {
		t.Errorf("%d refusal fixtures, want %d", seen, len(want))
	}
}

// TestTorchTruncatedAndKeys: a torch.save file cut short anywhere, zip or
// legacy, is refused as truncated; a checkpoint key must exist and is honoured.
func TestTorchTruncatedAndKeys(t *testing.T) {
	for _, name := range []string{"gru.f64.pt", "lstm.f64.legacy.pth", "lstm.ckpt.pt"} {
		b, err := os.ReadFile(fixturePath(name))
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{len(b) / 2, len(b) - 7, 40} {
			p := writeFile(t, "cut"+filepath.Ext(name), b[:cut])
			_, _, err := cells.LoadModel(p, cells.Options{})
			if err == nil {
				t.Errorf("%s cut to %d bytes: no error", name, cut)
				continue
			}
			t.Logf("%s cut to %d bytes: %v", name, cut, err)
			if !errors.Is(err, cells.ErrTruncated) {
				t.Errorf("%s cut to %d bytes: %v does not wrap ErrTruncated", name, cut, err)
			}
			wantErr(t, err, "truncated")
		}
	}
	_, _, err := cells.LoadModel(fixturePath("gru.userkey.pt"), cells.Options{})
	wantErr(t, err, `"weights"`, "-key")
	_, _, err = cells.LoadModel(fixturePath("lstm.ckpt.pt"), cells.Options{Key: "optimiser"})
	wantErr(t, err, `no key "optimiser"`, `"model_state_dict"`, `"optimizer_state_dict"`)
	_, _, err = cells.LoadModel(fixturePath("lstm.ckpt.pt"), cells.Options{Key: "optimizer_state_dict"})
	wantErr(t, err, "optimizer_state_dict")
	_, _, err = cells.LoadModel(fixturePath("lstm.ckpt.pt"), cells.Options{Key: "epoch"})
	wantErr(t, err, `"epoch"`, "an integer")
	_, _, err = cells.LoadModel(fixturePath("rnn.f64.safetensors"), cells.Options{})
	wantErr(t, err, "nonlinearity", "rnn_relu")
	_, _, err = cells.LoadModel(fixturePath("gru.f64.pt"), cells.Options{Kind: "lstm"})
	wantErr(t, err, "[12 4]", "fits gru")
}

// TestFormatByContent: the reader goes by the content, whatever the name.
func TestFormatByContent(t *testing.T) {
	for _, c := range []struct{ file, as string }{
		{"gru.f64.pt", "weights.npz"}, {"lstm.f64.legacy.pth", "model.safetensors"},
		{"gru.f64.safetensors", "model.pt"}, {"lstm.f32.npz", "weights.bin"}, {"gru2.f64.pt", "noext"},
	} {
		b, err := os.ReadFile(fixturePath(c.file))
		if err != nil {
			t.Fatal(err)
		}
		p := writeFile(t, c.as, b)
		cell, _, err := cells.LoadModel(p, cells.Options{})
		if err != nil {
			t.Errorf("%s named %s: %v", c.file, c.as, err)
			continue
		}
		want, _, err := cells.LoadModel(fixturePath(c.file), cells.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range cell.Params() {
			if maxAbsDiff(p.Data, want.Params()[i].Data) != 0 {
				t.Errorf("%s named %s: param %s differs", c.file, c.as, p.Name)
			}
		}
	}
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		if v := math.Abs(a[i] - b[i]); v > d || math.IsNaN(v) {
			d = v
		}
	}
	return d
}
