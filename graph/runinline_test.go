package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// The machines built here run inline (runInline takes them), and what they
// compute inline is what gorgonia's RunAll computes on its own goroutine,
// bit for bit, for every kind of cell: stepper, objective and Jacobians.
func TestRunInlineMatchesRunAll(t *testing.T) {
	const B = 8
	for name, c := range rewindTestCells(t) {
		N, M := c.StateSize(), c.InputSize()
		r := rand.New(rand.NewPCG(3, 4))
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		eval := func(inline bool) []float64 {
			runInlineOn = inline
			defer func() { runInlineOn = true }()
			st, err := NewStepper(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st.ms {
				if _, ok := inlineable(m); !ok && inline {
					t.Fatalf("%s: runInline does not take the stepper's machine", name)
				}
			}
			out := make([]float64, B*N)
			if err := st.Step(x, u, out); err != nil {
				t.Fatal(err)
			}
			jac, err := NewJacobians(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			jx := make([]float64, B*N*N)
			if err := jac.Eval(x, u, jx, nil); err != nil {
				t.Fatal(err)
			}
			ob, err := NewObjective(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			if err := ob.SetStates(x); err != nil {
				t.Fatal(err)
			}
			if err := ob.SetInputs(u); err != nil {
				t.Fatal(err)
			}
			if err := ob.Eval(); err != nil {
				t.Fatal(err)
			}
			out = append(out, jx...)
			out = append(out, ob.F()...)
			out = append(out, ob.Q()...)
			out = append(out, ob.Grad()...)
			return out
		}
		a, b := eval(true), eval(false)
		if len(a) != len(b) {
			t.Fatalf("%s: %d values inline, %d by RunAll", name, len(a), len(b))
		}
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%s: value %d is %v inline, %v by RunAll", name, i, a[i], b[i])
			}
		}
	}
}
