package cells

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"

	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

const npyMagic = "\x93NUMPY"

// ReadNPY reads a NumPy .npy array of float64, float32 or float16, in C or
// Fortran order (returned in C order, i.e. row-major), of any rank. It is
// how the examples take initial states (B x N), inputs (1 x M or B x M) and
// trajectories (B x T x N). Values are returned as stored: NaN and Inf are
// not rejected here.
func ReadNPY(path string) (Tensor, error) {
	b, err := boundedread.ReadFile(path, DefaultMaxBytes)
	if err != nil {
		return Tensor{}, fmt.Errorf("cells: read array: %w", err)
	}
	t, err := decodeNPY(b)
	if err != nil {
		return Tensor{}, fmt.Errorf("cells: read %s: %w", path, err)
	}
	return t, nil
}

// WriteNPY writes t as a float64 .npy array in C order (numpy.load reads it),
// atomically.
func WriteNPY(path string, t Tensor) error {
	if err := checkTensor("array", t); err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	if err := writeAtomic(path, func(w io.Writer) error { return encodeNPY(w, t, false) }); err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	return nil
}

// decodeNPY decodes a whole .npy file. The header is parsed by npyio after
// its length is checked against the file, and the data length is checked
// against the shape before any is read, so a malformed file can neither
// make the decoder allocate what the file does not hold nor be read as
// zeros past its end.
func decodeNPY(b []byte) (t Tensor, err error) {
	defer recoverDecode("npy", &err)
	if !bytes.HasPrefix(b, []byte(npyMagic)) {
		return Tensor{}, fmt.Errorf("%w: not a .npy array (no \\x93NUMPY magic; %s)", ErrFormat, contentKind(b))
	}
	if len(b) < 10 {
		return Tensor{}, fmt.Errorf("%w: %d bytes, shorter than a .npy header", ErrTruncated, len(b))
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2:
		if len(b) < 12 {
			return Tensor{}, fmt.Errorf("%w: %d bytes, shorter than a .npy header", ErrTruncated, len(b))
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return Tensor{}, fmt.Errorf("%w: .npy format version %d.%d (supported: 1.0, 2.0)", ErrFormat, b[6], b[7])
	}
	if hlen > len(b)-off {
		return Tensor{}, fmt.Errorf("%w: .npy header of %d bytes, but only %d bytes follow", ErrTruncated, hlen, len(b)-off)
	}
	off += hlen
	rd, err := npy.NewReader(bytes.NewReader(b))
	if err != nil {
		return Tensor{}, fmt.Errorf("%w: invalid .npy header: %v", ErrFormat, err)
	}
	h := rd.Header
	dtype := strings.Trim(h.Descr.Type, `'"`)
	var size int
	switch dtype {
	case "<f8", ">f8":
		size = 8
	case "<f4", ">f4":
		size = 4
	case "<f2", ">f2":
		size = 2
	default:
		if len(dtype) >= 3 && dtype[1] == 'f' {
			return Tensor{}, fmt.Errorf("%w: array has float dtype %s (supported: float64, float32, float16)", ErrDtype, dtype)
		}
		return Tensor{}, fmt.Errorf("%w: array has non-float dtype %s (supported: float64, float32, float16)", ErrDtype, dtype)
	}
	shape := append([]int{}, h.Descr.Shape...)
	n, ok := numElements(shape)
	if !ok {
		return Tensor{}, fmt.Errorf("%w: .npy shape %v", ErrFormat, shape)
	}
	switch have := len(b) - off; {
	case have < n*size:
		return Tensor{}, fmt.Errorf("%w: %d bytes of array data, want %d for shape %v of %s", ErrTruncated, have, n*size, shape, dtype)
	case have > n*size:
		return Tensor{}, fmt.Errorf("%w: %d bytes after the array data of shape %v of %s", ErrFormat, have-n*size, shape, dtype)
	}
	data := make([]float64, n)
	switch size {
	case 8:
		var v []float64
		if err := rd.Read(&v); err != nil {
			return Tensor{}, fmt.Errorf("%w: .npy data: %v", ErrFormat, err)
		}
		copy(data, v)
	case 4:
		var v []float32
		if err := rd.Read(&v); err != nil {
			return Tensor{}, fmt.Errorf("%w: .npy data: %v", ErrFormat, err)
		}
		for i := range data {
			data[i] = float64(v[i])
		}
	case 2:
		var bo binary.ByteOrder = binary.LittleEndian
		if dtype[0] == '>' {
			bo = binary.BigEndian
		}
		for i := range data {
			data[i] = halfToFloat64(bo.Uint16(b[off+2*i:]))
		}
	}
	if h.Descr.Fortran {
		data = fortranToC(data, shape)
	}
	return Tensor{Shape: shape, Data: data}, nil
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(data []float64, shape []int) []float64 {
	out := make([]float64, len(data))
	idx := make([]int, len(shape))
	for c := range out {
		f, stride := 0, 1
		for d, s := range shape {
			f += idx[d] * stride
			stride *= s
		}
		out[c] = data[f]
		for d := len(shape) - 1; d >= 0; d-- { // next multi-index, last axis fastest
			if idx[d]++; idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

// encodeNPY writes t as a little-endian C-order .npy array (format 1.0, the
// header padded so that the data starts at a multiple of 64 bytes, as numpy
// writes it), in float32 when f32 or else float64.
func encodeNPY(w io.Writer, t Tensor, f32 bool) error {
	descr := "<f8"
	if f32 {
		descr = "<f4"
	}
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.Itoa(d)
	}
	shape := "(" + strings.Join(dims, ", ") + ")"
	if len(dims) == 1 {
		shape = "(" + dims[0] + ",)"
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 63 - (10+len(hdr))%64 // the header ends with '\n'
	hdr += strings.Repeat(" ", pad) + "\n"
	if len(hdr) > math.MaxUint16 {
		return fmt.Errorf(".npy header of %d bytes is too long", len(hdr))
	}
	buf := make([]byte, 0, 10+len(hdr)+8*len(t.Data))
	buf = append(buf, npyMagic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(hdr)))
	buf = append(buf, hdr...)
	for _, v := range t.Data {
		if f32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		} else {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	_, err := w.Write(buf)
	return err
}
