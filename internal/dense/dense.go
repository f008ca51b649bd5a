package dense

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Dtype is tensor.Float32 when f32 is true and tensor.Float64 otherwise.
func Dtype(f32 bool) tensor.Dtype {
	if f32 {
		return tensor.Float32
	}
	return tensor.Float64
}

// New returns a rows x cols dense of dt (tensor.Float32, or else float64)
// holding v converted; values past len(v) are zero.
func New(dt tensor.Dtype, rows, cols int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		b := make([]float32, rows*cols)
		for i := range v {
			b[i] = float32(v[i])
		}
		return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(b))
	}
	b := make([]float64, rows*cols)
	copy(b, v)
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(b))
}

// CopyIn writes v into the backing of t, converting.
func CopyIn(t *tensor.Dense, v []float64) {
	switch b := t.Data().(type) {
	case []float64:
		copy(b, v)
	case []float32:
		for i := range b {
			b[i] = float32(v[i])
		}
	}
}

// CopyOut writes the data of a gorgonia value (a float32 or float64 slice
// of len(dst), or a scalar) into dst, converting. Its errors carry no
// package prefix: the caller adds its own.
func CopyOut(dst []float64, v interface{ Data() interface{} }) error {
	switch b := v.Data().(type) {
	case []float64:
		if len(b) != len(dst) {
			return fmt.Errorf("read %d values, want %d", len(b), len(dst))
		}
		copy(dst, b)
	case []float32:
		if len(b) != len(dst) {
			return fmt.Errorf("read %d values, want %d", len(b), len(dst))
		}
		for i := range b {
			dst[i] = float64(b[i])
		}
	case float64:
		dst[0] = b
	case float32:
		dst[0] = float64(b)
	default:
		return fmt.Errorf("unexpected value type %T", b)
	}
	return nil
}
