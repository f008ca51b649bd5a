package cells_test

import (
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// readONNX parses a torch-exported fixture.
func readONNX(t *testing.T, name string) *onnx.ModelProto {
	t.Helper()
	b, err := os.ReadFile(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	var m onnx.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// writeONNX writes m to a temporary .onnx file.
func writeONNX(t *testing.T, m *onnx.ModelProto) string {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "edited.onnx", b)
}

// recurrentNode returns the first RNN/GRU/LSTM node of m.
func recurrentNode(t *testing.T, m *onnx.ModelProto) *onnx.NodeProto {
	t.Helper()
	for _, n := range m.GetGraph().GetNode() {
		switch n.GetOpType() {
		case "RNN", "GRU", "LSTM":
			return n
		}
	}
	t.Fatal("no recurrent node")
	return nil
}

// Every ONNX feature the cells have no counterpart for is refused by name.
func TestONNXRefusals(t *testing.T) {
	for _, c := range []struct {
		file  string
		edit  func(n *onnx.NodeProto)
		parts []string
	}{
		{"lstm.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "clip", F: 3, Type: onnx.AttributeProto_FLOAT})
		}, []string{"clip", "no counterpart"}},
		{"gru.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "direction", S: []byte("bidirectional"), Type: onnx.AttributeProto_STRING})
		}, []string{`direction "bidirectional"`, "forward-in-time"}},
		{"rnn.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "direction", S: []byte("reverse"), Type: onnx.AttributeProto_STRING})
		}, []string{`direction "reverse"`}},
		{"lstm.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "input_forget", I: 1, Type: onnx.AttributeProto_INT})
		}, []string{"input_forget"}},
		{"gru.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "activations", Strings: [][]byte{[]byte("HardSigmoid"), []byte("Tanh")}, Type: onnx.AttributeProto_STRINGS})
		}, []string{"activations", "hardsigmoid"}},
		{"rnn.f64.onnx", func(n *onnx.NodeProto) {
			n.Attribute = append(n.Attribute, &onnx.AttributeProto{Name: "activation_alpha", Floats: []float32{0.1}, Type: onnx.AttributeProto_FLOATS})
		}, []string{"activation_alpha"}},
		{"lstm.f64.onnx", func(n *onnx.NodeProto) {
			for len(n.Input) < 8 {
				n.Input = append(n.Input, "")
			}
			n.Input[7] = "peepholes"
		}, []string{"peephole", "input P"}},
		{"gru.f64.onnx", func(n *onnx.NodeProto) { n.OpType = "Scan" }, []string{"no RNN, GRU or LSTM node", "read as one step", "is not translated"}},
	} {
		m := readONNX(t, c.file)
		c.edit(recurrentNode(t, m))
		if c.parts[0] == "no RNN, GRU or LSTM node" {
			for _, n := range m.GetGraph().GetNode() {
				if n.GetOpType() == "GRU" {
					n.OpType = "Scan"
				}
			}
		}
		p := writeONNX(t, m)
		_, _, err := cells.LoadModel(p, cells.Options{})
		t.Logf("%s: %v", c.file, err)
		wantErr(t, err, c.parts...)
		if !errors.Is(err, cells.ErrUnsupported) {
			t.Errorf("%s: %v does not wrap ErrUnsupported", c.file, err)
		}
	}
}

// Two separate GRUs: refused without a node name, read with one, each
// equal to its torch module; an unknown name lists the graph's nodes.
func TestONNXNodeChoice(t *testing.T) {
	path := fixturePath("two_grus.onnx")
	_, _, err := cells.LoadModel(path, cells.Options{})
	wantErr(t, err, "2 separate recurrent", "/enc/GRU", "/aux/GRU", "-node")
	for _, c := range []struct{ node, ref string }{{"/enc/GRU", "two_grus.enc.ref.npz"}, {"/aux/GRU", "two_grus.aux.ref.npz"}} {
		cell, info, err := cells.LoadModel(path, cells.Options{Node: c.node})
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Nodes) != 1 || info.Nodes[0] != c.node || info.Layers != 1 {
			t.Errorf("%s: info %+v", c.node, info)
		}
		compareRun(t, cell, readRun(t, c.ref), graph.Float64, 1e-12)
	}
	_, _, err = cells.LoadModel(path, cells.Options{Node: "/dec/GRU"})
	wantErr(t, err, `no recurrent node named "/dec/GRU"`, "/enc/GRU")
	_, _, err = cells.LoadModel(fixturePath("gru.f64.onnx"), cells.Options{Kind: "lstm"})
	wantErr(t, err, "is gru", `"lstm"`)
}

