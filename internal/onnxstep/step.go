package onnxstep

import (
	"fmt"
	"slices"
	"strings"

	"github.com/advancedclimatesystems/gonnx/onnx"
	G "gorgonia.org/gorgonia"
)

// Supported are the operators translated, in the order the issue lists
// them (Shape too: exports compute reshapes and chunks from it).
var Supported = []string{"MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Neg", "Tanh", "Sigmoid", "Relu", "LeakyRelu",
	"Softplus", "Exp", "Log", "Sqrt", "Pow", "Clip", "Concat", "Split", "Slice", "Gather", "Reshape", "Squeeze",
	"Unsqueeze", "Transpose", "Identity", "Constant", "Cast", "Shape"}

// Decoder converts an initializer or a Constant node's tensor.
type Decoder func(*onnx.TensorProto) (Const, error)

// Step is an ONNX graph read as one recurrent step: which graph input is
// the state (N values) and which the input (M values, or none), and the
// output F.
type Step struct {
	graph             *onnx.GraphProto
	inits             map[string]Const
	decode            Decoder
	State, Input, Out string
	N, M              int
	// Float32 is set when the state input is float32 (the step runs in
	// float64 anyway: weights widen exactly).
	Float32 bool
}

// Inits are the graph's initializers by name, as decoded; they share
// storage with the step (writing them changes what Build builds).
func (s *Step) Inits() map[string]Const { return s.inits }

// New reads g as a step. state names the state input; "" takes the input
// named hidden, h, state, hx or h0, else the only input whose last
// dimension is the output's. Every operator is checked first: one not
// translated is refused naming it and its node.
func New(g *onnx.GraphProto, decode Decoder, state string) (*Step, error) {
	for _, n := range g.GetNode() {
		if !slices.Contains(Supported, n.GetOpType()) {
			return nil, fmt.Errorf("node %q: operator %s is not translated (the translated: %s)", n.GetName(), n.GetOpType(), strings.Join(Supported, ", "))
		}
	}
	s := &Step{graph: g, inits: map[string]Const{}, decode: decode}
	for _, t := range g.GetInitializer() {
		c, err := decode(t)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", t.GetName(), err)
		}
		s.inits[t.GetName()] = c
	}
	type io struct {
		name  string
		shape []int64
		float bool
		f32   bool
	}
	describe := func(v *onnx.ValueInfoProto) io {
		tt := v.GetType().GetTensorType()
		var shape []int64
		for _, d := range tt.GetShape().GetDim() {
			shape = append(shape, d.GetDimValue()) // 0 when symbolic
		}
		et := onnx.TensorProto_DataType(tt.GetElemType())
		return io{v.GetName(), shape, et == onnx.TensorProto_FLOAT || et == onnx.TensorProto_DOUBLE, et == onnx.TensorProto_FLOAT}
	}
	var ins []io
	for _, v := range g.GetInput() {
		if _, init := s.inits[v.GetName()]; !init {
			ins = append(ins, describe(v))
		}
	}
	if len(g.GetOutput()) == 0 {
		return nil, fmt.Errorf("the graph has no output")
	}
	var outs []io
	for _, v := range g.GetOutput() {
		outs = append(outs, describe(v))
	}
	names := func(vs []io) string {
		var s []string
		for _, v := range vs {
			s = append(s, fmt.Sprintf("%q %v", v.name, v.shape))
		}
		return strings.Join(s, ", ")
	}
	for _, v := range ins {
		if len(v.shape) != 2 || v.shape[1] < 1 || !v.float {
			return nil, fmt.Errorf("graph input %q has shape %v (or a non-float type): a step takes float tensors of shape [batch, features]", v.name, v.shape)
		}
	}
	if len(ins) == 0 || len(ins) > 2 {
		return nil, fmt.Errorf("the graph has %d inputs (%s): a step takes the input and the state (or the state alone)", len(ins), names(ins))
	}
	si := -1
	if state != "" {
		si = slices.IndexFunc(ins, func(v io) bool { return v.name == state })
		if si < 0 {
			return nil, fmt.Errorf("no graph input named %q (the inputs: %s)", state, names(ins))
		}
	}
	for _, name := range []string{"hidden", "h", "state", "hx", "h0", "hidden_state"} {
		if si < 0 {
			si = slices.IndexFunc(ins, func(v io) bool { return strings.EqualFold(v.name, name) })
		}
	}
	if si < 0 {
		var byShape []int
		for i, v := range ins {
			for _, o := range outs {
				if len(o.shape) == 2 && o.shape[1] == v.shape[1] {
					byShape = append(byShape, i)
					break
				}
			}
		}
		if len(byShape) != 1 {
			return nil, fmt.Errorf("cannot tell the state from the input among %s (outputs %s): name the state input (-state-input NAME)", names(ins), names(outs))
		}
		si = byShape[0]
	}
	s.State, s.N, s.Float32 = ins[si].name, int(ins[si].shape[1]), ins[si].f32
	if len(ins) == 2 {
		s.Input, s.M = ins[1-si].name, int(ins[1-si].shape[1])
	}
	var fit []io
	for _, o := range outs {
		if len(o.shape) == 2 && int(o.shape[1]) == s.N {
			fit = append(fit, o)
		}
	}
	switch {
	case len(outs) == 1:
		s.Out = outs[0].name
	case len(fit) == 1:
		s.Out = fit[0].name
	default:
		return nil, fmt.Errorf("%d outputs (%s) of the state's shape [batch %d]: a step has one", len(fit), names(outs), s.N)
	}
	return s, nil
}

// Build translates the graph with the state bound to x (B x N) and the
// input to u (B x M; nil when M = 0) and returns F (B x N).
func (s *Step) Build(x, u *G.Node) (f *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("building the step: %v", r)
		}
	}()
	t := &translator{vals: map[string]value{}, b: x.Shape()[0], dtype: x.Dtype()}
	for name, c := range s.inits {
		t.vals[name] = value{c: &c}
	}
	t.vals[s.State] = value{node: x}
	if s.Input != "" {
		t.vals[s.Input] = value{node: u}
	}
	for _, n := range s.graph.GetNode() {
		if err := t.node(n, s.decode); err != nil {
			return nil, fmt.Errorf("node %q (%s): %w", n.GetName(), n.GetOpType(), err)
		}
	}
	out, ok := t.vals[s.Out]
	if !ok {
		return nil, fmt.Errorf("the output %q is computed by no node", s.Out)
	}
	if out.node == nil {
		return nil, fmt.Errorf("the output %q does not depend on the state or the input", s.Out)
	}
	if sh := out.node.Shape(); len(sh) != 2 || sh[0] != t.b || sh[1] != s.N {
		return nil, fmt.Errorf("the output %q has shape %v, want the state's (%d, %d)", s.Out, sh, t.b, s.N)
	}
	return out.node, nil
}
