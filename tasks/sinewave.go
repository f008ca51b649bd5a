package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SineWave is the sine-wave generator of Sussillo & Barak (2013): a static
// input sets a frequency and the network must produce sin(omega t). Each
// trial picks one of Frequencies angular frequencies omega_k, evenly spaced
// from MinOmega to MaxOmega (radians per step), holds the input at
// SineWaveInput(omega_k) for the whole trial, and its target after step t
// (t = 0, 1, ...) is sin(omega_k (t+1)): one step of phase per step taken
// from the shared initial state, so that the phase at the start is fixed.
//
// A network that solves it oscillates on a curve turned by omega per step;
// the oscillatory eigenvalues of its input-dependent fixed point predict
// omega by their angle (examples/sinewave).
//
// A zero field takes the default in its comment.
type SineWave struct {
	Time        int     // 64 steps per trial
	Frequencies int     // 6 trained frequencies
	MinOmega    float64 // 0.2 radians per step (a period of 31.4 steps)
	MaxOmega    float64 // 0.5 radians per step (12.6 steps)
	// Amplitude scales the target, Amplitude sin(omega t) (1). A small one
	// lets the network oscillate with small states, where tanh is nearly
	// linear and the fixed point's eigenvalues say its frequency.
	Amplitude float64
}

func (s SineWave) withDefaults() SineWave {
	if s.Time == 0 {
		s.Time = 64
	}
	if s.Frequencies == 0 {
		s.Frequencies = 6
	}
	if s.MinOmega == 0 {
		s.MinOmega = 0.2
	}
	if s.MaxOmega == 0 {
		s.MaxOmega = 0.5
	}
	if s.Amplitude == 0 {
		s.Amplitude = 1
	}
	return s
}

// SineWaveInput is the static input that asks for angular frequency omega
// (radians per step): proportional to it, omega itself.
func SineWaveInput(omega float64) float64 { return omega }

// InputSize is 1.
func (SineWave) InputSize() int { return 1 }

// OutputSize is 1.
func (SineWave) OutputSize() int { return 1 }

// Omegas returns the trained angular frequencies, MinOmega to MaxOmega in
// Frequencies even steps (MinOmega alone when Frequencies is 1).
func (s SineWave) Omegas() ([]float64, error) {
	s = s.withDefaults()
	if s.Frequencies < 0 || !(s.MinOmega > 0) || !(s.MaxOmega >= s.MinOmega) || s.MaxOmega > math.Pi {
		return nil, fmt.Errorf("tasks: sine wave with %d frequencies from %v to %v radians per step: want frequencies > 0 and 0 < min <= max <= pi", s.Frequencies, s.MinOmega, s.MaxOmega)
	}
	w := make([]float64, s.Frequencies)
	for k := range w {
		w[k] = s.MinOmega
		if s.Frequencies > 1 {
			w[k] += float64(k) * (s.MaxOmega - s.MinOmega) / float64(s.Frequencies-1)
		}
	}
	return w, nil
}

// Generate draws n trials from seed: each trial's frequency is drawn
// uniformly among the trained ones.
func (s SineWave) Generate(n int, seed uint64) (Batch, error) {
	s = s.withDefaults()
	omegas, err := s.Omegas()
	if err != nil {
		return Batch{}, err
	}
	if s.Time < 0 || !(s.Amplitude > 0) || math.IsInf(s.Amplitude, 0) {
		return Batch{}, fmt.Errorf("tasks: sine wave with %d steps and amplitude %v, want both > 0 and finite", s.Time, s.Amplitude)
	}
	if n <= 0 {
		return Batch{}, fmt.Errorf("tasks: sine wave: %d trials, want > 0", n)
	}
	r := rand.New(rand.NewPCG(seed, 0x5121e))
	in := make([]float64, n*s.Time)
	tg := make([]float64, n*s.Time)
	for i := 0; i < n; i++ {
		w := omegas[r.IntN(len(omegas))]
		for t := 0; t < s.Time; t++ {
			in[i*s.Time+t] = SineWaveInput(w)
			tg[i*s.Time+t] = s.Amplitude * math.Sin(w*float64(t+1))
		}
	}
	return Batch{Trials: n, Time: s.Time, InputSize: 1, OutputSize: 1, Inputs: in, Targets: tg}, nil
}