// The stacked GRU nodes of a 2-layer export are one cell; naming the
// second node reads it alone (a GRU whose input is layer 0's h).
func TestONNXStack(t *testing.T) {
	path := fixturePath("gru2.f64.onnx")
	cell, info, err := cells.LoadModel(path, cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Layers != 2 || len(info.Nodes) != 2 || cell.StateSize() != 2*fixHidden {
		t.Fatalf("info %+v", info)
	}
	both, infoBoth, err := cells.LoadModel(path, cells.Options{Node: info.Nodes[0]})
	if err != nil || infoBoth.Layers != 2 || both.StateSize() != 2*fixHidden {
		t.Errorf("naming the first node: %v, %+v; want the 2-layer stack", err, infoBoth)
	}
	one, info1, err := cells.LoadModel(path, cells.Options{Node: info.Nodes[1]})
	if err != nil {
		t.Fatal(err)
	}
	if info1.Layers != 1 || one.InputSize() != fixHidden {
		t.Errorf("second node alone: %+v", info1)
	}
	// Its weights are layer 1's of the torch.save file of the same module.
	pt, _, err := cells.LoadModel(fixturePath("gru2.f64.pt"), cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := pt.StateDict()
	for name, tt := range one.StateDict() {
		w := want[strings.TrimSuffix(name, "0")+"1"]
		if maxAbsDiff(tt.Data, w.Data) != 0 {
			t.Errorf("%s differs from the torch.save file's layer 1", name)
		}
	}
}

// ONNX's GRU with linear_before_reset = 0 (no torch export makes one: the
// attribute is set on the exported node) steps as the ONNX operator's
// equations say, checked against a plain-Go evaluation of them:
//
//	z = sigmoid(W_z u + Wb_z + R_z h + Rb_z),  r likewise,
//	n = tanh(W_h u + Wb_h + R_h (r * h) + Rb_h),  h' = (1 - z) n + z h.
func TestONNXLinearBeforeReset0(t *testing.T) {
	m := readONNX(t, "gru.f64.onnx")
	n := recurrentNode(t, m)
	found := false
	for _, a := range n.Attribute {
		if a.Name == "linear_before_reset" {
			if a.I != 1 {
				t.Fatalf("torch exported linear_before_reset = %d, want 1", a.I)
			}
			a.I, found = 0, true
		}
	}
	if !found {
		t.Fatal("no linear_before_reset attribute in the torch export")
	}
	cell, info, err := cells.LoadModel(writeONNX(t, m), cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Variant != "linear_before_reset=0" || !strings.Contains(info.String(), "linear_before_reset=0") {
		t.Errorf("info %+v does not say linear_before_reset=0", info)
	}
	// The ONNX weights, straight from the initializers (gate order z, r, h).
	consts := map[string][]float64{}
	for _, tp := range m.GetGraph().GetInitializer() {
		consts[tp.GetName()] = float64s(t, tp)
	}
	W, R, B := consts[n.Input[1]], consts[n.Input[2]], consts[n.Input[3]]
	const H, M = fixHidden, fixInputs
	step := func(h, u []float64) []float64 {
		row := func(w []float64, g, k, cols int, v []float64) float64 {
			s := 0.0
			for j := 0; j < cols; j++ {
				s += w[(g*H+k)*cols+j] * v[j]
			}
			return s
		}
		sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
		z, r := make([]float64, H), make([]float64, H)
		for k := 0; k < H; k++ {
			z[k] = sig(row(W, 0, k, M, u) + B[k] + row(R, 0, k, H, h) + B[3*H+k])
			r[k] = sig(row(W, 1, k, M, u) + B[H+k] + row(R, 1, k, H, h) + B[4*H+k])
		}
		rh := make([]float64, H)
		for k := range rh {
			rh[k] = r[k] * h[k]
		}
		out := make([]float64, H)
		for k := 0; k < H; k++ {
			nk := math.Tanh(row(W, 2, k, M, u) + B[2*H+k] + row(R, 2, k, H, rh) + B[5*H+k])
			out[k] = (1-z[k])*nk + z[k]*h[k]
		}
		return out
	}
	run := readRun(t, "gru.f64.ref.npz")
	got, err := graph.Simulate(context.Background(), cell, run.x0.Data, run.inputs.Data, run.trials, run.steps, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	d := 0.0
	for b := 0; b < run.trials; b++ {
		h := run.x0.Data[b*H : (b+1)*H]
		for s := 0; s < run.steps; s++ {
			h = step(h, run.inputs.Data[(b*run.steps+s)*M:(b*run.steps+s+1)*M])
			d = math.Max(d, maxAbsDiff(h, got[(b*run.steps+s)*H:(b*run.steps+s+1)*H]))
		}
	}
	t.Logf("max |ours - ONNX equations| = %.3g", d)
	if d > 1e-12 {
		t.Errorf("linear_before_reset=0 cell differs from the ONNX equations by %g", d)
	}
	// And it is not the PyTorch form: the two differ on these weights.
	if d0 := maxAbsDiff(got, run.states.Data); d0 < 1e-6 {
		t.Errorf("linear_before_reset=0 gives torch's trajectory (diff %g): the flag had no effect", d0)
	}
}

// float64s decodes a float or double initializer (raw or typed data).
func float64s(t *testing.T, tp *onnx.TensorProto) []float64 {
	t.Helper()
	var out []float64
	raw := tp.GetRawData()
	switch onnx.TensorProto_DataType(tp.GetDataType()) {
	case onnx.TensorProto_DOUBLE:
		if raw == nil {
			return tp.GetDoubleData()
		}
		for i := 0; i+8 <= len(raw); i += 8 {
			var u uint64
			for k := 7; k >= 0; k-- {
				u = u<<8 | uint64(raw[i+k])
			}
			out = append(out, math.Float64frombits(u))
		}
	case onnx.TensorProto_FLOAT:
		if raw == nil {
			for _, v := range tp.GetFloatData() {
				out = append(out, float64(v))
			}
			return out
		}
		for i := 0; i+4 <= len(raw); i += 4 {
			u := uint32(raw[i]) | uint32(raw[i+1])<<8 | uint32(raw[i+2])<<16 | uint32(raw[i+3])<<24
			out = append(out, float64(math.Float32frombits(u)))
		}
	}
	return out
}
