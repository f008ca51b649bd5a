package onnxstep

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/advancedclimatesystems/gonnx/onnx"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// value is a tensor while translating: a constant, or a node whose axis 0
// is the batch.
type value struct {
	c    *Const
	node *G.Node
}

func (v value) shape() []int {
	if v.c != nil {
		return v.c.Shape
	}
	return []int(v.node.Shape())
}

// translator holds the values of one Build.
type translator struct {
	vals  map[string]value
	b     int // batch size
	dtype tensor.Dtype
	seq   int // numbers the constants it makes
}

// konst makes a named constant node of c in the graph's dtype.
func (t *translator) konst(c Const, what string) *G.Node {
	t.seq++
	name := fmt.Sprintf("onnxstep_%s_%d", what, t.seq)
	shape := c.Shape
	if len(shape) == 0 {
		if t.dtype == tensor.Float32 {
			return G.NewConstant(float32(c.Data[0]), G.WithName(name))
		}
		return G.NewConstant(c.Data[0], G.WithName(name))
	}
	var back interface{} = slices.Clone(c.Data)
	if t.dtype == tensor.Float32 {
		f := make([]float32, len(c.Data))
		for i, v := range c.Data {
			f[i] = float32(v)
		}
		back = f
	}
	return G.NewConstant(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(back)), G.WithName(name))
}

// tile makes c, broadcast to shape (whose axis 0 is the batch), a node.
func (t *translator) tile(c Const, shape []int, what string) (*G.Node, error) {
	full, err := broadcastShape(c.Shape, shape)
	if err != nil || !slices.Equal(full, shape) {
		return nil, fmt.Errorf("a constant of shape %v does not broadcast to %v", c.Shape, shape)
	}
	if size(shape) > maxConst {
		return nil, fmt.Errorf("a constant of shape %v is too large", shape)
	}
	return t.konst(c.expand(shape), what), nil
}

// widen makes a B x 1 node B x k (x times a row of ones: exact).
func (t *translator) widen(n *G.Node, shape []int) (*G.Node, error) {
	s := []int(n.Shape())
	if slices.Equal(s, shape) {
		return n, nil
	}
	if len(s) != 2 || len(shape) != 2 || s[0] != shape[0] || s[1] != 1 {
		return nil, fmt.Errorf("broadcasting a computed tensor of shape %v to %v (only [batch 1] to [batch k])", s, shape)
	}
	ones := Const{Shape: []int{1, shape[1]}, Data: make([]float64, shape[1])}
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	return G.Mul(n, t.konst(ones, "ones"))
}

// operands returns a and b as nodes of their broadcast shape, whose axis
// 0 must be the batch.
func (t *translator) operands(a, b value) (*G.Node, *G.Node, error) {
	shape, err := broadcastShape(a.shape(), b.shape())
	if err != nil {
		return nil, nil, err
	}
	if len(shape) == 0 || shape[0] != t.b || (a.node != nil && len(a.shape()) != len(shape)) || (b.node != nil && len(b.shape()) != len(shape)) {
		return nil, nil, fmt.Errorf("shapes %v and %v: the batch must stay on axis 0", a.shape(), b.shape())
	}
	side := func(v value) (*G.Node, error) {
		if v.c != nil {
			return t.tile(*v.c, shape, "operand")
		}
		return t.widen(v.node, shape)
	}
	x, err := side(a)
	if err != nil {
		return nil, nil, err
	}
	y, err := side(b)
	return x, y, err
}

var binaryConst = map[string]func(x, y float64) float64{
	"Add": func(x, y float64) float64 { return x + y },
	"Sub": func(x, y float64) float64 { return x - y },
	"Mul": func(x, y float64) float64 { return x * y },
	"Div": func(x, y float64) float64 { return x / y },
	"Pow": math.Pow,
}

var binaryNode = map[string]func(a, b *G.Node) (*G.Node, error){
	"Add": G.Add, "Sub": G.Sub, "Mul": G.HadamardProd, "Div": G.HadamardDiv,
}

var unaryConst = map[string]func(float64) float64{
	"Neg": func(x float64) float64 { return -x }, "Tanh": math.Tanh, "Exp": math.Exp, "Log": math.Log, "Sqrt": math.Sqrt,
	"Sigmoid":  func(x float64) float64 { return 0.5 + 0.5*math.Tanh(x/2) },
	"Relu":     func(x float64) float64 { return math.Max(x, 0) },
	"Softplus": func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) },
}

// attrFloat reads a float attribute. ONNX stores them as float32; the
// exporting framework computed with the decimal it was given (LeakyRelu's
// 0.1 is 0.1 in torch, 0.10000000149 in float32), so the value is the
// shortest decimal that rounds to the stored float32.
func attrFloat(a *onnx.AttributeProto) float64 {
	v, err := strconv.ParseFloat(strconv.FormatFloat(float64(a.GetF()), 'g', -1, 32), 64)
	if err != nil {
		return float64(a.GetF())
	}
	return v
}

// attrs returns the attributes of n by name.
func attrs(n *onnx.NodeProto) map[string]*onnx.AttributeProto {
	m := map[string]*onnx.AttributeProto{}
	for _, a := range n.GetAttribute() {
		m[a.GetName()] = a
	}
	return m
}

