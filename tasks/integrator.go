package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Integrator is a bounded accumulator: the input is white noise and the
// target is its running sum, held within [-Bound, Bound] at every step,
//
//	u_t ~ N(0, Noise^2),  a_t = clip(a_{t-1} + u_t, -Bound, Bound),  a_{-1} = 0.
//
// A network that solves it holds any value in between: its fixed points at
// zero input form a line attractor, ended by the bounds.
//
// With Distractors > 0 the trial has that many more input channels, drawn
// the same way and ignored by the target: a network must learn which input
// to integrate (channel 0), which the selection vector of its line
// attractor then shows (package manifold).
//
// A zero field takes the default in its comment.
type Integrator struct {
	Time  int     // 64 steps per trial
	Noise float64 // 0.125, the input's standard deviation (the free sum has std 1 after 64 steps)
	Bound float64 // 1
	// Distractors is the number of extra input channels, after the
	// integrated one, that the target ignores (0).
	Distractors int
}

func (g Integrator) withDefaults() Integrator {
	if g.Time == 0 {
		g.Time = 64
	}
	if g.Noise == 0 {
		g.Noise = 0.125
	}
	if g.Bound == 0 {
		g.Bound = 1
	}
	return g
}

// InputSize is 1 + Distractors.
func (g Integrator) InputSize() int { return 1 + max(0, g.Distractors) }

// OutputSize is 1.
func (Integrator) OutputSize() int { return 1 }

// Generate draws n trials from seed.
func (g Integrator) Generate(n int, seed uint64) (Batch, error) {
	g = g.withDefaults()
	if g.Distractors < 0 {
		return Batch{}, fmt.Errorf("tasks: integrator with %d distractor inputs, want >= 0", g.Distractors)
	}
	if g.Time < 0 || !(g.Noise > 0) || !(g.Bound > 0) || math.IsInf(g.Noise, 0) || math.IsInf(g.Bound, 0) {
		return Batch{}, fmt.Errorf("tasks: integrator with %d steps, noise %v and bound %v: want all > 0 and finite", g.Time, g.Noise, g.Bound)
	}
	if n <= 0 {
		return Batch{}, fmt.Errorf("tasks: integrator: %d trials, want > 0", n)
	}
	r := rand.New(rand.NewPCG(seed, 0x1a7e9a7e))
	M := g.InputSize()
	in := make([]float64, n*g.Time*M)
	for i := range in {
		in[i] = g.Noise * r.NormFloat64()
	}
	integrated := in
	if M > 1 {
		integrated = make([]float64, n*g.Time)
		for i := range integrated {
			integrated[i] = in[i*M]
		}
	}
	tg, err := IntegratorTargets(integrated, g.Time, g.Bound)
	if err != nil {
		return Batch{}, err
	}
	return Batch{Trials: n, Time: g.Time, InputSize: M, OutputSize: 1, Inputs: in, Targets: tg}, nil
}

// IntegratorTargets returns the bounded running sums of the given inputs
// (trials x time, one channel): a_t = clip(a_{t-1} + u_t, -bound, bound)
// from a_{-1} = 0.
func IntegratorTargets(inputs []float64, time int, bound float64) ([]float64, error) {
	if time <= 0 || len(inputs)%time != 0 {
		return nil, fmt.Errorf("tasks: integrator targets: %d input values are not trials x %d steps", len(inputs), time)
	}
	if !(bound > 0) {
		return nil, fmt.Errorf("tasks: integrator targets: bound %v, want > 0", bound)
	}
	out := make([]float64, len(inputs))
	for i := 0; i < len(inputs)/time; i++ {
		a := 0.0
		for t := 0; t < time; t++ {
			j := i*time + t
			a = math.Max(-bound, math.Min(bound, a+inputs[j]))
			out[j] = a
		}
	}
	return out, nil
}
