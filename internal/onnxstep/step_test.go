package onnxstep

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// decode reads the tensors these tests make: doubles and int64s, from
// their typed fields.
func decode(tp *onnx.TensorProto) (Const, error) {
	c := Const{}
	for _, d := range tp.GetDims() {
		c.Shape = append(c.Shape, int(d))
	}
	switch onnx.TensorProto_DataType(tp.GetDataType()) {
	case onnx.TensorProto_DOUBLE:
		c.Data = append([]float64(nil), tp.GetDoubleData()...)
	case onnx.TensorProto_INT64:
		c.Int = true
		for _, v := range tp.GetInt64Data() {
			c.Data = append(c.Data, float64(v))
		}
	default:
		return c, fmt.Errorf("type %d", tp.GetDataType())
	}
	if len(c.Data) != size(c.Shape) {
		return c, fmt.Errorf("%d values for shape %v", len(c.Data), c.Shape)
	}
	return c, nil
}

func dbl(name string, shape []int64, v ...float64) *onnx.TensorProto {
	return &onnx.TensorProto{Name: name, Dims: shape, DataType: int32(onnx.TensorProto_DOUBLE), DoubleData: v}
}

func i64(name string, v ...int64) *onnx.TensorProto {
	return &onnx.TensorProto{Name: name, Dims: []int64{int64(len(v))}, DataType: int32(onnx.TensorProto_INT64), Int64Data: v}
}

func nd(op string, in, out []string, at ...*onnx.AttributeProto) *onnx.NodeProto {
	return &onnx.NodeProto{OpType: op, Name: "n_" + op, Input: in, Output: out, Attribute: at}
}

func attrI(name string, v int64) *onnx.AttributeProto { return &onnx.AttributeProto{Name: name, I: v} }
func attrF(name string, v float32) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, F: v}
}
func attrInts(name string, v ...int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Ints: v}
}

func vinfo(name string, dims ...int64) *onnx.ValueInfoProto {
	var ds []*onnx.TensorShapeProto_Dimension
	for _, d := range dims {
		ds = append(ds, &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &onnx.ValueInfoProto{Name: name, Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{
		ElemType: int32(onnx.TensorProto_DOUBLE), Shape: &onnx.TensorShapeProto{Dim: ds}}}}}
}

// stepGraph is a step with inputs "input" [1 M] and "hidden" [1 N] (M = 0:
// none) and output "out" [1 N].
func stepGraph(N, M int64, nodes []*onnx.NodeProto, inits ...*onnx.TensorProto) *onnx.GraphProto {
	g := &onnx.GraphProto{Node: nodes, Initializer: inits, Input: []*onnx.ValueInfoProto{vinfo("hidden", 1, N)},
		Output: []*onnx.ValueInfoProto{vinfo("out", 1, N)}}
	if M > 0 {
		g.Input = append([]*onnx.ValueInfoProto{vinfo("input", 1, M)}, g.Input...)
	}
	return g
}

