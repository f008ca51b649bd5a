package tasks

import (
	"fmt"
	"os"
	"strconv"

	"github.com/nlpodyssey/safetensors"
	"github.com/rnnfp/fixedpoints/cells"
)

// Names of the readout and initial-state tensors in a model file, beside the
// cell's PyTorch names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0).
// The readout is named as an nn.Linear attribute called readout.
const (
	ReadoutWeightKey = "readout.weight" // Outputs x Hidden
	ReadoutBiasKey   = "readout.bias"   // Outputs
	InitialStateKey  = "initial_state"  // StateSize, only when Model.Initial is set
)

// Metadata keys of a model file.
const (
	metaFormat = "format"
	metaKind   = "kind" // as cells.NewTorchCell: lstm, gru, rnn_tanh, rnn_relu
	metaHidden = "hidden_size"
	metaInputs = "input_size"
	metaOutput = "output_size"

	modelFormat = "rnnfp-model/v1"
)

// SaveModel writes model as a float64 safetensors file: the cell's
// state_dict in PyTorch's layout and names, the readout as readout.weight
// and readout.bias, the initial state (if any) as initial_state, and the
// cell's kind and sizes as metadata. The cell must be a cells.TorchCell. The
// file is written atomically; the same model gives the same bytes.
func SaveModel(path string, model *Model) error {
	if err := model.check(); err != nil {
		return fmt.Errorf("tasks: save model %s: %w", path, err)
	}
	tc, ok := model.Cell.(cells.TorchCell)
	if !ok {
		return fmt.Errorf("tasks: save model %s: cell %T is not a cells.TorchCell", path, model.Cell)
	}
	kind, err := torchKind(tc)
	if err != nil {
		return fmt.Errorf("tasks: save model %s: %w", path, err)
	}
	ro := model.Readout
	sd := tc.StateDict()
	for _, k := range []string{ReadoutWeightKey, ReadoutBiasKey, InitialStateKey} {
		if _, ok := sd[k]; ok {
			return fmt.Errorf("tasks: save model %s: the cell's state_dict already has a tensor %q", path, k)
		}
	}
	sd[ReadoutWeightKey] = cells.Tensor{Shape: []int{ro.Outputs, ro.Inputs}, Data: append([]float64(nil), ro.Weight...)}
	sd[ReadoutBiasKey] = cells.Tensor{Shape: []int{ro.Outputs}, Data: append([]float64(nil), ro.Bias...)}
	if model.Initial != nil {
		sd[InitialStateKey] = cells.Tensor{Shape: []int{len(model.Initial)}, Data: append([]float64(nil), model.Initial...)}
	}
	meta := map[string]string{
		metaFormat: modelFormat,
		metaKind:   kind,
		metaHidden: strconv.Itoa(tc.Hidden()),
		metaInputs: strconv.Itoa(tc.InputSize()),
		metaOutput: strconv.Itoa(ro.Outputs),
	}
	if err := cells.WriteSafetensors(path, sd, "F64", meta); err != nil {
		return fmt.Errorf("tasks: save model: %w", err)
	}
	return nil
}

// torchKind names the cell's kind as cells.NewTorchCell does.
func torchKind(c cells.TorchCell) (string, error) {
	switch c.Kind() {
	case "LSTM":
		return "lstm", nil
	case "GRU":
		return "gru", nil
	case "RNN":
		if v, ok := c.(*cells.Vanilla); ok && v.Act == cells.ReLU {
			return "rnn_relu", nil
		}
		return "rnn_tanh", nil
	}
	return "", fmt.Errorf("cell kind %q has no PyTorch module", c.Kind())
}

// LoadModel reads a model written by SaveModel.
func LoadModel(path string) (*Model, error) {
	sd, err := cells.ReadStateDict(path)
	if err != nil {
		return nil, fmt.Errorf("tasks: load model: %w", err)
	}
	meta, err := readMetadata(path)
	if err != nil {
		return nil, fmt.Errorf("tasks: load model %s: %w", path, err)
	}
	m, err := modelFromStateDict(sd, meta)
	if err != nil {
		return nil, fmt.Errorf("tasks: load model %s: %w", path, err)
	}
	return m, nil
}

func modelFromStateDict(sd cells.StateDict, meta map[string]string) (*Model, error) {
	if f := meta[metaFormat]; f != modelFormat {
		return nil, fmt.Errorf("metadata format is %q, want %q (a file written by SaveModel; for a bare PyTorch state_dict use cells.LoadTorchCell)", f, modelFormat)
	}
	kind := meta[metaKind]
	hidden, err1 := strconv.Atoi(meta[metaHidden])
	inputs, err2 := strconv.Atoi(meta[metaInputs])
	outputs, err3 := strconv.Atoi(meta[metaOutput])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("metadata sizes %s=%q %s=%q %s=%q are not all integers", metaHidden, meta[metaHidden], metaInputs, meta[metaInputs], metaOutput, meta[metaOutput])
	}
	cell, err := cells.NewTorchCell(kind, hidden, inputs)
	if err != nil {
		return nil, err
	}
	if err := cell.LoadStateDict(sd); err != nil {
		return nil, err
	}
	w, ok1 := sd[ReadoutWeightKey]
	b, ok2 := sd[ReadoutBiasKey]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("missing tensor %q or %q (have %v)", ReadoutWeightKey, ReadoutBiasKey, sd.Names())
	}
	R := HiddenSize(cell)
	if len(w.Shape) != 2 || w.Shape[0] != outputs || w.Shape[1] != R {
		return nil, fmt.Errorf("tensor %q has shape %v, want [%d %d]", ReadoutWeightKey, w.Shape, outputs, R)
	}
	if len(b.Shape) != 1 || b.Shape[0] != outputs {
		return nil, fmt.Errorf("tensor %q has shape %v, want [%d]", ReadoutBiasKey, b.Shape, outputs)
	}
	m := &Model{Cell: cell, Readout: &Readout{Outputs: outputs, Inputs: R, Weight: w.Data, Bias: b.Data}}
	if x0, ok := sd[InitialStateKey]; ok {
		if len(x0.Shape) != 1 || x0.Shape[0] != cell.StateSize() {
			return nil, fmt.Errorf("tensor %q has shape %v, want [%d]", InitialStateKey, x0.Shape, cell.StateSize())
		}
		m.Initial = x0.Data
	}
	return m, m.check()
}

// readMetadata returns the string metadata of a safetensors file (already
// validated by cells.ReadStateDict).
func readMetadata(path string) (meta map[string]string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("safetensors header: %v", r)
		}
	}()
	_, md, err := safetensors.ReadMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("safetensors header: %w", err)
	}
	return md.Metadata(), nil
}
