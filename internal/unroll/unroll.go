package unroll

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Graph is the training graph of a cell with a linear readout, unrolled
// over T steps for a minibatch of B sequences:
//
//	x_0 = 0, or a learned 1 x N row shared by the batch,
//	x_t = F(x_{t-1}, u_t),
//	y_t = x_t[:, :R] W + b          (W is R x O, b is 1 x O),
//	loss = mean over (t, b, o) of (y_t - target_t)^2.
//
// The graph is built once; its weights are input nodes bound to buffers that
// are refreshed from the Params' Data before every run, so the caller owns
// the weights and the optimizer (LossGrad reads the gradients; nothing is
// accumulated inside gorgonia between runs). Two programs are compiled from
// the one graph: loss and gradients, and loss and outputs without the
// backward pass.
//
// An Graph belongs to one goroutine.
type Graph struct {
	cell       cells.Cell
	dtype      graph.Dtype
	B, T, N, M int
	O, R       int

	params  []*cells.Param // learnable, in the order of Grads
	paramT  []*tensor.Dense
	inputT  []*tensor.Dense // per step, B x M
	targetT *tensor.Dense   // T*B x O, time-major
	inBuf   []float64       // B x M scratch
	tgtBuf  []float64       // T*B x O scratch

	train, fwd  G.VM
	lossV, outV G.Value
	fwdLossV    G.Value
	gradV       []G.Value
	outBuf      []float64 // T*B x O, time-major
	Grads       [][]float64
	haveSeqs    bool
}

// Config gives the shape of an unrolled training graph.
type Config struct {
	Batch, Steps int
	Dtype        graph.Dtype
}

// New builds and compiles the unrolled graph of cell with the readout
// weights w (R x O, R <= N: the readout sees the first R state columns) and
// bias b (1 x O). x0 is the learned initial state (1 x N) or nil for a zero
// initial state. The learnable parameters are the cell's non-empty Params,
// then w, b and x0; Params lists them in that order.
func New(cell cells.Cell, w, b, x0 *cells.Param, cfg Config) (u *Graph, err error) {
	if cell == nil {
		return nil, fmt.Errorf("unroll: nil cell")
	}
	B, T := cfg.Batch, cfg.Steps
	N, M := cell.StateSize(), cell.InputSize()
	if B <= 0 || T <= 0 {
		return nil, fmt.Errorf("unroll: batch %d of %d steps, want both > 0", B, T)
	}
	if N <= 0 || M <= 0 {
		return nil, fmt.Errorf("unroll: cell has state size %d and input size %d, want both > 0", N, M)
	}
	if w == nil || b == nil {
		return nil, fmt.Errorf("unroll: readout weight and bias are required")
	}
	if w.Rows <= 0 || w.Rows > N || w.Cols <= 0 || len(w.Data) != w.Rows*w.Cols {
		return nil, fmt.Errorf("unroll: readout weight %s is %d x %d with %d values, want R x O with 0 < R <= %d", w.Name, w.Rows, w.Cols, len(w.Data), N)
	}
	if b.Rows != 1 || b.Cols != w.Cols || len(b.Data) != w.Cols {
		return nil, fmt.Errorf("unroll: readout bias %s is %d x %d, want 1 x %d", b.Name, b.Rows, b.Cols, w.Cols)
	}
	if x0 != nil && (x0.Rows != 1 || x0.Cols != N || len(x0.Data) != N) {
		return nil, fmt.Errorf("unroll: initial state %s is %d x %d, want 1 x %d", x0.Name, x0.Rows, x0.Cols, N)
	}
	if err := cells.CheckFinite(cell); err != nil {
		return nil, fmt.Errorf("unroll: %w", err)
	}
	d := cfg.Dtype
	u = &Graph{cell: cell, dtype: d, B: B, T: T, N: N, M: M, O: w.Cols, R: w.Rows}
	if err := u.build(w, b, x0); err != nil {
		return nil, err
	}
	u.inBuf = make([]float64, B*M)
	u.tgtBuf = make([]float64, T*B*u.O)
	u.outBuf = make([]float64, T*B*u.O)
	u.Grads = make([][]float64, len(u.params))
	for i, p := range u.params {
		u.Grads[i] = make([]float64, len(p.Data))
	}
	return u, nil
}

