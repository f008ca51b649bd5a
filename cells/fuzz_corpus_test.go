package cells

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateCorpus = flag.Bool("update", false, "rewrite the fuzz seed corpora of the torch.save and ONNX readers in testdata/fuzz from the torch-made fixtures")

// TestWriteFuzzCorpora writes, with -update, seeds for FuzzReadTorch and
// FuzzReadONNX in the go test fuzz v1 format: valid files made by PyTorch
// (testdata/gen_fixtures.py) and broken ones cut or altered from them.
func TestWriteFuzzCorpora(t *testing.T) {
	if !*updateCorpus {
		t.Skip("run with -update to rewrite the corpora")
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	zip, legacy, onnx := read("gru.f64.pt"), read("lstm.f64.legacy.pth"), read("gru2.f64.onnx")
	corpora := map[string]map[string][]byte{
		"FuzzReadTorch": {
			"zip":        zip,
			"legacy":     legacy,
			"ckpt":       read("lstm.ckpt.pt"),
			"f16":        read("gru.f16.pt"),
			"module":     read("refuse.module.pt"),
			"zip_cut":    zip[:len(zip)/2],
			"legacy_cut": legacy[:len(legacy)-9],
			"pickle":     {0x80, 2, '}', 'q', 0, '.'},
		},
		"FuzzReadONNX": {
			"gru2":   onnx,
			"lstm":   read("lstm.f64.onnx"),
			"rnn":    read("rnn.f64.onnx"),
			"two":    read("two_grus.onnx"),
			"cut":    onnx[:len(onnx)/2],
			"tanhup": bytes.Replace(read("rnn.f64.onnx"), []byte("RNN"), []byte("GRU"), 1),
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
