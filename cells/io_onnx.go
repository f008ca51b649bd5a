package cells

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// ONNX's recurrent operators (RNN, GRU, LSTM; onnx.ai/onnx/operators) read
// onto the cells. An operator's inputs are X, W, R, B, sequence_lens,
// initial_h (and initial_c, P for LSTM); W is [directions, G*H, M], R is
// [directions, G*H, H], B is [directions, 2*G*H] (the input biases, then
// the recurrent ones). Gate orders differ from PyTorch's: ONNX's GRU is
// z, r, h (PyTorch r, z, n) and its LSTM i, o, f, c (PyTorch i, f, g, o).
// onnxGates gives, for each PyTorch gate, the ONNX gate it is.
var onnxGates = map[string][]int{
	"RNN":  {0},
	"GRU":  {1, 0, 2},
	"LSTM": {0, 2, 3, 1},
}

// onnxActivations are the default activations of each operator, the only
// ones the cells have (RNN may also be Relu).
var onnxActivations = map[string][]string{
	"RNN":  {"tanh"},
	"GRU":  {"sigmoid", "tanh"},
	"LSTM": {"sigmoid", "tanh", "tanh"},
}

// passThrough are the operators that may sit between two stacked recurrent
// nodes (PyTorch's export squeezes the direction axis away).
var passThrough = map[string]bool{
	"Squeeze": true, "Unsqueeze": true, "Transpose": true, "Reshape": true,
	"Identity": true, "Dropout": true, "Flatten": true,
}

// onnxLayer is one recurrent node read as a PyTorch layer.
type onnxLayer struct {
	name              string
	kind              string // rnn, rnn_relu, gru, lstm
	hidden, inputs    int
	sd                StateDict // names with _l0
	resetBeforeLinear bool      // GRU linear_before_reset = 0
}

// loadONNX reads the recurrent node(s) of an ONNX model into a cell.
func loadONNX(b []byte, o Options, info *ModelInfo) (cell TorchCell, err error) {
	defer recoverDecode("ONNX", &err)
	info.Format = "ONNX"
	var m onnx.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: not an ONNX model, or one cut short (protobuf: %v)", ErrFormat, err)
	}
	g := m.GetGraph()
	if g == nil {
		return nil, fmt.Errorf("%w: an ONNX model without a graph", ErrFormat)
	}
	if !slices.ContainsFunc(g.GetNode(), func(n *onnx.NodeProto) bool {
		t := n.GetOpType()
		return t == "RNN" || t == "GRU" || t == "LSTM"
	}) {
		return loadONNXStep(g, o, info)
	}
	chain, err := onnxChain(g, o.Node)
	if err != nil {
		return nil, err
	}
	consts := onnxConstants(g)
	var layers []onnxLayer
	for k, n := range chain {
		l, err := onnxNode(n, consts)
		if err != nil {
			return nil, err
		}
		if k > 0 {
			p := layers[0]
			if l.kind != p.kind || l.hidden != p.hidden || l.inputs != p.hidden || l.resetBeforeLinear != p.resetBeforeLinear {
				return nil, fmt.Errorf("%w: stacked nodes %q (%s, hidden %d, %d inputs) and %q (%s, hidden %d) do not form one stack "+
					"(every layer the same kind and hidden size, each taking the previous one's h); choose one node with Node (-node)",
					ErrUnsupported, p.name, p.kind, p.hidden, p.inputs, l.name, l.kind, l.hidden)
			}
		}
		layers = append(layers, l)
	}
	kind := layers[0].kind
	if o.Kind != "" && !strings.EqualFold(o.Kind, kind) && !(strings.EqualFold(o.Kind, "rnn_tanh") && kind == "rnn") {
		return nil, fmt.Errorf("cells: the ONNX node %q is %s, not the kind %q asked for", layers[0].name, kind, o.Kind)
	}
	sd := StateDict{}
	for k, l := range layers {
		for name, t := range l.sd {
			sd[strings.TrimSuffix(name, "0")+fmt.Sprint(k)] = t
		}
		info.Nodes = append(info.Nodes, l.name)
	}
	H, M := layers[0].hidden, layers[0].inputs
	if len(layers) == 1 {
		cell, err = NewTorchCell(kind, H, M)
	} else {
		cell, err = NewStack(kind, H, M, len(layers))
	}
	if err != nil {
		return nil, err
	}
	if err := cell.LoadStateDict(sd); err != nil {
		return nil, err
	}
	if layers[0].resetBeforeLinear {
		setResetBeforeLinear(cell)
		info.Variant = "linear_before_reset=0"
	}
	info.Kind, info.Layers, info.Hidden, info.Inputs, info.StateSize = kind, len(layers), H, M, cell.StateSize()
	return cell, nil
}