func (u *Graph) build(w, b, x0 *cells.Param) (err error) {
	defer recoverErr("build unrolled graph", &err)
	g := G.NewGraph()
	d, dt := u.dtype, tensorDtype(u.dtype)
	B, T, N, M, O, R := u.B, u.T, u.N, u.M, u.O, u.R

	var cellNodes, learn G.Nodes
	bind := func(p *cells.Param, name string) *G.Node {
		v := newDense(d, p.Rows, p.Cols, p.Data)
		n := G.NewMatrix(g, dt, G.WithShape(p.Rows, p.Cols), G.WithName(name), G.WithValue(v))
		u.params = append(u.params, p)
		u.paramT = append(u.paramT, v)
		learn = append(learn, n)
		return n
	}
	for i, p := range u.cell.Params() {
		if p.Rows*p.Cols == 0 {
			cellNodes = append(cellNodes, nil)
			continue
		}
		cellNodes = append(cellNodes, bind(p, fmt.Sprintf("param%d_%s", i, p.Name)))
	}
	wN := bind(w, "readout_w")
	bN := bind(b, "readout_b")

	// The zero state doubles as the base that a learned x0 row is broadcast onto.
	zeros := G.NewMatrix(g, dt, G.WithShape(B, N), G.WithName("X0_zeros"), G.WithValue(newDense(d, B, N, nil)))
	x := zeros
	if x0 != nil {
		x0N := bind(x0, "x0")
		x = G.Must(G.BroadcastAdd(zeros, x0N, nil, []byte{0}))
	}
	inputs := G.Nodes{zeros}
	states := make(G.Nodes, T)
	for t := 0; t < T; t++ {
		ut := newDense(d, B, M, nil)
		un := G.NewMatrix(g, dt, G.WithShape(B, M), G.WithName(fmt.Sprintf("U_%d", t)), G.WithValue(ut))
		u.inputT = append(u.inputT, ut)
		inputs = append(inputs, un)
		if x, err = u.cell.Step(x, un, cellNodes); err != nil {
			return fmt.Errorf("unroll: step %d: %w", t, err)
		}
		if sh := x.Shape(); len(sh) != 2 || sh[0] != B || sh[1] != N {
			return fmt.Errorf("unroll: cell step returned shape %v, want (%d, %d)", sh, B, N)
		}
		states[t] = x
	}
	// One readout over all steps at once: T*B rows, time-major.
	all := G.Must(G.ApplyOp(stackOp{n: T, rows: B, cols: N, take: R}, states...))
	y := G.Must(G.BroadcastAdd(G.Must(G.Mul(all, wN)), bN, nil, []byte{0}))
	u.targetT = newDense(d, T*B, O, nil)
	target := G.NewMatrix(g, dt, G.WithShape(T*B, O), G.WithName("targets"), G.WithValue(u.targetT))
	inputs = append(inputs, target)
	loss := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(y, target))))))

	grads, err := G.Grad(loss, learn...)
	if err != nil {
		return fmt.Errorf("unroll: gradient: %w", err)
	}
	inputs = append(inputs, learn...)
	u.gradV = make([]G.Value, len(grads))
	outs := G.Nodes{G.Read(loss, &u.lossV)}
	for i, gr := range grads {
		outs = append(outs, G.Read(gr, &u.gradV[i]))
	}
	if u.train, err = compileMachine(g, inputs, outs); err != nil {
		return err
	}
	if u.fwd, err = compileMachine(g, inputs, G.Nodes{G.Read(loss, &u.fwdLossV), G.Read(y, &u.outV)}); err != nil {
		return err
	}
	return nil
}

