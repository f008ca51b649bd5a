package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/tasks"
)

// The steps find and continue share, from the model flags to the fixed
// points: load the model, get trajectories, take initial states, search.

// loadModel reads the model file -weights names, the kind and sizes from
// the file, and prints what it holds.
func loadModel(m cli.ModelFlags, stdout io.Writer) (cells.TorchCell, cellShape, error) {
	cell, info, err := cells.LoadModel(m.Weights, m.Options())
	if err != nil {
		return nil, cellShape{}, fmt.Errorf("-weights: %w", err)
	}
	sh := describe(cell, info)
	fmt.Fprintf(stdout, "%s from %s (%s%s)\n", sh, m.Weights, info.Format, source(info))
	return cell, sh, nil
}

// trajectories reads -trajectories or, without it, simulates the cell
// under pulses (returned too, for the report's example trial).
func trajectories(ctx context.Context, m cli.ModelFlags, cell cells.Cell, sh cellShape) (*finder.Trajectories, *tasks.PulseRun, error) {
	if m.Trajectories != "" {
		traj, err := readTrajectories(m.Trajectories, sh)
		return traj, nil, err
	}
	pulses, err := (tasks.Pulses{}).Simulate(ctx, cell, m.Seed)
	if err != nil {
		return nil, nil, err
	}
	return &finder.Trajectories{States: pulses.States, Trials: pulses.Trials, Time: pulses.Time, N: pulses.N}, pulses, nil
}

// initialStates reads -inits or, without it, samples -n-inits states from
// traj with noise -noise, and says where they came from.
func initialStates(m cli.ModelFlags, sh cellShape, traj *finder.Trajectories) ([]float64, string, error) {
	if m.Inits != "" {
		x0, err := readStates(m.Inits, sh)
		return x0, m.Inits, err
	}
	settings, err := m.Search.Finder(m.Seed)
	if err != nil {
		return nil, "", err
	}
	if err := m.CheckJob(sh.N, sh.M, m.NInits, settings, "-n-inits"); err != nil {
		return nil, "", err
	}
	s, err := finder.SampleStates(*traj, m.NInits, m.Noise, m.Seed)
	if err != nil {
		return nil, "", fmt.Errorf("sample initial states: %w", err)
	}
	from := "simulated pulses"
	if m.Trajectories != "" {
		from = m.Trajectories
	}
	return s.States, fmt.Sprintf("%d sampled from %s, noise %g", m.NInits, from, m.Noise), nil
}

// search finds, refines and linearizes the fixed points from x0 under the
// input u with the search flags and -seed, showing its progress unless
// -quiet.
func search(ctx context.Context, m cli.ModelFlags, cell cells.Cell, x0, u []float64, traj *finder.Trajectories) (*finder.Result, finder.Settings, error) {
	settings, err := m.Search.Finder(m.Seed)
	if err != nil {
		return nil, settings, err
	}
	B := len(x0) / cell.StateSize()
	if err := m.CheckJob(cell.StateSize(), cell.InputSize(), B, settings, "the rows of -inits"); err != nil {
		return nil, settings, err
	}
	progress, bar := cli.FindProgress(B, m.Quiet)
	settings.Progress = progress
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: x0, Inputs: u, Trajectories: traj}, &settings)
	bar.Finish()
	if err != nil {
		return nil, settings, fmt.Errorf("find: %w", err)
	}
	return res, settings, nil
}

// speedTrajectories is traj when it holds trajectories (more than one step
// each), whose median step is the network's speed against which a
// candidate is a slow region; nil for bare states.
func speedTrajectories(traj *finder.Trajectories) *finder.Trajectories {
	if traj == nil || traj.Time < 2 {
		return nil
	}
	return traj
}
