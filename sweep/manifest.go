package sweep

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// ErrManifest is wrapped by every error about the content of a manifest.
var ErrManifest = errors.New("bad manifest")

// Job is one line of a manifest: one network, analyzed under one or more
// constant inputs. In JSON:
//
//	{"id": "gru16-seed3", "weights": "nets/gru16-seed3.safetensors", "cell": "gru",
//	 "prefix": "rnn.", "inputs": [[0, 0, 0], [1, 0, 0]], "inits": {"n": 256, "noise": 0.5},
//	 "seed": 3, "settings": {"max_iters": 2000}, "meta": {"hidden": 16, "lr": 0.01}}
//
// Only id and weights are required. Relative paths are relative to the
// manifest's directory.
type Job struct {
	// ID names the job and its directory of results: letters, digits, '.',
	// '_' and '-', not starting with '.'; unique in the manifest.
	ID string `json:"id"`
	// Weights is the model file: a state_dict as safetensors, npz or
	// torch.save, or an ONNX model, told by its content (cells.LoadModel).
	Weights string `json:"weights"`
	// Cell is the kind of recurrent module: rnn, rnn_relu, gru, lstm or
	// ctrnn (a leaky continuous-time RNN). Empty takes it from the file,
	// which tells all but a one-gate state_dict's nonlinearity (rnn or
	// rnn_relu must then be given) and a CTRNN's.
	Cell string `json:"cell,omitempty"`
	// Prefix of the module's tensor names, e.g. "rnn."; empty or "auto"
	// detects it.
	Prefix string `json:"prefix,omitempty"`
	// Key names the entry of a torch.save checkpoint holding the
	// state_dict; Node the ONNX recurrent node (see cells.Options).
	Key  string `json:"key,omitempty"`
	Node string `json:"node,omitempty"`
	// The continuous-time RNN of cell "ctrnn", as find's flags of the same
	// names read it (-alpha, -dt, -tau, -activation, -form, -input-name,
	// -recurrent-name; see cells.CTRNNOptions): alpha = dt/tau in (0, 1],
	// or dt and tau; they are not in a state_dict, so one is required.
	Alpha         float64 `json:"alpha,omitempty"`
	DT            float64 `json:"dt,omitempty"`
	Tau           float64 `json:"tau,omitempty"`
	Activation    string  `json:"activation,omitempty"`
	Form          string  `json:"form,omitempty"`
	InputName     string  `json:"input_name,omitempty"`
	RecurrentName string  `json:"recurrent_name,omitempty"`
	// StateInput names the state input of an ONNX step graph (find's
	// -state-input; see cells.Options).
	StateInput string `json:"state_input,omitempty"`
	// Inputs are the constant inputs, each searched separately; none means
	// one zero input.
	Inputs Inputs `json:"inputs,omitzero"`
	// Inits are the initial states, or how to sample them.
	Inits Inits `json:"inits,omitzero"`
	// Seed seeds the sampling and the search.
	Seed uint64 `json:"seed,omitempty"`
	// Settings override the finder's defaults.
	Settings *Settings `json:"settings,omitempty"`
	// Meta holds the job's own labels (hyperparameters, say): numbers,
	// strings or booleans, carried to the table as columns "meta.KEY".
	Meta map[string]any `json:"meta,omitempty"`
}

// Inputs are constant input vectors: Rows given in the manifest, or the rows
// of a K x M (or M) .npy File.
type Inputs struct {
	Rows [][]float64
	File string
}

// IsZero reports whether no inputs are given.
func (in Inputs) IsZero() bool { return in.Rows == nil && in.File == "" }

// MarshalJSON writes the list of rows or the file name.
func (in Inputs) MarshalJSON() ([]byte, error) {
	if in.File != "" {
		return json.Marshal(in.File)
	}
	return json.Marshal(in.Rows)
}

// UnmarshalJSON reads a list of rows or a file name.
func (in *Inputs) UnmarshalJSON(b []byte) error {
	*in = Inputs{}
	if s, ok, err := jsonString(b); ok || err != nil {
		in.File = s
		return err
	}
	if err := json.Unmarshal(b, &in.Rows); err != nil {
		return fmt.Errorf("inputs: want a list of input vectors or the name of a .npy file: %w", err)
	}
	return nil
}

// Inits are the initial states of the search: States given in the manifest,
// the rows of a B x N .npy File, or a Sample spec.
type Inits struct {
	States [][]float64
	File   string
	Sample *Sample
}

