package viz

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/finder"
)

// validate reports the first inconsistency of r, before anything is drawn.
func (r *Report) validate() error {
	n := -1 // the state dimension every part must share
	same := func(what string, m int) error {
		if n >= 0 && m != n {
			return fmt.Errorf("viz: %s has N = %d, want %d as the rest of the report", what, m, n)
		}
		n = m
		return nil
	}
	for _, s := range []struct {
		name string
		fp   *finder.FixedPoints
	}{{"Fixed", r.Fixed}, {"Slow", r.Slow}, {"SlowRegions", r.SlowRegions}, {"All", r.All}} {
		if s.fp == nil {
			continue
		}
		if err := same(s.name, s.fp.N); err != nil {
			return err
		}
		if err := checkPoints(s.name, s.fp); err != nil {
			return err
		}
	}
	if t := r.Trajectories; t != nil {
		if t.Trials < 0 || t.Time < 0 || t.N < 1 {
			return fmt.Errorf("viz: Trajectories: %d trials x %d steps x N = %d", t.Trials, t.Time, t.N)
		}
		if len(t.States) != t.Trials*t.Time*t.N {
			return fmt.Errorf("viz: Trajectories: %d states, want %d trials x %d steps x %d = %d",
				len(t.States), t.Trials, t.Time, t.N, t.Trials*t.Time*t.N)
		}
		if err := same("Trajectories", t.N); err != nil {
			return err
		}
		for _, i := range r.Trials {
			if i < 0 || i >= t.Trials {
				return fmt.Errorf("viz: Trials: trial %d out of range [0, %d)", i, t.Trials)
			}
		}
		stop := r.Stop
		if stop == 0 {
			stop = t.Time
		}
		if r.Start < 0 || stop > t.Time || r.Start > stop {
			return fmt.Errorf("viz: time window [%d, %d) out of range [0, %d]", r.Start, r.Stop, t.Time)
		}
	} else if len(r.Trials) > 0 || r.Start != 0 || r.Stop != 0 {
		return fmt.Errorf("viz: Trials, Start or Stop set without Trajectories")
	}
	for i := range r.Orbits {
		o := &r.Orbits[i]
		if o.Period < 1 || len(o.Points) != o.Period {
			return fmt.Errorf("viz: orbit %d: period %d with %d points", i, o.Period, len(o.Points))
		}
		for j, p := range o.Points {
			if err := same(fmt.Sprintf("orbit %d point %d", i, j), len(p)); err != nil {
				return err
			}
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("viz: orbit %d point %d is not finite", i, j)
				}
			}
		}
	}
	for i := range r.Cycles {
		c := &r.Cycles[i]
		if len(c.Points) == 0 {
			return fmt.Errorf("viz: limit cycle %d has no points", i)
		}
		for j, p := range c.Points {
			if err := same(fmt.Sprintf("limit cycle %d point %d", i, j), len(p)); err != nil {
				return err
			}
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("viz: limit cycle %d point %d is not finite", i, j)
				}
			}
		}
	}
	for i := range r.Circles {
		c := &r.Circles[i]
		if c.Harmonics < 0 || len(c.A) != c.Harmonics+1 || len(c.B) != c.Harmonics+1 {
			return fmt.Errorf("viz: invariant circle %d: %d harmonics with %d and %d coefficient rows", i, c.Harmonics, len(c.A), len(c.B))
		}
		for m := range c.A {
			if err := same(fmt.Sprintf("invariant circle %d", i), len(c.A[m])); err != nil {
				return err
			}
			if len(c.B[m]) != len(c.A[m]) {
				return fmt.Errorf("viz: invariant circle %d: coefficient rows of %d and %d values", i, len(c.A[m]), len(c.B[m]))
			}
			for j := range c.A[m] {
				if v := c.A[m][j] + c.B[m][j]; math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("viz: invariant circle %d is not finite", i)
				}
			}
		}
	}
	if n < 1 {
		return fmt.Errorf("viz: nothing to draw: give Fixed, Slow, All, Trajectories, Orbits, Cycles or Circles with N >= 1")
	}
	if r.ModeScale < 0 || math.IsNaN(r.ModeScale) || math.IsInf(r.ModeScale, 0) {
		return fmt.Errorf("viz: ModeScale = %v, want a finite value >= 0", r.ModeScale)
	}
	if r.TolQ < 0 || math.IsNaN(r.TolQ) || math.IsInf(r.TolQ, 0) {
		return fmt.Errorf("viz: TolQ = %v, want a finite value >= 0", r.TolQ)
	}
	if err := r.checkManifolds(n); err != nil {
		return err
	}
	if r.Trial != nil {
		return r.Trial.validate()
	}
	return nil
}

// checkPoints checks the lengths viz relies on.
func checkPoints(name string, fp *finder.FixedPoints) error {
	if fp.N < 1 {
		return fmt.Errorf("viz: %s: N = %d, want >= 1", name, fp.N)
	}
	for i := range fp.Points {
		p := &fp.Points[i]
		if len(p.X) != fp.N {
			return fmt.Errorf("viz: %s point %d: len(X) = %d, want N = %d", name, i, len(p.X), fp.N)
		}
		for j, m := range p.Modes {
			if m.Right != nil && len(m.Right) != fp.N { // nil: eigenvalues only
				return fmt.Errorf("viz: %s point %d mode %d: len(Right) = %d, want N = %d",
					name, i, j, len(m.Right), fp.N)
			}
		}
	}
	return nil
}

func (t *Trial) validate() error {
	steps := -1
	for _, s := range []struct {
		name string
		v    [][]float64
	}{{"Inputs", t.Inputs}, {"Targets", t.Targets}, {"Outputs", t.Outputs}} {
		if s.v == nil {
			continue
		}
		if steps >= 0 && len(s.v) != steps {
			return fmt.Errorf("viz: Trial.%s has %d steps, want %d", s.name, len(s.v), steps)
		}
		steps = len(s.v)
		for ti, row := range s.v {
			if len(row) != len(s.v[0]) {
				return fmt.Errorf("viz: Trial.%s step %d has %d channels, want %d", s.name, ti, len(row), len(s.v[0]))
			}
		}
	}
	if t.Targets != nil && t.Outputs != nil && len(t.Targets) > 0 && len(t.Targets[0]) != len(t.Outputs[0]) {
		return fmt.Errorf("viz: Trial: %d target channels, %d output channels, want equal",
			len(t.Targets[0]), len(t.Outputs[0]))
	}
	return nil
}
