package unroll

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The small tensor and machine helpers of package graph (dtype.go,
// build.go), for this package's own graph.

// tensorDtype is the tensor dtype of d.
func tensorDtype(d graph.Dtype) tensor.Dtype {
	if d == graph.Float32 {
		return tensor.Float32
	}
	return tensor.Float64
}

// newDense returns a rows x cols dense of d holding v (converted).
func newDense(d graph.Dtype, rows, cols int, v []float64) *tensor.Dense {
	if d == graph.Float32 {
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

// copyIn writes v into the backing of t, converting.
func copyIn(t *tensor.Dense, v []float64) {
	switch b := t.Data().(type) {
	case []float64:
		copy(b, v)
	case []float32:
		for i := range b {
			b[i] = float32(v[i])
		}
	}
}

// copyOut writes the data of a gorgonia value into dst, converting.
func copyOut(dst []float64, v interface{ Data() interface{} }) error {
	switch b := v.Data().(type) {
	case []float64:
		if len(b) != len(dst) {
			return fmt.Errorf("unroll: read %d values, want %d", len(b), len(dst))
		}
		copy(dst, b)
	case []float32:
		if len(b) != len(dst) {
			return fmt.Errorf("unroll: read %d values, want %d", len(b), len(dst))
		}
		for i := range b {
			dst[i] = float64(b[i])
		}
	case float64:
		dst[0] = b
	case float32:
		dst[0] = float64(b)
	default:
		return fmt.Errorf("unroll: unexpected value type %T", b)
	}
	return nil
}

// run runs a machine once and resets it, turning panics into errors.
func run(m G.VM) (err error) {
	defer recoverErr("run", &err)
	defer m.Reset()
	if err := m.RunAll(); err != nil {
		return fmt.Errorf("unroll: run: %w", err)
	}
	return nil
}

func recoverErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("unroll: %s: gorgonia panicked: %v", what, r)
	}
}
