package onnxstep

import (
	"fmt"
	"math"
	"slices"

	"github.com/advancedclimatesystems/gonnx/onnx"
	G "gorgonia.org/gorgonia"
)

// unaryNode builds an elementwise function of a node. Sigmoid is
// 0.5 + 0.5 tanh(a/2) and Softplus max(a, 0) + log1p(exp(-|a|)): exact to
// rounding everywhere (gorgonia's Sigmoid returns 1 above 19, its
// Softplus a above 16).
func (t *translator) unaryNode(op string, a *G.Node) (*G.Node, error) {
	half := func() *G.Node { return t.konst(Const{Data: []float64{0.5}}, "half") }
	switch op {
	case "Neg":
		return G.Neg(a)
	case "Tanh":
		return G.Tanh(a)
	case "Exp":
		return G.Exp(a)
	case "Log":
		return G.Log(a)
	case "Sqrt":
		return G.Sqrt(a)
	case "Relu":
		return G.Rectify(a)
	case "Sigmoid":
		h := half()
		th := G.Must(G.Tanh(G.Must(G.HadamardProd(a, h))))
		return G.Add(G.Must(G.HadamardProd(th, h)), h)
	case "Softplus":
		l := G.Must(G.Log1p(G.Must(G.Exp(G.Must(G.Neg(G.Must(G.Abs(a))))))))
		return G.Add(G.Must(G.Rectify(a)), l)
	}
	return nil, fmt.Errorf("operator %s", op)
}

// leakyRelu is relu(a) - alpha relu(-a): a or alpha a, exactly.
func (t *translator) leakyRelu(a *G.Node, alpha float64) (*G.Node, error) {
	neg := G.Must(G.Rectify(G.Must(G.Neg(a))))
	return G.Sub(G.Must(G.Rectify(a)), G.Must(G.HadamardProd(neg, t.konst(Const{Data: []float64{alpha}}, "leak"))))
}

// pow raises a node to a constant exponent: small whole powers as
// products, 1/2 as Sqrt, others by Pow.
func (t *translator) pow(in []value, setN func(*G.Node, error) error) error {
	if in[0].node == nil || in[1].c == nil {
		return fmt.Errorf("a computed exponent (only a constant exponent is read)")
	}
	e := in[1].c
	if len(e.Data) == 1 {
		x := in[0].node
		switch v := e.Data[0]; v {
		case 1:
			return setN(x, nil)
		case 2:
			return setN(G.HadamardProd(x, x))
		case 3:
			return setN(G.HadamardProd(G.Must(G.HadamardProd(x, x)), x))
		case 4:
			sq := G.Must(G.HadamardProd(x, x))
			return setN(G.HadamardProd(sq, sq))
		case 0.5:
			return setN(G.Sqrt(x))
		}
	}
	a, b, err := t.operands(in[0], in[1])
	if err != nil {
		return err
	}
	return setN(G.Pow(a, b))
}

// clip is min(max(a, lo), hi) as a + relu(lo - a) then - relu(a - hi).
func (t *translator) clip(a value, lo, hi *Const, set func(...value) error) error {
	if a.c != nil {
		c := *a.c
		out := unary(c, func(x float64) float64 {
			if lo != nil {
				x = math.Max(x, lo.Data[0])
			}
			if hi != nil {
				x = math.Min(x, hi.Data[0])
			}
			return x
		})
		return set(value{c: &out})
	}
	x := a.node
	if lo != nil {
		if len(lo.Data) != 1 {
			return fmt.Errorf("a lower bound of shape %v (a scalar is read)", lo.Shape)
		}
		d := G.Must(G.Sub(t.konst(Const{Data: lo.Data[:1]}, "clip_lo"), x))
		x = G.Must(G.Add(x, G.Must(G.Rectify(d))))
	}
	if hi != nil {
		if len(hi.Data) != 1 {
			return fmt.Errorf("an upper bound of shape %v (a scalar is read)", hi.Shape)
		}
		d := G.Must(G.Sub(x, t.konst(Const{Data: hi.Data[:1]}, "clip_hi")))
		x = G.Must(G.Sub(x, G.Must(G.Rectify(d))))
	}
	return set(value{node: x})
}

// matmul is a node (B x K) times a constant (K x J, or K).
func (t *translator) matmul(a, b value) (*G.Node, error) {
	if a.node == nil || b.c == nil || len(a.shape()) != 2 {
		return nil, fmt.Errorf("MatMul of shapes %v and %v: only [batch K] (computed) times a constant [K J] is read", a.shape(), b.shape())
	}
	w := *b.c
	vec := len(w.Shape) == 1
	if vec {
		w = Const{Shape: []int{w.Shape[0], 1}, Data: w.Data}
	}
	if len(w.Shape) != 2 || w.Shape[0] != a.shape()[1] {
		return nil, fmt.Errorf("MatMul of shapes %v and %v", a.shape(), b.shape())
	}
	y, err := G.Mul(a.node, t.konst(w, "matmul"))
	if err != nil || !vec {
		return y, err
	}
	return G.Reshape(y, []int{t.b})
}

