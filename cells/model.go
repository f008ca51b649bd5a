package cells

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

// ErrUnsupported: the model is of a kind the toolkit refuses (a
// bidirectional module, an LSTM with projections, an ONNX attribute with no
// counterpart in the cells); the message says which and why.
var ErrUnsupported = errors.New("unsupported model")

// Options says how LoadModel reads a model file. The zero value reads any
// file whose content says everything.
type Options struct {
	// Kind is the cell kind (see NewTorchCell). "" takes it from the file:
	// ONNX says it, and a state_dict's gate count tells nn.GRU (3) and
	// nn.LSTM (4) apart; nn.RNN's nonlinearity is not in a state_dict, so a
	// one-gate state_dict needs "rnn" (tanh) or "rnn_relu". When given, it
	// must agree with the file.
	Kind string
	// Prefix is the module prefix of the tensor names of a state_dict
	// ("rnn." for self.rnn = nn.GRU(...)). "" or AutoPrefix detects it.
	Prefix string
	// Key names the entry of a torch.save checkpoint dict holding the
	// state_dict. "" takes the whole file if it is a state_dict, else the
	// first of CheckpointKeys present.
	Key string
	// Node names the ONNX recurrent node to read when the model has several
	// (a stack of nodes that it starts is read with it). "" takes the only
	// one, or the only stack.
	Node string
	// MaxBytes is the largest model file read, and the most its zip
	// entries (npz, torch.save) may declare and inflate to, in bytes; 0
	// means DefaultMaxBytes. A larger file is refused with ErrTooLarge
	// before it is read.
	MaxBytes int64
	// CTRNN says how to read a continuous-time RNN (Kind "ctrnn").
	CTRNN CTRNNOptions
	// StateInput names the state input of an ONNX step graph (one without
	// RNN, GRU or LSTM nodes); "" takes the input named hidden, h, state,
	// hx or h0, else the one whose size is the output's.
	StateInput string
}

// DefaultMaxBytes is the size limit of a model or array file (and of what
// a zip archive may inflate to) when none is given: 4 GiB, four times an
// LSTM of hidden size 8192 in float32, far above the RNNs whose fixed
// points can be found, and far below what a hostile file would announce.
const DefaultMaxBytes int64 = boundedread.DefaultLimit

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// Spelling writes one of Options' settings as the caller's users write it:
// option is its snake_case name (cell, alpha, dt, tau, form, activation,
// input_name, recurrent_name), value a setting of it or nil for the name
// alone. A command line spells them "-alpha" and "-alpha 0.2", a JSON
// manifest `"alpha"` and `"alpha": 0.2`. Options.Check names them so.
type Spelling func(option string, value any) string

// Check reports the first thing wrong with o that shows before any file is
// read, naming the settings through spell (nil: by their snake_case names):
// an unknown Kind; for Kind "ctrnn", α missing (CTRNNOptions: Alpha, or DT
// and Tau), out of (0, 1] or given twice, or an unknown Form or Activation;
// for another Kind, any CTRNN setting at all. The command's flags and the
// sweep's manifest check their settings with it, so that both refuse the
// same values with the same words.
func (o Options) Check(spell Spelling) error {
	if spell == nil {
		spell = func(option string, value any) string {
			if value == nil {
				return option
			}
			return fmt.Sprint(option, " ", value)
		}
	}
	name := func(option string) string { return spell(option, nil) }
	isCTRNN := strings.EqualFold(o.Kind, "ctrnn")
	if o.Kind != "" && !isCTRNN {
		if _, err := kindGates(o.Kind); err != nil {
			return fmt.Errorf("%s: %w %s (valid: %s, ctrnn)", name("cell"), ErrUnknownCell, quoted(o.Kind), kindNames())
		}
	}
	c := o.CTRNN
	if !isCTRNN {
		for _, f := range []struct {
			option string
			set    bool
		}{{"alpha", c.Alpha != 0}, {"dt", c.DT != 0}, {"tau", c.Tau != 0}, {"activation", c.Activation != ""},
			{"form", c.Form != ""}, {"input_name", c.InputName != ""}, {"recurrent_name", c.RecurrentName != ""}} {
			if f.set {
				return fmt.Errorf("%s is for continuous-time RNNs: give %s with it", name(f.option), spell("cell", "ctrnn"))
			}
		}
		return nil
	}
	trim := func(err error) string { return strings.TrimPrefix(err.Error(), "cells: ") }
	if _, err := ResolveAlpha(c.Alpha, c.DT, c.Tau); err != nil {
		return fmt.Errorf("%s, %s, %s: %s (e.g. %s, or %s and %s)", name("alpha"), name("dt"), name("tau"), trim(err),
			spell("alpha", 0.2), spell("dt", 20), spell("tau", 100))
	}
	if c.Form != "" {
		if _, err := ParseCTRNNForm(c.Form); err != nil {
			return fmt.Errorf("%s: %s", name("form"), trim(err))
		}
	}
	if c.Activation != "" {
		if _, err := ParseActivation(c.Activation); err != nil {
			return fmt.Errorf("%s: %s", name("activation"), trim(err))
		}
	}
	return nil
}