// setResetBeforeLinear switches every GRU layer of cell to ONNX's
// linear_before_reset = 0.
func setResetBeforeLinear(cell TorchCell) {
	switch c := cell.(type) {
	case *GRU:
		c.ResetBeforeLinear = true
	case *Stack:
		for _, l := range c.layers {
			setResetBeforeLinear(l)
		}
	}
}

// onnxChain returns the recurrent nodes to read: the one named (and the
// nodes stacked after it), or the only stack of the graph.
func onnxChain(g *onnx.GraphProto, name string) ([]*onnx.NodeProto, error) {
	producer := map[string]*onnx.NodeProto{}
	var rec []*onnx.NodeProto
	var ops []string
	for _, n := range g.GetNode() {
		for _, out := range n.GetOutput() {
			producer[out] = n
		}
		switch n.GetOpType() {
		case "RNN", "GRU", "LSTM":
			rec = append(rec, n)
		default:
			if !slices.Contains(ops, n.GetOpType()) {
				ops = append(ops, n.GetOpType())
			}
		}
	}
	if len(rec) == 0 {
		return nil, fmt.Errorf("%w: the ONNX graph has no RNN, GRU or LSTM node (its operators: %s); "+
			"export the recurrent layer as one of these (torch.onnx.export does; tf2onnx does for the Keras GRU and LSTM layers it recognizes)",
			ErrUnsupported, strings.Join(ops, ", "))
	}
	// prev[n] is the recurrent node whose output Y feeds n's input X.
	prev := map[*onnx.NodeProto]*onnx.NodeProto{}
	next := map[*onnx.NodeProto]*onnx.NodeProto{}
	for _, n := range rec {
		if len(n.GetInput()) == 0 {
			continue
		}
		v := n.GetInput()[0]
		for steps := 0; steps < 64; steps++ {
			p, ok := producer[v]
			if !ok {
				break
			}
			if t := p.GetOpType(); t == "RNN" || t == "GRU" || t == "LSTM" {
				if len(p.GetOutput()) > 0 && p.GetOutput()[0] == v && next[p] == nil {
					prev[n], next[p] = p, n
				}
				break
			}
			if !passThrough[p.GetOpType()] || len(p.GetInput()) == 0 {
				break
			}
			v = p.GetInput()[0]
		}
	}
	names := make([]string, len(rec))
	for i, n := range rec {
		names[i] = fmt.Sprintf("%q (%s)", n.GetName(), n.GetOpType())
	}
	var start *onnx.NodeProto
	if name != "" {
		for _, n := range rec {
			if n.GetName() == name {
				start = n
			}
		}
		if start == nil {
			return nil, fmt.Errorf("%w: no recurrent node named %q (the graph's: %s)", ErrMissing, name, strings.Join(names, ", "))
		}
	} else {
		var heads []*onnx.NodeProto
		for _, n := range rec {
			if prev[n] == nil {
				heads = append(heads, n)
			}
		}
		if len(heads) != 1 {
			return nil, fmt.Errorf("cells: the ONNX graph has %d separate recurrent nodes or stacks (nodes %s): name the one to read with Node (-node)",
				len(heads), strings.Join(names, ", "))
		}
		start = heads[0]
	}
	var chain []*onnx.NodeProto
	for n := start; n != nil && len(chain) < len(rec); n = next[n] {
		chain = append(chain, n)
	}
	return chain, nil
}

// onnxConstants maps the names of initializers and Constant node outputs
// to their tensors.
func onnxConstants(g *onnx.GraphProto) map[string]*onnx.TensorProto {
	c := map[string]*onnx.TensorProto{}
	for _, t := range g.GetInitializer() {
		c[t.GetName()] = t
	}
	for _, n := range g.GetNode() {
		if n.GetOpType() != "Constant" || len(n.GetOutput()) == 0 {
			continue
		}
		for _, a := range n.GetAttribute() {
			if a.GetName() == "value" && a.GetT() != nil {
				c[n.GetOutput()[0]] = a.GetT()
			}
		}
	}
	return c
}