// gemm is alpha A B + beta C with A computed, B and C constant.
func (t *translator) gemm(in []value, at map[string]*onnx.AttributeProto, set func(...value) error) error {
	if at["transA"].GetI() != 0 {
		return fmt.Errorf("transA = 1 (the batch would move)")
	}
	alpha, beta := 1.0, 1.0
	if a, ok := at["alpha"]; ok {
		alpha = attrFloat(a)
	}
	if a, ok := at["beta"]; ok {
		beta = attrFloat(a)
	}
	if in[1].c == nil || len(in[1].shape()) != 2 {
		return fmt.Errorf("a computed or non-matrix B")
	}
	w := *in[1].c
	if at["transB"].GetI() != 0 {
		w = w.transpose2()
	}
	var y value
	if in[0].c != nil {
		c, err := matmul2(*in[0].c, w)
		if err != nil {
			return err
		}
		y = value{c: &c}
	} else {
		n, err := t.matmul(in[0], value{c: &w})
		if err != nil {
			return err
		}
		y = value{node: n}
	}
	if alpha != 1 {
		s := Const{Data: []float64{alpha}}
		if y.c != nil {
			c, _ := binary(*y.c, s, binaryConst["Mul"])
			y = value{c: &c}
		} else {
			y = value{node: G.Must(G.HadamardProd(y.node, t.konst(s, "gemm_alpha")))}
		}
	}
	if len(in) > 2 && in[2].c != nil {
		c := *in[2].c
		if beta != 1 {
			c = unary(c, func(v float64) float64 { return beta * v })
		}
		if y.c != nil {
			s, err := binary(*y.c, c, binaryConst["Add"])
			if err != nil {
				return err
			}
			return set(value{c: &s})
		}
		a, b, err := t.operands(y, value{c: &c})
		if err != nil {
			return err
		}
		return set(value{node: G.Must(G.Add(a, b))})
	} else if len(in) > 2 && in[2].node != nil {
		return fmt.Errorf("a computed C")
	}
	return set(y)
}

// axis normalizes a possibly negative axis of a rank-r tensor.
func axis(a, r int) (int, error) {
	if a < 0 {
		a += r
	}
	if a < 0 || a >= r {
		return 0, fmt.Errorf("axis %d of a rank-%d tensor", a, r)
	}
	return a, nil
}

// concat joins along an axis other than the batch's.
func (t *translator) concat(in []value, ax int, set func(...value) error) error {
	if len(in) == 0 {
		return fmt.Errorf("no inputs to join")
	}
	r := len(in[0].shape())
	ax, err := axis(ax, r)
	if err != nil {
		return err
	}
	var cs []Const
	computed := false
	for _, v := range in {
		if v.node != nil {
			computed = true
		} else if v.c != nil {
			cs = append(cs, *v.c)
		}
	}
	if !computed {
		c, err := concat(ax, cs)
		if err != nil {
			return err
		}
		return set(value{c: &c})
	}
	if ax == 0 {
		return fmt.Errorf("joining on axis 0 (the batch)")
	}
	var ns []*G.Node
	for _, v := range in {
		if v.node != nil {
			ns = append(ns, v.node)
			continue
		}
		shape := slices.Clone(v.c.Shape)
		if len(shape) != r || shape[0] != 1 {
			return fmt.Errorf("joining a constant of shape %v to computed tensors", shape)
		}
		shape[0] = t.b
		n, err := t.tile(*v.c, shape, "concat")
		if err != nil {
			return err
		}
		ns = append(ns, n)
	}
	n, err := G.Concat(ax, ns...)
	if err != nil {
		return err
	}
	return set(value{node: n})
}

// pick takes the entries idx along axis ax of v: in Go for a constant, as
// a product with a 0/1 selection matrix (exact) for a [batch K] node.
func (t *translator) pick(v value, ax int, idx []int) (value, error) {
	sh := v.shape()
	for _, i := range idx {
		if i < 0 || i >= sh[ax] {
			return value{}, fmt.Errorf("index %d out of range [0, %d)", i, sh[ax])
		}
	}
	if v.c != nil {
		c := v.c.take(ax, idx)
		return value{c: &c}, nil
	}
	if ax == 0 {
		if len(idx) == t.b && slices.Equal(idx, seq(0, t.b)) {
			return v, nil
		}
		return value{}, fmt.Errorf("a selection on axis 0 (the batch)")
	}
	if len(sh) != 2 {
		return value{}, fmt.Errorf("a selection on axis %d of a computed tensor of shape %v (only [batch K] on axis 1)", ax, sh)
	}
	if slices.Equal(idx, seq(0, sh[1])) {
		return v, nil
	}
	sel := Const{Shape: []int{sh[1], len(idx)}, Data: make([]float64, sh[1]*len(idx))}
	for j, i := range idx {
		sel.Data[i*len(idx)+j] = 1
	}
	n, err := G.Mul(v.node, t.konst(sel, "select"))
	return value{node: n}, err
}

