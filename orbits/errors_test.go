package orbits

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// Bad input is an error that names what is wrong, never a panic.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	c := tanhFlip(2)
	two := DefaultSettings()
	two.MaxPeriod = 2
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"nil cell", func() error { _, err := Find(ctx, Problem{InitialStates: []float64{1}}, &two); return err }, "no cell"},
		{"no states", func() error { _, err := Find(ctx, Problem{Cell: c}, &two); return err }, "initial state values"},
		{"NaN state", func() error {
			_, err := Find(ctx, Problem{Cell: c, InitialStates: []float64{math.NaN()}}, &two)
			return err
		}, "NaN"},
		{"inputs", func() error {
			_, err := Find(ctx, Problem{Cell: c, InitialStates: []float64{1}, Inputs: []float64{1}}, &two)
			return err
		}, "input values"},
		{"period", func() error {
			s := DefaultSettings()
			s.MaxPeriod = MaxPeriod + 1
			_, err := Find(ctx, Problem{Cell: c, InitialStates: []float64{1}}, &s)
			return err
		}, "MaxPeriod"},
		{"tolerance", func() error {
			s := two
			s.TolResidual = -1
			_, err := Find(ctx, Problem{Cell: c, InitialStates: []float64{1}}, &s)
			return err
		}, "TolResidual"},
		{"shooting size", func() error {
			s := two
			s.MaxShootingSize = 1
			_, err := Find(ctx, Problem{Cell: c, InitialStates: []float64{1}}, &s)
			return err
		}, "MaxShootingSize"},
		{"refine point size", func() error {
			_, err := Refine(ctx, c, nil, [][]float64{{1, 2}, {3}}, nil)
			return err
		}, "point 0 has 2 values"},
		{"refine far from an orbit", func() error {
			s := DefaultSettings()
			s.MaxNewtonIters = 1
			_, err := Refine(ctx, c, nil, [][]float64{{0.3}, {0.1}}, &s)
			if !errors.Is(err, ErrNotConverged) {
				return errors.New("not ErrNotConverged: " + errString(err))
			}
			return err
		}, "did not converge"},
		{"cycle period", func() error {
			_, err := RefineCycle(ctx, newHopfCell(0.25, 1.3), nil, []float64{0.5, 0}, -1, nil)
			return err
		}, "period -1"},
		{"cycle state", func() error {
			_, err := RefineCycle(ctx, newHopfCell(0.25, 1.3), nil, []float64{0.5}, 5, nil)
			return err
		}, "state values"},
		{"cycle steps", func() error {
			_, err := FindCycles(ctx, Problem{Cell: newHopfCell(0.25, 1.3), InitialStates: []float64{0.5, 0}}, &CycleSettings{SeedStep: 1e-9})
			return err
		}, "1e7 steps"},
		{"circle trajectory", func() error {
			_, err := RefineCircle(ctx, newNSCell(0.2, 0.7), nil, []float64{0.4, 0, 0, 0.4}, nil)
			return err
		}, "trajectory steps"},
		{"circle of one state", func() error {
			traj := make([]float64, 100)
			for i := range traj {
				traj[i] = float64(i % 2)
			}
			_, err := RefineCircle(ctx, cells.NewVanilla(1, 0, cells.Tanh), nil, traj, &CircleSettings{Harmonics: 2})
			return err
		}, "N >= 2"},
	} {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: panic %v", tc.name, r)
				}
			}()
			return tc.run()
		}()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// A canceled search returns what it has, Status Canceled, and no error.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := DefaultSettings()
	s.MaxPeriod = 3
	res, err := Find(ctx, Problem{Cell: tanhFlip(2), InitialStates: []float64{-1, 1}}, &s)
	if err != nil || res.Status != Canceled {
		t.Fatalf("status %v, error %v; want Canceled, nil", res.Status, err)
	}
	cres, err := FindCycles(ctx, Problem{Cell: newHopfCell(0.25, 1.3), InitialStates: []float64{0.1, 0}}, nil)
	if err != nil || cres.Status != Canceled {
		t.Fatalf("cycles: status %v, error %v; want Canceled, nil", cres.Status, err)
	}
}
