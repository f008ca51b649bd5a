package unroll

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/dense"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The small tensor and machine helpers of package graph (dtype.go,
// build.go), for this package's own graph: the tensor conversions are
// internal/dense's, shared with graph; run and recoverErr differ from
// graph's only in their error prefix.

// tensorDtype is the tensor dtype of d.
func tensorDtype(d graph.Dtype) tensor.Dtype { return dense.Dtype(d == graph.Float32) }

// newDense returns a rows x cols dense of d holding v (converted).
func newDense(d graph.Dtype, rows, cols int, v []float64) *tensor.Dense {
	return dense.New(tensorDtype(d), rows, cols, v)
}

// copyIn writes v into the backing of t, converting.
func copyIn(t *tensor.Dense, v []float64) { dense.CopyIn(t, v) }

// copyOut writes the data of a gorgonia value into dst, converting.
func copyOut(dst []float64, v interface{ Data() interface{} }) error {
	if err := dense.CopyOut(dst, v); err != nil {
		return fmt.Errorf("unroll: %w", err)
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
