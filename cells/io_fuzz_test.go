package cells

import (
	"archive/zip"
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/nlpodyssey/safetensors"
)

// The fuzz targets feed arbitrary bytes to the decoders: they must return
// a state_dict or an error, never panic, and what they return must be
// consistent (data fills the shape, weights finite) and survive a write
// and read back. Seeds: testdata/fuzz/<FuzzName>/.

func FuzzReadSafetensors(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := decodeStateDict("w.safetensors", b)
		checkDecoded(t, sd, err, "w.safetensors", func(sd StateDict) []byte {
			var buf bytes.Buffer
			if err := encodeSafetensors(&buf, sd, safetensors.F64, nil); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		})
	})
}

func FuzzReadNPZ(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := decodeStateDict("w.npz", b)
		checkDecoded(t, sd, err, "w.npz", func(sd StateDict) []byte {
			var buf bytes.Buffer
			if err := encodeNPZ(&buf, sd, false, zip.Store); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		})
	})
}

func FuzzReadNPY(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeNPY(b)
		if err != nil {
			return
		}
		if err := checkTensor("array", a); err != nil {
			t.Fatalf("decoded an inconsistent array: %v", err)
		}
		var buf bytes.Buffer
		if err := encodeNPY(&buf, a, false); err != nil {
			t.Fatal(err)
		}
		back, err := decodeNPY(buf.Bytes())
		if err != nil {
			t.Fatalf("re-read of a written array: %v", err)
		}
		if !sameBits(a.Data, back.Data) || !slices.Equal(a.Shape, back.Shape) {
			t.Fatalf("round trip changed the array")
		}
	})
}

// checkDecoded checks what a decoder returned and that writing and reading
// it again gives the same tensors.
func checkDecoded(t *testing.T, sd StateDict, err error, name string, encode func(StateDict) []byte) {
	t.Helper()
	if err != nil {
		if sd != nil {
			t.Fatalf("error %v with a non-nil state_dict", err)
		}
		return
	}
	for k, v := range sd {
		if err := checkTensor(k, v); err != nil {
			t.Fatalf("decoded an inconsistent tensor: %v", err)
		}
		if err := checkFiniteTensor(k, v); err != nil {
			t.Fatalf("decoded a non-finite tensor: %v", err)
		}
	}
	if len(sd) == 0 {
		return
	}
	back, err := decodeStateDict(name, encode(sd))
	if err != nil {
		t.Fatalf("re-read of a written state_dict: %v", err)
	}
	if len(back) != len(sd) {
		t.Fatalf("round trip: %d tensors, want %d", len(back), len(sd))
	}
	for k, v := range sd {
		if w := back[k]; !sameBits(v.Data, w.Data) || !slices.Equal(v.Shape, w.Shape) {
			t.Fatalf("round trip changed tensor %q", k)
		}
	}
}

// sameBits reports whether a and b hold the same bits (NaN equal to itself).
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// FuzzReadTorch feeds bytes to the torch.save reader (zip and legacy): a
// state_dict or an error, never a panic, and what it returns survives a
// write and read back as safetensors.
func FuzzReadTorch(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := decodeStateDict("w.pt", b)
		checkDecoded(t, sd, err, "w.safetensors", func(sd StateDict) []byte {
			var buf bytes.Buffer
			if err := encodeSafetensors(&buf, sd, safetensors.F64, nil); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		})
	})
}

// FuzzReadONNX feeds bytes to the ONNX reader: a cell or an error, never a
// panic; a cell read has finite weights of consistent shapes.
func FuzzReadONNX(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var info ModelInfo
		cell, err := loadONNX(b, Options{}, &info)
		if err != nil {
			if cell != nil {
				t.Fatalf("error %v with a cell", err)
			}
			return
		}
		if err := CheckFinite(cell); err != nil {
			t.Fatalf("read a cell with bad weights: %v", err)
		}
		if info.StateSize != cell.StateSize() || info.Hidden < 1 || info.Layers < 1 {
			t.Fatalf("info %+v for a cell of state size %d", info, cell.StateSize())
		}
	})
}
