package cells

import (
	"fmt"
	"strings"
)

// AutoPrefix, passed as the prefix to Load or LoadTorchCell, finds the
// module prefix with DetectPrefix. Pass "" for a state_dict saved from a
// bare nn.RNN/GRU/LSTM, or the prefix itself (e.g. "rnn.").
const AutoPrefix = "auto"

// LoadWeights reads the weight file at path (see ReadStateDict) and loads the
// single-layer module under prefix (AutoPrefix to detect it) into cell
// (LoadModel reads multi-layer modules).
// On error the cell is unchanged.
func LoadWeights(path string, cell TorchCell, prefix string) error {
	sd, err := readModule(path, prefix)
	if err != nil {
		return err
	}
	if err := cell.LoadStateDict(sd); err != nil {
		return loadError(path, err)
	}
	return nil
}

// LoadTorchCell reads the model file at path and returns a cell of the
// given kind (see NewTorchCell; "" takes it from the file) whose sizes are
// those of the file, holding the weights of the module under prefix
// (AutoPrefix or "" to detect it). It is LoadModel with Options{Kind:
// kind, Prefix: prefix}: every format LoadModel reads, and multi-layer
// modules as a *Stack.
func LoadTorchCell(path, kind, prefix string) (TorchCell, error) {
	cell, _, err := LoadModel(path, Options{Kind: kind, Prefix: prefix})
	return cell, err
}

// readModule reads path and returns the single-layer module under prefix,
// without the prefix.
func readModule(path, prefix string) (StateDict, error) {
	sd, err := ReadStateDict(path)
	if err != nil {
		return nil, err
	}
	if prefix == AutoPrefix {
		if prefix, err = DetectPrefix(sd); err != nil {
			return nil, loadError(path, err)
		}
	}
	if err := checkSingleLayer(sd, prefix); err != nil {
		return nil, loadError(path, err)
	}
	if sd, err = StripPrefix(sd, prefix); err != nil {
		return nil, loadError(path, err)
	}
	return sd, nil
}

// torchKinds lists the kinds NewTorchCell knows, with PyTorch's gate count.
var torchKinds = []struct {
	name  string
	gates int
}{{"rnn", 1}, {"rnn_tanh", 1}, {"rnn_relu", 1}, {"gru", 3}, {"lstm", 4}}

func kindNames() string {
	s := make([]string, len(torchKinds))
	for i, k := range torchKinds {
		s[i] = k.name
	}
	return strings.Join(s, ", ")
}

// kindGates returns the number of gates of a kind.
func kindGates(kind string) (int, error) {
	for _, k := range torchKinds {
		if strings.EqualFold(kind, k.name) {
			return k.gates, nil
		}
	}
	return 0, fmt.Errorf("cells: %w %q (valid: %s)", ErrUnknownCell, kind, kindNames())
}

// NewTorchCell returns a zero-weight cell of a PyTorch kind, named as
// PyTorch's modules (case-insensitive): "rnn" or "rnn_tanh" (nn.RNN),
// "rnn_relu" (nn.RNN(nonlinearity="relu")), "gru" (nn.GRU), "lstm" (nn.LSTM).
//
// Sizes whose weights alone would not fit in the machine's memory are an
// error wrapping ErrTooLarge, not a panic of the allocator.
func NewTorchCell(kind string, hidden, inputs int) (TorchCell, error) {
	G, err := kindGates(kind)
	if err != nil {
		return nil, err
	}
	if hidden < 1 || inputs < 0 {
		return nil, fmt.Errorf("cells: %s with hidden size %d and %d inputs: want hidden >= 1, inputs >= 0", kind, hidden, inputs)
	}
	if err := checkWeightMemory(kind, G, hidden, inputs, 1); err != nil {
		return nil, err
	}
	switch strings.ToLower(kind) {
	case "rnn", "rnn_tanh":
		return NewVanilla(hidden, inputs, Tanh), nil
	case "rnn_relu":
		return NewVanilla(hidden, inputs, ReLU), nil
	case "gru":
		return NewGRU(hidden, inputs), nil
	}
	return NewLSTM(hidden, inputs), nil
}

// InferSizes returns the hidden size and the number of inputs of a
// single-layer module of the given kind from the shapes of its tensors
// weight_hh_l0 (G*hidden x hidden) and weight_ih_l0 (G*hidden x inputs),
// G being the kind's number of gates. sd holds names without prefix (see
// StripPrefix).
func InferSizes(sd StateDict, kind string) (hidden, inputs int, err error) {
	G, err := kindGates(kind)
	if err != nil {
		return 0, 0, err
	}
	whh, ok := sd[recurrentKey]
	if !ok {
		return 0, 0, fmt.Errorf("cells: infer sizes: missing tensor %q (have %s; strip the module prefix first)", recurrentKey, nameList(sd))
	}
	if len(whh.Shape) != 2 || whh.Shape[1] < 1 || whh.Shape[0] != G*whh.Shape[1] {
		return 0, 0, fmt.Errorf("cells: infer sizes: tensor %q has shape %v, but %s has %d gate(s): want [%d*hidden hidden]%s",
			recurrentKey, whh.Shape, kind, G, G, kindHint(whh.Shape))
	}
	hidden = whh.Shape[1]
	wih, ok := sd["weight_ih_l0"]
	if !ok {
		return 0, 0, fmt.Errorf("cells: infer sizes: missing tensor %q (have %s)", "weight_ih_l0", nameList(sd))
	}
	if len(wih.Shape) != 2 || wih.Shape[0] != G*hidden {
		return 0, 0, fmt.Errorf("cells: infer sizes: tensor %q has shape %v, want [%d inputs] for %s with hidden size %d",
			"weight_ih_l0", wih.Shape, G*hidden, kind, hidden)
	}
	return hidden, wih.Shape[1], nil
}

// kindHint names the kinds whose gate count fits a weight_hh_l0 shape.
func kindHint(shape []int) string {
	if len(shape) != 2 || shape[1] < 1 || shape[0]%shape[1] != 0 {
		return ""
	}
	switch shape[0] / shape[1] {
	case 1:
		return " (the shape fits rnn or rnn_relu)"
	case 3:
		return " (the shape fits gru)"
	case 4:
		return " (the shape fits lstm)"
	}
	return ""
}

// loadErr wraps an error of loading the file at path, dropping the inner
// "cells: " so that the message reads "cells: load PATH: problem".
type loadErr struct {
	path string
	err  error
}

func loadError(path string, err error) error { return &loadErr{path, err} }

func (e *loadErr) Error() string {
	return "cells: load " + e.path + ": " + strings.TrimPrefix(e.err.Error(), "cells: ")
}

func (e *loadErr) Unwrap() error { return e.err }
