package cells

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

// ReadStateDict reads a PyTorch state_dict from a weight file:
//
//   - safetensors, as written by safetensors.torch.save_file(model.state_dict(), path),
//     with F64, F32, F16 or BF16 tensors;
//   - npz, as written by numpy.savez or numpy.savez_compressed with one float64,
//     float32 or float16 array per tensor (keyword = tensor name);
//   - torch.save files (.pt, .pth, .bin), zip (PyTorch >= 1.6) or legacy, of a
//     state_dict or of a checkpoint dict holding one under one of
//     CheckpointKeys, with float64, float32, float16 or bfloat16 storages
//     (read with gopickle, which executes nothing; see ReadStateDictKey).
//
// The format is chosen by the content, the extension serving only when the
// content is none of these. Tensor names are kept as saved (prefix
// included; see StripPrefix and DetectPrefix). Every value must be finite.
// Errors name the file and the problem and wrap ErrFormat, ErrTruncated,
// ErrDtype, ErrNotFinite or ErrNotStateDict where one applies.
func ReadStateDict(path string) (StateDict, error) {
	return ReadStateDictKey(path, "")
}

// ReadStateDictKey is ReadStateDict for a torch.save checkpoint dict whose
// state_dict is under key ("" tries the whole object, then CheckpointKeys).
func ReadStateDictKey(path, key string) (StateDict, error) {
	sd, _, err := readWeights(path, key)
	return sd, err
}

// readWeights reads a state_dict file and says what it was.
func readWeights(path, key string) (StateDict, weightsInfo, error) {
	b, err := boundedread.ReadFile(path, DefaultMaxBytes)
	if err != nil {
		return nil, weightsInfo{}, fmt.Errorf("cells: read state_dict: %w", err)
	}
	sd, info, err := decodeWeights(path, b, key, DefaultMaxBytes)
	if err != nil {
		return nil, info, fmt.Errorf("cells: read %s: %w", path, err)
	}
	return sd, info, nil
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
	formatONNX
	formatZip // a zip archive cut short: npz or torch.save, the name tells
)

func (f fileFormat) String() string {
	return [...]string{"unknown", "safetensors", "npz (zip)", "npy", "torch.save", "ONNX", "zip"}[f]
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
	case ".pt", ".pth", ".bin", ".ckpt", ".pkl", ".tar":
		return formatTorch
	case ".onnx":
		return formatONNX
	}
	return formatUnknown
}

// sniffFormat returns the format the content of a file shows: the leading
// bytes, and for a zip archive its entries (a torch.save zip holds a
// data.pkl, an npz .npy arrays).
func sniffFormat(b []byte) fileFormat {
	switch {
	case bytes.HasPrefix(b, []byte(npyMagic)):
		return formatNPY
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		pickle, readable := zipHasPickle(b)
		switch {
		case pickle:
			return formatTorch
		case !readable:
			return formatZip
		}
		return formatNPZ
	case len(b) >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5: // pickle protocol 2-5
		return formatTorch
	case len(b) > 8 && b[8] == '{' && binary.LittleEndian.Uint64(b) < 100_000_000:
		return formatSafetensors
	case looksLikeONNX(b):
		return formatONNX
	}
	return formatUnknown
}

// zipHasPickle reports whether b is a zip archive with a .pkl entry, and
// whether its directory could be read. A zip whose directory cannot be read
// (cut short) is looked at from its first local header's name.
func zipHasPickle(b []byte) (pickle, readable bool) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		// The first local file header's name (offset 26: name length, 30: name).
		if len(b) >= 30 {
			n := int(binary.LittleEndian.Uint16(b[26:]))
			if 30+n <= len(b) {
				name := string(b[30 : 30+n])
				return strings.HasSuffix(name, ".pkl") || strings.Contains(name, "/data"), false
			}
		}
		return false, false
	}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".pkl") {
			return true, true
		}
	}
	return false, true
}

// weightsInfo says what a weight file was.
type weightsInfo struct {
	format fileFormat
	detail string // "torch.save zip", "torch.save legacy"
	key    string // checkpoint key of the state_dict
}

// decodeStateDict decodes the bytes of the weight file named name.
func decodeStateDict(name string, b []byte) (StateDict, error) {
	sd, _, err := decodeWeights(name, b, "", DefaultMaxBytes)
	return sd, err
}

// decodeWeights decodes the bytes of the weight file named name, the
// state_dict of a checkpoint under key; limit bounds what its zip entries
// may inflate to.
func decodeWeights(name string, b []byte, key string, limit int64) (sd StateDict, info weightsInfo, err error) {
	claimed := formatFromExt(name)
	f := sniffFormat(b)
	switch {
	case f == formatUnknown:
		f = claimed
	case f == formatZip && claimed == formatTorch:
		f = formatTorch
	case f == formatZip:
		f = formatNPZ
	}
	info.format = f
	switch f {
	case formatUnknown:
		return nil, info, fmt.Errorf("%w: extension %q is none of .safetensors, .npz, .pt, .pth, .bin and the content is none of these (%s)",
			ErrFormat, filepath.Ext(name), contentKind(b))
	case formatSafetensors:
		sd, err = decodeSafetensors(b)
	case formatNPZ:
		sd, err = decodeNPZ(b, limit)
	case formatNPY:
		err = fmt.Errorf("%w: a single .npy array, not a state_dict: save the tensors with numpy.savez (.npz), torch.save or safetensors", ErrFormat)
	case formatTorch:
		var tf torchFile
		sd, tf, err = decodeTorch(b, key, limit)
		info.detail, info.key = tf.format, tf.key
	case formatONNX:
		err = fmt.Errorf("%w: an ONNX model, not a state_dict: read it with LoadModel", ErrFormat)
	}
	if err != nil {
		if claimed != formatUnknown && f != claimed {
			err = fmt.Errorf("%w (the name says %s, the content is %s)", err, claimed, f)
		}
		return nil, info, err
	}
	if key != "" && f != formatTorch {
		return nil, info, fmt.Errorf("%w: a checkpoint key (%q) names an entry of a torch.save dict; this is a %s file", ErrFormat, key, f)
	}
	for _, n := range sd.Names() {
		if err := checkFiniteTensor(n, sd[n]); err != nil {
			return nil, info, err
		}
	}
	return sd, info, nil
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
