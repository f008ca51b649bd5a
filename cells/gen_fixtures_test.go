package cells_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/ (go test ./cells -run TestGenerateFixtures -update)")

// Fixture sizes: small, but with every gate and input visible.
const (
	fixHidden = 4
	fixInputs = 3
	fixTrials = 2
	fixSteps  = 6
)

// weightFixture is a weight file in testdata/ and how to load it.
type weightFixture struct {
	file   string
	kind   string // NewTorchCell kind; the trajectory files are <kind>.*.npy
	prefix string // module prefix of the tensors
	dtype  string // "F64", "F32" (safetensors) or "f64", "f32" (npz)
	zip    uint16 // npz: zip.Store (numpy.savez) or zip.Deflate (savez_compressed)
}

// weightFixtures: each kind as F64 and F32 safetensors and as npz, the GRU
// inside a wrapping module (prefix "rnn.", with a readout beside it), the
// stored and deflated npz variants, float32 and float64.
var weightFixtures = []weightFixture{
	{file: "rnn.f64.safetensors", kind: "rnn", dtype: "F64"},
	{file: "rnn.f32.safetensors", kind: "rnn", dtype: "F32"},
	{file: "rnn.npz", kind: "rnn", dtype: "f64", zip: zip.Store},
	{file: "rnn_relu.f64.safetensors", kind: "rnn_relu", dtype: "F64"},
	{file: "gru.f64.safetensors", kind: "gru", prefix: "rnn.", dtype: "F64"},
	{file: "gru.f32.safetensors", kind: "gru", prefix: "rnn.", dtype: "F32"},
	{file: "gru.npz", kind: "gru", prefix: "rnn.", dtype: "f32", zip: zip.Deflate},
	{file: "lstm.f64.safetensors", kind: "lstm", dtype: "F64"},
	{file: "lstm.f32.safetensors", kind: "lstm", dtype: "F32"},
	{file: "lstm.npz", kind: "lstm", dtype: "f32", zip: zip.Store},
}

var fixtureKinds = []string{"rnn", "rnn_relu", "gru", "lstm"}

// fixtureWeights returns the seeded weights of a kind, rounded to float32 so
// that the F32 and F64 files hold the same values and one trajectory serves
// both.
func fixtureWeights(kind string, seed uint64) cells.StateDict {
	g := map[string]int{"rnn": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}[kind]
	r := rand.New(rand.NewPCG(seed, 0xf1c))
	k := 1 / math.Sqrt(fixHidden) // PyTorch's default init range
	draw := func(shape ...int) cells.Tensor {
		t := cells.Tensor{Shape: shape}
		n := 1
		for _, d := range shape {
			n *= d
		}
		t.Data = make([]float64, n)
		for i := range t.Data {
			t.Data[i] = float64(float32((2*r.Float64() - 1) * 2 * k))
		}
		return t
	}
	return cells.StateDict{
		"weight_ih_l0": draw(g*fixHidden, fixInputs),
		"weight_hh_l0": draw(g*fixHidden, fixHidden),
		"bias_ih_l0":   draw(g * fixHidden),
		"bias_hh_l0":   draw(g * fixHidden),
	}
}

func fixturePath(name string) string { return filepath.Join("testdata", name) }

// TestGenerateFixtures rewrites testdata/ with -update: weight files, the
// trajectories of the plain-Go reference, and the fuzz seed corpora.
func TestGenerateFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fixtures")
	}
	for i, kind := range fixtureKinds {
		sd := fixtureWeights(kind, uint64(i+1))
		ref, err := newTorchRef(kind, sd)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(100+i), 0x7a))
		x0 := cells.Tensor{Shape: []int{fixTrials, ref.stateSize()}, Data: make([]float64, fixTrials*ref.stateSize())}
		for j := range x0.Data {
			x0.Data[j] = 2*r.Float64() - 1
		}
		in := cells.Tensor{Shape: []int{fixTrials, fixSteps, fixInputs}, Data: make([]float64, fixTrials*fixSteps*fixInputs)}
		for j := range in.Data {
			in.Data[j] = r.NormFloat64()
		}
		states := cells.Tensor{Shape: []int{fixTrials, fixSteps, ref.stateSize()}, Data: ref.simulate(x0.Data, in.Data, fixTrials, fixSteps)}
		for name, a := range map[string]cells.Tensor{"x0": x0, "inputs": in, "states": states} {
			if err := cells.WriteNPY(fixturePath(kind+"."+name+".npy"), a); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range weightFixtures {
		i := indexOf(fixtureKinds, f.kind)
		sd := fixtureWeights(f.kind, uint64(i+1))
		if f.prefix != "" {
			sd = cells.AddPrefix(sd, f.prefix)
			sd["readout.weight"] = cells.Tensor{Shape: []int{2, fixHidden}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8}}
			sd["readout.bias"] = cells.Tensor{Shape: []int{2}, Data: []float64{-1, 1}}
		}
		var err error
		switch f.dtype {
		case "F64", "F32":
			err = cells.WriteSafetensors(fixturePath(f.file), sd, f.dtype, map[string]string{"format": "pt", "kind": f.kind})
		default:
			err = cells.WriteNPZWith(fixturePath(f.file), sd, f.dtype == "f32", f.zip)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	writeFuzzCorpora(t)
}

// writeFuzzCorpora writes a few valid and broken inputs per fuzz target in
// the go test fuzz v1 format.
func writeFuzzCorpora(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(fixturePath(name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	st, npz, npy := read("rnn.f32.safetensors"), read("gru.npz"), read("gru.x0.npy")
	corpora := map[string]map[string][]byte{
		"FuzzReadSafetensors": {
			"valid_f32":  st,
			"valid_f64":  read("lstm.f64.safetensors"),
			"truncated":  st[:len(st)-5],
			"short":      st[:6],
			"text":       []byte("this is a text file, not weights\n"),
			"bad_dtype":  bytes.Replace(st, []byte(`"F32"`), []byte(`"I32"`), 1),
			"bad_offset": bytes.Replace(st, []byte(`"data_offsets":[0,`), []byte(`"data_offsets":[9,`), 1),
		},
		"FuzzReadNPZ": {
			"valid_deflate": npz,
			"valid_stored":  read("lstm.npz"),
			"truncated":     npz[:len(npz)/2],
			"text":          []byte("PK not really a zip"),
		},
		"FuzzReadNPY": {
			"valid_f64": npy,
			"valid_3d":  read("gru.states.npy"),
			"truncated": npy[:len(npy)-3],
			"fortran":   asFortran(npy),
			"f32":       bytes.Replace(npy, []byte("'<f8'"), []byte("'<f4'"), 1),
			"int":       bytes.Replace(npy, []byte("'<f8'"), []byte("'<i8'"), 1),
		},
	}
	for target, files := range corpora {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// asFortran marks a C-order .npy as Fortran-order, keeping the header's
// length: the same bytes read as the transpose.
func asFortran(npy []byte) []byte {
	b := bytes.Replace(npy, []byte("'fortran_order': False"), []byte("'fortran_order': True"), 1)
	return bytes.Replace(b, []byte("}"), []byte("} "), 1)
}