// IsZero reports whether nothing is given (the default Sample is used).
func (in Inits) IsZero() bool { return in.States == nil && in.File == "" && in.Sample == nil }

// MarshalJSON writes the states, the file name or the sampling spec.
func (in Inits) MarshalJSON() ([]byte, error) {
	switch {
	case in.File != "":
		return json.Marshal(in.File)
	case in.Sample != nil:
		return json.Marshal(in.Sample)
	}
	return json.Marshal(in.States)
}

// UnmarshalJSON reads a list of states, a file name or a sampling spec.
func (in *Inits) UnmarshalJSON(b []byte) error {
	*in = Inits{}
	if s, ok, err := jsonString(b); ok || err != nil {
		in.File = s
		return err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		in.Sample = new(Sample)
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(in.Sample); err != nil {
			return fmt.Errorf("inits: sampling spec: %w", err)
		}
		return nil
	}
	if err := json.Unmarshal(b, &in.States); err != nil {
		return fmt.Errorf("inits: want a list of states, the name of a .npy file or a sampling spec: %w", err)
	}
	return nil
}

// Sample draws initial states, with Gaussian noise, from the states of
// trajectories (see finder.SampleStates): those of the Trajectories .npy
// file (B x T x N or B x N) or, without it, trajectories simulated from the
// zero state under flip-flop pulses (each input channel gets +1 or -1 with
// probability 0.5 per step, and one at the first step; an autonomous cell
// starts from states uniform in [-1, 1]).
type Sample struct {
	N            int      `json:"n,omitempty"`            // states drawn: 1024
	Noise        *float64 `json:"noise,omitempty"`        // standard deviation of the noise: 0.5
	Trajectories string   `json:"trajectories,omitempty"` // .npy file; empty: simulated
	Trials       int      `json:"trials,omitempty"`       // simulated trials: 128
	Steps        int      `json:"steps,omitempty"`        // steps per simulated trial: 64
}

// Defaults of Sample.
const (
	DefaultSampleN      = 1024
	DefaultSampleNoise  = 0.5
	DefaultSampleTrials = 128
	DefaultSampleSteps  = 64
)

// jsonString decodes b when it is a JSON string.
func jsonString(b []byte) (s string, ok bool, err error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '"' {
		return "", false, nil
	}
	if err := json.Unmarshal(t, &s); err != nil {
		return "", true, err
	}
	if s == "" {
		return "", true, errors.New("empty file name")
	}
	return s, true, nil
}

