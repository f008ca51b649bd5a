package cells

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/rnnfp/fixedpoints/internal/onnxstep"
	G "gorgonia.org/gorgonia"
)

// ONNXStep is any one-step function exported to ONNX, F(u, h): a graph
// with the input and the state as inputs and the next state as output,
// translated operator by operator into gorgonia nodes (see
// onnxstep.Supported; anything else is refused by name). This is how a
// custom PyTorch module (torch.onnx.export of its step), a Keras cell
// (tf2onnx) or a JAX function (jax2onnx) arrives.
//
// Its weights are the graph's initializers, constants of the graph built;
// Params is empty.
type ONNXStep struct {
	step *onnxstep.Step
}

// StateSize is N, the state input's size.
func (c *ONNXStep) StateSize() int { return c.step.N }

// Hidden is N.
func (c *ONNXStep) Hidden() int { return c.step.N }

// InputSize is M, the input's size (0 for a graph without one).
func (c *ONNXStep) InputSize() int { return c.step.M }

// Params is empty: the weights are constants of the graph.
func (c *ONNXStep) Params() []*Param { return nil }

// Kind is "ONNX step".
func (c *ONNXStep) Kind() string { return "ONNX step" }

// StateInput names the graph input bound to the state.
func (c *ONNXStep) StateInput() string { return c.step.State }

// Input names the graph input bound to the input ("" without one).
func (c *ONNXStep) Input() string { return c.step.Input }

// Step builds F for a batch by translating the graph.
func (c *ONNXStep) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if err := checkStep(c, x, u, p); err != nil {
		return nil, err
	}
	f, err := c.step.Build(x, u)
	if err != nil {
		return nil, fmt.Errorf("cells: ONNX step: %w", err)
	}
	return f, nil
}

// StateDict returns the float initializers by name.
func (c *ONNXStep) StateDict() StateDict {
	sd := StateDict{}
	for name, k := range c.step.Inits() {
		if !k.Int {
			sd[name] = Tensor{Shape: slices.Clone(k.Shape), Data: slices.Clone(k.Data)}
		}
	}
	return sd
}

// LoadStateDict sets float initializers of the same names and shapes;
// on error the cell is unchanged.
func (c *ONNXStep) LoadStateDict(sd StateDict) error {
	inits := c.step.Inits()
	for _, name := range sd.Names() {
		k, ok := inits[name]
		if !ok || k.Int {
			return fmt.Errorf("cells: ONNX step: %w: no float initializer %q", ErrMissing, name)
		}
		if t := sd[name]; !slices.Equal(t.Shape, k.Shape) || len(t.Data) != len(k.Data) {
			return fmt.Errorf("cells: ONNX step: %w: %q has shape %v, want %v", ErrShape, name, t.Shape, k.Shape)
		}
		if err := checkFiniteTensor(name, sd[name]); err != nil {
			return fmt.Errorf("cells: ONNX step: %w", err)
		}
	}
	for name, t := range sd {
		copy(inits[name].Data, t.Data)
	}
	return nil
}

// loadONNXStep reads a graph without recurrent nodes as one step.
func loadONNXStep(g *onnx.GraphProto, o Options, info *ModelInfo) (TorchCell, error) {
	if o.Kind != "" {
		return nil, fmt.Errorf("cells: the ONNX graph is a step function (no RNN, GRU or LSTM node): it takes no cell kind (%q given)", o.Kind)
	}
	s, err := onnxstep.New(g, onnxConst, o.StateInput)
	if err != nil {
		return nil, fmt.Errorf("%w: ONNX step: the graph has no RNN, GRU or LSTM node and is read as one step F(u, h) "+
			"(export a cell's step: torch.onnx.export(cell, (u, h), \"step.onnx\", input_names=[\"input\", \"hidden\"])): %v", ErrUnsupported, err)
	}
	c := &ONNXStep{step: s}
	// Build once on a one-row batch, so that shape errors show now.
	gr := G.NewGraph()
	x := G.NewMatrix(gr, G.Float64, G.WithShape(1, s.N), G.WithName("x"))
	var u *G.Node
	if s.M > 0 {
		u = G.NewMatrix(gr, G.Float64, G.WithShape(1, s.M), G.WithName("u"))
	}
	if _, err := c.Step(x, u, nil); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, strings.TrimPrefix(err.Error(), "cells: "))
	}
	info.Kind, info.Layers, info.Hidden, info.Inputs, info.StateSize = "onnx_step", 1, s.N, s.M, s.N
	dtype := "float64"
	if s.Float32 {
		dtype = "float32, run in float64"
	}
	var ops []string
	for _, n := range g.GetNode() {
		if !slices.Contains(ops, n.GetOpType()) {
			ops = append(ops, n.GetOpType())
		}
	}
	sort.Strings(ops)
	info.Variant = fmt.Sprintf("state %q, input %q, output %q; %s; %d nodes: %s", s.State, s.Input, s.Out, dtype, len(g.GetNode()), strings.Join(ops, " "))
	return c, nil
}

// onnxConst decodes an initializer or Constant value: float types as
// onnxTensor does, int64, int32 and bool exactly.
func onnxConst(tp *onnx.TensorProto) (onnxstep.Const, error) {
	dt := onnx.TensorProto_DataType(tp.GetDataType())
	switch dt {
	case onnx.TensorProto_INT64, onnx.TensorProto_INT32, onnx.TensorProto_BOOL:
	default:
		t, err := onnxTensor(tp)
		if err != nil {
			return onnxstep.Const{}, err
		}
		if err := checkFiniteTensor(tp.GetName(), t); err != nil {
			return onnxstep.Const{}, err
		}
		return onnxstep.Const{Shape: t.Shape, Data: t.Data}, nil
	}
	shape := make([]int, len(tp.GetDims()))
	for i, d := range tp.GetDims() {
		if d < 0 || d > 1<<31 {
			return onnxstep.Const{}, fmt.Errorf("%w: dimension %d", ErrFormat, d)
		}
		shape[i] = int(d)
	}
	n, ok := numElements(shape)
	if !ok || n > 1<<26 {
		return onnxstep.Const{}, fmt.Errorf("%w: integer tensor of shape %v too large", ErrFormat, shape)
	}
	raw := tp.GetRawData()
	var data []float64
	switch {
	case dt == onnx.TensorProto_INT64 && raw != nil:
		data = fromRaw(raw, 8, n, func(b []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(b))) })
	case dt == onnx.TensorProto_INT64:
		for _, v := range tp.GetInt64Data() {
			data = append(data, float64(v))
		}
	case dt == onnx.TensorProto_INT32 && raw != nil:
		data = fromRaw(raw, 4, n, func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) })
	case dt == onnx.TensorProto_BOOL && raw != nil:
		data = fromRaw(raw, 1, n, func(b []byte) float64 { return float64(b[0] & 1) })
	default:
		for _, v := range tp.GetInt32Data() {
			data = append(data, float64(v))
		}
	}
	if len(data) != n {
		return onnxstep.Const{}, fmt.Errorf("%w: %d values for shape %v", ErrTruncated, len(data), shape)
	}
	return onnxstep.Const{Shape: shape, Data: data, Int: true}, nil
}
