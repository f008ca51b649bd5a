// Package fftest sets up the flip-flop search that the tests of
// continuation and manifold start from: a trained network committed to the
// repository, finder's benchmark sampling of its states, and Find from them
// at zero input.
package fftest

import (
	"context"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
)

// Find loads the trained flip-flop network at path (a file tasks.LoadModel
// reads) and returns it with the result of finder.Find, default settings,
// from States(m) under zero input, with the trajectories they are drawn
// from as Problem.Trajectories.
func Find(tb testing.TB, path string) (*tasks.Model, *finder.Result) {
	tb.Helper()
	m, err := tasks.LoadModel(path)
	if err != nil {
		tb.Fatal(err)
	}
	states, tr := sample(tb, m)
	p := finder.Problem{Cell: m.Cell, InitialStates: states, Inputs: make([]float64, m.Cell.InputSize()), Trajectories: tr}
	res, err := finder.Find(context.Background(), p, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return m, res
}

// States returns 1024 states sampled with noise 0.5 (seed 6) from the
// trajectories of m on 128 fresh flip-flop trials (seed 1006), as finder's
// flip-flop benchmark samples them.
func States(tb testing.TB, m *tasks.Model) []float64 {
	tb.Helper()
	s, _ := sample(tb, m)
	return s
}

// sample returns States(m) and the trajectories they are drawn from (the
// network's speed for the slow regions).
func sample(tb testing.TB, m *tasks.Model) ([]float64, *finder.Trajectories) {
	tb.Helper()
	trials, err := tasks.FlipFlop{}.Generate(128, 1006)
	if err != nil {
		tb.Fatal(err)
	}
	states, _, err := m.Run(context.Background(), trials)
	if err != nil {
		tb.Fatal(err)
	}
	tr := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: m.Cell.StateSize()}
	s, err := finder.SampleStates(tr, 1024, 0.5, 6)
	if err != nil {
		tb.Fatal(err)
	}
	return s.States, &tr
}