func seq(lo, hi int) []int {
	s := make([]int, 0, max(hi-lo, 0))
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// split cuts along an axis into the sizes of input 1 (or of the split
// attribute, or equal parts).
func (t *translator) split(n *onnx.NodeProto, in []value, at map[string]*onnx.AttributeProto, set func(...value) error) error {
	if len(in) == 0 || (in[0].c == nil && in[0].node == nil) {
		return fmt.Errorf("no input to split")
	}
	sh := in[0].shape()
	ax, err := axis(int(at["axis"].GetI()), len(sh))
	if err != nil {
		return err
	}
	var sizes []int
	switch {
	case len(in) > 1 && in[1].c != nil:
		if sizes, err = in[1].c.ints(); err != nil {
			return err
		}
	case at["split"] != nil:
		for _, v := range at["split"].GetInts() {
			sizes = append(sizes, int(v))
		}
	default:
		k := len(n.GetOutput())
		if k == 0 || sh[ax]%k != 0 {
			return fmt.Errorf("an axis of %d cut into %d equal parts", sh[ax], k)
		}
		for i := 0; i < k; i++ {
			sizes = append(sizes, sh[ax]/k)
		}
	}
	var outs []value
	lo := 0
	for _, s := range sizes {
		v, err := t.pick(in[0], ax, seq(lo, lo+s))
		if err != nil {
			return err
		}
		outs = append(outs, v)
		lo += s
	}
	if lo != sh[ax] {
		return fmt.Errorf("sizes %v of an axis of %d", sizes, sh[ax])
	}
	return set(outs...)
}

// slice reads starts, ends, axes and steps (constants) as ONNX does.
func (t *translator) slice(in []value, set func(...value) error) error {
	if len(in) < 3 || (in[0].c == nil && in[0].node == nil) {
		return fmt.Errorf("data, starts and ends needed (opset >= 10)")
	}
	get := func(i int) ([]int, error) {
		if i >= len(in) || (in[i].c == nil && in[i].node == nil) {
			return nil, nil
		}
		if in[i].c == nil {
			return nil, fmt.Errorf("input %d is computed (only constants are read)", i)
		}
		return in[i].c.ints()
	}
	starts, err := get(1)
	if err != nil {
		return err
	}
	ends, err := get(2)
	if err != nil {
		return err
	}
	axes, err := get(3)
	if err != nil {
		return err
	}
	steps, err := get(4)
	if err != nil {
		return err
	}
	sh := in[0].shape()
	if axes == nil {
		axes = seq(0, len(starts))
	}
	if len(ends) != len(starts) || len(axes) != len(starts) || (steps != nil && len(steps) != len(starts)) {
		return fmt.Errorf("%d starts, %d ends, %d axes", len(starts), len(ends), len(axes))
	}
	v := in[0]
	for k, a := range axes {
		a, err := axis(a, len(sh))
		if err != nil {
			return err
		}
		step := 1
		if steps != nil {
			step = steps[k]
		}
		if step == 0 {
			return fmt.Errorf("step 0")
		}
		d := sh[a]
		clamp := func(i, lo, hi int) int {
			if i < 0 {
				i += d
			}
			return min(max(i, lo), hi)
		}
		var idx []int
		if step > 0 {
			for i := clamp(starts[k], 0, d); i < clamp(ends[k], 0, d); i += step {
				idx = append(idx, i)
			}
		} else {
			for i := clamp(starts[k], -1, d-1); i > clamp(ends[k], -1, d-1); i += step {
				idx = append(idx, i)
			}
		}
		if v, err = t.pick(v, a, idx); err != nil {
			return err
		}
	}
	return set(v)
}

// gather takes constant indices along an axis.
func (t *translator) gather(in []value, ax int, set func(...value) error) error {
	if len(in) < 2 || (in[0].c == nil && in[0].node == nil) {
		return fmt.Errorf("data and indices needed")
	}
	if in[1].c == nil {
		return fmt.Errorf("computed indices (only constant indices are read)")
	}
	sh := in[0].shape()
	ax, err := axis(ax, len(sh))
	if err != nil {
		return err
	}
	idx, err := in[1].c.ints()
	if err != nil {
		return err
	}
	for i := range idx {
		if idx[i] < 0 {
			idx[i] += sh[ax]
		}
	}
	v, err := t.pick(in[0], ax, idx)
	if err != nil {
		return err
	}
	// The indices' shape replaces the axis: a scalar index drops it.
	shape := slices.Concat(sh[:ax], in[1].c.Shape, sh[ax+1:])
	if v.c != nil {
		c := *v.c
		c.Shape = shape
		return set(value{c: &c})
	}
	if len(in[1].c.Shape) != 1 {
		return fmt.Errorf("indices of shape %v into a computed tensor (a list of indices is read)", in[1].c.Shape)
	}
	return set(v)
}

// reshape handles Reshape, Squeeze, Unsqueeze and Transpose; on a
// computed tensor axis 0 stays the batch.
func (t *translator) reshape(op string, in []value, at map[string]*onnx.AttributeProto, set func(...value) error) error {
	sh := in[0].shape()
	axesOf := func() ([]int, error) {
		if len(in) > 1 && in[1].c != nil {
			return in[1].c.ints()
		}
		if len(in) > 1 && in[1].node != nil {
			return nil, fmt.Errorf("%s with computed axes", op)
		}
		var a []int
		for _, v := range at["axes"].GetInts() {
			a = append(a, int(v))
		}
		return a, nil
	}
	var shape []int
	switch op {
	case "Transpose":
		perm := seq(0, len(sh))
		slices.Reverse(perm)
		if p := at["perm"]; p != nil {
			perm = nil
			for _, v := range p.GetInts() {
				perm = append(perm, int(v))
			}
		}
		if len(perm) != len(sh) {
			return fmt.Errorf("perm %v of a rank-%d tensor", perm, len(sh))
		}
		if in[0].c != nil {
			c := in[0].c.transpose(perm)
			return set(value{c: &c})
		}
		if perm[0] != 0 {
			return fmt.Errorf("perm %v moves the batch (axis 0)", perm)
		}
		if slices.Equal(perm, seq(0, len(sh))) {
			return set(in[0])
		}
		n, err := G.Transpose(in[0].node, perm...)
		if err != nil {
			return err
		}
		return set(value{node: n})
	case "Reshape":
		if len(in) < 2 || in[1].c == nil {
			return fmt.Errorf("a computed shape")
		}
		want, err := in[1].c.ints()
		if err != nil {
			return err
		}
		allowZero := at["allowzero"].GetI() != 0
		shape = slices.Clone(want)
		if in[0].node != nil && len(shape) > 0 && (shape[0] == 1 || shape[0] == 0 || shape[0] == -1) {
			shape[0] = t.b // the export's batch (1, or -1/0 for "as is") is ours
		}
		neg := -1
		known := 1
		for i, d := range shape {
			switch {
			case d == 0 && !allowZero:
				if i >= len(sh) {
					return fmt.Errorf("shape %v to %v", sh, want)
				}
				shape[i] = sh[i]
				known *= sh[i]
			case d == -1 && neg < 0:
				neg = i
			case d < 0:
				return fmt.Errorf("to %v", want)
			default:
				known *= d
			}
		}
		if neg >= 0 {
			if known == 0 || size(sh)%known != 0 {
				return fmt.Errorf("shape %v to %v", sh, want)
			}
			shape[neg] = size(sh) / known
		}
	case "Squeeze":
		axes, err := axesOf()
		if err != nil {
			return err
		}
		drop := map[int]bool{}
		for _, a := range axes {
			a, err := axis(a, len(sh))
			if err != nil {
				return err
			}
			drop[a] = true
		}
		for i, d := range sh {
			if (len(axes) == 0 && d == 1 && !(in[0].node != nil && i == 0)) || drop[i] {
				if d != 1 {
					return fmt.Errorf("axis %d of size %d", i, d)
				}
				continue
			}
			shape = append(shape, d)
		}
	case "Unsqueeze":
		axes, err := axesOf()
		if err != nil {
			return err
		}
		r := len(sh) + len(axes)
		ins := map[int]bool{}
		for _, a := range axes {
			a, err := axis(a, r)
			if err != nil {
				return err
			}
			ins[a] = true
		}
		k := 0
		for i := 0; i < r; i++ {
			if ins[i] {
				shape = append(shape, 1)
			} else {
				shape = append(shape, sh[k])
				k++
			}
		}
	}
	if size(shape) != size(sh) {
		return fmt.Errorf("%s of shape %v to %v", op, sh, shape)
	}
	if in[0].c != nil {
		c := *in[0].c
		c.Shape = shape
		return set(value{c: &c})
	}
	if len(shape) == 0 || shape[0] != t.b {
		return fmt.Errorf("%s of shape %v to %v moves the batch (axis 0)", op, sh, shape)
	}
	if slices.Equal(shape, sh) {
		return set(in[0])
	}
	n, err := G.Reshape(in[0].node, shape)
	if err != nil {
		return err
	}
	return set(value{node: n})
}
