package cli

import (
	"flag"
	"os"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
)

// ModelFlags name a model file and the states its fixed points are
// searched from. The subcommands that load a model (fixedpoints find and
// continue) define them with Register and check them with Check, so that
// each flag reads and fails the same way in both.
type ModelFlags struct {
	Weights string // -weights: the model file (required)
	Cell    string // -cell: "" (from the file), rnn, rnn_relu, gru or lstm
	Prefix  string // -prefix: module prefix; cells.AutoPrefix detects it
	Key     string // -key: checkpoint key
	Node    string // -node: ONNX node

	Inits        string  // -inits: B x N .npy; "" samples NInits states
	Trajectories string  // -trajectories: B x T x N or B x N .npy to sample from; "": simulated pulses
	NInits       int     // -n-inits: states sampled without -inits
	Noise        float64 // -noise: standard deviation added to sampled states
	RunFlags             // -seed (pulses, sampling and search) and -quiet
	Search       SearchFlags
}

// Register defines the flags on fs, with their defaults.
func (m *ModelFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&m.Weights, "weights", "", "the model: torch.save (.pt/.pth/.bin), safetensors, npz or ONNX; format told by content (required)")
	fs.StringVar(&m.Cell, "cell", "", "rnn (nn.RNN, tanh), rnn_relu, gru or lstm; default: from the file (needed for an nn.RNN state_dict)")
	fs.StringVar(&m.Prefix, "prefix", cells.AutoPrefix, `prefix of the module's tensor names, e.g. "rnn."; "auto" detects it`)
	fs.StringVar(&m.Key, "key", "", "key of the state_dict in a torch.save checkpoint dict; default: the file itself, else "+strings.Join(cells.CheckpointKeys, ", "))
	fs.StringVar(&m.Node, "node", "", "ONNX: name of the recurrent node to read when there are several (nodes stacked after it are read with it)")
	fs.StringVar(&m.Inits, "inits", "", "initial states, a B x N .npy array (LSTM: [h; c] per layer); default: sampled")
	fs.StringVar(&m.Trajectories, "trajectories", "", "states to sample initial states from, B x T x N (or B x N) .npy; default: simulated under pulses")
	fs.IntVar(&m.NInits, "n-inits", 1024, "initial states sampled when -inits is not given")
	fs.Float64Var(&m.Noise, "noise", 0.5, "standard deviation of the noise added to sampled states")
	m.RunFlags.Register(fs, "seed for the pulses, the sampling and the search", "no progress bars")
	m.Search.Register(fs)
}

// Check reports a missing or bad value as a UsageError naming its flag,
// before any file is read.
func (m *ModelFlags) Check() error {
	if err := Required("-weights", m.Weights, "FILE (torch.save .pt, safetensors, npz or ONNX model)"); err != nil {
		return err
	}
	if m.Cell != "" {
		if err := CellKind("-cell", m.Cell); err != nil {
			return err
		}
	}
	if m.Inits == "" {
		if err := Positive("-n-inits", m.NInits, "initial states"); err != nil {
			return err
		}
	} else if err := initsFile(m.Inits); err != nil {
		return err
	}
	if _, err := m.Search.Finder(m.Seed); err != nil {
		return err
	}
	return NonNegative("-noise", m.Noise)
}

// initsFile refuses an -inits that names no file but reads as a count:
// -inits is a file of states, -n-inits the number of states to sample.
func initsFile(v string) error {
	if _, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err != nil {
		return nil // a file name: read (and its errors told) later
	}
	if _, err := os.Stat(v); err == nil {
		return nil // a file named by digits
	}
	return Usagef("-inits %s: no such file; -inits is a B x N .npy file of initial states (did you mean -n-inits %s?)", v, strings.TrimSpace(v))
}
