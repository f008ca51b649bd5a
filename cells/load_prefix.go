package cells

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// recurrentKey is the tensor every PyTorch RNN, GRU and LSTM layer 0 has.
const recurrentKey = "weight_hh_l0"

// StripPrefix returns the tensors of sd whose names start with prefix, with
// the prefix removed: for a module holding self.rnn = nn.GRU(...), prefix
// "rnn." turns "rnn.weight_hh_l0" into "weight_hh_l0" and drops the other
// submodules' tensors. With prefix "" it returns a copy of sd. It is an error
// if no tensor has the prefix.
func StripPrefix(sd StateDict, prefix string) (StateDict, error) {
	out := make(StateDict)
	for name, t := range sd {
		if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" {
			out[rest] = t
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cells: no tensor name starts with prefix %q (have %s)", prefix, nameList(sd))
	}
	return out, nil
}

// AddPrefix returns sd with prefix put before every name, the inverse of
// StripPrefix, for saving weights that a wrapping PyTorch module loads.
func AddPrefix(sd StateDict, prefix string) StateDict {
	out := make(StateDict, len(sd))
	for name, t := range sd {
		out[prefix+name] = t
	}
	return out
}

// DetectPrefix returns the prefix P of the one recurrent layer in sd, the P
// for which P+"weight_hh_l0" is a tensor: "" for a bare nn.RNN/GRU/LSTM,
// "rnn." for a module with self.rnn = nn.GRU(...). It is an error if there
// is none, if there are several (the error lists them), or if the module
// has more than one layer, is bidirectional or is an LSTM with projections
// (DetectPrefix serves Load, which fills a single-layer cell; LoadModel
// reads multi-layer modules).
func DetectPrefix(sd StateDict) (string, error) {
	cands := recurrentPrefixes(sd)
	switch len(cands) {
	case 0:
		return "", fmt.Errorf("cells: no recurrent layer: no tensor named %q or <prefix>%s (have %s)", recurrentKey, recurrentKey, nameList(sd))
	case 1:
		if err := checkSingleLayer(sd, cands[0]); err != nil {
			return "", err
		}
		return cands[0], nil
	}
	return "", fmt.Errorf("cells: %d recurrent layers (prefixes %q): ambiguous, pass the prefix of the one to load", len(cands), cands)
}

// recurrentPrefixes returns, sorted, every P for which P+"weight_hh_l0" is
// a tensor of sd: the candidates of DetectPrefix and of LoadModel.
func recurrentPrefixes(sd StateDict) []string {
	var cands []string
	for name := range sd {
		if p, ok := strings.CutSuffix(name, recurrentKey); ok {
			cands = append(cands, p)
		}
	}
	sort.Strings(cands)
	return cands
}

// unsupportedKey matches the tensors of layers other than a single
// one-directional layer without projections.
var unsupportedKey = regexp.MustCompile(`^(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?$|^weight_hr_l[0-9]+(_reverse)?$`)

// checkSingleLayer returns an error if the module under prefix is more than
// one plain layer: LoadStateDict would silently take layer 0 alone.
func checkSingleLayer(sd StateDict, prefix string) error {
	switch name, issue := firstLayerIssue(sd, prefix, true); issue {
	case projected:
		return fmt.Errorf("cells: tensor %q: LSTM with proj_size > 0 is not supported", name)
	case bidirectional:
		return fmt.Errorf("cells: tensor %q: bidirectional modules are not supported (no forward-in-time dynamics to hold a fixed point); only single-layer, one-directional RNN/GRU/LSTM", name)
	case deeper:
		return fmt.Errorf("cells: tensor %q: multi-layer module (num_layers > 1): this reads a single-layer RNN/GRU/LSTM into one cell; LoadModel reads the stack", name)
	}
	return nil
}

// layerIssue is what a tensor shows its module to be beyond one plain,
// one-directional layer.
type layerIssue int

const (
	noIssue       layerIssue = iota
	projected                // an LSTM with proj_size > 0 (weight_hr)
	bidirectional            // a _reverse direction
	deeper                   // a layer above 0
)

// firstLayerIssue returns the first tensor under prefix, in sd.Names()
// order, of a projected LSTM, a bidirectional module or, when layers is
// set, a layer above 0; the callers word their own errors (LoadModel reads
// stacks, so it does not refuse layers).
func firstLayerIssue(sd StateDict, prefix string, layers bool) (string, layerIssue) {
	for _, name := range sd.Names() {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		m := unsupportedKey.FindStringSubmatch(rest)
		switch {
		case m == nil:
		case strings.HasPrefix(rest, "weight_hr_"):
			return name, projected
		case m[4] != "":
			return name, bidirectional
		case layers && m[3] != "0":
			return name, deeper
		}
	}
	return "", noIssue
}
