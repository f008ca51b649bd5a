package cells_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"google.golang.org/protobuf/proto"
)

// stepModel writes a step graph: inputs input [1 3] and hidden [1 5],
// output hidden_next [1 5], the nodes given and double initializers.
func stepModel(t *testing.T, nodes []*onnx.NodeProto, inits ...*onnx.TensorProto) string {
	t.Helper()
	vi := func(name string, n int64) *onnx.ValueInfoProto {
		return &onnx.ValueInfoProto{Name: name, Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{
			ElemType: int32(onnx.TensorProto_DOUBLE),
			Shape:    &onnx.TensorShapeProto{Dim: []*onnx.TensorShapeProto_Dimension{{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: 1}}, {Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: n}}}},
		}}}}
	}
	m := &onnx.ModelProto{IrVersion: 8, OpsetImport: []*onnx.OperatorSetIdProto{{Version: 14}}, Graph: &onnx.GraphProto{
		Name: "step", Node: nodes, Initializer: inits,
		Input:  []*onnx.ValueInfoProto{vi("input", 3), vi("hidden", 5)},
		Output: []*onnx.ValueInfoProto{vi("hidden_next", 5)},
	}}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "step.onnx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func node(op, name string, in, out []string, at ...*onnx.AttributeProto) *onnx.NodeProto {
	return &onnx.NodeProto{OpType: op, Name: name, Input: in, Output: out, Attribute: at}
}

func doubles(name string, shape []int64, v ...float64) *onnx.TensorProto {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(x))
	}
	return &onnx.TensorProto{Name: name, Dims: shape, DataType: int32(onnx.TensorProto_DOUBLE), RawData: raw}
}

func int64s(name string, v ...int64) *onnx.TensorProto {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return &onnx.TensorProto{Name: name, Dims: []int64{int64(len(v))}, DataType: int32(onnx.TensorProto_INT64), RawData: raw}
}

func ints(name string, v ...int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_INTS, Ints: v}
}

