package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rewindTestCells are the kinds whose programs differ: torchref's four,
// a GRU with the reset before the product, a two-layer LSTM stack and a
// tanh CTRNN of each form.
func rewindTestCells(t *testing.T) map[string]cells.Cell {
	cs := map[string]cells.Cell{}
	for k, c := range torchref.Cells() {
		cs[k] = c
	}
	g := cells.NewGRU(5, 3)
	g.InitUniform(5)
	g.ResetBeforeLinear = true
	cs["gru-reset-before"] = g
	st, err := cells.NewStack("lstm", 4, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(6, 6))
	for _, p := range st.Params() {
		for k := range p.Data {
			p.Data[k] = r.Float64() - 0.5
		}
	}
	cs["lstm-stack"] = st
	for _, form := range []cells.CTRNNForm{cells.FormRate, cells.FormPost, cells.FormVoltage} {
		c, err := cells.NewCTRNN(6, 2, 0.2, form, cells.ActTanh)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.Params() {
			for k := range p.Data {
				p.Data[k] = r.Float64() - 0.5
			}
		}
		cs[fmt.Sprintf("ctrnn-%v", form)] = c
	}
	return cs
}

// A machine run again after rewind (its registers kept, and its tanh
// outputs: reuseEngine) computes what a freshly compiled one with
// gorgonia's own engine does, bit for bit: every kind of program graph
// builds (objective of F and of F^3, in float64 and float32, stepper,
// closed-form and seeded Jacobians, products), every kind of cell, one row block and several,
// run on states A, then B, then A again.
func TestRewoundMachinesMatchFresh(t *testing.T) {
	type prog struct {
		name string
		// build compiles a new program for B rows; eval runs it at x, u
		// and returns copies of every output.
		build func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error)
	}
	cp := func(v []float64) []float64 { return append([]float64(nil), v...) }
	objective := func(k int, d Dtype) func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
		return func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
			o, err := NewObjectiveSteps(c, B, k, d)
			if err != nil {
				return nil, err
			}
			return func(x, u []float64) [][]float64 {
				if err := o.SetInputs(u); err != nil {
					t.Fatal(err)
				}
				if err := o.SetStates(x); err != nil {
					t.Fatal(err)
				}
				if err := o.Eval(); err != nil {
					t.Fatal(err)
				}
				return [][]float64{cp(o.F()), cp(o.Q()), cp(o.Grad())}
			}, nil
		}
	}
	jacobians := func(seeded bool) func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
		return func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
			var j *Jacobians
			var err error
			if seeded {
				j, err = NewJacobiansLanes(c, B, DefaultLanes(B, c.StateSize()), Float64)
			} else {
				j, err = NewJacobians(c, B, Float64)
			}
			if err != nil {
				return nil, err
			}
			N, M := c.StateSize(), c.InputSize()
			return func(x, u []float64) [][]float64 {
				jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
				if err := j.Eval(x, u, jx, ju); err != nil {
					t.Fatal(err)
				}
				return [][]float64{jx, ju, cp(j.F())}
			}, nil
		}
	}
	progs := []prog{
		{"objective", objective(1, Float64)},
		{"objective-F3", objective(3, Float64)},
		{"objective-float32", objective(1, Float32)},
		{"stepper", func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
			st, err := NewStepper(c, B, Float64)
			if err != nil {
				return nil, err
			}
			return func(x, u []float64) [][]float64 {
				out := make([]float64, len(x))
				if err := st.Step(x, u, out); err != nil {
					t.Fatal(err)
				}
				return [][]float64{out}
			}, nil
		}},
		{"jacobians", jacobians(false)},
		{"jacobians-seeded", jacobians(true)},
		{"jvp", func(c cells.Cell, B int) (func(x, u []float64) [][]float64, error) {
			jv, err := NewJVP(c, B, true, Float64)
			if err != nil {
				return nil, err
			}
			return func(x, u []float64) [][]float64 {
				v := make([]float64, len(x))
				for i := range v {
					v[i] = x[(i*7)%len(x)] // a direction that differs with x
				}
				out := make([]float64, len(x))
				if err := jv.Apply(B, x, u, v, nil, out); err != nil {
					t.Fatal(err)
				}
				return [][]float64{out}
			}, nil
		}},
	}
	for name, c := range rewindTestCells(t) {
		N, M := c.StateSize(), c.InputSize()
		for _, B := range []int{3, 9000 / N} { // one row block, then two
			r := rand.New(rand.NewPCG(21, uint64(B)))
			xa, ua := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
			xb, ub := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
			for i := range xb {
				xb[i] *= 3 // saturate other units than A does
			}
			for _, p := range progs {
				again, err := p.build(c, B)
				if err != nil {
					t.Fatalf("%s %s: %v", name, p.name, err)
				}
				for run, in := range [][2][]float64{{xa, ua}, {xb, ub}, {xa, ua}} {
					// Fresh, with gorgonia's own engine (no kept tanh
					// outputs: reuseEngine).
					reuseOn = false
					fresh, err := p.build(c, B)
					reuseOn = true
					if err != nil {
						t.Fatal(err)
					}
					want := fresh(in[0], in[1])
					got := again(in[0], in[1])
					for k := range want {
						for i := range want[k] {
							if got[k][i] != want[k][i] && !(got[k][i] != got[k][i] && want[k][i] != want[k][i]) {
								t.Fatalf("%s %s B=%d run %d: output %d[%d] = %v, a fresh machine gives %v", name, p.name, B, run+1, k, i, got[k][i], want[k][i])
							}
						}
					}
				}
			}
		}
	}
}

// The rewind finds the tape machine's program counter: without it every
// run would Reset and reallocate.
func TestRewindFindsProgramCounter(t *testing.T) {
	g := G.NewGraph()
	x := G.NewScalar(g, G.Float64, G.WithName("x"), G.WithValue(2.0))
	m := G.NewTapeMachine(g)
	defer m.Close()
	_ = x
	if pcOf(m) == nil {
		t.Fatal("no program counter found in gorgonia's tape machine")
	}
}

// The machines built here keep their tanh outputs between runs: a GRU
// stepper's engine hands out the same arrays on its second run, and
// allocates less than gorgonia's engine does.
func TestReuseEngineKeepsOutputs(t *testing.T) {
	c := cells.NewGRU(32, 3)
	c.InitUniform(1)
	B, N := 64, c.StateSize()
	r := rand.New(rand.NewPCG(3, 3))
	x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*3)
	out := make([]float64, B*N)
	allocs := func(on bool) (float64, *Stepper) {
		reuseOn = on
		defer func() { reuseOn = true }()
		st, err := NewStepper(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(5, func() {
			if err := st.Step(x, u, out); err != nil {
				t.Fatal(err)
			}
		}), st
	}
	a0, _ := allocs(false)
	a1, st := allocs(true)
	e := engineOf(st.ms[0])
	if e == nil || len(e.outs) == 0 {
		t.Fatalf("the stepper's machine has no reuseEngine with kept outputs: %v", e)
	}
	first := append([]*tensor.Dense(nil), e.outs...)
	if err := st.Step(x, u, out); err != nil {
		t.Fatal(err)
	}
	for k := range first {
		if e.outs[k] != first[k] {
			t.Errorf("tanh output %d replaced on a later run", k)
		}
	}
	if e.next != 0 {
		t.Errorf("engine not rewound: %d calls pending", e.next)
	}
	if a1 >= a0 {
		t.Errorf("%v allocations a step with kept tanh outputs, %v without", a1, a0)
	}
	t.Logf("%d tanh outputs kept; allocations a step %v -> %v", len(first), a0, a1)
}
