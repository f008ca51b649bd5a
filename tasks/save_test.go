package tasks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func TestSaveLoadModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for name, cell := range map[string]cells.Cell{
		"lstm":     cells.NewLSTM(5, 3),
		"gru":      cells.NewGRU(4, 3),
		"rnn_tanh": cells.NewVanilla(6, 3, cells.Tanh),
		"rnn_relu": cells.NewVanilla(6, 3, cells.ReLU),
	} {
		m, _ := NewModel(cell, 3, 11)
		if name == "gru" {
			m.Initial = []float64{0.1, 0.2, -0.3, 0.4}
		}
		path := filepath.Join(dir, name+".safetensors")
		if err := SaveModel(path, m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := LoadModel(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		kind, _ := torchKind(got.Cell.(cells.TorchCell))
		if kind != name || got.Cell.StateSize() != cell.StateSize() || got.Cell.InputSize() != 3 {
			t.Fatalf("%s: loaded a %s with state %d", name, kind, got.Cell.StateSize())
		}
		for i, p := range cell.Params() {
			if !equalBits(p.Data, got.Cell.Params()[i].Data) {
				t.Errorf("%s: param %s changed", name, p.Name)
			}
		}
		if !equalBits(m.Readout.Weight, got.Readout.Weight) || !equalBits(m.Readout.Bias, got.Readout.Bias) || !equalBits(m.Initial, got.Initial) {
			t.Errorf("%s: readout or initial state changed", name)
		}
		// The same model gives the same bytes, and the outputs agree.
		again := filepath.Join(dir, name+"2.safetensors")
		if err := SaveModel(again, got); err != nil {
			t.Fatal(err)
		}
		b1, _ := os.ReadFile(path)
		b2, _ := os.ReadFile(again)
		if !bytes.Equal(b1, b2) {
			t.Errorf("%s: saving the loaded model gave other bytes", name)
		}
		batch, _ := FlipFlop{Time: 6}.Generate(2, 5)
		_, o1, _ := m.Run(context.Background(), batch)
		_, o2, _ := got.Run(context.Background(), batch)
		if !equalBits(o1, o2) {
			t.Errorf("%s: loaded model gives other outputs", name)
		}
	}
}

// A model file is a PyTorch-layout state_dict: the cell loads from it with
// the cells package alone, and the readout is under nn.Linear's names.
func TestModelFileIsATorchStateDict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	m, _ := NewModel(cells.NewLSTM(5, 3), 3, 1)
	if err := SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	sd, err := cells.ReadStateDict(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "[bias_hh_l0 bias_ih_l0 readout.bias readout.weight weight_hh_l0 weight_ih_l0]"
	if got := strings.Join(sd.Names(), " "); "["+got+"]" != want {
		t.Errorf("tensors %s, want %s", got, want)
	}
	if s := sd["weight_ih_l0"].Shape; s[0] != 20 || s[1] != 3 {
		t.Errorf("weight_ih_l0 has shape %v, want [20 3]", s)
	}
	if s := sd["readout.weight"].Shape; s[0] != 3 || s[1] != 5 {
		t.Errorf("readout.weight has shape %v, want [3 5]", s)
	}
	c, err := cells.LoadTorchCell(path, "lstm", cells.AutoPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if !equalBits(c.Params()[1].Data, m.Cell.Params()[1].Data) {
		t.Error("cells.LoadTorchCell read other weights")
	}
}

func TestLoadModelErrors(t *testing.T) {
	dir := t.TempDir()
	m, _ := NewModel(cells.NewGRU(4, 3), 3, 1)
	sd := m.Cell.(cells.TorchCell).StateDict()
	sd[ReadoutWeightKey] = cells.Tensor{Shape: []int{3, 4}, Data: m.Readout.Weight}
	sd[ReadoutBiasKey] = cells.Tensor{Shape: []int{3}, Data: m.Readout.Bias}
	meta := map[string]string{"format": "rnnfp-model/v1", "kind": "gru", "hidden_size": "4", "input_size": "3", "output_size": "3"}
	write := func(name string, sd cells.StateDict, meta map[string]string) string {
		p := filepath.Join(dir, name+".safetensors")
		if err := cells.WriteSafetensors(p, sd, "F64", meta); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := LoadModel(write("ok", sd, meta)); err != nil {
		t.Fatalf("hand-written model file: %v", err)
	}
	with := func(k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range meta {
			out[a] = b
		}
		out[k] = v
		return out
	}
	noBias := cells.StateDict{}
	for k, v := range sd {
		if k != ReadoutBiasKey {
			noBias[k] = v
		}
	}
	for name, path := range map[string]string{
		"no metadata":        write("nometa", sd, nil),
		"wrong kind":         write("kind", sd, with("kind", "lstm")),
		"unknown kind":       write("unknown", sd, with("kind", "transformer")),
		"wrong hidden size":  write("hidden", sd, with("hidden_size", "5")),
		"wrong output count": write("outputs", sd, with("output_size", "2")),
		"missing bias":       write("nobias", noBias, meta),
		"missing file":       filepath.Join(dir, "absent.safetensors"),
	} {
		if _, err := LoadModel(path); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "tasks: load model") {
			t.Errorf("%s: error %q lacks context", name, err)
		}
	}
	if err := SaveModel(filepath.Join(dir, "x.safetensors"), &Model{Cell: m.Cell}); err == nil {
		t.Error("model without readout saved")
	}
}
