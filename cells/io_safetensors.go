package cells

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/nlpodyssey/safetensors"
)

// decodeSafetensors decodes a whole safetensors file.
func decodeSafetensors(b []byte) (sd StateDict, err error) {
	defer recoverDecode("safetensors", &err)
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, diagnoseSafetensors(b, err)
	}
	sd = make(StateDict, st.Len())
	for _, nt := range st.Tensors() {
		t, err := safetensorsTensor(nt.Name, nt.TensorView)
		if err != nil {
			return nil, err
		}
		sd[nt.Name] = t
	}
	return sd, nil
}

// safetensorsTensor converts one little-endian tensor to float64.
func safetensorsTensor(name string, v safetensors.TensorView) (Tensor, error) {
	shape := make([]int, len(v.Shape()))
	for i, d := range v.Shape() {
		if d > math.MaxInt32 {
			return Tensor{}, fmt.Errorf("%w: tensor %q has dimension %d", ErrFormat, name, d)
		}
		shape[i] = int(d)
	}
	n, ok := numElements(shape)
	if !ok {
		return Tensor{}, fmt.Errorf("%w: tensor %q has shape %v, too large", ErrFormat, name, shape)
	}
	var size int
	var conv func([]byte) float64
	switch v.DType() {
	case safetensors.F64:
		size, conv = 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	case safetensors.F32:
		size, conv = 4, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case safetensors.F16:
		size, conv = 2, func(b []byte) float64 { return halfToFloat64(binary.LittleEndian.Uint16(b)) }
	case safetensors.BF16:
		size, conv = 2, func(b []byte) float64 { return bfloat16ToFloat64(binary.LittleEndian.Uint16(b)) }
	default:
		return Tensor{}, fmt.Errorf("%w: tensor %q has non-float dtype %s (supported: F64, F32, F16, BF16)", ErrDtype, name, v.DType())
	}
	raw := v.Data()
	if len(raw) != n*size {
		return Tensor{}, fmt.Errorf("%w: tensor %q has %d bytes for shape %v of %s", ErrFormat, name, len(raw), shape, v.DType())
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = conv(raw[i*size:])
	}
	return Tensor{Shape: shape, Data: data}, nil
}

// diagnoseSafetensors explains why the library refused b, in terms of the
// file (truncated, not safetensors, unsupported dtype), falling back to the
// library's message.
func diagnoseSafetensors(b []byte, libErr error) error {
	if len(b) < 8 {
		return fmt.Errorf("%w: %d bytes, shorter than the 8-byte header length of a safetensors file", ErrTruncated, len(b))
	}
	if len(b) == 8 || b[8] != '{' {
		return fmt.Errorf("%w: not a safetensors file (no JSON header after the 8-byte length; %s)", ErrFormat, contentKind(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return fmt.Errorf("%w: safetensors header of %d bytes, but only %d bytes follow", ErrTruncated, n, len(b)-8)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		return fmt.Errorf("%w: safetensors header is not valid JSON: %v", ErrFormat, err)
	}
	names := make([]string, 0, len(hdr))
	for k := range hdr {
		names = append(names, k)
	}
	sort.Strings(names)
	var end uint64
	for _, name := range names {
		if name == "__metadata__" {
			continue
		}
		var ti struct {
			DType       string   `json:"dtype"`
			DataOffsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(hdr[name], &ti); err != nil {
			return fmt.Errorf("%w: safetensors header entry of tensor %q: %v", ErrFormat, name, err)
		}
		if _, err := safetensors.ParseDType(ti.DType); err != nil {
			return fmt.Errorf("%w: tensor %q has dtype %q (supported: F64, F32, F16, BF16)", ErrDtype, name, ti.DType)
		}
		if len(ti.DataOffsets) == 2 && ti.DataOffsets[1] > end {
			end = ti.DataOffsets[1]
		}
	}
	avail := uint64(len(b)) - 8 - n
	switch {
	case end > avail:
		return fmt.Errorf("%w: tensor data ends at byte %d after the header, but only %d bytes follow it", ErrTruncated, end, avail)
	case end < avail:
		return fmt.Errorf("%w: %d bytes after the end of the tensor data (corrupt safetensors file)", ErrFormat, avail-end)
	}
	return fmt.Errorf("%w: invalid safetensors file: %v", ErrFormat, libErr)
}

// WriteSafetensors writes sd as a safetensors file that
// safetensors.torch.load_file reads back with the same names, in dtype
// "F64" or "F32" (case-insensitive), with optional string metadata
// (the "__metadata__" entry). The file is written atomically.
// Every tensor must be finite (and, for F32, within float32's range).
func WriteSafetensors(path string, sd StateDict, dtype string, metadata map[string]string) error {
	var dt safetensors.DType
	switch strings.ToUpper(dtype) {
	case "F64":
		dt = safetensors.F64
	case "F32":
		dt = safetensors.F32
	default:
		return fmt.Errorf("cells: write %s: %w %q (want F64 or F32)", path, ErrDtype, dtype)
	}
	if err := checkWritable(sd, dt == safetensors.F32); err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	err := writeAtomic(path, func(w io.Writer) error { return encodeSafetensors(w, sd, dt, metadata) })
	if err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	return nil
}

// encodeSafetensors writes sd in dtype dt. The library orders the tensors
// by name and the header keys are sorted: equal input, equal bytes.
func encodeSafetensors(w io.Writer, sd StateDict, dt safetensors.DType, metadata map[string]string) error {
	views := make(map[string]stView, len(sd))
	for name, t := range sd {
		views[name] = newSTView(t, dt)
	}
	return safetensors.SerializeToWriter(views, metadata, w)
}

// stView is a tensor encoded for the safetensors writer.
type stView struct {
	dt    safetensors.DType
	shape []uint64
	data  []byte
}

func newSTView(t Tensor, dt safetensors.DType) stView {
	v := stView{dt: dt, shape: make([]uint64, len(t.Shape))}
	for i, d := range t.Shape {
		v.shape[i] = uint64(d)
	}
	if dt == safetensors.F32 {
		v.data = make([]byte, 4*len(t.Data))
		for i, x := range t.Data {
			binary.LittleEndian.PutUint32(v.data[4*i:], math.Float32bits(float32(x)))
		}
		return v
	}
	v.data = make([]byte, 8*len(t.Data))
	for i, x := range t.Data {
		binary.LittleEndian.PutUint64(v.data[8*i:], math.Float64bits(x))
	}
	return v
}

func (v stView) DType() safetensors.DType { return v.dt }
func (v stView) Shape() []uint64          { return v.shape }
func (v stView) Data() []byte             { return v.data }
func (v stView) DataLen() uint64          { return uint64(len(v.data)) }

// checkWritable returns an error unless every tensor of sd fills its shape
// with finite values (within float32's range when f32), so that no file
// written here holds a broken model.
func checkWritable(sd StateDict, f32 bool) error {
	if len(sd) == 0 {
		return fmt.Errorf("empty state_dict")
	}
	for _, name := range sd.Names() {
		t := sd[name]
		if name == "__metadata__" {
			return fmt.Errorf("tensor name %q is reserved", name)
		}
		if err := checkTensor(name, t); err != nil {
			return err
		}
		if err := checkFiniteTensor(name, t); err != nil {
			return err
		}
		if !f32 {
			continue
		}
		for k, v := range t.Data {
			if math.Abs(v) > math.MaxFloat32 {
				return fmt.Errorf("tensor %q value %g at index %v overflows float32", name, v, unravel(k, t.Shape))
			}
		}
	}
	return nil
}