// ModelInfo says what LoadModel read.
type ModelInfo struct {
	Path   string
	Format string // "safetensors", "npz", "torch.save zip", "torch.save legacy" or "ONNX"
	// Kind is the cell kind: rnn, rnn_relu, gru or lstm.
	Kind string
	// Layers is the number of layers (PyTorch's num_layers, or stacked ONNX
	// nodes); more than one gives a *Stack.
	Layers int
	// Hidden is each layer's hidden size; Inputs the model's input size M;
	// StateSize the cell's N.
	Hidden, Inputs, StateSize int
	// Prefix is the module prefix of the state_dict's tensor names.
	Prefix string
	// Key is the checkpoint key the state_dict was under ("" at the top).
	Key string
	// Nodes are the ONNX nodes read, one per layer.
	Nodes []string
	// Variant notes a form of the cell that differs from PyTorch's, e.g.
	// "linear_before_reset=0" for an ONNX GRU (see GRU.ResetBeforeLinear).
	Variant string
}

// String describes the model in one line, e.g. "GRU, 2 layers of hidden
// size 8 (state [h_0; h_1], N = 16), 3 inputs".
func (m ModelInfo) String() string {
	name := strings.ToUpper(m.Kind)
	switch m.Kind {
	case "rnn", "rnn_tanh":
		name = "RNN (tanh)"
	case "rnn_relu":
		name = "RNN (relu)"
	case "ctrnn":
		name = "CTRNN"
	case "onnx_step":
		name = "ONNX step"
	}
	layers := fmt.Sprintf("hidden size %d", m.Hidden)
	if m.Layers > 1 {
		layers = fmt.Sprintf("%d layers of hidden size %d", m.Layers, m.Hidden)
	}
	if m.Variant != "" {
		name += " (" + m.Variant + ")"
	}
	return fmt.Sprintf("%s, %s (state %s, N = %d), %d inputs", name, layers, m.StateLayout(), m.StateSize, m.Inputs)
}

