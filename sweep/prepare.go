package sweep

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/memlimit"
	"github.com/rnnfp/fixedpoints/tasks"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// problem is what a job searches: a cell, its initial states and the inputs
// under which each search runs.
type problem struct {
	cell   cells.Cell
	info   cells.ModelInfo
	inits  []float64   // B x N
	inputs [][]float64 // K inputs of M values
}

// prepare loads the job's cell and builds its initial states and inputs.
//
// limit bounds the memory of sampled initial states (memlimit.Limit).
func prepare(ctx context.Context, j *Job, limit uint64) (*problem, error) {
	cell, info, err := cells.LoadModel(j.Weights, j.Options())
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	N, M := cell.StateSize(), cell.InputSize()
	inputs, err := jobInputs(j, M)
	if err != nil {
		return nil, err
	}
	inits, err := jobInits(ctx, j, cell, limit)
	if err != nil {
		return nil, err
	}
	if err := graph.CheckFinite("inits", inits, N); err != nil {
		return nil, err
	}
	return &problem{cell: cell, info: info, inits: inits, inputs: inputs}, nil
}

// jobInputs returns the job's inputs: its rows, the rows of its .npy file,
// or one zero input.
func jobInputs(j *Job, M int) ([][]float64, error) {
	rows := j.Inputs.Rows
	if j.Inputs.File != "" {
		t, err := cells.ReadNPY(j.Inputs.File)
		if err != nil {
			return nil, fmt.Errorf("inputs: %w", err)
		}
		switch {
		case len(t.Shape) == 1 && t.Shape[0] == M:
			rows = [][]float64{t.Data}
		case len(t.Shape) == 2 && t.Shape[0] >= 1 && t.Shape[1] == M:
			for k := range t.Shape[0] {
				rows = append(rows, t.Data[k*M:(k+1)*M])
			}
		default:
			return nil, fmt.Errorf("inputs %s: array of shape %v, want K x %d (the cell has %s)", j.Inputs.File, t.Shape, M, plural.Of(M, "input"))
		}
	}
	if rows == nil {
		return [][]float64{make([]float64, M)}, nil
	}
	for k, r := range rows {
		if len(r) != M {
			return nil, fmt.Errorf("inputs: input %d has %d values, want %d (the cell has %s)", k, len(r), M, plural.Of(M, "input"))
		}
		if err := graph.CheckFinite(fmt.Sprintf("inputs: input %d", k), r, M); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// jobInits returns the job's initial states, B x N.
func jobInits(ctx context.Context, j *Job, cell cells.Cell, limit uint64) ([]float64, error) {
	N := cell.StateSize()
	switch {
	case j.Inits.File != "":
		t, err := cells.ReadNPY(j.Inits.File)
		if err != nil {
			return nil, fmt.Errorf("inits: %w", err)
		}
		if !(len(t.Shape) == 1 && t.Shape[0] == N) && !(len(t.Shape) == 2 && t.Shape[0] >= 1 && t.Shape[1] == N) {
			return nil, fmt.Errorf("inits %s: array of shape %v, want B x %d (the cell's state size)", j.Inits.File, t.Shape, N)
		}
		return t.Data, nil
	case j.Inits.States != nil:
		x := make([]float64, 0, len(j.Inits.States)*N)
		for b, s := range j.Inits.States {
			if len(s) != N {
				return nil, fmt.Errorf("inits: state %d has %d values, want %d (the cell's state size)", b, len(s), N)
			}
			x = append(x, s...)
		}
		return x, nil
	}
	var s Sample
	if j.Inits.Sample != nil {
		s = *j.Inits.Sample
	}
	return sampleInits(ctx, s, cell, j.Seed, limit)
}

// sampleInits draws initial states as s says.
func sampleInits(ctx context.Context, s Sample, cell cells.Cell, seed uint64, limit uint64) ([]float64, error) {
	n, noise := s.N, DefaultSampleNoise
	if n == 0 {
		n = DefaultSampleN
	}
	if s.Noise != nil {
		noise = *s.Noise
	}
	need := finder.MemoryNeed(cell.StateSize(), cell.InputSize(), n, finder.Settings{})
	if err := memlimit.Check(need, limit, fmt.Sprintf("%d initial states of %d values", n, cell.StateSize()), `"inits": {"n": ...} (or raise -max-memory)`); err != nil {
		return nil, fmt.Errorf("inits: %w", err)
	}
	var traj finder.Trajectories
	if s.Trajectories != "" {
		t, err := cells.ReadNPY(s.Trajectories)
		if err != nil {
			return nil, fmt.Errorf("inits: trajectories: %w", err)
		}
		N, sh := cell.StateSize(), t.Shape
		switch {
		case len(sh) == 3 && sh[2] == N:
			traj = finder.Trajectories{States: t.Data, Trials: sh[0], Time: sh[1], N: N}
		case len(sh) == 2 && sh[1] == N:
			traj = finder.Trajectories{States: t.Data, Trials: sh[0], Time: 1, N: N}
		default:
			return nil, fmt.Errorf("inits: trajectories %s: array of shape %v, want B x T x %d or B x %d", s.Trajectories, sh, N, N)
		}
	} else {
		trials, steps := s.Trials, s.Steps
		if trials == 0 {
			trials = DefaultSampleTrials
		}
		if steps == 0 {
			steps = DefaultSampleSteps
		}
		var err error
		if traj, err = simulatePulses(ctx, cell, trials, steps, seed); err != nil {
			return nil, err
		}
	}
	smp, err := finder.SampleStates(traj, n, noise, seed)
	if err != nil {
		return nil, fmt.Errorf("inits: %w", err)
	}
	return smp.States, nil
}

// simulatePulses runs cell under tasks.Pulses: from the zero state, each
// input channel gets a pulse of +1 or -1 with probability 0.5 per step and
// one at the first step; an autonomous cell starts from states uniform in
// [-1, 1].
func simulatePulses(ctx context.Context, cell cells.Cell, trials, steps int, seed uint64) (finder.Trajectories, error) {
	run, err := tasks.Pulses{Trials: trials, Time: steps}.Simulate(ctx, cell, seed)
	if err != nil {
		return finder.Trajectories{}, fmt.Errorf("inits: %w", err)
	}
	return finder.Trajectories{States: run.States, Trials: run.Trials, Time: run.Time, N: run.N}, nil
}
