package tasks

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// Pulses drives a cell with random pulses to visit the states it reaches
// in use, for sampling initial states when no recorded trajectories are at
// hand: each input channel receives a pulse of +1 or -1 with probability P
// per step and one at the first step (FlipFlop's inputs, one bit per input
// channel), from the zero state (PyTorch's default h0). An autonomous cell
// (no inputs) starts instead from states drawn uniformly in [-1, 1].
//
// A zero field takes the default in its comment.
type Pulses struct {
	Trials int     // 128
	Time   int     // 64 steps per trial
	P      float64 // 0.5
}

// PulseRun is a cell's trajectories under Pulses.
type PulseRun struct {
	Trials, Time int
	N, M         int
	Inputs       []float64 // Trials x Time x M, row-major (nil when M = 0)
	States       []float64 // Trials x Time x N: the state after each step
}

func (p Pulses) withDefaults() Pulses {
	if p.Trials == 0 {
		p.Trials = 128
	}
	if p.Time == 0 {
		p.Time = 64
	}
	if p.P == 0 {
		p.P = 0.5
	}
	return p
}

// Simulate runs cell under pulses drawn from seed, in float64.
func (p Pulses) Simulate(ctx context.Context, cell cells.Cell, seed uint64) (*PulseRun, error) {
	p = p.withDefaults()
	if p.Trials < 0 || p.Time < 0 {
		return nil, fmt.Errorf("tasks: pulses: %d trials of %d steps, want > 0", p.Trials, p.Time)
	}
	N, M := cell.StateSize(), cell.InputSize()
	var in, x0 []float64
	if M > 0 {
		b, err := FlipFlop{Bits: M, Time: p.Time, P: p.P}.Generate(p.Trials, seed)
		if err != nil {
			return nil, fmt.Errorf("tasks: pulses: %w", err)
		}
		in = b.Inputs
	} else {
		r := rand.New(rand.NewPCG(seed, 0x70a1))
		x0 = make([]float64, p.Trials*N)
		for i := range x0 {
			x0[i] = 2*r.Float64() - 1
		}
	}
	states, err := graph.Simulate(ctx, cell, x0, in, p.Trials, p.Time, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("tasks: simulate under pulses: %w", err)
	}
	return &PulseRun{Trials: p.Trials, Time: p.Time, N: N, M: M, Inputs: in, States: states}, nil
}

// TrialInputs returns the inputs of trial i, one row per step, each row
// holding at most maxChannels channels (all when maxChannels <= 0); nil
// for an autonomous cell or an i out of range.
func (r *PulseRun) TrialInputs(i, maxChannels int) [][]float64 {
	if r.M == 0 || i < 0 || i >= r.Trials {
		return nil
	}
	c := r.M
	if maxChannels > 0 {
		c = min(c, maxChannels)
	}
	rows := make([][]float64, r.Time)
	for t := range rows {
		off := (i*r.Time + t) * r.M
		rows[t] = r.Inputs[off : off+c]
	}
	return rows
}