// StateLayout is the order of the state vector, e.g. "[h]", "[h; c]",
// "[h_0; h_1]" or "[h_0; c_0; h_1; c_1]".
func (m ModelInfo) StateLayout() string {
	lstm := strings.EqualFold(m.Kind, "lstm")
	if m.Layers <= 1 {
		if lstm {
			return "[h; c]"
		}
		return "[h]"
	}
	var parts []string
	for k := 0; k < m.Layers; k++ {
		parts = append(parts, fmt.Sprintf("h_%d", k))
		if lstm {
			parts = append(parts, fmt.Sprintf("c_%d", k))
		}
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// LoadModel reads a recurrent model from the file at path, whatever its
// format, told by its content (the extension only when the content says
// nothing): a state_dict as safetensors, npz or torch.save (zip or legacy,
// possibly inside a checkpoint dict), or an ONNX model. It returns the cell
// (a *Vanilla, *GRU or *LSTM for one layer, a *Stack for several) with the
// file's weights, sizes taken from the file, and what was read.
//
// Refused, with an error saying why: bidirectional modules (a backward
// direction has no forward-in-time dynamics to hold a fixed point), LSTMs
// with proj_size > 0, pickled whole modules and anything else that is not a
// state_dict, and ONNX attributes with no counterpart in the cells.
func LoadModel(path string, o Options) (TorchCell, ModelInfo, error) {
	info := ModelInfo{Path: path}
	b, err := boundedread.ReadFile(path, o.maxBytes())
	if err != nil {
		return nil, info, fmt.Errorf("cells: load model: %w", err)
	}
	if sniffFormat(b) == formatONNX || (sniffFormat(b) == formatUnknown && formatFromExt(path) == formatONNX) {
		cell, err := loadONNX(b, o, &info)
		if err != nil {
			return nil, info, loadError(path, err)
		}
		return cell, info, nil
	}
	sd, wi, err := decodeWeights(path, b, o.Key, o.maxBytes())
	if err != nil {
		return nil, info, fmt.Errorf("cells: load %s: %w", path, err)
	}
	info.Format, info.Key = wi.format.String(), wi.key
	if wi.detail != "" {
		info.Format = wi.detail
	}
	cell, err := cellFromStateDict(sd, o, &info)
	if err != nil {
		return nil, info, loadError(path, err)
	}
	return cell, info, nil
}

// cellFromStateDict builds the cell of the module under o.Prefix in sd.
func cellFromStateDict(sd StateDict, o Options, info *ModelInfo) (TorchCell, error) {
	if strings.EqualFold(o.Kind, "ctrnn") {
		return ctrnnFromStateDict(sd, o, info)
	}
	prefix := o.Prefix
	if prefix == "" || prefix == AutoPrefix {
		var err error
		if prefix, err = findPrefix(sd); err != nil {
			return nil, err
		}
	}
	info.Prefix = prefix
	if err := checkSupported(sd, prefix); err != nil {
		return nil, err
	}
	sub, err := StripPrefix(sd, prefix)
	if err != nil {
		return nil, err
	}
	layers, err := countLayers(sub)
	if err != nil {
		return nil, err
	}
	kind := o.Kind
	if kind == "" {
		if kind, err = kindFromShape(sub); err != nil {
			return nil, err
		}
	}
	hidden, inputs, err := InferSizes(sub, kind)
	if err != nil {
		return nil, err
	}
	var cell TorchCell
	if layers == 1 {
		cell, err = NewTorchCell(kind, hidden, inputs)
	} else {
		cell, err = NewStack(kind, hidden, inputs, layers)
	}
	if err != nil {
		return nil, err
	}
	if err := cell.LoadStateDict(sub); err != nil {
		return nil, err
	}
	info.Kind, info.Layers = strings.ToLower(kind), layers
	info.Hidden, info.Inputs, info.StateSize = hidden, inputs, cell.StateSize()
	return cell, nil
}

// findPrefix is DetectPrefix for modules of any number of layers.
func findPrefix(sd StateDict) (string, error) {
	cands := recurrentPrefixes(sd)
	switch len(cands) {
	case 0:
		return "", fmt.Errorf("cells: %w: no recurrent layer: no tensor named %q or <prefix>%s; the file holds %s; %s", ErrMissing, recurrentKey, recurrentKey, tensorList(sd), otherWays(sd))
	case 1:
		return cands[0], nil
	}
	return "", fmt.Errorf("cells: %d recurrent modules (prefixes %q): ambiguous, name the prefix of the one to load", len(cands), cands)
}

// checkSupported refuses bidirectional modules and LSTMs with projections.
func checkSupported(sd StateDict, prefix string) error {
	switch name, issue := firstLayerIssue(sd, prefix, false); issue {
	case projected:
		return fmt.Errorf("cells: %w: tensor %q: an LSTM with proj_size > 0 (h projected by weight_hr) is not supported; "+
			"load an LSTM with proj_size=0", ErrUnsupported, name)
	case bidirectional:
		return fmt.Errorf("cells: %w: tensor %q: a bidirectional module is refused: its backward direction runs from the "+
			"end of the sequence to the start, so the module has no forward-in-time dynamics to hold a fixed point; "+
			"load a one-directional module (bidirectional=False)", ErrUnsupported, name)
	}
	return nil
}

// hhKey matches weight_hh_l{k}.
var hhKey = regexp.MustCompile(`^weight_hh_l([0-9]+)$`)

// countLayers returns L from the weight_hh_l{k} tensors, which must be
// numbered 0..L-1.
func countLayers(sd StateDict) (int, error) {
	var ks []int
	for name := range sd {
		if m := hhKey.FindStringSubmatch(name); m != nil {
			k, err := strconv.Atoi(m[1])
			if err != nil || k > 1000 {
				return 0, fmt.Errorf("cells: %w: tensor %q: layer index out of range", ErrFormat, name)
			}
			ks = append(ks, k)
		}
	}
	sort.Ints(ks)
	for i, k := range ks {
		if k != i {
			return 0, fmt.Errorf("cells: %w: layers %v: want weight_hh_l0 .. weight_hh_l%d", ErrMissing, ks, len(ks)-1)
		}
	}
	if len(ks) == 0 {
		return 0, fmt.Errorf("cells: %w %q (have %s)", ErrMissing, recurrentKey, nameList(sd))
	}
	return len(ks), nil
}

// kindFromShape tells nn.GRU and nn.LSTM from weight_hh_l0's gate count.
func kindFromShape(sd StateDict) (string, error) {
	whh := sd[recurrentKey]
	if len(whh.Shape) != 2 || whh.Shape[1] < 1 || whh.Shape[0]%whh.Shape[1] != 0 {
		return "", fmt.Errorf("cells: %w: tensor %q has shape %v, want [G*hidden hidden]", ErrShape, recurrentKey, whh.Shape)
	}
	switch whh.Shape[0] / whh.Shape[1] {
	case 3:
		return "gru", nil
	case 4:
		return "lstm", nil
	case 1:
		return "", fmt.Errorf("cells: an nn.RNN state_dict (one gate) does not say its nonlinearity: name the cell kind, rnn (tanh) or rnn_relu")
	}
	return "", fmt.Errorf("cells: %w: tensor %q has shape %v: %d gates fit no RNN, GRU or LSTM", ErrShape, recurrentKey, whh.Shape, whh.Shape[0]/whh.Shape[1])
}
