package graph

import (
	"reflect"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rnnfp/fixedpoints/internal/vmath"
)

// reuseOn lets a test compile machines with gorgonia's own engine.
var reuseOn = true

// maxReused bounds the outputs an engine keeps (one per tanh or negation
// of its program: a GRU step has three tanh; an objective of F^k k times
// as many, and the negations of its gradient).
const maxReused = 64

// reuseEngine is the tensor engine of one tape machine: gorgonia's, except
// that tanh and negation write into an output kept from the machine's
// previous run. gorgonia's unary ops (elemUnaryOp, with no UsePreallocDo)
// clone their input on every run and apply the function in place: a fresh B x k array each
// time, allocated, cleared and copied (11% of a GRU-128 Find's CPU with
// OpenBLAS, 6% without), where the other ops write into their kept
// registers (see rewind). The op's engine is its input's, which the machine
// sets to its own on every value it computes, so that the calls an engine
// sees, in a run, are its machine's unary ops in program order: the k-th
// call of a run gets output k of the previous run, of the same op. Within
// a run every call gets an output of its own, as with the clones. Inputs
// the machine was given (bound values) keep gorgonia's way: another
// machine's op could see this engine on a value bound to both.
// The values are math.Tanh's (through vmath.Tanh, with its bits) and -x, as gorgonia's
// (TestRewoundMachinesMatchFresh compares them bit for bit).
type reuseEngine struct {
	G.StandardEngine
	bound map[tensor.Tensor]bool // the graph's bound values
	outs  []*tensor.Dense        // output k of the last run
	next  int                    // calls in this run
}

// newReuseEngine returns the engine for a machine of graph g.
func newReuseEngine(g *G.ExprGraph) *reuseEngine {
	e := &reuseEngine{bound: map[tensor.Tensor]bool{}}
	for _, n := range g.AllNodes() {
		if t, ok := n.Value().(tensor.Tensor); ok {
			e.bound[t] = true
		}
	}
	return e
}

// Tanh is gorgonia's tanh (tensor.Tanher) into a kept output.
func (e *reuseEngine) Tanh(a tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	out := e.kept(a, opts)
	if out == nil {
		return e.StandardEngine.Tanh(a, opts...)
	}
	dst := out.Float64s()
	vmath.Tanh(dst, a.(*tensor.Dense).Float64s())
	return out, nil
}

// Neg is gorgonia's negation (tensor.Neger) into a kept output.
func (e *reuseEngine) Neg(a tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	out := e.kept(a, opts)
	if out == nil {
		return e.StandardEngine.Neg(a, opts...)
	}
	dst := out.Float64s()
	for i, x := range a.(*tensor.Dense).Float64s()[:len(dst)] {
		dst[i] = -x
	}
	return out, nil
}

// kept returns the output of this run's next call, of a's shape, or nil
// when the call is left to gorgonia's engine: options given (in place, or
// into a given output), not a contiguous float64 array of its own, a bound
// value, or more calls than maxReused.
func (e *reuseEngine) kept(a tensor.Tensor, opts []tensor.FuncOpt) *tensor.Dense {
	d, ok := a.(*tensor.Dense)
	if len(opts) != 0 || !ok || d.Dtype() != tensor.Float64 || d.RequiresIterator() || d.IsView() || e.bound[a] || e.next >= maxReused {
		return nil
	}
	k := e.next
	e.next++
	if k == len(e.outs) {
		e.outs = append(e.outs, nil)
	}
	out := e.outs[k]
	if out == nil || !out.Shape().Eq(d.Shape()) {
		out = tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(d.Shape().Clone()...), tensor.WithEngine(e))
		e.outs[k] = out
	}
	return out
}

// rewound readies the engine for the machine's next run.
func (e *reuseEngine) rewound() { e.next = 0 }

// withReuse is the option that gives a tape machine of g its reuseEngine.
func withReuse(g *G.ExprGraph) []G.VMOpt {
	if !reuseOn {
		return nil
	}
	return []G.VMOpt{G.WithEngine(newReuseEngine(g))}
}

// engineField is where a tape machine keeps its engine (the Engine of its
// embedded ExternMetadata), found once from the type t of a tape machine.
var (
	engineOnce  sync.Once
	engineIndex []int
)

func engineField(t reflect.Type) []int {
	engineOnce.Do(func() {
		if f, ok := t.Elem().FieldByName("Engine"); ok {
			engineIndex = f.Index
		}
	})
	return engineIndex
}

// engineOf is m's reuseEngine, nil when it has none.
func engineOf(m G.VM) *reuseEngine {
	m = tapeOf(m)
	v := reflect.ValueOf(m)
	if m == nil || !isTape(v.Type()) || v.IsNil() {
		return nil
	}
	idx := engineField(v.Type())
	if idx == nil {
		return nil
	}
	f := v.Elem().FieldByIndex(idx)
	if !f.CanInterface() {
		return nil
	}
	e, _ := f.Interface().(*reuseEngine)
	return e
}
