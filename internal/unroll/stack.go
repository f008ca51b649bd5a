package unroll

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The unrolled graph stacks the T states of a minibatch into one matrix so
// that the readout and the loss are a handful of ops instead of a handful
// per step. gorgonia's own Concat cannot be used for this: its gradient
// slices the output gradient with sliceOps whose hash keeps only the low
// byte of the slice bounds, so the blocks [0,128) and [256,384) of a
// 128-trial batch hash alike, are merged into one node, and every other
// step's gradient is silently wrong. The two ops here hash their full
// bounds.
//
// stackOp also keeps only the first `take` columns of each state (the
// readout's hidden part of an LSTM's [h; c]), which saves a strided slice.

// stackOp stacks n matrices of rows x cols into (n*rows) x take, keeping
// each one's first take columns.
type stackOp struct{ n, rows, cols, take int }

func matrixType() G.TensorType { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }

func (op stackOp) Arity() int { return op.n }

func (op stackOp) Type() hm.Type {
	ts := make([]hm.Type, op.n+1)
	for i := range ts {
		ts[i] = matrixType()
	}
	return hm.NewFnType(ts...)
}

func (op stackOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.n * op.rows, op.take}, nil
}

func (op stackOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.n {
		return nil, fmt.Errorf("%v: %d inputs", op, len(vals))
	}
	var out *tensor.Dense
	for i, v := range vals {
		src, err := denseOf(v, op.rows, op.cols)
		if err != nil {
			return nil, fmt.Errorf("%v: input %d: %w", op, i, err)
		}
		if out == nil {
			out = tensor.New(tensor.WithShape(op.n*op.rows, op.take), tensor.Of(src.Dtype()))
		}
		if err := copyBlock(out, src, i*op.rows, 0, op.rows, op.take, op.take, op.cols); err != nil {
			return nil, fmt.Errorf("%v: %w", op, err)
		}
	}
	return out, nil
}

func (op stackOp) ReturnsPtr() bool     { return false }
func (op stackOp) CallsExtern() bool    { return false }
func (op stackOp) OverwritesInput() int { return -1 }

func (op stackOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "unroll.stack(%d,%d,%d,%d)", op.n, op.rows, op.cols, op.take)
}
func (op stackOp) Hashcode() uint32 { return hashOf(op) }
func (op stackOp) String() string {
	return fmt.Sprintf("StackRows(%d x %dx%d -> %d cols)", op.n, op.rows, op.cols, op.take)
}

func (op stackOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff gives input i the rows of the gradient it produced, padded with
// zero columns back to the input's width.
func (op stackOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(inputs))
	for i := range inputs {
		n, err := G.ApplyOp(blockOp{lo: i * op.rows, rows: op.rows, take: op.take, cols: op.cols}, grad)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// blockOp takes rows [lo, lo+rows) of a matrix of take columns and returns
// them as a rows x cols matrix, zero beyond column take.
type blockOp struct{ lo, rows, take, cols int }

func (op blockOp) Arity() int { return 1 }
func (op blockOp) Type() hm.Type {
	return hm.NewFnType(matrixType(), matrixType())
}
func (op blockOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows, op.cols}, nil
}

func (op blockOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: %d inputs", op, len(vals))
	}
	src, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is %T, want *tensor.Dense", op, vals[0])
	}
	if s := src.Shape(); len(s) != 2 || s[1] != op.take || s[0] < op.lo+op.rows {
		return nil, fmt.Errorf("%v: input shape %v", op, s)
	}
	out := tensor.New(tensor.WithShape(op.rows, op.cols), tensor.Of(src.Dtype()))
	if err := copyBlock(out, src, 0, op.lo, op.rows, op.take, op.cols, op.take); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return out, nil
}

func (op blockOp) ReturnsPtr() bool     { return false }
func (op blockOp) CallsExtern() bool    { return false }
func (op blockOp) OverwritesInput() int { return -1 }
func (op blockOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "unroll.block(%d,%d,%d,%d)", op.lo, op.rows, op.take, op.cols)
}
func (op blockOp) Hashcode() uint32 { return hashOf(op) }
func (op blockOp) String() string {
	return fmt.Sprintf("RowBlock([%d,%d) x %d -> %d cols)", op.lo, op.lo+op.rows, op.take, op.cols)
}

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// denseOf returns v as a contiguous rows x cols dense.
func denseOf(v G.Value, rows, cols int) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value is %T, want *tensor.Dense", v)
	}
	if s := d.Shape(); len(s) != 2 || s[0] != rows || s[1] != cols {
		return nil, fmt.Errorf("shape %v, want (%d, %d)", d.Shape(), rows, cols)
	}
	if d.RequiresIterator() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("cannot materialize a view")
		}
		d = m
	}
	return d, nil
}

// copyBlock copies rows [srcRow, srcRow+rows) x columns [0, width) of src
// (srcCols wide) to rows starting at dstRow of dst (dstCols wide). Columns
// of dst beyond width are left as they are (zero in a new tensor).
func copyBlock(dst, src *tensor.Dense, dstRow, srcRow, rows, width, dstCols, srcCols int) error {
	switch s := src.Data().(type) {
	case []float64:
		d, ok := dst.Data().([]float64)
		if !ok {
			return fmt.Errorf("mixed dtypes")
		}
		for r := 0; r < rows; r++ {
			copy(d[(dstRow+r)*dstCols:(dstRow+r)*dstCols+width], s[(srcRow+r)*srcCols:])
		}
	case []float32:
		d, ok := dst.Data().([]float32)
		if !ok {
			return fmt.Errorf("mixed dtypes")
		}
		for r := 0; r < rows; r++ {
			copy(d[(dstRow+r)*dstCols:(dstRow+r)*dstCols+width], s[(srcRow+r)*srcCols:])
		}
	default:
		return fmt.Errorf("unsupported data %T", s)
	}
	return nil
}
