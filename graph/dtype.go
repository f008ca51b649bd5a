package graph

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/internal/dense"
	"gorgonia.org/tensor"
)

// Dtype is the floating-point type a graph computes in.
type Dtype int

const (
	// Float64 is the default: residuals reach ~1e-16.
	Float64 Dtype = iota
	// Float32 is faster but q stalls near 1e-14 and residuals near 1e-7.
	Float32
)

// String returns "float64" or "float32".
func (d Dtype) String() string {
	if d == Float32 {
		return "float32"
	}
	return "float64"
}

// Eps is the machine epsilon of d.
func (d Dtype) Eps() float64 {
	if d == Float32 {
		return 1.1920929e-07
	}
	return 2.220446049250313e-16
}

func (d Dtype) tensor() tensor.Dtype { return dense.Dtype(d == Float32) }

// newDense returns a rows x cols dense of d holding v (converted).
func newDense(d Dtype, rows, cols int, v []float64) *tensor.Dense {
	return dense.New(d.tensor(), rows, cols, v)
}

// rowsOf returns rows [lo, hi) of the dense matrix t as a dense matrix
// sharing t's storage (rows of a row-major matrix are contiguous).
func rowsOf(t *tensor.Dense, lo, hi int) *tensor.Dense {
	cols := t.Shape()[1]
	switch b := t.Data().(type) {
	case []float32:
		return tensor.New(tensor.WithShape(hi-lo, cols), tensor.WithBacking(b[lo*cols:hi*cols]))
	default:
		return tensor.New(tensor.WithShape(hi-lo, cols), tensor.WithBacking(t.Float64s()[lo*cols:hi*cols]))
	}
}

// copyIn writes v into the backing of t, converting.
func copyIn(t *tensor.Dense, v []float64) { dense.CopyIn(t, v) }

// copyOut writes the data of a gorgonia value into dst, converting.
func copyOut(dst []float64, v interface{ Data() interface{} }) error {
	if err := dense.CopyOut(dst, v); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	return nil
}