// node translates one node, setting its outputs' values.
func (t *translator) node(n *onnx.NodeProto, decode Decoder) error {
	op, at := n.GetOpType(), attrs(n)
	var in []value
	for _, name := range n.GetInput() {
		if name == "" {
			in = append(in, value{})
			continue
		}
		v, ok := t.vals[name]
		if !ok {
			return fmt.Errorf("input %q is computed by no earlier node", name)
		}
		in = append(in, v)
	}
	need := func(k int) error {
		if len(in) < k {
			return fmt.Errorf("%d inputs, want %d", len(in), k)
		}
		for i := 0; i < k; i++ {
			if in[i].c == nil && in[i].node == nil {
				return fmt.Errorf("input %d is missing", i)
			}
		}
		return nil
	}
	constIn := func(i int, what string) (Const, error) {
		if i >= len(in) || in[i].c == nil {
			return Const{}, fmt.Errorf("%s must be a constant", what)
		}
		return *in[i].c, nil
	}
	set := func(vs ...value) error {
		outs := n.GetOutput()
		if len(outs) < len(vs) {
			return fmt.Errorf("%d outputs, want %d", len(outs), len(vs))
		}
		for i, v := range vs {
			t.vals[outs[i]] = v
		}
		return nil
	}
	setC := func(c Const) error { return set(value{c: &c}) }
	setN := func(n *G.Node, err error) error {
		if err != nil {
			return err
		}
		return set(value{node: n})
	}
	allConst := true
	for _, v := range in {
		if v.node != nil {
			allConst = false
		}
	}

	switch op {
	case "Constant":
		a, ok := at["value"]
		if !ok || a.GetT() == nil {
			return fmt.Errorf("a Constant without a tensor value (value_float and the like are not read)")
		}
		c, err := decode(a.GetT())
		if err != nil {
			return err
		}
		return setC(c)
	case "Identity":
		if err := need(1); err != nil {
			return err
		}
		return set(in[0])
	case "Cast":
		if err := need(1); err != nil {
			return err
		}
		to := onnx.TensorProto_DataType(at["to"].GetI())
		switch to {
		case onnx.TensorProto_FLOAT, onnx.TensorProto_DOUBLE, onnx.TensorProto_FLOAT16:
			if in[0].c != nil {
				c := *in[0].c
				c.Int = false
				return setC(c)
			}
			return set(in[0])
		case onnx.TensorProto_INT64, onnx.TensorProto_INT32:
			if in[0].c == nil {
				return fmt.Errorf("a cast of the state or input to %s", to)
			}
			c := unary(*in[0].c, math.Trunc)
			c.Int = true
			return setC(c)
		}
		return fmt.Errorf("a cast to %s", to)
	case "Shape":
		if err := need(1); err != nil {
			return err
		}
		sh := in[0].shape()
		c := Const{Shape: []int{len(sh)}, Int: true}
		for _, d := range sh {
			c.Data = append(c.Data, float64(d))
		}
		return setC(c)
	case "Add", "Sub", "Mul", "Div", "Pow":
		if err := need(2); err != nil {
			return err
		}
		if allConst {
			c, err := binary(*in[0].c, *in[1].c, binaryConst[op])
			if err == nil && c.Int && op == "Div" {
				c = unary(c, math.Trunc)
				c.Int = true
			}
			if err != nil {
				return err
			}
			return setC(c)
		}
		if op == "Pow" {
			return t.pow(in, setN)
		}
		a, b, err := t.operands(in[0], in[1])
		if err != nil {
			return err
		}
		return setN(binaryNode[op](a, b))
	case "Neg", "Tanh", "Exp", "Log", "Sqrt", "Sigmoid", "Relu", "Softplus":
		if err := need(1); err != nil {
			return err
		}
		if allConst {
			return setC(unary(*in[0].c, unaryConst[op]))
		}
		return setN(t.unaryNode(op, in[0].node))
	case "LeakyRelu":
		if err := need(1); err != nil {
			return err
		}
		alpha := 0.01
		if a, ok := at["alpha"]; ok {
			alpha = attrFloat(a)
		}
		if allConst {
			return setC(unary(*in[0].c, func(x float64) float64 {
				if x < 0 {
					return alpha * x
				}
				return x
			}))
		}
		return setN(t.leakyRelu(in[0].node, alpha))
	case "Clip":
		if err := need(1); err != nil {
			return err
		}
		var lo, hi *Const
		for i, p := range []**Const{&lo, &hi} {
			if len(in) > i+1 && (in[i+1].c != nil || in[i+1].node != nil) {
				c, err := constIn(i+1, "a Clip bound")
				if err != nil {
					return err
				}
				*p = &c
			}
		}
		if a, ok := at["min"]; ok {
			lo = &Const{Data: []float64{attrFloat(a)}}
		}
		if a, ok := at["max"]; ok {
			hi = &Const{Data: []float64{attrFloat(a)}}
		}
		return t.clip(in[0], lo, hi, set)
	case "MatMul":
		if err := need(2); err != nil {
			return err
		}
		if allConst {
			c, err := matmul2(*in[0].c, *in[1].c)
			if err != nil {
				return err
			}
			return setC(c)
		}
		return setN(t.matmul(in[0], in[1]))
	case "Gemm":
		if err := need(2); err != nil {
			return err
		}
		return t.gemm(in, at, set)
	case "Concat":
		return t.concat(in, int(at["axis"].GetI()), set)
	case "Split":
		return t.split(n, in, at, set)
	case "Slice":
		return t.slice(in, set)
	case "Gather":
		return t.gather(in, int(at["axis"].GetI()), set)
	case "Reshape", "Squeeze", "Unsqueeze", "Transpose":
		if err := need(1); err != nil {
			return err
		}
		return t.reshape(op, in, at, set)
	}
	return fmt.Errorf("operator %s is not translated", op)
}
