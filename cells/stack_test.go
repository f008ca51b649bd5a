package cells_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// A stack's state_dict uses PyTorch's per-layer names and round-trips; a
// bad tensor leaves every layer unchanged; sizes and state order are the
// layers' in turn.
func TestStackStateDict(t *testing.T) {
	pt, _, err := cells.LoadModel(fixturePath("lstm2.f64.pt"), cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sd := pt.StateDict()
	if want := []string{"bias_hh_l0", "bias_hh_l1", "bias_ih_l0", "bias_ih_l1", "weight_hh_l0", "weight_hh_l1", "weight_ih_l0", "weight_ih_l1"}; !slices.Equal(sd.Names(), want) {
		t.Fatalf("names %v, want %v", sd.Names(), want)
	}
	file, err := cells.ReadStateDict(fixturePath("lstm2.f64.pt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range file {
		if g := sd[name]; !slices.Equal(g.Shape, w.Shape) || maxAbsDiff(g.Data, w.Data) != 0 {
			t.Errorf("%s: StateDict gives %v, the file %v", name, g.Shape, w.Shape)
		}
	}
	s, err := cells.NewStack("lstm", fixHidden, fixInputs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.StateSize() != 4*fixHidden || s.InputSize() != fixInputs || s.NumLayers() != 2 || s.Kind() != "LSTM" || len(s.Params()) != 32 {
		t.Errorf("stack: N %d, M %d, %d layers, kind %s, %d params", s.StateSize(), s.InputSize(), s.NumLayers(), s.Kind(), len(s.Params()))
	}
	if s.Params()[16].Name != "l1_w_ih_i_T" || s.Params()[16].Rows != fixHidden {
		t.Errorf("layer 1's first param is %s (%d x %d)", s.Params()[16].Name, s.Params()[16].Rows, s.Params()[16].Cols)
	}
	if err := s.LoadStateDict(sd); err != nil {
		t.Fatal(err)
	}
	bad := cells.StateDict{}
	for k, v := range sd {
		bad[k] = v
	}
	bad["weight_hh_l1"] = cells.Tensor{Shape: []int{3, 3}, Data: make([]float64, 9)}
	zero, _ := cells.NewStack("lstm", fixHidden, fixInputs, 2)
	err = zero.LoadStateDict(bad)
	wantErr(t, err, "layer 1", "weight_hh_l0", "[3 3]")
	for _, p := range zero.Params() {
		for _, v := range p.Data {
			if v != 0 {
				t.Fatalf("%s changed by a refused state_dict", p.Name)
			}
		}
	}
	bad["weight_hh_l5"] = bad["weight_hh_l0"]
	wantErr(t, zero.LoadStateDict(bad), "weight_hh_l5", "layer 5")
	if _, err := cells.NewStack("gru", 4, 3, 0); err == nil {
		t.Error("a stack of 0 layers was made")
	}
}

// plainCell hides a cell's Driven methods, so graph builds it from Step.
type plainCell struct{ cells.Cell }

// A stack's Step and its StepDriven(Drives) give the same trajectories,
// and both are torch's (the driven one is checked in TestTorchFixtures).
func TestStackStepEqualsDriven(t *testing.T) {
	for _, f := range []string{"lstm2.f64.pt", "gru2.f64.pt", "rnn2.f64.pt"} {
		cell, _, err := cells.LoadModel(fixturePath(f), cells.Options{Kind: map[string]string{"rnn2.f64.pt": "rnn"}[f]})
		if err != nil {
			t.Fatal(err)
		}
		r := readRun(t, strings.TrimSuffix(f, ".pt")+".ref.npz")
		compareRun(t, plainCell{cell}, r, graph.Float64, 1e-12)
	}
}
