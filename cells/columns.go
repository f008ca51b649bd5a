package cells

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The LSTM's state [h; c] is split into its halves, and its next state
// joined from them, by the column ops here: copies. Products with 0/1
// selection matrices did the same (each value times 1 plus zeros, exact)
// at the cost of four matrix products a step, each as large as the four
// recurrent ones together, and four more in the gradient: two thirds of
// an LSTM-16 objective's matrix arithmetic. gorgonia's Slice and Concat
// are not used: a slice hashes by the low byte of its bounds (Slice(0, H)
// and Slice(H, 2H) merge into one node when H is a multiple of 256, and
// Concat's gradient slices likewise), and their column views are strided.
// These ops hash their full bounds, write into the machine's kept register
// (UsePreallocDo) and give the gradient as the other op: the columns of a
// gradient are taken, a half's gradient is padded with zero columns.

// matrix2 is the type of the ops' operands: a matrix of any dtype.
func matrix2() G.TensorType { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }

// takeCols builds columns [lo, lo+width) of x (rows x cols).
func takeCols(x *G.Node, lo, width int) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 2 || lo < 0 || width < 1 || lo+width > s[1] {
		return nil, fmt.Errorf("cells: columns [%d, %d) of a node of shape %v", lo, lo+width, s)
	}
	return G.ApplyOp(colsOp{lo: lo, width: width, cols: s[1]}, x)
}

// joinCols builds [a b], a and b side by side (rows x (a's columns + b's)).
func joinCols(a, b *G.Node) (*G.Node, error) {
	sa, sb := a.Shape(), b.Shape()
	if len(sa) != 2 || len(sb) != 2 || sa[0] != sb[0] {
		return nil, fmt.Errorf("cells: joining the columns of nodes of shapes %v and %v", sa, sb)
	}
	return G.ApplyOp(joinOp{a: sa[1], b: sb[1]}, a, b)
}

// colsOp takes columns [lo, lo+width) of a matrix of cols columns.
type colsOp struct{ lo, width, cols int }

// padOp puts a matrix of width columns at columns [lo, lo+width) of a
// matrix of cols columns, zero elsewhere: colsOp's gradient.
type padOp struct{ lo, width, cols int }

// joinOp puts a matrix of a columns and one of b side by side.
type joinOp struct{ a, b int }

func (op colsOp) Arity() int    { return 1 }
func (op padOp) Arity() int     { return 1 }
func (op joinOp) Arity() int    { return 2 }
func (op colsOp) Type() hm.Type { return hm.NewFnType(matrix2(), matrix2()) }
func (op padOp) Type() hm.Type  { return hm.NewFnType(matrix2(), matrix2()) }
func (op joinOp) Type() hm.Type { return hm.NewFnType(matrix2(), matrix2(), matrix2()) }

// rowsOf is the rows of the ops' first operand.
func rowsOf(in []G.DimSizer) (int, error) {
	if len(in) == 0 {
		return 0, fmt.Errorf("cells: column op without operands")
	}
	return in[0].DimSize(0)
}

func (op colsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	r, err := rowsOf(in)
	return tensor.Shape{r, op.width}, err
}
func (op padOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	r, err := rowsOf(in)
	return tensor.Shape{r, op.cols}, err
}
func (op joinOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	r, err := rowsOf(in)
	return tensor.Shape{r, op.a + op.b}, err
}

