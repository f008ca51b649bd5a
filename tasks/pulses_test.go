package tasks_test

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/tasks"
)

// A vanilla RNN with W_ih = I and every other weight zero has
// h_t = tanh(u_t): the states are tanh of the pulses, which are +-1 at the
// first step and on about P of the later steps, and 0 elsewhere.
func TestPulsesSimulate(t *testing.T) {
	c := cells.NewVanilla(3, 3, cells.Tanh)
	w := c.Params()[0] // w_ih_h_T, M x H
	for k := 0; k < 3; k++ {
		w.Set(k, k, 1)
	}
	r, err := tasks.Pulses{Trials: 20, Time: 50}.Simulate(context.Background(), c, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r.Trials != 20 || r.Time != 50 || r.N != 3 || r.M != 3 || len(r.States) != 20*50*3 || len(r.Inputs) != 20*50*3 {
		t.Fatalf("run %d x %d, N %d, M %d, %d states", r.Trials, r.Time, r.N, r.M, len(r.States))
	}
	pulses := 0
	for i, u := range r.Inputs {
		if u != 0 && u != 1 && u != -1 {
			t.Fatalf("input %v, want 0 or +-1", u)
		}
		if math.Abs(r.States[i]-math.Tanh(u)) > 1e-15 {
			t.Fatalf("state %d = %v, want tanh(%v)", i, r.States[i], u)
		}
		if t0 := (i / 3) % 50; t0 == 0 && u == 0 {
			t.Fatalf("no pulse at the first step (entry %d)", i)
		}
		if u != 0 {
			pulses++
		}
	}
	if f := float64(pulses) / float64(len(r.Inputs)); f < 0.45 || f > 0.6 {
		t.Errorf("pulse fraction %.3f, want about 0.5 (+ the first steps)", f)
	}
	if rows := r.TrialInputs(1, 2); len(rows) != 50 || len(rows[0]) != 2 || rows[0][0] != r.Inputs[150] {
		t.Errorf("TrialInputs(1, 2): %d rows of %d", len(rows), len(rows[0]))
	}
	// An autonomous cell starts from states in [-1, 1].
	a, err := tasks.Pulses{Trials: 4, Time: 2}.Simulate(context.Background(), cells.NewGRU(2, 0), 1)
	if err != nil || a.M != 0 || a.Inputs != nil || len(a.States) != 16 {
		t.Fatalf("autonomous: %v, %+v", err, a)
	}
}
