package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// SetInputs with the inputs already set keeps the drives computed for them;
// new inputs (all rows, or one broadcast row) are computed again: F after
// any sequence of SetInputs is a fresh objective's F at the last inputs,
// bit for bit.
func TestObjectiveSetInputsSequence(t *testing.T) {
	const B = 4
	c := benchCell("gru", 5)
	N, M := c.StateSize(), c.InputSize()
	r := rand.New(rand.NewPCG(8, 9))
	x := torchref.RandVec(r, B*N)
	u1, u2, row := torchref.RandVec(r, B*M), torchref.RandVec(r, B*M), torchref.RandVec(r, M)
	fresh := func(u []float64) []float64 {
		o, err := NewObjective(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.SetStates(x); err != nil {
			t.Fatal(err)
		}
		if err := o.SetInputs(u); err != nil {
			t.Fatal(err)
		}
		if err := o.Eval(); err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), o.F()...)
	}
	o, err := NewObjective(c, B, Float64)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetStates(x); err != nil {
		t.Fatal(err)
	}
	for i, u := range [][]float64{u1, u1, u2, u2, row, u1, row, row} {
		if err := o.SetInputs(u); err != nil {
			t.Fatal(err)
		}
		if err := o.Eval(); err != nil {
			t.Fatal(err)
		}
		want := fresh(u)
		for k, v := range o.F() {
			if math.Float64bits(v) != math.Float64bits(want[k]) {
				t.Fatalf("set %d: F[%d] = %v, a fresh objective gives %v", i, k, v, want[k])
			}
		}
	}
}
