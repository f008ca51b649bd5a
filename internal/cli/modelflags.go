package cli

import (
	"flag"
	"fmt"
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

	// Continuous-time RNNs (-cell ctrnn): alpha = dt/tau, or both of these.
	Alpha, DT, Tau float64
	Activation     string // -activation: relu (default), tanh, softplus, sigmoid, identity
	Form           string // -form: rate (default), post, voltage
	InputName      string // -input-name: the input nn.Linear (default input2h)
	RecurrentName  string // -recurrent-name: the recurrent nn.Linear (default h2h)
	StateInput     string // -state-input: the state input of an ONNX step graph

	Inits        string  // -inits: B x N .npy; "" samples NInits states
	Trajectories string  // -trajectories: B x T x N or B x N .npy to sample from; "": simulated pulses
	NInits       int     // -n-inits: states sampled without -inits
	Noise        float64 // -noise: standard deviation added to sampled states
	RunFlags             // -seed (pulses, sampling and search) and -quiet
	Search       SearchFlags
	Limits       // -max-model-bytes, -max-memory
}

// Register defines the flags on fs, with their defaults.
func (m *ModelFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&m.Weights, "weights", "", "the model: torch.save (.pt/.pth/.bin), safetensors, npz or ONNX; format told by content (required)")
	fs.StringVar(&m.Cell, "cell", "", "rnn (nn.RNN, tanh), rnn_relu, gru, lstm or ctrnn (a leaky continuous-time RNN); default: from the file (needed for an nn.RNN state_dict)")
	fs.Float64Var(&m.Alpha, "alpha", 0, "ctrnn: alpha = dt/tau, 0 < alpha <= 1 (not in a state_dict: give it, or -dt and -tau)")
	fs.Float64Var(&m.DT, "dt", 0, "ctrnn: the Euler step dt (with -tau)")
	fs.Float64Var(&m.Tau, "tau", 0, "ctrnn: the time constant tau (with -dt)")
	fs.StringVar(&m.Activation, "activation", "", "ctrnn: relu (default), tanh, softplus, sigmoid or identity")
	fs.StringVar(&m.Form, "form", "", "ctrnn: rate (default: h' = (1-a)h + a f(W_in u + W h + b)), post (h' = f((1-a)h + a(...))) or voltage (x' = (1-a)x + a(W f(x) + W_in u + b); default for PsychRNN and low-rank files)")
	fs.StringVar(&m.InputName, "input-name", "", "ctrnn: the input nn.Linear (NAME.weight, NAME.bias) or tensor; default input2h")
	fs.StringVar(&m.RecurrentName, "recurrent-name", "", "ctrnn: the recurrent nn.Linear (NAME.weight, NAME.bias) or tensor; default h2h")
	fs.StringVar(&m.Prefix, "prefix", cells.AutoPrefix, `prefix of the module's tensor names, e.g. "rnn."; "auto" detects it`)
	fs.StringVar(&m.Key, "key", "", "key of the state_dict in a torch.save checkpoint dict; default: the file itself, else "+strings.Join(cells.CheckpointKeys, ", "))
	fs.StringVar(&m.StateInput, "state-input", "", "ONNX step (a graph of one step F(u, h), no RNN/GRU/LSTM node): the graph input that is the state; default: the one named hidden, h, state, hx or h0, else the one of the output's size")
	fs.StringVar(&m.Node, "node", "", "ONNX: name of the recurrent node to read when there are several (nodes stacked after it are read with it)")
	fs.StringVar(&m.Inits, "inits", "", "initial states, a B x N .npy array (LSTM: [h; c] per layer); default: sampled")
	fs.StringVar(&m.Trajectories, "trajectories", "", "states to sample initial states from, B x T x N (or B x N) .npy; default: simulated under pulses")
	m.Limits.Register(fs)
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
	if err := m.Options().Check(FlagSpelling); err != nil {
		return Usagef("%s", err)
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

// DefaultContinuous turns -continuous on for -cell ctrnn unless it was
// given: a CTRNN's map is the Euler step of its flow, whose stability is
// the question. Call it after parsing.
func (m *ModelFlags) DefaultContinuous() {
	if m.Search.ContinuousTime == nil && m.IsCTRNN() {
		on := true
		m.Search.ContinuousTime = &on
	}
}

// IsCTRNN reports whether -cell names a continuous-time RNN.
func (m *ModelFlags) IsCTRNN() bool { return strings.EqualFold(m.Cell, "ctrnn") }

// Options are the flags as cells.LoadModel reads them.
func (m *ModelFlags) Options() cells.Options {
	return cells.Options{Kind: m.Cell, Prefix: m.Prefix, Key: m.Key, Node: m.Node, StateInput: m.StateInput, MaxBytes: m.MaxModelBytes,
		CTRNN: cells.CTRNNOptions{Alpha: m.Alpha, DT: m.DT, Tau: m.Tau, Form: m.Form, Activation: m.Activation,
			InputName: m.InputName, RecurrentName: m.RecurrentName}}
}

// FlagSpelling spells a model option as its flag: input_name as
// -input-name, a setting as "-alpha 0.2" (see cells.Spelling).
func FlagSpelling(option string, value any) string {
	f := "-" + strings.ReplaceAll(option, "_", "-")
	if value == nil {
		return f
	}
	return fmt.Sprint(f, " ", value)
}
