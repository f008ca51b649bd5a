package manifold

import (
	"errors"
	"fmt"
	"math"
)

// ErrSettings is wrapped by every error about invalid Settings.
var ErrSettings = errors.New("invalid manifold settings")

// Settings configures Detect, Trace and Analyze. A zero field takes the
// default in its comment. Lengths are in the units of the state.
type Settings struct {
	// Band: a mode is slow (marginal) when ||lambda| - 1| <= Band. Default 0.05.
	Band float64
	// AlignTol: a neighbour belongs to the same manifold when the direction
	// to it lies in the span of the in-band right eigenvectors to within
	// this cosine. Default 0.9 (about 25 degrees).
	AlignTol float64
	// Neighbours: how many nearest slow neighbours each point is compared
	// with. Default 6.
	Neighbours int
	// MinMembers: the fewest points a detected manifold has. Default 3.
	MinMembers int

	// Step is the first continuation step; MaxStep and MinStep bound the
	// adaptive step. Defaults 0.02, 0.1 and 1e-6, each times
	// max(1, ‖x₀‖∞) of the start.
	Step, MaxStep, MinStep float64
	// QMax: the curve ends where the corrector cannot bring q below this.
	// Default 1e-4.
	QMax float64
	// MaxArclength bounds the curve in each direction from the start.
	// Default 1000 × MaxStep.
	MaxArclength float64
	// MaxPoints bounds the points traced in each direction. Default 2000.
	MaxPoints int
	// MaxTurn: a step is retried shorter when the tangent turns by more than
	// this (radians). Default 0.35 (20 degrees).
	MaxTurn float64
	// MaxTraces bounds how many manifolds Analyze traces. Default 16.
	MaxTraces int
}

// DefaultSettings returns Settings with every default filled in that does
// not depend on the start of a trace.
func DefaultSettings() Settings {
	var s Settings
	s.fill()
	return s
}

// resolve returns *settings (the zero Settings when nil) with its defaults
// filled in, or the error validate finds in it.
func resolve(settings *Settings) (Settings, error) {
	var s Settings
	if settings != nil {
		s = *settings
	}
	s.fill()
	return s, s.validate()
}

func (s *Settings) fill() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.Band, 0.05)
	def(&s.AlignTol, 0.9)
	def(&s.QMax, 1e-4)
	def(&s.MaxTurn, 0.35)
	if s.Neighbours == 0 {
		s.Neighbours = 6
	}
	if s.MinMembers == 0 {
		s.MinMembers = 3
	}
	if s.MaxPoints == 0 {
		s.MaxPoints = 2000
	}
	if s.MaxTraces == 0 {
		s.MaxTraces = 16
	}
}

// scaled returns s with the step lengths filled for a start of scale sc.
func (s Settings) scaled(sc float64) Settings {
	if s.Step == 0 {
		s.Step = 0.02 * sc
	}
	if s.MaxStep == 0 {
		s.MaxStep = max(0.1*sc, s.Step)
	}
	if s.MinStep == 0 {
		s.MinStep = 1e-6 * s.Step
	}
	if s.MaxArclength == 0 {
		s.MaxArclength = 1000 * s.MaxStep
	}
	return s
}

func (s *Settings) validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"Band", s.Band}, {"AlignTol", s.AlignTol}, {"Step", s.Step}, {"MaxStep", s.MaxStep},
		{"MinStep", s.MinStep}, {"QMax", s.QMax}, {"MaxArclength", s.MaxArclength}, {"MaxTurn", s.MaxTurn}} {
		if p.v < 0 || math.IsNaN(p.v) || math.IsInf(p.v, 0) {
			return fmt.Errorf("manifold: %w: %s = %v, want a finite value >= 0 (0 means the default)", ErrSettings, p.name, p.v)
		}
	}
	if s.AlignTol > 1 {
		return fmt.Errorf("manifold: %w: AlignTol = %v, want a cosine in (0, 1]", ErrSettings, s.AlignTol)
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"Neighbours", s.Neighbours}, {"MinMembers", s.MinMembers}, {"MaxPoints", s.MaxPoints}, {"MaxTraces", s.MaxTraces}} {
		if p.v < 0 {
			return fmt.Errorf("manifold: %w: %s = %d, want >= 0 (0 means the default)", ErrSettings, p.name, p.v)
		}
	}
	if s.Step > 0 && s.MaxStep > 0 && s.Step > s.MaxStep {
		return fmt.Errorf("manifold: %w: Step %v exceeds MaxStep %v", ErrSettings, s.Step, s.MaxStep)
	}
	return nil
}