// Hash identifies what the job computes: the hex SHA-256 of its JSON (with
// the paths as resolved), Meta left out. A done record whose hash differs
// was written for another job of the same id and does not count; a change
// of Meta alone keeps the results (the table takes Meta from the manifest).
func (j *Job) Hash() string {
	k := *j
	k.Meta = nil
	b, err := json.Marshal(&k)
	if err != nil { // a parsed Job always marshals; be safe
		b = []byte(fmt.Sprintf("%#v", *j))
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// maxIDLength keeps a job's directory name within every file system's limit.
const maxIDLength = 200

// check reports the first thing wrong with j.
func (j *Job) check() error {
	if j.ID == "" {
		return errors.New(`missing "id"`)
	}
	if !idPattern.MatchString(j.ID) || len(j.ID) > maxIDLength {
		return fmt.Errorf("id %q: use letters, digits, '.', '_' and '-' (not first '.'), at most %d", j.ID, maxIDLength)
	}
	if j.Weights == "" {
		return errors.New(`missing "weights"`)
	}
	if err := j.Options().Check(jsonSpelling); err != nil {
		return err
	}
	if j.Inputs.File == "" && j.Inputs.Rows != nil && len(j.Inputs.Rows) == 0 {
		return errors.New("inputs: empty list (leave it out for one zero input)")
	}
	if j.Inits.File == "" && j.Inits.Sample == nil && j.Inits.States != nil && len(j.Inits.States) == 0 {
		return errors.New("inits: empty list (leave it out to sample)")
	}
	if s := j.Inits.Sample; s != nil {
		if s.N < 0 || s.Trials < 0 || s.Steps < 0 {
			return fmt.Errorf("inits: n, trials and steps must be >= 0 (0 takes the default), got %d, %d, %d", s.N, s.Trials, s.Steps)
		}
		if s.Noise != nil && !(*s.Noise >= 0 && *s.Noise < 1e300) {
			return fmt.Errorf("inits: noise %v, want a finite value >= 0", *s.Noise)
		}
	}
	for k, v := range j.Meta {
		switch v.(type) {
		case float64, string, bool, nil:
		default:
			return fmt.Errorf("meta %q: want a number, string or boolean, got %T", k, v)
		}
	}
	if j.Settings != nil {
		if _, err := j.Settings.Finder(0); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	return nil
}

// Options are the job's model settings as cells.LoadModel reads them.
func (j *Job) Options() cells.Options {
	return cells.Options{Kind: j.Cell, Prefix: j.Prefix, Key: j.Key, Node: j.Node, StateInput: j.StateInput,
		CTRNN: cells.CTRNNOptions{Alpha: j.Alpha, DT: j.DT, Tau: j.Tau, Activation: j.Activation, Form: j.Form,
			InputName: j.InputName, RecurrentName: j.RecurrentName}}
}

// FinderSettings are the job's finder settings: Settings with the job's
// seed, and the flow judged by default for a continuous-time cell (see
// Settings.ContinuousTime).
func (j *Job) FinderSettings() (finder.Settings, error) {
	f, err := j.Settings.Finder(j.Seed)
	if err == nil && strings.EqualFold(j.Cell, "ctrnn") && (j.Settings == nil || j.Settings.ContinuousTime == nil) {
		f.ContinuousTime = true
	}
	return f, err
}

// jsonSpelling spells a model setting as a manifest writes it (see
// cells.Spelling): "alpha", "alpha": 0.2.
func jsonSpelling(option string, value any) string {
	k := strconv.Quote(option)
	if value == nil {
		return k
	}
	b, err := json.Marshal(value)
	if err != nil {
		return k
	}
	return k + ": " + string(b)
}

// resolve makes the job's relative paths relative to dir.
func (j *Job) resolve(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&j.Weights)
	abs(&j.Inputs.File)
	abs(&j.Inits.File)
	if j.Inits.Sample != nil {
		abs(&j.Inits.Sample.Trajectories)
	}
}

// ParseManifest reads a manifest in JSON Lines from r: one Job per line;
// empty lines and lines starting with '#' are skipped. Relative paths are
// resolved against dir (unless dir is empty). Unknown fields, duplicate ids
// and invalid values are errors (wrapping ErrManifest) naming the line.
func ParseManifest(r io.Reader, dir string) ([]Job, error) {
	var jobs []Job
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := checkDuplicateKeys([]byte(text)); err != nil {
			return nil, fmt.Errorf("sweep: %w: line %d: %v", ErrManifest, line, err)
		}
		var j Job
		d := json.NewDecoder(strings.NewReader(text))
		d.DisallowUnknownFields()
		if err := d.Decode(&j); err != nil {
			return nil, fmt.Errorf("sweep: %w: line %d: %v", ErrManifest, line, err)
		}
		if d.More() {
			return nil, fmt.Errorf("sweep: %w: line %d: more than one JSON value (one job per line)", ErrManifest, line)
		}
		if err := j.check(); err != nil {
			return nil, fmt.Errorf("sweep: %w: line %d: %v", ErrManifest, line, err)
		}
		if first, dup := seen[j.ID]; dup {
			return nil, fmt.Errorf("sweep: %w: line %d: id %q already used on line %d", ErrManifest, line, j.ID, first)
		}
		seen[j.ID] = line
		if dir != "" {
			j.resolve(dir)
		}
		jobs = append(jobs, j)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sweep: read manifest: %w", err)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("sweep: %w: no jobs", ErrManifest)
	}
	return jobs, nil
}

// ReadManifest reads the manifest file at path (see ParseManifest);
// relative paths in it are relative to the file's directory, and every
// file it names must be inside that directory (ReadManifestOptions with
// AllowOutside accepts others).
func ReadManifest(path string) ([]Job, error) {
	return ReadManifestOptions(path, ManifestOptions{})
}

// WriteManifest writes jobs as JSON Lines, one job per line.
func WriteManifest(w io.Writer, jobs []Job) error {
	for i := range jobs {
		b, err := json.Marshal(&jobs[i])
		if err != nil {
			return fmt.Errorf("sweep: write manifest: job %q: %w", jobs[i].ID, err)
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("sweep: write manifest: %w", err)
		}
	}
	return nil
}
