package tasks

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

func TestScoreHandMade(t *testing.T) {
	out := []float64{0.9, -0.2, 0.1, 0.5, -1}
	tg := []float64{1, 1, -1, 0, -1}
	m, err := Score(out, tg)
	if err != nil {
		t.Fatal(err)
	}
	// squares: 0.01 + 1.44 + 1.21 + 0.25 + 0 = 2.91 over 5; the target 0 is
	// left out of the sign count: 2 of 4 right.
	if math.Abs(m.MSE-2.91/5) > 1e-15 || m.SignAccuracy != 0.5 {
		t.Errorf("Score = %+v, want MSE 0.582 and accuracy 0.5", m)
	}
}

// Outputs and targets of different lengths are an error, not a panic.
func TestScoreLengths(t *testing.T) {
	for _, c := range [][2][]float64{{{1, 2}, {1}}, {{1}, {1, 2}}, {nil, {1}}} {
		if _, err := Score(c[0], c[1]); !errors.Is(err, cells.ErrShape) {
			t.Errorf("Score(%v, %v): error %v, want cells.ErrShape", c[0], c[1], err)
		}
	}
	if m, err := Score(nil, nil); err != nil || m.MSE != 0 {
		t.Errorf("Score(nil, nil) = %+v, %v", m, err)
	}
}

func TestNewModel(t *testing.T) {
	a, err := NewModel(cells.NewLSTM(6, 2), 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewModel(cells.NewLSTM(6, 2), 3, 7)
	if a.Readout.Inputs != 6 || a.Readout.Outputs != 3 || len(a.Readout.Weight) != 18 {
		t.Fatalf("LSTM readout %d x %d, want 3 x 6 (h only)", a.Readout.Outputs, a.Readout.Inputs)
	}
	if !equalBits(a.Readout.Weight, b.Readout.Weight) || !equalBits(a.Cell.Params()[5].Data, b.Cell.Params()[5].Data) {
		t.Error("the same seed gave different weights")
	}
	k := 1 / math.Sqrt(6)
	for _, v := range append(append([]float64(nil), a.Readout.Weight...), a.Readout.Bias...) {
		if math.Abs(v) > k || v == 0 {
			t.Fatalf("readout weight %v outside (-1/sqrt(6), 1/sqrt(6)) or zero", v)
		}
	}
	for _, p := range a.Cell.Params() {
		for _, v := range p.Data {
			if math.Abs(v) > k || v == 0 {
				t.Fatalf("cell weight %s = %v not initialised as PyTorch", p.Name, v)
			}
		}
	}
	if g, _ := NewModel(cells.NewGRU(5, 1), 1, 1); g.Readout.Inputs != 5 {
		t.Errorf("GRU readout reads %d columns, want 5", g.Readout.Inputs)
	}
	if _, err := NewModel(nil, 3, 1); err == nil {
		t.Error("nil cell: no error")
	}
}

// Run's outputs are the readout of Run's states, and the states follow the
// cell from the initial state.
func TestRunReadsTheHiddenState(t *testing.T) {
	m, _ := NewModel(cells.NewLSTM(4, 3), 3, 2)
	m.Initial = []float64{0.1, -0.2, 0.3, 0, 0.5, 0.1, -0.4, 0.2}
	b, _ := FlipFlop{Time: 5}.Generate(3, 1)
	states, out, err := m.Run(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 3*5*8 || len(out) != 3*5*3 {
		t.Fatalf("%d states and %d outputs", len(states), len(out))
	}
	ro := m.Readout
	for k := 0; k < 15; k++ {
		for o := 0; o < 3; o++ {
			want := ro.Bias[o]
			for j := 0; j < 4; j++ {
				want += ro.Weight[o*4+j] * states[k*8+j]
			}
			if math.Abs(out[k*3+o]-want) > 1e-15 {
				t.Fatalf("output %d,%d = %v, want %v", k, o, out[k*3+o], want)
			}
		}
	}
	// A different initial state changes the first step.
	m2 := *m
	m2.Initial = nil
	s2, _, _ := m2.Run(context.Background(), b)
	if s2[0] == states[0] {
		t.Error("the initial state had no effect")
	}
	bad := b
	bad.InputSize = 2
	if _, _, err := m.Run(context.Background(), bad); err == nil {
		t.Error("batch of the wrong input size: no error")
	}
}
