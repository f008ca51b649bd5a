package tasks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// Model is a recurrent cell followed by a linear readout of its hidden
// state, y_t = W h_t + b, where h_t is the first Readout.Inputs columns of
// the cell's state (all of it, except for an LSTM, whose state is [h; c]).
type Model struct {
	Cell    cells.Cell
	Readout *Readout
	// Initial is the state every trial starts from (StateSize values); nil
	// means zeros. Train learns it when TrainSettings.LearnInitialState is set.
	Initial []float64
}

// Readout is a linear map from the hidden state to the outputs, stored as
// PyTorch's nn.Linear: Weight is Outputs x Inputs, row-major.
type Readout struct {
	Outputs, Inputs int
	Weight          []float64
	Bias            []float64
}

// NewReadout returns a readout initialised as PyTorch's nn.Linear: weights
// and biases uniform in (-1/sqrt(inputs), 1/sqrt(inputs)), drawn from seed.
func NewReadout(outputs, inputs int, seed uint64) *Readout {
	ro := &Readout{Outputs: outputs, Inputs: inputs, Weight: make([]float64, outputs*inputs), Bias: make([]float64, outputs)}
	r := rand.New(rand.NewPCG(seed, 0x4ead0a7))
	k := 1 / math.Sqrt(float64(inputs))
	for i := range ro.Weight {
		ro.Weight[i] = (2*r.Float64() - 1) * k
	}
	for i := range ro.Bias {
		ro.Bias[i] = (2*r.Float64() - 1) * k
	}
	return ro
}

// NewModel returns cell with a new readout to outputs channels. Like
// constructing a PyTorch module, it initialises the weights from seed: the
// cell's by its InitUniform method when it has one (the built-in cells do),
// and the readout's as nn.Linear.
func NewModel(cell cells.Cell, outputs int, seed uint64) (*Model, error) {
	if cell == nil {
		return nil, fmt.Errorf("tasks: new model: nil cell")
	}
	if outputs <= 0 {
		return nil, fmt.Errorf("tasks: new model: %d outputs, want > 0", outputs)
	}
	if c, ok := cell.(interface{ InitUniform(uint64) }); ok {
		c.InitUniform(seed)
	}
	return &Model{Cell: cell, Readout: NewReadout(outputs, HiddenSize(cell), seed+1)}, nil
}

// HiddenSize is the number of state columns a readout sees: the cell's
// Hidden() when it has that method (the built-in cells do), else its whole
// state.
func HiddenSize(c cells.Cell) int {
	if h, ok := c.(interface{ Hidden() int }); ok {
		return h.Hidden()
	}
	return c.StateSize()
}

// check validates the model's sizes against each other.
func (m *Model) check() error {
	if m == nil || m.Cell == nil || m.Readout == nil {
		return fmt.Errorf("tasks: model needs a cell and a readout")
	}
	ro, N := m.Readout, m.Cell.StateSize()
	if ro.Inputs != HiddenSize(m.Cell) || ro.Inputs > N {
		return fmt.Errorf("tasks: readout reads %d state columns, want %d", ro.Inputs, HiddenSize(m.Cell))
	}
	if ro.Outputs <= 0 || len(ro.Weight) != ro.Outputs*ro.Inputs || len(ro.Bias) != ro.Outputs {
		return fmt.Errorf("tasks: readout has %d weights and %d biases for %d x %d", len(ro.Weight), len(ro.Bias), ro.Outputs, ro.Inputs)
	}
	if m.Initial != nil && len(m.Initial) != N {
		return fmt.Errorf("tasks: initial state has %d values, want %d", len(m.Initial), N)
	}
	return nil
}

// checkBatch validates a batch against the model.
func (m *Model) checkBatch(b Batch) error {
	if err := b.Check(); err != nil {
		return err
	}
	if b.InputSize != m.Cell.InputSize() || b.OutputSize != m.Readout.Outputs {
		return fmt.Errorf("tasks: batch has %d inputs and %d outputs, model has %d and %d", b.InputSize, b.OutputSize, m.Cell.InputSize(), m.Readout.Outputs)
	}
	return nil
}

// Run runs the model over the batch's inputs from its initial state and
// returns the states (trials x time x StateSize) and the outputs
// (trials x time x Outputs); states[i][t] is the state after input t.
func (m *Model) Run(ctx context.Context, b Batch) (states, outputs []float64, err error) {
	if err := m.check(); err != nil {
		return nil, nil, err
	}
	if err := m.checkBatch(b); err != nil {
		return nil, nil, err
	}
	states, err = graph.Simulate(ctx, m.Cell, m.Initial, b.Inputs, b.Trials, b.Time, graph.Float64)
	if err != nil {
		return nil, nil, fmt.Errorf("tasks: run model: %w", err)
	}
	N, R, O := m.Cell.StateSize(), m.Readout.Inputs, m.Readout.Outputs
	outputs = make([]float64, b.Trials*b.Time*O)
	for k := 0; k < b.Trials*b.Time; k++ {
		m.Readout.apply(states[k*N:k*N+R], outputs[k*O:(k+1)*O])
	}
	return states, outputs, nil
}

// Output is the readout at the state x: W h + b, h being the first Inputs
// values of x (an LSTM's h without its c).
func (ro *Readout) Output(x []float64) []float64 {
	y := make([]float64, ro.Outputs)
	ro.apply(x[:ro.Inputs], y)
	return y
}

// apply writes W h + b into y.
func (ro *Readout) apply(h, y []float64) {
	for o := range y {
		s := ro.Bias[o]
		w := ro.Weight[o*ro.Inputs : (o+1)*ro.Inputs]
		for j, v := range h {
			s += w[j] * v
		}
		y[o] = s
	}
}

// Metrics are a model's errors on a batch.
type Metrics struct {
	MSE          float64 // mean over (trial, time, output) of (y - target)^2
	SignAccuracy float64 // fraction of entries with nonzero target whose output has its sign
}

// Evaluate runs the model on the batch and scores its outputs.
func (m *Model) Evaluate(ctx context.Context, b Batch) (Metrics, error) {
	_, out, err := m.Run(ctx, b)
	if err != nil {
		return Metrics{}, err
	}
	return Score(out, b.Targets)
}

// Score compares outputs with targets of the same length; lengths that
// differ are an error wrapping cells.ErrShape.
func Score(outputs, targets []float64) (Metrics, error) {
	if len(outputs) != len(targets) {
		return Metrics{}, fmt.Errorf("tasks: score: %w: %d outputs for %d targets", cells.ErrShape, len(outputs), len(targets))
	}
	var s scorer
	s.add(outputs, targets)
	return s.metrics(), nil
}

// scorer accumulates Metrics over chunks.
type scorer struct {
	sq             float64
	n, signed, hit int
}

func (s *scorer) add(outputs, targets []float64) {
	for i, y := range outputs {
		d := y - targets[i]
		s.sq += d * d
		if targets[i] != 0 {
			s.signed++
			if y*targets[i] > 0 {
				s.hit++
			}
		}
	}
	s.n += len(outputs)
}

func (s *scorer) metrics() Metrics {
	var m Metrics
	if s.n > 0 {
		m.MSE = s.sq / float64(s.n)
	}
	if s.signed > 0 {
		m.SignAccuracy = float64(s.hit) / float64(s.signed)
	}
	return m
}
