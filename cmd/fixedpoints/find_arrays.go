package main

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// cellShape is what the .npy arrays must agree with.
type cellShape struct {
	kind string // PyTorch module name: RNN, GRU or LSTM
	info cells.ModelInfo
	N, M int // state and input sizes
}

func describe(c cells.TorchCell, info cells.ModelInfo) cellShape {
	return cellShape{kind: c.Kind(), info: info, N: c.StateSize(), M: c.InputSize()}
}

func (s cellShape) String() string { return s.info.String() }

// stateNote explains N in an error message.
func (s cellShape) stateNote() string {
	return fmt.Sprintf("the %s state is %s, N = %d", s.kind, s.info.StateLayout(), s.N)
}

// readArray reads the .npy file given to flag and checks its values.
func readArray(flag, path string) (cells.Tensor, error) {
	t, err := cells.ReadNPY(path)
	if err != nil {
		return cells.Tensor{}, fmt.Errorf("%s: %w", flag, err)
	}
	cols := 0
	if len(t.Shape) > 0 {
		cols = t.Shape[len(t.Shape)-1]
	}
	if err := graph.CheckFinite(flag+" "+path, t.Data, cols); err != nil {
		return cells.Tensor{}, err
	}
	return t, nil
}

// readStates reads initial states: B x N, or one state of N values.
func readStates(path string, s cellShape) ([]float64, error) {
	t, err := readArray("-inits", path)
	if err != nil {
		return nil, err
	}
	switch {
	case len(t.Shape) == 1 && t.Shape[0] == s.N,
		len(t.Shape) == 2 && t.Shape[0] >= 1 && t.Shape[1] == s.N:
		return t.Data, nil
	}
	return nil, fmt.Errorf("-inits %s: array of shape %v, want B x %d with B >= 1 (%s)", path, t.Shape, s.N, s.stateNote())
}

// readInputs reads the constant input: one row of M values (1 x M or M),
// or B x M, one row per initial state.
func readInputs(path string, s cellShape, B int) ([]float64, error) {
	t, err := readArray("-inputs", path)
	if err != nil {
		return nil, err
	}
	switch {
	case len(t.Shape) == 1 && t.Shape[0] == s.M,
		len(t.Shape) == 2 && (t.Shape[0] == 1 || t.Shape[0] == B) && t.Shape[1] == s.M:
		return t.Data, nil
	}
	return nil, fmt.Errorf("-inputs %s: array of shape %v, want 1 x %d or %d x %d (the %s has %s; there %s)",
		path, t.Shape, s.M, B, s.M, s.kind, plural.Of(s.M, "input"), map[bool]string{true: "is 1 initial state", false: "are " + plural.Of(B, "initial state")}[B == 1])
}

// readTrajectories reads states to sample from: B x T x N trajectories, or
// B x N states (one step each).
func readTrajectories(path string, s cellShape) (*finder.Trajectories, error) {
	t, err := readArray("-trajectories", path)
	if err != nil {
		return nil, err
	}
	sh := t.Shape
	switch {
	case len(sh) == 3 && sh[0] >= 1 && sh[1] >= 1 && sh[2] == s.N:
		return &finder.Trajectories{States: t.Data, Trials: sh[0], Time: sh[1], N: s.N}, nil
	case len(sh) == 2 && sh[0] >= 1 && sh[1] == s.N:
		return &finder.Trajectories{States: t.Data, Trials: sh[0], Time: 1, N: s.N}, nil
	}
	hint := ""
	switch {
	case s.info.Layers > 1:
		hint = "; a multi-layer module's output holds the last layer's h alone: save every layer's state at every step, or omit -trajectories to sample from simulated pulses"
	case s.N != s.info.Hidden:
		hint = "; nn.LSTM's output holds h alone: save [h; c] at every step, or omit -trajectories to sample from simulated pulses"
	}
	return nil, fmt.Errorf("-trajectories %s: array of shape %v, want B x T x %d (trials x steps x state) or B x %d (%s%s)",
		path, sh, s.N, s.N, s.stateNote(), hint)
}
