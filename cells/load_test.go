package cells_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func TestLoadIntoCell(t *testing.T) {
	path := fixturePath("gru.f64.safetensors")
	cell := cells.NewGRU(fixHidden, fixInputs)
	if err := cells.LoadWeights(path, cell, "rnn."); err != nil {
		t.Fatal(err)
	}
	if err := cells.LoadWeights(path, cells.NewGRU(fixHidden, fixInputs), cells.AutoPrefix); err != nil {
		t.Fatal(err)
	}
	want, err := cells.ReadStateDict(fixturePath("gru.f64.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(cell.StateDict()["weight_hh_l0"].Data, want["rnn.weight_hh_l0"].Data); d != 0 {
		t.Errorf("loaded weight_hh_l0 differs by %g", d)
	}
	// Without the prefix the names do not match.
	err = cells.LoadWeights(path, cells.NewGRU(fixHidden, fixInputs), "")
	wantErr(t, err, path, `missing tensor "weight_ih_l0"`)
	// A cell of other sizes is refused, naming the tensor and both shapes.
	err = cells.LoadWeights(path, cells.NewGRU(5, fixInputs), cells.AutoPrefix)
	wantErr(t, err, path, `"weight_ih_l0"`, "[12 3]", "[15 3]")
	// A GRU file into an LSTM: shapes differ by the gate count.
	err = cells.LoadWeights(path, cells.NewLSTM(fixHidden, fixInputs), cells.AutoPrefix)
	wantErr(t, err, path, "[12 3]", "[16 3]")
}

// wantErr fails unless err is non-nil and its text holds every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestNewTorchCell(t *testing.T) {
	for _, c := range []struct {
		kind      string
		torchKind string
		relu      bool
		N         int
	}{
		{"rnn", "RNN", false, 5}, {"RNN_TANH", "RNN", false, 5}, {"rnn_relu", "RNN", true, 5},
		{"GRU", "GRU", false, 5}, {"lstm", "LSTM", false, 10},
	} {
		cell, err := cells.NewTorchCell(c.kind, 5, 2)
		if err != nil {
			t.Fatal(err)
		}
		if cell.Kind() != c.torchKind || cell.Hidden() != 5 || cell.InputSize() != 2 || cell.StateSize() != c.N {
			t.Errorf("%s: kind %s hidden %d inputs %d N %d", c.kind, cell.Kind(), cell.Hidden(), cell.InputSize(), cell.StateSize())
		}
		if v, ok := cell.(*cells.Vanilla); ok && (v.Act == cells.ReLU) != c.relu {
			t.Errorf("%s: activation %v", c.kind, v.Act)
		}
	}
	_, err := cells.NewTorchCell("transformer", 5, 2)
	wantErr(t, err, `"transformer"`, "rnn, rnn_tanh, rnn_relu, gru, lstm")
	_, err = cells.NewTorchCell("gru", 0, 2)
	wantErr(t, err, "hidden size 0")
}

func TestInferSizes(t *testing.T) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		cell, _ := cells.NewTorchCell(kind, 7, 3)
		h, m, err := cells.InferSizes(cell.StateDict(), kind)
		if err != nil || h != 7 || m != 3 {
			t.Errorf("%s: %d, %d, %v; want 7, 3", kind, h, m, err)
		}
	}
	// Autonomous cell: weight_ih_l0 is G*H x 0.
	h, m, err := cells.InferSizes(cells.NewGRU(4, 0).StateDict(), "gru")
	if err != nil || h != 4 || m != 0 {
		t.Errorf("autonomous gru: %d, %d, %v; want 4, 0", h, m, err)
	}
	_, _, err = cells.InferSizes(cells.NewLSTM(4, 3).StateDict(), "gru")
	wantErr(t, err, `"weight_hh_l0"`, "[16 4]", "3 gate(s)", "fits lstm")
	_, _, err = cells.InferSizes(cells.AddPrefix(cells.NewGRU(4, 3).StateDict(), "rnn."), "gru")
	wantErr(t, err, `missing tensor "weight_hh_l0"`, "rnn.weight_hh_l0", "prefix")
	_, _, err = cells.InferSizes(cells.NewGRU(4, 3).StateDict(), "elman")
	wantErr(t, err, `unknown cell kind "elman"`)
}

func TestPrefixes(t *testing.T) {
	gru := cells.NewGRU(2, 1).StateDict()
	for _, c := range []struct {
		sd   cells.StateDict
		want string
	}{
		{gru, ""},
		{cells.AddPrefix(gru, "rnn."), "rnn."},
		{cells.AddPrefix(cells.AddPrefix(gru, "rnn."), "module."), "module.rnn."},
	} {
		c.sd["readout.weight"] = cells.Tensor{Shape: []int{1}, Data: []float64{1}}
		p, err := cells.DetectPrefix(c.sd)
		if err != nil || p != c.want {
			t.Errorf("DetectPrefix(%v) = %q, %v; want %q", c.sd.Names(), p, err, c.want)
		}
		s, err := cells.StripPrefix(c.sd, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s["weight_hh_l0"]; !ok || (p != "" && len(s) != 4) {
			t.Errorf("StripPrefix(%q) = %v", p, s.Names())
		}
	}
	two := cells.AddPrefix(gru, "enc.")
	for k, v := range cells.AddPrefix(gru, "dec.") {
		two[k] = v
	}
	_, err := cells.DetectPrefix(two)
	wantErr(t, err, "ambiguous", `"dec."`, `"enc."`)
	_, err = cells.DetectPrefix(cells.StateDict{"fc.weight": {Shape: []int{1}, Data: []float64{1}}})
	wantErr(t, err, "no recurrent layer", "weight_hh_l0", "fc.weight")
	_, err = cells.StripPrefix(gru, "rnn.")
	wantErr(t, err, `prefix "rnn."`, "weight_hh_l0")
}

func TestMultiLayerRefused(t *testing.T) {
	sd := cells.AddPrefix(cells.NewGRU(2, 1).StateDict(), "rnn.")
	sd["rnn.weight_hh_l1"] = cells.Tensor{Shape: []int{6, 2}, Data: make([]float64, 12)}
	_, err := cells.DetectPrefix(sd)
	wantErr(t, err, "rnn.weight_hh_l1", "multi-layer", "single-layer")

	dir := t.TempDir()
	path := filepath.Join(dir, "two.safetensors")
	if err := cells.WriteSafetensors(path, sd, "F64", nil); err != nil {
		t.Fatal(err)
	}
	// An explicit prefix does not skip the check: layer 0 alone is not the model.
	err = cells.LoadWeights(path, cells.NewGRU(2, 1), "rnn.")
	wantErr(t, err, path, "rnn.weight_hh_l1", "single-layer")
	// LoadTorchCell reads stacks (LoadModel); layer 1 lacks its input weights.
	_, err = cells.LoadTorchCell(path, "gru", cells.AutoPrefix)
	wantErr(t, err, path, `missing tensor "weight_ih_l1"`)

	bi := cells.NewGRU(2, 1).StateDict()
	bi["weight_hh_l0_reverse"] = bi["weight_hh_l0"]
	_, err = cells.DetectPrefix(bi)
	wantErr(t, err, "weight_hh_l0_reverse", "bidirectional")
}
