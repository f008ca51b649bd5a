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

// StatesInto writes what States returns, in float64 and float32, and
// refuses a buffer of another length.
func TestObjectiveStatesInto(t *testing.T) {
	const B = 3
	c := benchCell("lstm", 2)
	N := c.StateSize()
	x := torchref.RandVec(rand.New(rand.NewPCG(1, 2)), B*N)
	for _, d := range []Dtype{Float64, Float32} {
		o, err := NewObjective(c, B, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.SetStates(x); err != nil {
			t.Fatal(err)
		}
		got := make([]float64, B*N)
		if err := o.StatesInto(got); err != nil {
			t.Fatal(err)
		}
		want := o.States()
		for k := range want {
			if math.Float64bits(got[k]) != math.Float64bits(want[k]) || (d == Float64 && got[k] != x[k]) {
				t.Fatalf("%v: state %d = %v, States gives %v (set %v)", d, k, got[k], want[k], x[k])
			}
		}
		if err := o.StatesInto(make([]float64, B*N-1)); err == nil {
			t.Errorf("%v: a buffer one value short was taken", d)
		}
	}
}
