package cells

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rnnfp/fixedpoints/internal/vmath"
)

// affine builds x*w + b (b is 1 x n, broadcast over rows), or x*w when b is nil.
func affine(x, w, b *G.Node) (*G.Node, error) {
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return xw, nil
	}
	return G.BroadcastAdd(xw, b, nil, []byte{0})
}

func checkParams(c Cell, p []*G.Node) error {
	ps := c.Params()
	if len(p) != len(ps) {
		return fmt.Errorf("cells: %d param nodes for %d params", len(p), len(ps))
	}
	for i, n := range p {
		if n == nil {
			if ps[i].Rows*ps[i].Cols != 0 {
				return fmt.Errorf("cells: param node %d (%s) is nil", i, ps[i].Name)
			}
			continue
		}
		s := n.Shape()
		if len(s) != 2 || s[0] != ps[i].Rows || s[1] != ps[i].Cols {
			return fmt.Errorf("cells: param node %d (%s) has shape %v, want (%d, %d)", i, ps[i].Name, s, ps[i].Rows, ps[i].Cols)
		}
	}
	return nil
}

func checkXU(c Cell, x, u *G.Node) error {
	sx := x.Shape()
	if len(sx) != 2 || sx[1] != c.StateSize() {
		return fmt.Errorf("cells: state node has shape %v, want (B, %d)", sx, c.StateSize())
	}
	if c.InputSize() > 0 {
		if u == nil {
			return fmt.Errorf("cells: cell takes %d inputs but no input node was given", c.InputSize())
		}
		su := u.Shape()
		if len(su) != 2 || su[1] != c.InputSize() || su[0] != sx[0] {
			return fmt.Errorf("cells: input node has shape %v, want (%d, %d)", su, sx[0], c.InputSize())
		}
	}
	return nil
}

// sigmoid builds 1/(1+exp(-a)) as 0.5 + 0.5*tanh(a/2): the same function
// to rounding, and its gradient reuses tanh's output, where gorgonia's
// sigmoid gradient recomputes exponentials (measured: LSTM objective and
// Jacobians 10-15% faster).
//
// In float64 it is the two ops below (tanhHalfOp, halfUpOp), the same values in fewer
// nodes (sigmoidNodes is the float32 form, and the reference of the tests).
func sigmoid(a *G.Node, name string) (*G.Node, error) {
	if a.Dtype() == tensor.Float64 && !sigmoidAsNodes {
		t, err := G.ApplyOp(tanhHalfOp{}, a)
		if err != nil {
			return nil, err
		}
		return G.ApplyOp(halfUpOp{}, t)
	}
	return sigmoidNodes(a, name)
}

// sigmoidAsNodes makes sigmoid build gorgonia's nodes in float64 too: the
// tests compare the two bit for bit.
var sigmoidAsNodes = false

// sigmoidNodes is sigmoid in gorgonia's nodes.
func sigmoidNodes(a *G.Node, name string) (*G.Node, error) {
	half := G.NewConstant(halfOf(a), G.WithName(name+"_half"))
	h, err := G.HadamardProd(a, half)
	if err != nil {
		return nil, err
	}
	t, err := G.Tanh(h)
	if err != nil {
		return nil, err
	}
	th, err := G.HadamardProd(t, half)
	if err != nil {
		return nil, err
	}
	return G.Add(th, half)
}

// halfOf is 0.5 in a's dtype.
func halfOf(a *G.Node) interface{} {
	if a.Dtype() == tensor.Float32 {
		return float32(0.5)
	}
	return 0.5
}

// constOf is v in a's dtype, for a named constant.
func constOf(a *G.Node, v float64) interface{} {
	if a.Dtype() == tensor.Float32 {
		return float32(v)
	}
	return v
}

// addDrive adds a drive to a B x k node, broadcasting a one-row drive.
func addDrive(a, d *G.Node) (*G.Node, error) {
	if d.Shape()[0] == 1 && a.Shape()[0] != 1 {
		return G.BroadcastAdd(a, d, nil, []byte{0})
	}
	return G.Add(a, d)
}

// stepViaDrives is Step for a Driven cell: F(x, u) = StepDriven(x, Drives(u)).
func stepViaDrives(c Driven, x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if err := checkStep(c, x, u, p); err != nil {
		return nil, err
	}
	d, err := c.Drives(u, p)
	if err != nil {
		return nil, err
	}
	return c.StepDriven(x, d, p)
}

