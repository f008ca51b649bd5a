// Package sweeptest writes the small networks and manifests that the tests
// of package sweep and of the fixedpoints command run.
package sweeptest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
)

// net is one test network: a PyTorch module of a kind and size with
// recurrent weights w*I plus noise, so that each has several fixed points.
type net struct {
	file          string
	kind          string
	hidden, input int
	w             float64
	prefix        string
}

var nets = []net{
	{"rnn4a.safetensors", "rnn", 4, 2, 1.5, ""},
	{"rnn4b.npz", "rnn", 4, 2, 2.0, "rnn."},
	{"rnn6.safetensors", "rnn", 6, 1, 1.3, ""},
	{"gru4.safetensors", "gru", 4, 2, 2.5, ""},
	{"gru5.safetensors", "gru", 5, 1, 3.0, "model.rnn."},
	{"rnn8.safetensors", "rnn", 8, 0, 1.2, ""},
}

// writeNet writes n's weights into dir.
func writeNet(dir string, n net, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 17))
	G := map[string]int{"rnn": 1, "gru": 3}[n.kind]
	H, M := n.hidden, n.input
	mat := func(rows, cols int, scale float64) []float64 {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = scale * r.NormFloat64()
		}
		return v
	}
	whh := mat(G*H, H, 0.15)
	for i := range H { // the last block is the candidate state (GRU: n)
		whh[((G-1)*H+i)*H+i] += n.w
	}
	sd := cells.StateDict{
		n.prefix + "weight_ih_l0": {Shape: []int{G * H, M}, Data: mat(G*H, M, 0.5)},
		n.prefix + "weight_hh_l0": {Shape: []int{G * H, H}, Data: whh},
		n.prefix + "bias_ih_l0":   {Shape: []int{G * H}, Data: mat(G*H, 1, 0.05)},
		n.prefix + "bias_hh_l0":   {Shape: []int{G * H}, Data: mat(G*H, 1, 0.05)},
	}
	return cells.WriteStateDict(filepath.Join(dir, n.file), sd)
}

// Manifest writes the test networks, an inputs .npy and an inits .npy into
// dir and a manifest of 6 jobs using them (inline inputs and states, .npy
// files, sampling specs, settings and meta), plus, with bad, a seventh job
// whose weights file is not a weights file. It returns the manifest's path.
func Manifest(dir string, bad bool) (string, error) {
	for i, n := range nets {
		if err := writeNet(dir, n, uint64(i+1)); err != nil {
			return "", err
		}
	}
	if err := cells.WriteNPY(filepath.Join(dir, "inputs.npy"), cells.Tensor{Shape: []int{2, 1}, Data: []float64{0, 0.2}}); err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(99, 1))
	inits := make([]float64, 24*5)
	for i := range inits {
		inits[i] = 2*r.Float64() - 1
	}
	if err := cells.WriteNPY(filepath.Join(dir, "inits5.npy"), cells.Tensor{Shape: []int{24, 5}, Data: inits}); err != nil {
		return "", err
	}
	lines := []string{
		`# six small networks`,
		`{"id": "rnn4a", "weights": "rnn4a.safetensors", "cell": "rnn", "inputs": [[0, 0], [0.3, -0.1]], "inits": {"n": 24, "trials": 16, "steps": 20}, "seed": 1, "meta": {"w": 1.5, "hidden": 4}}`,
		`{"id": "rnn4b", "weights": "rnn4b.npz", "cell": "rnn", "inits": {"n": 24, "noise": 0.3, "trials": 16, "steps": 20}, "seed": 2, "meta": {"w": 2.0, "hidden": 4}}`,
		`{"id": "rnn6", "weights": "rnn6.safetensors", "cell": "rnn", "inputs": [[0.1]], "inits": {"n": 24, "trials": 16, "steps": 20}, "seed": 3, "settings": {"max_iters": 2000}, "meta": {"w": 1.3, "hidden": 6}}`,
		`{"id": "gru4", "weights": "gru4.safetensors", "inits": [[0.9, 0.9, 0.9, 0.9], [-0.9, 0.9, -0.9, 0.9], [0, 0, 0, 0], [0.5, -0.5, 0.5, -0.5], [-0.9, -0.9, 0.9, 0.9]], "seed": 4, "settings": {"no_connections": true}, "meta": {"w": 2.5, "hidden": 4}}`,
		`{"id": "gru5", "weights": "gru5.safetensors", "cell": "gru", "prefix": "model.rnn.", "inputs": "inputs.npy", "inits": "inits5.npy", "seed": 5, "settings": {"no_complete": true, "no_connections": true}, "meta": {"w": 3.0, "hidden": 5}}`,
		`{"id": "rnn8", "weights": "rnn8.safetensors", "cell": "rnn", "inits": {"n": 24, "trials": 16, "steps": 20}, "seed": 6, "meta": {"w": 1.2, "hidden": 8}}`,
	}
	if bad {
		if err := os.WriteFile(filepath.Join(dir, "broken.safetensors"), []byte("this is not a weights file"), 0o644); err != nil {
			return "", err
		}
		lines = append(lines[:3], append([]string{`{"id": "broken", "weights": "broken.safetensors", "cell": "gru", "seed": 7, "meta": {"w": 0, "hidden": 4}}`}, lines[3:]...)...)
	}
	path := filepath.Join(dir, "manifest.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("sweeptest: %w", err)
	}
	return path, nil
}
