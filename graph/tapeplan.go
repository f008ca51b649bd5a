package graph

import (
	"fmt"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rnnfp/fixedpoints/internal/vmath"
)

// A tapePlan runs a tape machine's program without gorgonia's per-op
// bookkeeping. gorgonia's execOp.exec, for every op of every run, builds
// its inputs' slice anew, moves the result to the heap (a closure of the
// dual-value path captures it), boxes the output register for a log call
// and looks the node up in the graph's map: three allocations and a map
// lookup an op, a third of the CPU of a small (8-row) LSTM objective run.
// The plan reads the program once, after the machine's first run (by
// gorgonia's own loop), and then does what that loop does for each
// instruction, on a machine with no logger, no NaN/Inf/pointer watch, no
// trace and no dual values (it is not made otherwise):
//
//   - execOp: the same choice among UsePreallocDo, Do and UnsafeDo as
//     gorgonia's exec, with the same registers, then gorgonia's setEngine
//     and Node.bind (linknamed: the value is the one gorgonia would bind);
//     an addition, subtraction or product of two contiguous float64 arrays
//     of one shape into the kept register is a loop (elementwise), where
//     gorgonia's tensor.Add and the like check, wrap options and allocate
//     on every call (a quarter of what remained of a small LSTM run);
//   - loadArg: the argument node's value into its register;
//   - alloc: nothing, when its register holds a value of its dtype and
//     shape (as after every run: the programs here keep their registers);
//   - readInstr: G.Copy into the value read into before;
//   - flushInstr: the machine's DoWork; free (CPU) and letInstr: nothing.
//
// When an instruction finds its state otherwise (an empty register, an
// argument with no value, a read with nothing to copy into), the plan
// hands the rest of the run, from that instruction, to gorgonia's loop
// (tapeRunall runs from the machine's program counter). Dependence on
// gorgonia 0.9.18's internals: the field names and types read by newPlan
// (tapeMachine: p, cpumem, pc, runFlags, logFlags, logger, closureQueue;
// program: instructions, g; and the instructions' fields) and the two
// linknamed functions; newPlan returns nil (gorgonia's loop runs) when a
// field is missing or of another type. TestPlanMatchesGorgonia compares
// every program built here, run many times, bit for bit.
type tapePlan struct {
	mp    unsafe.Pointer // the *tapeMachine
	reuse *reuseEngine   // its engine, nil when it has none
	mem   *[]G.Value     // its cpumem
	pc    *int
	queue *[]func() error
	eng   tensor.Engine
	flush interface{ DoWork() error }
	steps []planStep
}

type planKind uint8

const (
	kNop planKind = iota
	kExec
	kLoad
	kAlloc
	kRead
	kFlush
)

type planStep struct {
	kind planKind
	// kExec
	op                      G.Op
	pd                      G.UsePreallocDoer // op's, nil if none
	ud                      G.UnsafeDoer      // op's, nil if none
	in                      []int
	args                    []G.Value // scratch: the inputs of a run
	preAllocated, useUnsafe bool
	arith                   byte // '+', '-' or '*': an elementwise op of two tensors (see arithOf)
	// kExec, kLoad: the node; kExec, kLoad, kAlloc, kRead: a register
	node *G.Node
	out  int
	// kAlloc
	dt    tensor.Dtype
	shape tensor.Shape
	// kRead
	into *G.Value
}

//go:linkname gorgoniaSetEngine gorgonia.org/gorgonia.setEngine
func gorgoniaSetEngine(v G.Value, e tensor.Engine)

//go:linkname gorgoniaBind gorgonia.org/gorgonia.(*Node).bind
func gorgoniaBind(n *G.Node, v G.Value) error

// planOn lets a test run the machines by gorgonia's loop only.
var planOn = true

// tape machine flag bits (gorgonia vm.go): runFlags watchNaN, watchInf,
// trace (spare2) and bindDV (spare3); logFlags watchPointer.
const (
	runFlagsOff = 1<<2 | 1<<3 | 1<<6 | 1<<7
	logFlagsOff = 1 << 4
)