// TestONNXStepRefusals: every operator outside the translated list, and
// every use of a translated one that would move the batch or needs a
// computed constant, is refused with one line naming the operator and the
// node.
func TestONNXStepRefusals(t *testing.T) {
	for _, op := range []string{"Sin", "Cos", "Abs", "Erf", "Softmax", "LogSoftmax", "ReduceSum", "ReduceMean", "Max", "Min",
		"Where", "Greater", "Less", "Equal", "If", "Loop", "Scan", "Einsum", "Conv", "Expand", "Tile", "Range",
		"ConstantOfShape", "Dropout", "HardSigmoid", "Elu", "Selu", "Celu", "Gelu", "Mish", "Sign", "Reciprocal",
		"Floor", "Ceil", "Round", "Sum", "Mean", "Flatten", "Pad", "Resize", "TopK", "ArgMax", "CumSum", "LayerNormalization",
		"BatchNormalization", "InstanceNormalization", "ScatterND", "GatherND", "NonZero", "Not", "And", "Mod", "Trilu"} {
		p := stepModel(t, []*onnx.NodeProto{node(op, "/cell/"+op, []string{"hidden"}, []string{"hidden_next"})})
		_, _, err := cells.LoadModel(p, cells.Options{})
		want := `node "/cell/` + op + `": operator ` + op + ` is not translated`
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", op, err, want)
		}
	}
	for _, c := range []struct {
		name  string
		nodes []*onnx.NodeProto
		inits []*onnx.TensorProto
		want  string
	}{
		{"pow of a computed exponent", []*onnx.NodeProto{node("Pow", "p", []string{"hidden", "hidden"}, []string{"hidden_next"})}, nil,
			`node "p" (Pow): a computed exponent`},
		{"gather of computed indices", []*onnx.NodeProto{node("Gather", "g", []string{"hidden", "hidden"}, []string{"hidden_next"}, &onnx.AttributeProto{Name: "axis", I: 1})}, nil,
			`node "g" (Gather): computed indices`},
		{"transpose of the batch", []*onnx.NodeProto{node("Transpose", "tr", []string{"hidden"}, []string{"hidden_next"}, ints("perm", 1, 0))}, nil,
			`node "tr" (Transpose): perm [1 0] moves the batch`},
		{"concat on the batch", []*onnx.NodeProto{node("Concat", "c", []string{"hidden", "hidden"}, []string{"hidden_next"}, &onnx.AttributeProto{Name: "axis", I: 0})}, nil,
			`node "c" (Concat): joining on axis 0 (the batch)`},
		{"reshape of the batch", []*onnx.NodeProto{node("Reshape", "r", []string{"hidden", "shape"}, []string{"hidden_next"})}, []*onnx.TensorProto{int64s("shape", 5, 1)},
			`node "r" (Reshape): Reshape of shape [1 5] to [5 1] moves the batch`},
		{"constant times state", []*onnx.NodeProto{node("MatMul", "mm", []string{"w", "hidden"}, []string{"hidden_next"})}, []*onnx.TensorProto{doubles("w", []int64{5, 1}, 1, 2, 3, 4, 5)},
			`node "mm" (MatMul): MatMul of shapes [5 1] and [1 5]: only [batch K] (computed) times a constant [K J] is read`},
		{"slice of the batch", []*onnx.NodeProto{node("Slice", "s", []string{"hidden", "st", "en", "ax"}, []string{"hidden_next"})},
			[]*onnx.TensorProto{int64s("st", 1), int64s("en", 2), int64s("ax", 0)}, `node "s" (Slice): a selection on axis 0 (the batch)`},
		{"cast to int", []*onnx.NodeProto{node("Cast", "ci", []string{"hidden"}, []string{"hidden_next"}, &onnx.AttributeProto{Name: "to", I: int64(onnx.TensorProto_INT64)})}, nil,
			`node "ci" (Cast): a cast of the state or input to INT64`},
		{"output of another shape", []*onnx.NodeProto{node("Identity", "id", []string{"input"}, []string{"hidden_next"})}, nil,
			`the output "hidden_next" has shape (1, 3), want the state's (1, 5)`},
	} {
		p := stepModel(t, c.nodes, c.inits...)
		_, _, err := cells.LoadModel(p, cells.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// TestONNXStepIdentityCast: Identity and a cast between float types pass
// the state through; a step of them and a Mul by 2 is F = 2h.
func TestONNXStepIdentityCast(t *testing.T) {
	p := stepModel(t, []*onnx.NodeProto{
		node("Identity", "id", []string{"hidden"}, []string{"a"}),
		node("Cast", "cast", []string{"a"}, []string{"b"}, &onnx.AttributeProto{Name: "to", I: int64(onnx.TensorProto_DOUBLE)}),
		node("Mul", "mul", []string{"b", "two"}, []string{"c"}),
		node("MatMul", "mm", []string{"input", "zero"}, []string{"d"}),
		node("Add", "add", []string{"c", "d"}, []string{"hidden_next"}),
	}, doubles("two", nil, 2), doubles("zero", []int64{3, 5}, make([]float64, 15)...))
	cell, _, err := cells.LoadModel(p, cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cell.StateSize() != 5 || cell.InputSize() != 3 {
		t.Fatalf("N = %d, M = %d, want 5, 3", cell.StateSize(), cell.InputSize())
	}
	x := []float64{1, -2, 3, 0.5, 7}
	f := simulateOne(t, cell, x, []float64{9, 9, 9})
	for i := range x {
		if f[i] != 2*x[i] {
			t.Errorf("F = %v, want 2h = 2 %v", f, x)
			break
		}
	}
}

// TestONNXStepStateInput: inputs whose names say nothing and whose sizes
// are the same are refused asking for -state-input; named, the state is
// that input, and a name that is no input is refused listing the inputs.
func TestONNXStepStateInput(t *testing.T) {
	p := stepModel(t, []*onnx.NodeProto{node("Add", "add", []string{"hidden", "input"}, []string{"hidden_next"})})
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m onnx.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	g := m.GetGraph()
	g.Input[0].Name, g.Input[1].Name = "a", "b"
	g.Node[0].Input = []string{"a", "b"}
	g.Input[0].GetType().GetTensorType().GetShape().GetDim()[1].Value = &onnx.TensorShapeProto_Dimension_DimValue{DimValue: 5}
	if b, err = proto.Marshal(&m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = cells.LoadModel(p, cells.Options{})
	if err == nil || !strings.Contains(err.Error(), `cannot tell the state from the input among "a" [1 5], "b" [1 5]`) ||
		!strings.Contains(err.Error(), "name the state input (-state-input NAME)") {
		t.Errorf("ambiguous inputs: %v", err)
	}
	cell, _, err := cells.LoadModel(p, cells.Options{StateInput: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if s := cell.(*cells.ONNXStep); s.StateInput() != "b" || s.Input() != "a" {
		t.Errorf("state %q, input %q; want b, a", s.StateInput(), s.Input())
	}
	_, _, err = cells.LoadModel(p, cells.Options{StateInput: "x"})
	if err == nil || !strings.Contains(err.Error(), `no graph input named "x" (the inputs: "a" [1 5], "b" [1 5])`) {
		t.Errorf("-state-input x: %v", err)
	}
}

func simulateOne(t *testing.T, cell cells.Cell, x, u []float64) []float64 {
	t.Helper()
	f, err := graph.Simulate(context.Background(), cell, x, u, 1, 1, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestExactActivationsFarOut: Softplus and Sigmoid are exact where
// gorgonia's own are not (its Softplus returns a above 16, its Sigmoid 1
// above 19): softplus(30) = 30 + 9.36e-14 and sigmoid(25) = 1 - 1.39e-11,
// in a CTRNN (identity recurrence, alpha 1) and in an ONNX step.
func TestExactActivationsFarOut(t *testing.T) {
	sp := 30 + math.Log1p(math.Exp(-30))
	sg := 1 - 1/(1+math.Exp(25))
	for _, c := range []struct {
		act       string
		pre, want float64
	}{{"softplus", 30, sp}, {"sigmoid", 25, sg}} {
		ct, err := cells.NewCTRNN(1, 0, 1, cells.FormRate, map[string]cells.Activation{"softplus": cells.ActSoftplus, "sigmoid": cells.ActSigmoid}[c.act])
		if err != nil {
			t.Fatal(err)
		}
		ct.Params()[2].Data[0] = c.pre
		f := simulateOne(t, ct, []float64{0}, nil)
		if math.Abs(f[0]-c.want) > 4e-15 {
			t.Errorf("CTRNN %s(%g) = %.17g, want %.17g", c.act, c.pre, f[0], c.want)
		}
		op := map[string]string{"softplus": "Softplus", "sigmoid": "Sigmoid"}[c.act]
		p := stepModel(t, []*onnx.NodeProto{
			node("Add", "shift", []string{"hidden", "pre"}, []string{"a"}),
			node(op, "act", []string{"a"}, []string{"b"}),
			node("MatMul", "mm", []string{"input", "zero"}, []string{"d"}),
			node("Add", "add", []string{"b", "d"}, []string{"hidden_next"}),
		}, doubles("pre", nil, c.pre), doubles("zero", []int64{3, 5}, make([]float64, 15)...))
		cell, _, err := cells.LoadModel(p, cells.Options{})
		if err != nil {
			t.Fatal(err)
		}
		g := simulateOne(t, cell, make([]float64, 5), make([]float64, 3))
		if math.Abs(g[0]-c.want) > 4e-15 {
			t.Errorf("ONNX %s(%g) = %.17g, want %.17g", op, c.pre, g[0], c.want)
		}
	}
}
