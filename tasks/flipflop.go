package tasks

import (
	"fmt"
	"math/rand/v2"
)

// FlipFlop is the N-bit flip-flop task of Sussillo & Barak (2013) as the
// Python FixedPointFinder generates it. Each bit has its own input channel
// and output channel. At every step each bit receives a pulse with
// probability P, of sign +1 or -1 with equal probability; at t = 0 every bit
// receives a pulse. The target of a bit is the sign of its most recent pulse,
// including a pulse at the current step.
//
// A zero field takes the default in its comment.
type FlipFlop struct {
	Bits int     // 3
	Time int     // 64 steps per trial
	P    float64 // 0.5, the probability of a pulse per bit and step
}

func (f FlipFlop) withDefaults() FlipFlop {
	if f.Bits == 0 {
		f.Bits = 3
	}
	if f.Time == 0 {
		f.Time = 64
	}
	if f.P == 0 {
		f.P = 0.5
	}
	return f
}

// InputSize is the number of bits.
func (f FlipFlop) InputSize() int { return f.withDefaults().Bits }

// OutputSize is the number of bits.
func (f FlipFlop) OutputSize() int { return f.withDefaults().Bits }

// Generate draws n trials from seed.
func (f FlipFlop) Generate(n int, seed uint64) (Batch, error) {
	f = f.withDefaults()
	if f.Bits < 0 || f.Time < 0 || !(f.P > 0 && f.P <= 1) {
		return Batch{}, fmt.Errorf("tasks: flip-flop with %d bits, %d steps and pulse probability %v: want bits and steps > 0 and 0 < P <= 1", f.Bits, f.Time, f.P)
	}
	if n <= 0 {
		return Batch{}, fmt.Errorf("tasks: flip-flop: %d trials, want > 0", n)
	}
	r := rand.New(rand.NewPCG(seed, 0xf11bf10b))
	in := make([]float64, n*f.Time*f.Bits)
	for i := 0; i < n; i++ {
		for t := 0; t < f.Time; t++ {
			for k := 0; k < f.Bits; k++ {
				// Both coins are drawn at every entry so that the stream of
				// draws does not depend on the outcomes.
				pulse := r.Float64() < f.P || t == 0
				sign := 1.0
				if r.Uint64()&1 == 0 {
					sign = -1
				}
				if pulse {
					in[(i*f.Time+t)*f.Bits+k] = sign
				}
			}
		}
	}
	tg, err := FlipFlopTargets(in, f.Time, f.Bits)
	if err != nil {
		return Batch{}, err
	}
	return Batch{Trials: n, Time: f.Time, InputSize: f.Bits, OutputSize: f.Bits, Inputs: in, Targets: tg}, nil
}

// FlipFlopTargets returns the flip-flop targets of the given inputs
// (trials x time x bits, row-major): each entry is the sign of the most
// recent nonzero input of its bit at or before its step, and 0 before a
// bit's first pulse.
func FlipFlopTargets(inputs []float64, time, bits int) ([]float64, error) {
	if time <= 0 || bits <= 0 || len(inputs)%(time*bits) != 0 {
		return nil, fmt.Errorf("tasks: flip-flop targets: %d input values are not trials x %d steps x %d bits", len(inputs), time, bits)
	}
	out := make([]float64, len(inputs))
	for i := 0; i < len(inputs)/(time*bits); i++ {
		for k := 0; k < bits; k++ {
			state := 0.0
			for t := 0; t < time; t++ {
				j := (i*time+t)*bits + k
				switch v := inputs[j]; {
				case v > 0:
					state = 1
				case v < 0:
					state = -1
				}
				out[j] = state
			}
		}
	}
	return out, nil
}
