package cells

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// ReadStateDict reads a PyTorch state_dict from a weight file:
//
//   - .safetensors, as written by safetensors.torch.save_file(model.state_dict(), path),
//     with F64, F32, F16 or BF16 tensors;
//   - .npz, as written by numpy.savez or numpy.savez_compressed with one float64,
//     float32 or float16 array per tensor (keyword = tensor name).
//
// The format is chosen by the file extension, or by the leading bytes when the
// extension is neither (or is one of torch.save's, .pt, .pth, .bin, .ckpt,
// whose pickles are refused with advice on how to save instead). Tensor names are kept as saved (prefix included; see
// StripPrefix and DetectPrefix). Every value must be finite. Errors name the
// file and the problem and wrap ErrFormat, ErrTruncated, ErrDtype or
// ErrNotFinite where one applies.
func ReadStateDict(path string) (StateDict, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cells: read state_dict: %w", err)
	}
	sd, err := decodeStateDict(path, b)
	if err != nil {
		return nil, fmt.Errorf("cells: read %s: %w", path, err)
	}
	return sd, nil
}

// WriteStateDict writes sd in float64, as safetensors or npz by the extension
// of path (.safetensors or .npz).
func WriteStateDict(path string, sd StateDict) error {
	switch formatFromExt(path) {
	case formatSafetensors:
		return WriteSafetensors(path, sd, "F64", nil)
	case formatNPZ:
		return WriteNPZ(path, sd, false)
	}
	return fmt.Errorf("cells: write %s: %w: extension %q, want .safetensors or .npz", path, ErrFormat, filepath.Ext(path))
}

// fileFormat is a weight or array file format.
type fileFormat int

const (
	formatUnknown fileFormat = iota
	formatSafetensors
	formatNPZ
	formatNPY
	formatTorch // torch.save: a pickle, or a zip holding one
)

func (f fileFormat) String() string {
	return [...]string{"unknown", "safetensors", "npz (zip)", "npy", "torch.save pickle"}[f]
}

// formatFromExt returns the format a file name claims.
func formatFromExt(path string) fileFormat {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		return formatSafetensors
	case ".npz":
		return formatNPZ
	case ".npy":
		return formatNPY
	case ".pt", ".pth", ".bin", ".ckpt", ".pkl":
		return formatTorch
	}
	return formatUnknown
}

// sniffFormat returns the format the leading bytes of a file show.
func sniffFormat(b []byte) fileFormat {
	switch {
	case bytes.HasPrefix(b, []byte(npyMagic)):
		return formatNPY
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return formatNPZ
	case len(b) >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5: // pickle protocol 2-5
		return formatTorch
	case len(b) > 8 && b[8] == '{' && binary.LittleEndian.Uint64(b) < 100_000_000:
		return formatSafetensors
	}
	return formatUnknown
}

// errTorchPickle explains what to do instead of loading a pickle, which
// can run arbitrary code and needs PyTorch to decode.
var errTorchPickle = fmt.Errorf("%w: a torch.save checkpoint (pickle) is not read; save the weights with "+
	"safetensors.torch.save_file(model.state_dict(), \"w.safetensors\") or "+
	"numpy.savez(\"w.npz\", **{k: v.detach().numpy() for k, v in model.state_dict().items()})", ErrFormat)

// decodeStateDict decodes the bytes of the weight file named name.
func decodeStateDict(name string, b []byte) (StateDict, error) {
	claimed := formatFromExt(name)
	f := claimed
	if s := sniffFormat(b); f == formatTorch && (s == formatSafetensors || s == formatNPZ) {
		f = s // .bin and .pt are also used for safetensors and npz files
	}
	if f == formatUnknown {
		if f = sniffFormat(b); f == formatUnknown {
			return nil, fmt.Errorf("%w: extension %q is neither .safetensors nor .npz and the content is neither (starts with %q)",
				ErrFormat, filepath.Ext(name), head(b, 16))
		}
	}
	var sd StateDict
	var err error
	switch f {
	case formatSafetensors:
		sd, err = decodeSafetensors(b)
	case formatNPZ:
		sd, err = decodeNPZ(b)
	case formatNPY:
		err = fmt.Errorf("%w: a single .npy array, not a state_dict: save the tensors with numpy.savez (.npz) or safetensors", ErrFormat)
	case formatTorch:
		err = errTorchPickle
	}
	if err != nil {
		if s := sniffFormat(b); claimed != formatUnknown && s != claimed && s != formatUnknown {
			err = fmt.Errorf("%w (the content looks like %s)", err, s)
		}
		return nil, err
	}
	for _, n := range sd.Names() {
		if err := checkFiniteTensor(n, sd[n]); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// checkFiniteTensor returns an error naming the tensor and the index of its
// first NaN or Inf.
func checkFiniteTensor(name string, t Tensor) error {
	for k, v := range t.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: tensor %q holds %v at index %v", ErrNotFinite, name, v, unravel(k, t.Shape))
		}
	}
	return nil
}

// checkTensor returns an error if t's data does not fill its shape.
func checkTensor(name string, t Tensor) error {
	n, ok := numElements(t.Shape)
	if !ok {
		return fmt.Errorf("tensor %q has invalid shape %v", name, t.Shape)
	}
	if n != len(t.Data) {
		return fmt.Errorf("tensor %q has %d values for shape %v (%d)", name, len(t.Data), t.Shape, n)
	}
	return nil
}

// numElements is the product of shape, false if a dimension is negative or
// the product overflows.
func numElements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt32/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// unravel converts a flat row-major index into a multi-index.
func unravel(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = k % shape[d]
			k /= shape[d]
		}
	}
	return idx
}

// head returns at most n leading bytes of b, for error messages.
func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
