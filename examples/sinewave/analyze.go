package main

import (
	"context"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/orbits"
	"github.com/rnnfp/fixedpoints/tasks"
)

// Lengths of the run that measures what the network produces: it starts
// from the learned initial state, as in training, is left runSkip steps to
// settle and is measured over the next runMeasure steps, well past the
// trials it was trained on.
const (
	runSkip    = 256
	runMeasure = 512
)

// condition is everything found at one static input.
type condition struct {
	Omega   float64 // the frequency the input asks for (radians per step)
	U       float64 // the input, tasks.SineWaveInput(Omega)
	Trained bool    // Omega is one of the trained frequencies

	// Measured is the output's frequency over the measured steps
	// (measuredOmega), Crossings its crossings of its mid-range; MeasureErr
	// says why there is none.
	Measured   float64
	Crossings  int
	Amplitude  float64 // (max - min)/2 of the output over the measured steps
	MeasureErr error

	Fixed     *finder.FixedPoints
	Predicted *prediction // nil when no fixed point oscillates

	// Circle is the invariant circle the measured steps run on
	// (orbits.RefineCircle), or nil with CircleErr saying why.
	Circle    *orbits.Circle
	CircleErr error

	States []float64 // the measured steps' states, runMeasure x N
}

// RelErr is |predicted - measured| / measured, NaN when either is missing.
func (c *condition) RelErr() float64 {
	if c.Predicted == nil || c.MeasureErr != nil {
		return math.NaN()
	}
	return math.Abs(c.Predicted.Omega-c.Measured) / c.Measured
}

// analyze runs the model at the static input for omega, measures the
// frequency of its output, finds its fixed points from states along the
// run, predicts the frequency from the nearest oscillatory one, and
// refines the invariant circle the run settles on.
func analyze(ctx context.Context, model *tasks.Model, omega float64, trained bool, inits int, seed uint64) (*condition, error) {
	cell := model.Cell
	N := cell.StateSize()
	c := &condition{Omega: omega, U: tasks.SineWaveInput(omega), Trained: trained}
	T := runSkip + runMeasure
	in := make([]float64, T)
	for t := range in {
		in[t] = c.U
	}
	states, err := graph.Simulate(ctx, cell, model.Initial, in, 1, T, graph.Float64)
	if err != nil {
		return nil, fmt.Errorf("run at omega %.3f: %w", omega, err)
	}
	c.States = states[runSkip*N:]
	y := make([]float64, runMeasure)
	lo, hi := math.Inf(1), math.Inf(-1)
	for t := range y {
		y[t] = model.Readout.Output(c.States[t*N : (t+1)*N])[0]
		lo, hi = min(lo, y[t]), max(hi, y[t])
	}
	c.Amplitude = (hi - lo) / 2
	c.Measured, c.Crossings, c.MeasureErr = measuredOmega(y)

	// Fixed points at this input, from the whole run's states.
	samples, err := finder.SampleStates(finder.Trajectories{States: states, Trials: 1, Time: T, N: N}, inits, 0.1, seed)
	if err != nil {
		return nil, err
	}
	s := finder.DefaultSettings()
	s.Seed = seed
	res, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: samples.States, Inputs: []float64{c.U}}, &s)
	if err != nil {
		return nil, fmt.Errorf("find at omega %.3f: %w", omega, err)
	}
	c.Fixed = res.Fixed
	if p, ok := predictOmega(res.Fixed, centroidOf(c.States, N)); ok {
		c.Predicted = &p
	}

	// The invariant circle the run settles on.
	if c.MeasureErr == nil {
		c.Circle, c.CircleErr = orbits.RefineCircle(ctx, cell, []float64{c.U}, c.States, nil)
	} else {
		c.CircleErr = fmt.Errorf("no oscillation to refine")
	}
	return c, nil
}