func (op colsOp) Do(v ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, v...) }
func (op padOp) Do(v ...G.Value) (G.Value, error)  { return op.UsePreallocDo(nil, v...) }
func (op joinOp) Do(v ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, v...) }
func (op colsOp) ReturnsPtr() bool                 { return false }
func (op padOp) ReturnsPtr() bool                  { return false }
func (op joinOp) ReturnsPtr() bool                 { return false }
func (op colsOp) CallsExtern() bool                { return false }
func (op padOp) CallsExtern() bool                 { return false }
func (op joinOp) CallsExtern() bool                { return false }
func (op colsOp) OverwritesInput() int             { return -1 }
func (op padOp) OverwritesInput() int              { return -1 }
func (op joinOp) OverwritesInput() int             { return -1 }
func (op colsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "cells.cols(%d,%d,%d)", op.lo, op.width, op.cols)
}
func (op padOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "cells.pad(%d,%d,%d)", op.lo, op.width, op.cols)
}
func (op joinOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "cells.join(%d,%d)", op.a, op.b) }
func (op colsOp) Hashcode() uint32      { return hashOp(op) }
func (op padOp) Hashcode() uint32       { return hashOp(op) }
func (op joinOp) Hashcode() uint32      { return hashOp(op) }
func (op colsOp) String() string {
	return fmt.Sprintf("Cols[%d:%d of %d]", op.lo, op.lo+op.width, op.cols)
}
func (op padOp) String() string {
	return fmt.Sprintf("Pad[%d:%d of %d]", op.lo, op.lo+op.width, op.cols)
}
func (op joinOp) String() string            { return fmt.Sprintf("Join[%d|%d]", op.a, op.b) }
func (op colsOp) DiffWRT(inputs int) []bool { return allTrue(inputs) }
func (op padOp) DiffWRT(inputs int) []bool  { return allTrue(inputs) }
func (op joinOp) DiffWRT(inputs int) []bool { return allTrue(inputs) }
func hashOp(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func allTrue(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff: the gradient of taken columns is the gradient padded back.
func (op colsOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(padOp(op), grad)
	return G.Nodes{n}, err
}

// SymDiff: the gradient of padded columns is the gradient's columns.
func (op padOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(colsOp(op), grad)
	return G.Nodes{n}, err
}

// SymDiff: each operand's gradient is its columns of the gradient.
func (op joinOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	ga, err := G.ApplyOp(colsOp{lo: 0, width: op.a, cols: op.a + op.b}, grad)
	if err != nil {
		return nil, err
	}
	gb, err := G.ApplyOp(colsOp{lo: op.a, width: op.b, cols: op.a + op.b}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{ga, gb}, nil
}

func (op colsOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	if len(v) != 1 {
		return nil, fmt.Errorf("cells: %v: %d operands", op, len(v))
	}
	in, err := operand(op, v[0], op.cols, nil)
	if err != nil {
		return nil, err
	}
	out := output(p, in, op.width)
	return out, copyCols(out, 0, in, op.lo, op.width)
}

func (op padOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	if len(v) != 1 {
		return nil, fmt.Errorf("cells: %v: %d operands", op, len(v))
	}
	in, err := operand(op, v[0], op.width, nil)
	if err != nil {
		return nil, err
	}
	out := output(p, in, op.cols)
	switch out.Dtype() {
	case tensor.Float64:
		clear(out.Float64s())
	case tensor.Float32:
		clear(out.Float32s())
	}
	return out, copyCols(out, op.lo, in, 0, op.width)
}

func (op joinOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	if len(v) != 2 {
		return nil, fmt.Errorf("cells: %v: %d operands", op, len(v))
	}
	a, err := operand(op, v[0], op.a, nil)
	if err != nil {
		return nil, err
	}
	b, err := operand(op, v[1], op.b, a)
	if err != nil {
		return nil, err
	}
	out := output(p, a, op.a+op.b)
	if err := copyCols(out, 0, a, 0, op.a); err != nil {
		return nil, err
	}
	return out, copyCols(out, op.a, b, 0, op.b)
}

// operand returns v as a contiguous dense matrix of cols columns, of
// like's rows and dtype when like is given.
func operand(op fmt.Stringer, v G.Value, cols int, like *tensor.Dense) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("cells: %v: operand is %T, want *tensor.Dense", op, v)
	}
	s := d.Shape()
	if len(s) != 2 || s[1] != cols || (like != nil && (s[0] != like.Shape()[0] || d.Dtype() != like.Dtype())) {
		return nil, fmt.Errorf("cells: %v: operand of shape %v and dtype %v", op, s, d.Dtype())
	}
	if d.Dtype() != tensor.Float64 && d.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("cells: %v: operand of dtype %v", op, d.Dtype())
	}
	return contiguous(op, d)
}

// output is p when it is a contiguous dense matrix of in's rows and dtype
// with cols columns (the machine's kept register), else a new one.
func output(p G.Value, in *tensor.Dense, cols int) *tensor.Dense {
	rows := in.Shape()[0]
	if d, ok := p.(*tensor.Dense); ok && !d.RequiresIterator() && d.Dtype() == in.Dtype() {
		if s := d.Shape(); len(s) == 2 && s[0] == rows && s[1] == cols {
			return d
		}
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.Of(in.Dtype()))
}

// copyCols copies, row by row, columns [slo, slo+w) of src to columns
// [dlo, dlo+w) of dst (both float64 or both float32, as operand checks).
func copyCols(dst *tensor.Dense, dlo int, src *tensor.Dense, slo, w int) error {
	rows, dc, sc := dst.Shape()[0], dst.Shape()[1], src.Shape()[1]
	if dst.Dtype() != src.Dtype() {
		return fmt.Errorf("cells: column copy between dtypes")
	}
	if src.Dtype() == tensor.Float32 {
		d, s := dst.Float32s(), src.Float32s()
		for r := 0; r < rows; r++ {
			copy(d[r*dc+dlo:r*dc+dlo+w], s[r*sc+slo:r*sc+slo+w])
		}
		return nil
	}
	d, s := dst.Float64s(), src.Float64s()
	for r := 0; r < rows; r++ {
		copy(d[r*dc+dlo:r*dc+dlo+w], s[r*sc+slo:r*sc+slo+w])
	}
	return nil
}
