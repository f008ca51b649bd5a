package finder

import (
	"context"
	"fmt"
	"slices"

	"github.com/rnnfp/fixedpoints/orbits"
)

// findOrbits seeks the periodic orbits of period 2..MaxPeriod from the
// initial states, one orbits.Find per distinct input row (an orbit lives
// at one constant input), and puts them in res.Orbits.
func (f *finder) findOrbits(ctx context.Context, p Problem, res *Result) error {
	nInit := len(p.InitialStates) / f.N
	var rows [][]float64 // the distinct input rows, in order of first use
	var starts [][]float64
	for b := 0; b < nInit; b++ {
		u := f.cands[b].u
		k := slices.IndexFunc(rows, func(r []float64) bool { return slices.Equal(r, u) })
		if k < 0 {
			rows, starts = append(rows, u), append(starts, nil)
			k = len(rows) - 1
		}
		starts[k] = append(starts[k], p.InitialStates[b*f.N:(b+1)*f.N]...)
	}
	s := orbits.DefaultSettings()
	s.MaxPeriod, s.TolResidual, s.TolUnique = f.s.MaxPeriod, f.s.TolResidual, f.s.TolUnique
	for k, u := range rows {
		r, err := orbits.Find(ctx, orbits.Problem{Cell: f.cell, InitialStates: starts[k], Inputs: u}, &s)
		if err != nil {
			return fmt.Errorf("finder: periodic orbits: %w", err)
		}
		res.Orbits = append(res.Orbits, r.Orbits...)
		if r.Status == orbits.Canceled {
			f.canceled = true
			return nil
		}
	}
	return nil
}