// onnxNode reads one RNN, GRU or LSTM node as a PyTorch layer, refusing by
// name what the cells have no counterpart for.
func onnxNode(n *onnx.NodeProto, consts map[string]*onnx.TensorProto) (onnxLayer, error) {
	op := n.GetOpType()
	l := onnxLayer{name: n.GetName(), kind: strings.ToLower(op)}
	where := fmt.Sprintf("ONNX %s node %q", op, n.GetName())
	acts := onnxActivations[op]
	hiddenSize := int64(-1) // the attribute, checked against R's shape
	for _, a := range n.GetAttribute() {
		switch a.GetName() {
		case "hidden_size":
			hiddenSize = a.GetI()
		case "layout":
		case "direction":
			if d := string(a.GetS()); d != "forward" {
				return l, fmt.Errorf("%w: %s: direction %q: only forward nodes are read; a %s node runs from the end of the sequence "+
					"to the start%s, so it has no forward-in-time dynamics to hold a fixed point", ErrUnsupported, where, d, d,
					map[bool]string{true: " in one of its directions"}[d == "bidirectional"])
			}
		case "linear_before_reset":
			if op == "GRU" && a.GetI() == 0 {
				l.resetBeforeLinear = true
			}
		case "activations":
			acts = nil
			for _, s := range a.GetStrings() {
				acts = append(acts, strings.ToLower(string(s)))
			}
		case "clip":
			return l, fmt.Errorf("%w: %s: attribute clip (cell clipping at %g) has no counterpart in the cells", ErrUnsupported, where, a.GetF())
		case "input_forget":
			if a.GetI() != 0 {
				return l, fmt.Errorf("%w: %s: attribute input_forget = 1 (coupled input and forget gates) has no counterpart in the cells", ErrUnsupported, where)
			}
		case "activation_alpha", "activation_beta":
			return l, fmt.Errorf("%w: %s: attribute %s (parameters of scaled or leaky activations) has no counterpart in the cells", ErrUnsupported, where, a.GetName())
		default:
			return l, fmt.Errorf("%w: %s: unknown attribute %s", ErrUnsupported, where, a.GetName())
		}
	}
	def := onnxActivations[op]
	switch {
	case op == "RNN" && slices.Equal(acts, []string{"relu"}):
		l.kind = "rnn_relu"
	case !slices.Equal(acts, def):
		return l, fmt.Errorf("%w: %s: activations %v: the cells have %v only%s", ErrUnsupported, where, acts, def,
			map[bool]string{true: " (or Relu)"}[op == "RNN"])
	}
	in := n.GetInput()
	input := func(i int) string {
		if i < len(in) {
			return in[i]
		}
		return ""
	}
	if op == "LSTM" && input(7) != "" {
		return l, fmt.Errorf("%w: %s: peephole weights (input P) have no counterpart in the cells", ErrUnsupported, where)
	}
	G := len(onnxGates[op])
	W, err := onnxWeight(consts, input(1), "W", where)
	if err != nil {
		return l, err
	}
	R, err := onnxWeight(consts, input(2), "R", where)
	if err != nil {
		return l, err
	}
	if len(W.Shape) != 3 || len(R.Shape) != 3 || W.Shape[0] != 1 || R.Shape[0] != 1 || R.Shape[1] != G*R.Shape[2] ||
		W.Shape[1] != R.Shape[1] || R.Shape[2] < 1 {
		return l, fmt.Errorf("%w: %s: W has shape %v and R %v, want [1 %d*H M] and [1 %d*H H]", ErrShape, where, W.Shape, R.Shape, G, G)
	}
	H, M := R.Shape[2], W.Shape[2]
	if hiddenSize >= 0 && hiddenSize != int64(H) {
		return l, fmt.Errorf("%w: %s: attribute hidden_size %d, but R has shape %s (hidden size %d)", ErrShape, where, hiddenSize, dims(R.Shape), H)
	}
	B := Tensor{Shape: []int{1, 2 * G * H}, Data: make([]float64, 2*G*H)}
	if input(3) != "" {
		if B, err = onnxWeight(consts, input(3), "B", where); err != nil {
			return l, err
		}
		if !slices.Equal(B.Shape, []int{1, 2 * G * H}) {
			return l, fmt.Errorf("%w: %s: B has shape %v, want [1 %d]", ErrShape, where, B.Shape, 2*G*H)
		}
	}
	l.hidden, l.inputs = H, M
	perm := onnxGates[op]
	wih := Tensor{Shape: []int{G * H, M}, Data: make([]float64, G*H*M)}
	whh := Tensor{Shape: []int{G * H, H}, Data: make([]float64, G*H*H)}
	bih := Tensor{Shape: []int{G * H}, Data: make([]float64, G*H)}
	bhh := Tensor{Shape: []int{G * H}, Data: make([]float64, G*H)}
	for g, og := range perm {
		copy(wih.Data[g*H*M:(g+1)*H*M], W.Data[og*H*M:(og+1)*H*M])
		copy(whh.Data[g*H*H:(g+1)*H*H], R.Data[og*H*H:(og+1)*H*H])
		copy(bih.Data[g*H:(g+1)*H], B.Data[og*H:(og+1)*H])
		copy(bhh.Data[g*H:(g+1)*H], B.Data[G*H+og*H:G*H+(og+1)*H])
	}
	l.sd = StateDict{"weight_ih_l0": wih, "weight_hh_l0": whh, "bias_ih_l0": bih, "bias_hh_l0": bhh}
	return l, nil
}