// field is v's field name, settable, or the zero Value when v has none.
func field(v reflect.Value, name string) reflect.Value {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanAddr() {
		return reflect.Value{}
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// addressable is an addressable copy of v.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// register is the id of the register value r (gorgonia's register
// {id int; device Device}), ok when it is a CPU register.
func register(r reflect.Value) (id int, ok bool) {
	if r.Kind() != reflect.Struct {
		return 0, false
	}
	idf, dev := r.FieldByName("id"), r.FieldByName("device")
	if !idf.IsValid() || idf.Kind() != reflect.Int || !dev.IsValid() || dev.Kind() != reflect.Int || dev.Int() != int64(G.CPU) {
		return 0, false
	}
	return int(idf.Int()), true
}

// newPlan reads m's program into a plan, nil when m is not a tape machine
// as described at tapePlan or its program holds an instruction the plan
// does not run. m must have run once (its registers hold their values).
func newPlan(m G.VM) (p *tapePlan) {
	defer func() {
		if recover() != nil {
			p = nil
		}
	}()
	mv := reflect.ValueOf(m)
	if m == nil || !isTape(mv.Type()) || mv.IsNil() {
		return nil
	}
	v := mv.Elem()
	rf, lf, lg := field(v, "runFlags"), field(v, "logFlags"), field(v, "logger")
	if rf.Kind() != reflect.Uint16 || rf.Uint()&runFlagsOff != 0 || lf.Kind() != reflect.Uint16 || lf.Uint()&logFlagsOff != 0 ||
		lg.Kind() != reflect.Pointer || !lg.IsNil() {
		return nil
	}
	memf, pcf, qf, eng := field(v, "cpumem"), field(v, "pc"), field(v, "closureQueue"), field(v, "Engine")
	if memf.Type() != reflect.TypeOf([]G.Value(nil)) || pcf.Kind() != reflect.Int || qf.Type() != reflect.TypeOf([]func() error(nil)) ||
		eng.Type() != reflect.TypeOf((*tensor.Engine)(nil)).Elem() {
		return nil
	}
	flush, ok := m.(interface{ DoWork() error })
	if !ok {
		return nil
	}
	p = &tapePlan{mp: mv.UnsafePointer(), reuse: engineOf(m), mem: memf.Addr().Interface().(*[]G.Value), pc: pcf.Addr().Interface().(*int),
		queue: qf.Addr().Interface().(*[]func() error), eng: eng.Interface().(tensor.Engine), flush: flush}
	mem := *p.mem
	prog := field(v, "p")
	if prog.Kind() != reflect.Pointer || prog.IsNil() {
		return nil
	}
	instrs, gf := field(prog.Elem(), "instructions"), field(prog.Elem(), "g")
	g, ok := gf.Interface().(*G.ExprGraph)
	if instrs.Kind() != reflect.Slice || !ok || g == nil {
		return nil
	}
	inMem := func(id int, ok bool) bool { return ok && id >= 0 && id < len(mem) }
	for i := 0; i < instrs.Len(); i++ {
		iv := instrs.Index(i)
		if iv.Kind() != reflect.Interface || iv.IsNil() {
			return nil
		}
		c := iv.Elem()
		var s planStep
		switch c.Type().String() {
		case "*gorgonia.execOp":
			e := c.Elem()
			op, _ := field(e, "op").Interface().(G.Op)
			id, ok := register(field(e, "writeTo"))
			node, isNode := g.Node(field(e, "id").Int()).(*G.Node)
			if op == nil || !inMem(id, ok) || !isNode || node == nil {
				return nil
			}
			s = planStep{kind: kExec, op: op, node: node, out: id,
				preAllocated: field(e, "preAllocated").Bool(), useUnsafe: field(e, "useUnsafe").Bool()}
			s.pd, _ = op.(G.UsePreallocDoer)
			s.arith = arithOf(op)
			s.ud, _ = op.(G.UnsafeDoer)
			rs := field(e, "readFrom")
			for j := 0; j < rs.Len(); j++ {
				r, ok := register(rs.Index(j))
				if !inMem(r, ok) {
					return nil
				}
				s.in = append(s.in, r)
			}
			s.args = make([]G.Value, len(s.in))
		case "gorgonia.loadArg":
			e := addressable(c)
			id, ok := register(field(e, "writeTo"))
			node, isNode := g.Node(field(e, "index").Int()).(*G.Node)
			if !inMem(id, ok) || !isNode || node == nil || !node.IsVar() {
				return nil
			}
			s = planStep{kind: kLoad, node: node, out: id}
		case "gorgonia.alloc":
			e := addressable(c)
			id, ok := register(field(e, "writeTo"))
			shape, isShape := field(e, "s").Interface().(tensor.Shape)
			if !inMem(id, ok) || !isShape || mem[id] == nil || !mem[id].Shape().Eq(shape) {
				return nil
			}
			s = planStep{kind: kAlloc, out: id, dt: mem[id].Dtype(), shape: shape.Clone()}
		case "*gorgonia.readInstr":
			e := c.Elem()
			id, ok := register(field(e, "readFrom"))
			into, isPtr := field(e, "into").Interface().(*G.Value)
			if !inMem(id, ok) || !isPtr || into == nil {
				return nil
			}
			s = planStep{kind: kRead, out: id, into: into}
		case "gorgonia.flushInstr":
			s.kind = kFlush
		case "gorgonia.free":
			if _, ok := register(field(addressable(c), "readsFrom")); !ok {
				return nil
			}
		case "gorgonia.letInstr":
		default:
			return nil
		}
		p.steps = append(p.steps, s)
	}
	return p
}

// run runs the program once from its start, as gorgonia's loop would.
func (p *tapePlan) run() error {
	mem := *p.mem
	for i := range p.steps {
		s := &p.steps[i]
		switch s.kind {
		case kExec:
			if err := s.exec(mem, p.eng); err != nil {
				*p.pc = i
				return fmt.Errorf("PC %d: failed to execute %v: %w", i, s.op, err)
			}
		case kLoad:
			v := s.node.Value()
			if v == nil {
				return p.handOver(i)
			}
			mem[s.out] = v
		case kAlloc:
			if v := mem[s.out]; v == nil || v.Dtype() != s.dt || !v.Shape().Eq(s.shape) {
				return p.handOver(i)
			}
		case kRead:
			v := mem[s.out]
			if v == nil || *s.into == nil {
				return p.handOver(i)
			}
			if _, err := G.Copy(*s.into, v); err != nil {
				*p.pc = i
				return err
			}
		case kFlush:
			if err := p.flush.DoWork(); err != nil {
				*p.pc = i
				return err
			}
		}
	}
	*p.pc = len(p.steps)
	return nil
}

// handOver runs the program from instruction i to its end by gorgonia's loop.
func (p *tapePlan) handOver(i int) error {
	*p.pc = i
	errc, done := make(chan error, 1), make(chan struct{}, 1)
	tapeRunall(p.mp, errc, done)
	select {
	case err := <-errc:
		return err
	default:
	}
	if len(*p.queue) != 0 {
		return errQueuedClosures
	}
	return nil
}

// exec is gorgonia's execOp.exec (vm_tape_nocuda.go) for a machine with no
// trace and no dual values, without its logging.
func (s *planStep) exec(mem []G.Value, eng tensor.Engine) (err error) {
	args := s.args
	for j, r := range s.in {
		args[j] = mem[r]
	}
	defer clear(args)
	p := mem[s.out]
	var v G.Value
	switch {
	case s.arith != 0 && p != nil && s.pd != nil && elementwise(s.arith, p, args):
		v = p
	case s.preAllocated:
		if s.pd != nil {
			v, err = s.pd.UsePreallocDo(p, args...)
		} else {
			v, err = s.op.Do(args...)
		}
	case p != nil:
		if s.pd != nil {
			if v, err = s.pd.UsePreallocDo(p, args...); err != nil {
				v, err = s.op.Do(args...)
			}
		} else {
			v, err = s.op.Do(args...)
		}
	case s.useUnsafe && s.ud != nil:
		v, err = s.ud.UnsafeDo(args...)
	default:
		v, err = s.op.Do(args...)
	}
	if err != nil {
		return err
	}
	gorgoniaSetEngine(v, eng)
	mem[s.out] = v
	_ = gorgoniaBind(s.node, v) // gorgonia ignores it too
	return nil
}

// rewind readies the machine and its engine for the next run.
func (p *tapePlan) rewind() {
	if p.reuse != nil {
		p.reuse.rewound()
	}
	*p.pc = 0
}

// arithOf is '+', '-' or '*' when op is gorgonia's elementwise addition,
// subtraction or multiplication of two tensors (an elemBinOp holding a
// tBinOp of addOpType, subOpType or mulOpType), 0 otherwise.
func arithOf(op G.Op) byte {
	v := reflect.ValueOf(op)
	if v.Type().String() != "gorgonia.elemBinOp" {
		return 0
	}
	b := field(addressable(v), "ʘBinaryOperator")
	if b.Kind() != reflect.Interface || b.IsNil() || b.Elem().Type().String() != "gorgonia.tBinOp" {
		return 0
	}
	t := field(addressable(b.Elem()), "ʘBinaryOperatorType")
	if !t.IsValid() || t.Kind() != reflect.Uint8 {
		return 0
	}
	switch t.Uint() { // gorgonia's addOpType, subOpType, mulOpType
	case 0:
		return '+'
	case 1:
		return '-'
	case 2:
		return '*'
	}
	return 0
}

// elementwise computes args[0] op args[1] into p, as the op's
// UsePreallocDo does (tensor.Add, Sub or Mul with WithReuse(p): one
// rounding an element, in any order, so the same bits; vmath.Add, Sub and
// Mul do 4 at once), when all three are contiguous float64 arrays of one
// shape, and reports whether it did.
// Otherwise it leaves p alone and the op runs by gorgonia.
func elementwise(op byte, p G.Value, args []G.Value) bool {
	if len(args) != 2 {
		return false
	}
	out, ok0 := p.(*tensor.Dense)
	a, ok1 := args[0].(*tensor.Dense)
	b, ok2 := args[1].(*tensor.Dense)
	if !ok0 || !ok1 || !ok2 || !plainF64(out) || !plainF64(a) || !plainF64(b) ||
		!a.Shape().Eq(b.Shape()) || !a.Shape().Eq(out.Shape()) {
		return false
	}
	x, y, z := a.Float64s(), b.Float64s(), out.Float64s()
	n := a.Shape().TotalSize()
	if len(x) < n || len(y) < n || len(z) < n {
		return false
	}
	x, y, z = x[:n], y[:n], z[:n]
	switch op { // Go's loops' bits, 4 values at once
	case '+':
		vmath.Add(z, x, y)
	case '-':
		vmath.Sub(z, x, y)
	case '*':
		vmath.Mul(z, x, y)
	default:
		return false
	}
	return true
}

// plainF64 reports whether t is a contiguous float64 array of its own.
func plainF64(t *tensor.Dense) bool {
	return t.Dtype() == tensor.Float64 && !t.IsView() && !t.RequiresIterator() && !t.IsMaterializable()
}
