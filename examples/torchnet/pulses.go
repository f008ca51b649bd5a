package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// The trajectories simulated when the user gives none: as many trials and
// steps as the flip-flop example, pulses as the flip-flop task.
const (
	pulseTrials = 128
	pulseSteps  = 64
	pulseP      = 0.5

	// maxTrialChannels bounds the input channels drawn in the report's
	// example trial (one grid each).
	maxTrialChannels = 8
)

// pulseRun is a cell's trajectories under random pulses.
type pulseRun struct {
	inputs []float64 // Trials x Time x M
	M      int
	traj   finder.Trajectories
}

// simulatePulses runs cell from the zero state (PyTorch's default h0) over
// trials of steps steps in which each input channel receives a pulse of +1
// or -1 with probability pulseP per step, and one at the first step:
// tasks.FlipFlop's inputs with one bit per input channel. An autonomous
// cell (no inputs) starts instead from states drawn uniformly in [-1, 1].
func simulatePulses(ctx context.Context, cell cells.Cell, trials, steps int, seed uint64) (*pulseRun, error) {
	N, M := cell.StateSize(), cell.InputSize()
	var in, x0 []float64
	if M > 0 {
		b, err := tasks.FlipFlop{Bits: M, Time: steps, P: pulseP}.Generate(trials, seed)
		if err != nil {
			return nil, fmt.Errorf("pulses: %w", err)
		}
		in = b.Inputs
	} else {
		r := rand.New(rand.NewPCG(seed, 0x70a1))
		x0 = make([]float64, trials*N)
		for i := range x0 {
			x0[i] = 2*r.Float64() - 1
		}
	}
	states, err := graph.Simulate(ctx, cell, x0, in, trials, steps, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("simulate under pulses: %w", err)
	}
	return &pulseRun{inputs: in, M: M,
		traj: finder.Trajectories{States: states, Trials: trials, Time: steps, N: N}}, nil
}

// trial returns the inputs of trial i for the report (at most
// maxTrialChannels channels), or nil for an autonomous cell.
func (p *pulseRun) trial(i int) *viz.Trial {
	if p.M == 0 {
		return nil
	}
	T, M := p.traj.Time, p.M
	c := min(M, maxTrialChannels)
	tr := &viz.Trial{}
	for t := range T {
		off := (i*T + t) * M
		tr.Inputs = append(tr.Inputs, p.inputs[off:off+c])
	}
	for k := range c {
		tr.Channels = append(tr.Channels, fmt.Sprintf("input %d", k+1))
	}
	return tr
}