// onnxWeight returns the constant tensor named name as float64.
func onnxWeight(consts map[string]*onnx.TensorProto, name, what, where string) (Tensor, error) {
	if name == "" {
		return Tensor{}, fmt.Errorf("%w: %s has no input %s", ErrMissing, where, what)
	}
	tp, ok := consts[name]
	if !ok {
		return Tensor{}, fmt.Errorf("%w: %s: input %s (%q) is computed by the graph, not a constant: only constant weights are read", ErrUnsupported, where, what, name)
	}
	t, err := onnxTensor(tp)
	if err != nil {
		return Tensor{}, fmt.Errorf("%s: input %s (%q): %w", where, what, name, err)
	}
	if err := checkFiniteTensor(what, t); err != nil {
		return Tensor{}, fmt.Errorf("%s: %w", where, err)
	}
	return t, nil
}

// onnxTensor converts a float, double, float16 or bfloat16 TensorProto.
func onnxTensor(tp *onnx.TensorProto) (Tensor, error) {
	if tp.GetDataLocation() == onnx.TensorProto_EXTERNAL {
		return Tensor{}, fmt.Errorf("%w: the tensor's data is in an external file: export with the weights inside the model", ErrUnsupported)
	}
	shape := make([]int, len(tp.GetDims()))
	for i, d := range tp.GetDims() {
		if d < 0 || d > math.MaxInt32 {
			return Tensor{}, fmt.Errorf("%w: dimension %d", ErrFormat, d)
		}
		shape[i] = int(d)
	}
	n, ok := numElements(shape)
	if !ok {
		return Tensor{}, fmt.Errorf("%w: shape %v too large", ErrFormat, shape)
	}
	raw := tp.GetRawData()
	var data []float64
	switch dt := onnx.TensorProto_DataType(tp.GetDataType()); dt {
	case onnx.TensorProto_DOUBLE:
		if raw != nil {
			data = fromRaw(raw, 8, n, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
		} else {
			data = slices.Clone(tp.GetDoubleData())
		}
	case onnx.TensorProto_FLOAT:
		if raw != nil {
			data = fromRaw(raw, 4, n, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) })
		} else {
			data = widen(tp.GetFloatData())
		}
	case onnx.TensorProto_FLOAT16, onnx.TensorProto_BFLOAT16:
		conv := halfToFloat64
		if dt == onnx.TensorProto_BFLOAT16 {
			conv = bfloat16ToFloat64
		}
		if raw != nil {
			data = fromRaw(raw, 2, n, func(b []byte) float64 { return conv(binary.LittleEndian.Uint16(b)) })
		} else {
			for _, v := range tp.GetInt32Data() {
				data = append(data, conv(uint16(v)))
			}
		}
	default:
		return Tensor{}, fmt.Errorf("%w: data type %s (float, double, float16 and bfloat16 are read)", ErrDtype, dt)
	}
	if len(data) != n {
		return Tensor{}, fmt.Errorf("%w: %d values for shape %v", ErrTruncated, len(data), shape)
	}
	return Tensor{Shape: shape, Data: data}, nil
}

// fromRaw decodes n little-endian values of size bytes, or nil if raw does
// not hold exactly n.
func fromRaw(raw []byte, size, n int, conv func([]byte) float64) []float64 {
	if len(raw) != n*size {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = conv(raw[i*size:])
	}
	return out
}

// looksLikeONNX reports whether b starts as an ONNX ModelProto usually does:
// field 1 (ir_version, a varint) or field 8 (opset_import) first, and a
// graph (field 7) somewhere. It is a hint for choosing the reader; the ONNX
// decoder decides.
func looksLikeONNX(b []byte) bool {
	if len(b) < 4 || (b[0] != 0x08 && b[0] != 0x42) {
		return false
	}
	return b[0] == 0x08 && b[1] >= 1 && b[1] <= 20
}