// The float64 sigmoid 0.5·tanh(0.5·a) + 0.5 of sigmoid is built from the
// two ops here: t = tanh(0.5·a) and y = 0.5·t + 0.5, with their gradients
// 0.5·((1 − t²)·dt) and dt = 0.5·dy, each one op. gorgonia's nodes for
// the same arithmetic were four (a product, tanh, a product, a sum) and
// five in the gradient (a product, a square, a difference, two products):
// each a run of the machine's loop over its instructions and a pass over
// the batch, the fixed cost that bounds the search's small batches. The
// values are the same, operation for operation and in the same order
// (TestSigmoidOpsMatchNodes): multiplying by 0.5 is exact, and the
// conversions float64(·) keep the products rounded, as gorgonia's separate
// nodes did, where the compiler might otherwise fuse them into
// multiply-adds.

// tanhHalfOp is t = tanh(0.5·a), elementwise, for float64 matrices.
type tanhHalfOp struct{}

// halfUpOp is y = 0.5·t + 0.5, elementwise.
type halfUpOp struct{}

// halfOp is 0.5·g, elementwise: halfUpOp's gradient.
type halfOp struct{}

// tanhHalfGradOp is 0.5·((1 − t²)·dt) from t and dt: tanhHalfOp's gradient.
type tanhHalfGradOp struct{}

func (tanhHalfOp) Arity() int     { return 1 }
func (halfUpOp) Arity() int       { return 1 }
func (halfOp) Arity() int         { return 1 }
func (tanhHalfGradOp) Arity() int { return 2 }

func (tanhHalfOp) Type() hm.Type     { return hm.NewFnType(matrix2(), matrix2()) }
func (halfUpOp) Type() hm.Type       { return hm.NewFnType(matrix2(), matrix2()) }
func (halfOp) Type() hm.Type         { return hm.NewFnType(matrix2(), matrix2()) }
func (tanhHalfGradOp) Type() hm.Type { return hm.NewFnType(matrix2(), matrix2(), matrix2()) }

// sameShape is the shape of the ops' first operand.
func sameShape(in []G.DimSizer) (tensor.Shape, error) {
	r, err := rowsOf(in)
	if err != nil {
		return nil, err
	}
	c, err := in[0].DimSize(1)
	return tensor.Shape{r, c}, err
}

func (tanhHalfOp) InferShape(in ...G.DimSizer) (tensor.Shape, error)     { return sameShape(in) }
func (halfUpOp) InferShape(in ...G.DimSizer) (tensor.Shape, error)       { return sameShape(in) }
func (halfOp) InferShape(in ...G.DimSizer) (tensor.Shape, error)         { return sameShape(in) }
func (tanhHalfGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return sameShape(in) }

func (op tanhHalfOp) Do(v ...G.Value) (G.Value, error)     { return op.UsePreallocDo(nil, v...) }
func (op halfUpOp) Do(v ...G.Value) (G.Value, error)       { return op.UsePreallocDo(nil, v...) }
func (op halfOp) Do(v ...G.Value) (G.Value, error)         { return op.UsePreallocDo(nil, v...) }
func (op tanhHalfGradOp) Do(v ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, v...) }

func (tanhHalfOp) ReturnsPtr() bool         { return false }
func (halfUpOp) ReturnsPtr() bool           { return false }
func (halfOp) ReturnsPtr() bool             { return false }
func (tanhHalfGradOp) ReturnsPtr() bool     { return false }
func (tanhHalfOp) CallsExtern() bool        { return false }
func (halfUpOp) CallsExtern() bool          { return false }
func (halfOp) CallsExtern() bool            { return false }
func (tanhHalfGradOp) CallsExtern() bool    { return false }
func (tanhHalfOp) OverwritesInput() int     { return -1 }
func (halfUpOp) OverwritesInput() int       { return -1 }
func (halfOp) OverwritesInput() int         { return -1 }
func (tanhHalfGradOp) OverwritesInput() int { return -1 }

