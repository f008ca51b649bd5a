package cells

import "sort"

// Tensor is a dense row-major array read from or written to a weight file.
type Tensor struct {
	Shape []int
	Data  []float64
}

// StateDict maps PyTorch parameter names (e.g. "weight_hh_l0") to tensors.
type StateDict map[string]Tensor

// Names returns the tensor names in sorted order.
func (sd StateDict) Names() []string {
	out := make([]string, 0, len(sd))
	for k := range sd {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TorchCell is a Cell whose weights map to a PyTorch state_dict.
type TorchCell interface {
	Cell
	// Kind is the PyTorch module name: "RNN", "GRU" or "LSTM".
	Kind() string
	// Hidden is the module's hidden_size.
	Hidden() int
	// StateDict returns the weights under PyTorch's state_dict names.
	StateDict() StateDict
	// LoadStateDict sets the weights from PyTorch's state_dict names.
	LoadStateDict(StateDict) error
}
