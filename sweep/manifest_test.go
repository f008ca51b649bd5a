package sweep

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseManifestForms(t *testing.T) {
	src := `# a comment, then a blank line

{"id": "a", "weights": "nets/a.safetensors", "cell": "gru", "inputs": [[0, 1], [1, 0]], "inits": [[0.5, 0.5]], "seed": 3, "meta": {"lr": 0.01, "opt": "adam"}}
{"id": "b-2.x", "weights": "/abs/b.npz", "cell": "lstm", "prefix": "rnn.", "inputs": "u.npy", "inits": "x0.npy"}
{"id": "c_3", "weights": "c.safetensors", "cell": "rnn", "inits": {"n": 64, "noise": 0, "trajectories": "traj.npy"}, "settings": {"max_iters": 100, "dtype": "float32"}}
`
	jobs, err := ParseManifest(strings.NewReader(src), "/m")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	a, b, c := jobs[0], jobs[1], jobs[2]
	if a.Weights != filepath.Join("/m", "nets/a.safetensors") || b.Weights != "/abs/b.npz" || b.Inputs.File != "/m/u.npy" || b.Inits.File != "/m/x0.npy" {
		t.Errorf("paths not resolved against the manifest's directory: %q %q %q %q", a.Weights, b.Weights, b.Inputs.File, b.Inits.File)
	}
	if len(a.Inputs.Rows) != 2 || a.Inputs.Rows[1][0] != 1 || len(a.Inits.States) != 1 || a.Seed != 3 || a.Meta["lr"] != 0.01 || a.Meta["opt"] != "adam" {
		t.Errorf("job a read as %+v", a)
	}
	if b.Prefix != "rnn." || b.Cell != "lstm" {
		t.Errorf("job b read as %+v", b)
	}
	s := c.Inits.Sample
	if s == nil || s.N != 64 || s.Noise == nil || *s.Noise != 0 || s.Trajectories != "/m/traj.npy" {
		t.Errorf("job c's sampling spec read as %+v", s)
	}
	fs, err := c.Settings.Finder(9)
	if err != nil || fs.MaxIters != 100 || fs.Dtype.String() != "float32" || fs.Seed != 9 {
		t.Errorf("job c's settings: %+v, %v", fs, err)
	}
	// Written and read back, a manifest is the same (paths now absolute).
	var sb strings.Builder
	if err := WriteManifest(&sb, jobs); err != nil {
		t.Fatal(err)
	}
	again, err := ParseManifest(strings.NewReader(sb.String()), "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		if again[i].Hash() != jobs[i].Hash() {
			t.Errorf("job %s changed in a round trip:\n%s", jobs[i].ID, sb.String())
		}
	}
	if jobs[0].Hash() == jobs[1].Hash() {
		t.Error("two jobs with one hash")
	}
}

func TestParseManifestErrors(t *testing.T) {
	ok := `{"id": "a", "weights": "w", "cell": "gru"}`
	for _, c := range []struct{ src, want string }{
		{``, "no jobs"},
		{ok + "\n" + ok, `line 2: id "a" already used on line 1`},
		{`{"id": "a", "weight": "w", "cell": "gru"}`, `line 1: json: unknown field "weight"`},
		{`{"id": "../x", "weights": "w", "cell": "gru"}`, `id "../x"`},
		{`{"id": ".hidden", "weights": "w", "cell": "gru"}`, `id ".hidden"`},
		{`{"weights": "w", "cell": "gru"}`, `missing "id"`},
		{`{"id": "a", "cell": "gru"}`, `missing "weights"`},
		{`{"id": "a", "weights": "w", "cell": "transformer"}`, `"cell": unknown cell kind "transformer"`},
		{`{"id": "a", "weights": "w", "cell": "gru", "inputs": []}`, `inputs: empty list`},
		{`{"id": "a", "weights": "w", "cell": "gru", "inputs": 3}`, `inputs: want a list`},
		{`{"id": "a", "weights": "w", "cell": "gru", "inits": {"n": 5, "noize": 1}}`, `unknown field "noize"`},
		{`{"id": "a", "weights": "w", "cell": "gru", "inits": {"noise": -1}}`, `noise -1`},
		{`{"id": "a", "weights": "w", "cell": "gru", "settings": {"dtype": "float16"}}`, `dtype "float16"`},
		{`{"id": "a", "weights": "w", "cell": "gru", "settings": {"tol_q": -1}}`, `tol_q = -1`},
		{`{"id": "a", "weights": "w", "cell": "gru", "meta": {"x": [1]}}`, `meta "x"`},
		{ok + " " + ok, `more than one JSON value`},
	} {
		_, err := ParseManifest(strings.NewReader(c.src), "")
		if err == nil || !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrManifest with %q", c.src, err, c.want)
		}
	}
}