// run builds the step over a batch of B states x (B x N) and inputs u
// (B x M) and returns F (B x N).
func run(t *testing.T, g *onnx.GraphProto, B int, x, u []float64) ([]float64, error) {
	t.Helper()
	s, err := New(g, decode, "")
	if err != nil {
		return nil, err
	}
	eg := G.NewGraph()
	X := G.NewMatrix(eg, tensor.Float64, G.WithShape(B, s.N), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(B, s.N), tensor.WithBacking(x))))
	var U *G.Node
	if s.M > 0 {
		U = G.NewMatrix(eg, tensor.Float64, G.WithShape(B, s.M), G.WithName("u"),
			G.WithValue(tensor.New(tensor.WithShape(B, s.M), tensor.WithBacking(u))))
	}
	f, err := s.Build(X, U)
	if err != nil {
		return nil, err
	}
	var out G.Value
	G.Read(f, &out)
	m := G.NewTapeMachine(eg)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), out.Data().([]float64)...), nil
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// Gemm with transB, alpha and beta and a bias broadcast over the batch,
// then Tanh: F = tanh(0.5 h Wᵀ + 2 c + 0 u), against a loop over the batch.
func TestGemmTransBBroadcastBias(t *testing.T) {
	W := []float64{1, -2, 0.5, 3, 0.25, -1, 2, 1, -0.5} // 3 x 3, read transposed
	c := []float64{0.1, -0.2, 0.3}
	g := stepGraph(3, 0, []*onnx.NodeProto{
		nd("Gemm", []string{"hidden", "W", "c"}, []string{"y"}, attrI("transB", 1), attrF("alpha", 0.5), attrF("beta", 2)),
		nd("Tanh", []string{"y"}, []string{"out"}),
	}, dbl("W", []int64{3, 3}, W...), dbl("c", []int64{3}, c...))
	x := []float64{0.3, -0.7, 1.1, -1, 0.2, 0.4}
	got, err := run(t, g, 2, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for b := range 2 {
		for i := range 3 {
			s := 0.0
			for k := range 3 {
				s += x[b*3+k] * W[i*3+k]
			}
			want = append(want, math.Tanh(0.5*s+2*c[i]))
		}
	}
	near(t, "F", got, want, 1e-15)
}

// numpy broadcasting between the state and constants: a [N] row, a scalar,
// a [1 N] row on the left of Sub, and a [batch 1] column of the state
// widened to [batch N]: F = (h + r) * 2 - (s - h) + h[:, 0] * h.
func TestBroadcasting(t *testing.T) {
	r, s := []float64{1, 2, 3}, []float64{-1, 0.5, 4}
	g := stepGraph(3, 0, []*onnx.NodeProto{
		nd("Add", []string{"hidden", "r"}, []string{"a"}),
		nd("Mul", []string{"a", "two"}, []string{"b"}),
		nd("Sub", []string{"s", "hidden"}, []string{"c"}),
		nd("Sub", []string{"b", "c"}, []string{"d"}),
		nd("Slice", []string{"hidden", "st", "en", "ax"}, []string{"col"}),
		nd("Mul", []string{"col", "hidden"}, []string{"e"}),
		nd("Add", []string{"d", "e"}, []string{"out"}),
	}, dbl("r", []int64{3}, r...), dbl("two", nil, 2), dbl("s", []int64{1, 3}, s...),
		i64("st", 0), i64("en", 1), i64("ax", 1))
	x := []float64{0.5, -1, 2, 3, 0.25, -0.75}
	got, err := run(t, g, 2, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for b := range 2 {
		for i := range 3 {
			h := x[b*3+i]
			want = append(want, (h+r[i])*2-(s[i]-h)+x[b*3]*h)
		}
	}
	near(t, "F", got, want, 1e-15)
}

// Constants are folded while translating, as exports compute reshapes:
// W = A B + C (MatMul and Add of initializers), the shape of h read by
// Shape, cut by Gather and rebuilt by Unsqueeze and Concat into Reshape's
// target; integer Div truncates. F = reshape(h W, [-1, N]) + [7/2] = h W + 3.
func TestConstantFolding(t *testing.T) {
	A := []float64{1, 2, 3, 4}     // 2 x 2
	Bm := []float64{0.5, -1, 2, 1} // 2 x 2
	C := []float64{0.25, 0, 0, -0.25}
	g := stepGraph(2, 0, []*onnx.NodeProto{
		nd("MatMul", []string{"A", "B"}, []string{"AB"}),
		nd("Add", []string{"AB", "C"}, []string{"W"}),
		nd("MatMul", []string{"hidden", "W"}, []string{"y"}),
		nd("Shape", []string{"y"}, []string{"shape"}),
		nd("Gather", []string{"shape", "one"}, []string{"n"}, attrI("axis", 0)),
		nd("Unsqueeze", []string{"n", "zero"}, []string{"n1"}),
		nd("Concat", []string{"minus1", "n1"}, []string{"target"}, attrI("axis", 0)),
		nd("Reshape", []string{"y", "target"}, []string{"z"}),
		nd("Div", []string{"seven", "two"}, []string{"three"}),
		nd("Cast", []string{"three"}, []string{"threef"}, attrI("to", int64(onnx.TensorProto_DOUBLE))),
		nd("Add", []string{"z", "threef"}, []string{"out"}),
	}, dbl("A", []int64{2, 2}, A...), dbl("B", []int64{2, 2}, Bm...), dbl("C", []int64{2, 2}, C...),
		&onnx.TensorProto{Name: "one", DataType: int32(onnx.TensorProto_INT64), Int64Data: []int64{1}},
		i64("zero", 0), i64("minus1", -1), i64("seven", 7), i64("two", 2))
	// W by hand: A B + C.
	W := make([]float64, 4)
	for i := range 2 {
		for j := range 2 {
			W[i*2+j] = A[i*2]*Bm[j] + A[i*2+1]*Bm[2+j] + C[i*2+j]
		}
	}
	if W[0] != 4.75 || W[3] != 0.75 { // 1*0.5 + 2*2 + 0.25; 3*(-1) + 4*1 - 0.25
		t.Fatalf("W by hand %v", W)
	}
	x := []float64{1, -2, 0.5, 3, -1, 1}
	got, err := run(t, g, 3, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for b := range 3 {
		for j := range 2 {
			want = append(want, x[b*2]*W[j]+x[b*2+1]*W[2+j]+3)
		}
	}
	near(t, "F", got, want, 1e-15)
}

// The constant kernels on their own: broadcast shapes (and their
// refusal), expand, transpose, take, concat and matmul, against values
// written out by hand.
func TestConstKernels(t *testing.T) {
	if s, err := broadcastShape([]int{2, 1, 3}, []int{4, 1}); err != nil || fmt.Sprint(s) != "[2 4 3]" {
		t.Errorf("broadcast [2 1 3], [4 1] = %v, %v; want [2 4 3]", s, err)
	}
	if _, err := broadcastShape([]int{2, 3}, []int{4}); err == nil || err.Error() != "shapes [2 3] and [4] do not broadcast" {
		t.Errorf("broadcast [2 3], [4]: %v", err)
	}
	row := Const{Shape: []int{1, 3}, Data: []float64{1, 2, 3}}
	if e := row.expand([]int{2, 3}); fmt.Sprint(e.Data) != "[1 2 3 1 2 3]" {
		t.Errorf("expand %v", e.Data)
	}
	col := Const{Shape: []int{2, 1}, Data: []float64{10, 20}}
	if s, err := binary(row, col, func(a, b float64) float64 { return a + b }); err != nil || fmt.Sprint(s.Shape, s.Data) != "[2 3] [11 12 13 21 22 23]" {
		t.Errorf("row + column: %v %v, %v", s.Shape, s.Data, err)
	}
	m := Const{Shape: []int{2, 3, 2}, Data: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}
	// perm [2 0 1]: out[k][i][j] = m[i][j][k].
	if tr := m.transpose([]int{2, 0, 1}); fmt.Sprint(tr.Shape, tr.Data) != "[2 2 3] [0 2 4 6 8 10 1 3 5 7 9 11]" {
		t.Errorf("transpose %v %v", tr.Shape, tr.Data)
	}
	if tk := m.take(1, []int{2, 0}); fmt.Sprint(tk.Shape, tk.Data) != "[2 2 2] [4 5 0 1 10 11 6 7]" {
		t.Errorf("take %v %v", tk.Shape, tk.Data)
	}
	a := Const{Shape: []int{2, 1}, Data: []float64{1, 2}}
	b := Const{Shape: []int{2, 2}, Data: []float64{3, 4, 5, 6}}
	if c, err := concat(1, []Const{a, b}); err != nil || fmt.Sprint(c.Shape, c.Data) != "[2 3] [1 3 4 2 5 6]" {
		t.Errorf("concat %v %v, %v", c.Shape, c.Data, err)
	}
	if _, err := concat(0, []Const{a, b}); err == nil || !strings.Contains(err.Error(), "joining shapes [2 2] and [2 1] on axis 0") {
		t.Errorf("concat of mismatched shapes: %v", err)
	}
	if p, err := matmul2(b, Const{Shape: []int{2, 1}, Data: []float64{1, -1}}); err != nil || fmt.Sprint(p.Data) != "[-1 -1]" {
		t.Errorf("matmul %v, %v", p.Data, err)
	}
	if _, err := (Const{Data: []float64{1.5}}).ints(); err == nil {
		t.Error("1.5 read as an integer")
	}
}

// Split (sizes from an input), Concat of the parts in another order,
// Gather of constant indices (one negative), a reversing Slice (negative
// step, ends past the start) and an identity Transpose, each step's
// permutation written beside it: F = [h0, h3, h2, h1].
func TestSelections(t *testing.T) {
	g := stepGraph(4, 0, []*onnx.NodeProto{
		nd("Split", []string{"hidden", "sizes"}, []string{"p", "q"}, attrI("axis", 1)),
		nd("Concat", []string{"q", "p"}, []string{"r"}, attrI("axis", 1)),   // h2 h3 h0 h1
		nd("Gather", []string{"r", "idx"}, []string{"s"}, attrI("axis", 1)), // idx 3, -4, 1, 2: h1 h2 h3 h0
		nd("Slice", []string{"s", "st", "en", "ax", "step"}, []string{"v"}), // reversed: h0 h3 h2 h1
		nd("Transpose", []string{"v"}, []string{"out"}, attrInts("perm", 0, 1)),
	}, i64("sizes", 2, 2), i64("idx", 3, -4, 1, 2), i64("st", -1), i64("en", -5), i64("ax", 1), i64("step", -1))
	x := []float64{10, 11, 12, 13, 20, 21, 22, 23}
	got, err := run(t, g, 2, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "F", got, []float64{10, 13, 12, 11, 20, 23, 22, 21}, 0)
}

// The elementwise functions against math's, where the naive formulas
// fail too (sigmoid and softplus far out), LeakyRelu's float32 attribute
// read as its decimal 0.1, Clip by bound inputs, and Pow by 2, 3, 0.5 and
// 1.5; with the input u entering through MatMul.
func TestElementwise(t *testing.T) {
	x := []float64{-40, -3, -0.5, 0.25, 2, 40}
	for _, c := range []struct {
		op    string
		extra []*onnx.NodeProto
		inits []*onnx.TensorProto
		at    []*onnx.AttributeProto
		f     func(float64) float64
	}{
		{op: "Sigmoid", f: func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{op: "Softplus", f: func(v float64) float64 { return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))) }},
		{op: "Tanh", f: math.Tanh},
		{op: "Relu", f: func(v float64) float64 { return math.Max(v, 0) }},
		{op: "Neg", f: func(v float64) float64 { return -v }},
		{op: "Exp", f: math.Exp},
		{op: "LeakyRelu", at: []*onnx.AttributeProto{attrF("alpha", 0.1)}, f: func(v float64) float64 {
			if v < 0 {
				return 0.1 * v
			}
			return v
		}},
		{op: "Clip", inits: []*onnx.TensorProto{dbl("lo", nil, -1), dbl("hi", nil, 1.5)}, f: func(v float64) float64 { return math.Min(math.Max(v, -1), 1.5) }},
		{op: "Pow2", inits: []*onnx.TensorProto{dbl("e", nil, 2)}, f: func(v float64) float64 { return v * v }},
		{op: "Pow3", inits: []*onnx.TensorProto{dbl("e", nil, 3)}, f: func(v float64) float64 { return v * v * v }},
	} {
		in := []string{"hidden"}
		op := c.op
		switch op {
		case "Clip":
			in = append(in, "lo", "hi")
		case "Pow2", "Pow3":
			in, op = append(in, "e"), "Pow"
		}
		g := stepGraph(6, 0, []*onnx.NodeProto{nd(op, in, []string{"out"}, c.at...)}, c.inits...)
		got, err := run(t, g, 1, x, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		var want []float64
		for _, v := range x {
			want = append(want, c.f(v))
		}
		near(t, c.op, got, want, 4e-16)
	}
	// Sqrt, Log and a general power on positive states; the input u
	// through MatMul: F = sqrt(h) + log(h) + h^1.5 + u [1 1 1].
	pos := []float64{0.25, 1, 4}
	g := stepGraph(3, 1, []*onnx.NodeProto{
		nd("Sqrt", []string{"hidden"}, []string{"a"}),
		nd("Log", []string{"hidden"}, []string{"b"}),
		nd("Pow", []string{"hidden", "e"}, []string{"c"}),
		nd("MatMul", []string{"input", "ones"}, []string{"d"}),
		nd("Add", []string{"a", "b"}, []string{"ab"}),
		nd("Add", []string{"ab", "c"}, []string{"abc"}),
		nd("Add", []string{"abc", "d"}, []string{"out"}),
	}, dbl("e", nil, 1.5), dbl("ones", []int64{1, 3}, 1, 1, 1))
	got, err := run(t, g, 1, pos, []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for _, v := range pos {
		want = append(want, math.Sqrt(v)+math.Log(v)+math.Pow(v, 1.5)+0.5)
	}
	near(t, "sqrt + log + pow + input", got, want, 4e-16)
}

// What cannot be translated is refused with the node and the reason:
// operators outside the list, and uses of listed ones that would move the
// batch or need a computed constant.
func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		nodes []*onnx.NodeProto
		inits []*onnx.TensorProto
		want  string
	}{
		{"unknown operator", []*onnx.NodeProto{nd("Sin", []string{"hidden"}, []string{"out"})}, nil,
			`node "n_Sin": operator Sin is not translated`},
		{"transA", []*onnx.NodeProto{nd("Gemm", []string{"hidden", "W"}, []string{"out"}, attrI("transA", 1))},
			[]*onnx.TensorProto{dbl("W", []int64{2, 2}, 1, 0, 0, 1)}, `node "n_Gemm" (Gemm): transA = 1 (the batch would move)`},
		{"computed exponent", []*onnx.NodeProto{nd("Pow", []string{"hidden", "hidden"}, []string{"out"})}, nil,
			`node "n_Pow" (Pow): a computed exponent`},
		{"concat on the batch", []*onnx.NodeProto{nd("Concat", []string{"hidden", "hidden"}, []string{"out"}, attrI("axis", 0))}, nil,
			`node "n_Concat" (Concat): joining on axis 0 (the batch)`},
		{"reshape moving the batch", []*onnx.NodeProto{nd("Reshape", []string{"hidden", "shape"}, []string{"out"})},
			[]*onnx.TensorProto{i64("shape", 2, 1)}, `node "n_Reshape" (Reshape): Reshape of shape [1 2] to [2 1] moves the batch`},
		{"computed indices", []*onnx.NodeProto{nd("Gather", []string{"hidden", "hidden"}, []string{"out"}, attrI("axis", 1))}, nil,
			`node "n_Gather" (Gather): computed indices`},
		{"slice of the batch", []*onnx.NodeProto{nd("Slice", []string{"hidden", "st", "en", "ax"}, []string{"out"})},
			[]*onnx.TensorProto{i64("st", 0), i64("en", 0), i64("ax", 0)}, `node "n_Slice" (Slice): a selection on axis 0 (the batch)`},
		{"cast to int", []*onnx.NodeProto{nd("Cast", []string{"hidden"}, []string{"out"}, attrI("to", int64(onnx.TensorProto_INT64)))}, nil,
			`a cast of the state or input to INT64`},
		{"constant times state", []*onnx.NodeProto{nd("MatMul", []string{"W", "hidden"}, []string{"out"})},
			[]*onnx.TensorProto{dbl("W", []int64{2, 1}, 1, 2)}, `only [batch K] (computed) times a constant [K J] is read`},
		{"split sizes", []*onnx.NodeProto{nd("Split", []string{"hidden", "sizes"}, []string{"out", "rest"}, attrI("axis", 1))},
			[]*onnx.TensorProto{i64("sizes", 1, 2)}, `index 2 out of range [0, 2)`},
		{"clip bound", []*onnx.NodeProto{nd("Clip", []string{"hidden", "lo"}, []string{"out"})},
			[]*onnx.TensorProto{dbl("lo", []int64{2}, 0, 1)}, `a lower bound of shape [2] (a scalar is read)`},
		{"constant without tensor", []*onnx.NodeProto{nd("Constant", nil, []string{"out"}, attrF("value_float", 1))}, nil,
			`a Constant without a tensor value`},
		{"no earlier node", []*onnx.NodeProto{nd("Tanh", []string{"later"}, []string{"out"})}, nil,
			`input "later" is computed by no earlier node`},
		{"constant output", []*onnx.NodeProto{nd("Identity", []string{"W"}, []string{"out"})},
			[]*onnx.TensorProto{dbl("W", []int64{1, 2}, 1, 2)}, `the output "out" does not depend on the state or the input`},
		{"output of another shape", []*onnx.NodeProto{nd("Gather", []string{"hidden", "idx"}, []string{"out"}, attrI("axis", 1))},
			[]*onnx.TensorProto{i64("idx", 0)}, `the output "out" has shape (1, 1), want the state's (1, 2)`},
	} {
		_, err := run(t, stepGraph(2, 0, c.nodes, c.inits...), 1, []float64{0.5, -0.5}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// The state input is the one named so, else the one named hidden (or h,
// state ...), else the only one of the output's size; two candidates of
// that size are refused, naming the flag that settles it.
func TestStateInput(t *testing.T) {
	id := []*onnx.NodeProto{nd("Identity", []string{"a"}, []string{"out"})}
	two := func(a, b int64) *onnx.GraphProto {
		return &onnx.GraphProto{Node: id, Input: []*onnx.ValueInfoProto{vinfo("a", 1, a), vinfo("b", 1, b)},
			Output: []*onnx.ValueInfoProto{vinfo("out", 1, 3)}}
	}
	if s, err := New(two(3, 2), decode, ""); err != nil || s.State != "a" || s.Input != "b" || s.N != 3 || s.M != 2 {
		t.Errorf("by shape: %+v, %v; want state a (3), input b (2)", s, err)
	}
	if _, err := New(two(3, 3), decode, ""); err == nil || !strings.Contains(err.Error(), "name the state input (-state-input NAME)") {
		t.Errorf("two inputs of the state's size: %v", err)
	}
	if s, err := New(two(3, 3), decode, "b"); err != nil || s.State != "b" {
		t.Errorf("named b: %+v, %v", s, err)
	}
	if _, err := New(two(3, 3), decode, "c"); err == nil || !strings.Contains(err.Error(), `no graph input named "c"`) {
		t.Errorf("named c: %v", err)
	}
	g := stepGraph(3, 3, []*onnx.NodeProto{nd("Identity", []string{"hidden"}, []string{"out"})})
	if s, err := New(g, decode, ""); err != nil || s.State != "hidden" {
		t.Errorf("by name hidden: %+v, %v", s, err)
	}
}