func compileMachine(g *G.ExprGraph, inputs, outputs G.Nodes) (G.VM, error) {
	prog, locMap, err := G.CompileFunction(g, inputs, outputs)
	if err != nil {
		return nil, fmt.Errorf("unroll: compile: %w", err)
	}
	return G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap)), nil
}

// Batch is B, the trials per run.
func (u *Graph) Batch() int { return u.B }

// Steps is T, the time steps unrolled.
func (u *Graph) Steps() int { return u.T }

// Outputs is O, the readout's outputs.
func (u *Graph) Outputs() int { return u.O }

// Params lists the learnable parameters in the order of Grads. Their Data is
// read before every run: update it in place to change the weights.
func (u *Graph) Params() []*cells.Param { return u.params }

// SetSequences sets the minibatch: inputs are B x T x M and targets
// B x T x O, row-major (trial, time, channel).
func (u *Graph) SetSequences(inputs, targets []float64) error {
	B, T, M, O := u.B, u.T, u.M, u.O
	if len(inputs) != B*T*M {
		return fmt.Errorf("unroll: %d input values, want %d trials x %d steps x %d inputs", len(inputs), B, T, M)
	}
	if len(targets) != B*T*O {
		return fmt.Errorf("unroll: %d target values, want %d trials x %d steps x %d outputs", len(targets), B, T, O)
	}
	for t := 0; t < T; t++ {
		for b := 0; b < B; b++ {
			copy(u.inBuf[b*M:(b+1)*M], inputs[(b*T+t)*M:])
			copy(u.tgtBuf[(t*B+b)*O:(t*B+b+1)*O], targets[(b*T+t)*O:])
		}
		copyIn(u.inputT[t], u.inBuf)
	}
	copyIn(u.targetT, u.tgtBuf)
	u.haveSeqs = true
	return nil
}

func (u *Graph) load() error {
	if !u.haveSeqs {
		return fmt.Errorf("unroll: no sequences set")
	}
	for i, p := range u.params {
		if len(p.Data) != p.Rows*p.Cols {
			return fmt.Errorf("unroll: param %s has %d values, want %d x %d", p.Name, len(p.Data), p.Rows, p.Cols)
		}
		copyIn(u.paramT[i], p.Data)
	}
	return nil
}

// LossGrad runs the loss and its gradients at the Params' current values
// and returns the loss; the gradients are in Grads.
func (u *Graph) LossGrad() (float64, error) {
	if err := u.load(); err != nil {
		return 0, err
	}
	if err := run(u.train); err != nil {
		return 0, err
	}
	for i, v := range u.gradV {
		if err := copyOut(u.Grads[i], v); err != nil {
			return 0, fmt.Errorf("unroll: gradient of %s: %w", u.params[i].Name, err)
		}
	}
	return scalar(u.lossV)
}

// Forward runs the loss without gradients and, when outputs is not nil,
// writes the readout B x T x O (trial, time, output) into it.
func (u *Graph) Forward(outputs []float64) (float64, error) {
	if outputs != nil && len(outputs) != u.B*u.T*u.O {
		return 0, fmt.Errorf("unroll: output buffer has %d values, want %d x %d x %d", len(outputs), u.B, u.T, u.O)
	}
	if err := u.load(); err != nil {
		return 0, err
	}
	if err := run(u.fwd); err != nil {
		return 0, err
	}
	if outputs != nil {
		if err := copyOut(u.outBuf, u.outV); err != nil {
			return 0, err
		}
		B, T, O := u.B, u.T, u.O
		for t := 0; t < T; t++ {
			for b := 0; b < B; b++ {
				copy(outputs[(b*T+t)*O:(b*T+t+1)*O], u.outBuf[(t*B+b)*O:])
			}
		}
	}
	return scalar(u.fwdLossV)
}

func scalar(v G.Value) (float64, error) {
	out := []float64{0}
	if v == nil {
		return 0, fmt.Errorf("unroll: loss was not computed")
	}
	if err := copyOut(out, v); err != nil {
		return 0, err
	}
	return out[0], nil
}