func (op tanhHalfOp) WriteHash(h hash.Hash)     { fmt.Fprint(h, op.String()) }
func (op halfUpOp) WriteHash(h hash.Hash)       { fmt.Fprint(h, op.String()) }
func (op halfOp) WriteHash(h hash.Hash)         { fmt.Fprint(h, op.String()) }
func (op tanhHalfGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op tanhHalfOp) Hashcode() uint32          { return hashOp(op) }
func (op halfUpOp) Hashcode() uint32            { return hashOp(op) }
func (op halfOp) Hashcode() uint32              { return hashOp(op) }
func (op tanhHalfGradOp) Hashcode() uint32      { return hashOp(op) }
func (tanhHalfOp) String() string               { return "cells.tanh(0.5·a)" }
func (halfUpOp) String() string                 { return "cells.0.5·t+0.5" }
func (halfOp) String() string                   { return "cells.0.5·g" }
func (tanhHalfGradOp) String() string           { return "cells.0.5·(1−t²)·dt" }

func (tanhHalfOp) DiffWRT(inputs int) []bool     { return allTrue(inputs) }
func (halfUpOp) DiffWRT(inputs int) []bool       { return allTrue(inputs) }
func (halfOp) DiffWRT(inputs int) []bool         { return allTrue(inputs) }
func (tanhHalfGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff: da = 0.5·((1 − t²)·dt), t the op's output.
func (tanhHalfOp) SymDiff(_ G.Nodes, t, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(tanhHalfGradOp{}, t, grad)
	return G.Nodes{n}, err
}

// SymDiff: dt = 0.5·dy.
func (halfUpOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(halfOp{}, grad)
	return G.Nodes{n}, err
}

// SymDiff: the gradient of 0.5·g is 0.5 times the gradient.
func (halfOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(halfOp{}, grad)
	return G.Nodes{n}, err
}

// SymDiff is not defined: nothing differentiates a gradient here.
func (op tanhHalfGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("cells: %v has no gradient", op)
}

// float64Operand returns v as a contiguous float64 matrix, of like's shape
// when like is given.
func float64Operand(op fmt.Stringer, v G.Value, like *tensor.Dense) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("cells: %v: operand is %T, want a float64 *tensor.Dense", op, v)
	}
	if s := d.Shape(); len(s) != 2 || (like != nil && !s.Eq(like.Shape())) {
		return nil, fmt.Errorf("cells: %v: operand of shape %v", op, s)
	}
	return contiguous(op, d)
}

// elementwise applies fn to the one float64 operand v into p (or a new
// matrix).
func elementwise(op fmt.Stringer, p G.Value, v []G.Value, fn func(dst, src []float64)) (G.Value, error) {
	if len(v) != 1 {
		return nil, fmt.Errorf("cells: %v: %d operands", op, len(v))
	}
	in, err := float64Operand(op, v[0], nil)
	if err != nil {
		return nil, err
	}
	out := output(p, in, in.Shape()[1])
	fn(out.Float64s(), in.Float64s())
	return out, nil
}

func (op tanhHalfOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	return elementwise(op, p, v, func(dst, src []float64) {
		src = src[:len(dst)]
		for i, a := range src {
			dst[i] = a * 0.5
		}
		vmath.Tanh(dst, dst) // math.Tanh's bits, 4 at a time
	})
}

func (op halfUpOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	return elementwise(op, p, v, func(dst, src []float64) {
		src = src[:len(dst)]
		for i, t := range src {
			dst[i] = float64(t*0.5) + 0.5
		}
	})
}

func (op halfOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	return elementwise(op, p, v, func(dst, src []float64) {
		src = src[:len(dst)]
		for i, g := range src {
			dst[i] = 0.5 * g
		}
	})
}

func (op tanhHalfGradOp) UsePreallocDo(p G.Value, v ...G.Value) (G.Value, error) {
	if len(v) != 2 {
		return nil, fmt.Errorf("cells: %v: %d operands", op, len(v))
	}
	t, err := float64Operand(op, v[0], nil)
	if err != nil {
		return nil, err
	}
	dt, err := float64Operand(op, v[1], t)
	if err != nil {
		return nil, err
	}
	out := output(p, t, t.Shape()[1])
	dst, ts, ds := out.Float64s(), t.Float64s(), dt.Float64s()
	ts, ds = ts[:len(dst)], ds[:len(dst)]
	for i, x := range ts {
		dst[i] = 0.5 * float64(float64(1-float64(x*x))*ds[i])
	}
	return out, nil
}

// contiguous is d, or its materialized copy when d is a view that needs an
// iterator (the ops read the backing slice directly).
func contiguous(op fmt.Stringer, d *tensor.Dense) (*tensor.Dense, error) {
	if !d.RequiresIterator() {
		return d, nil
	}
	m, ok := d.Materialize().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("cells: %v: cannot materialize the operand", op)
	}
	return m, nil
}
