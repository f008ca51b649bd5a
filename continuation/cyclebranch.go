package continuation

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
)

// CycleBranch is a branch of limit cycles of the flow dx/dt = F(x, u) - x
// along the input path, born at a Hopf point.
type CycleBranch struct {
	// S and Cycles: the cycle at each path parameter, in the order
	// followed (away from the Hopf point).
	S      []float64
	Cycles []orbits.Cycle
	// Amplitude is each cycle's largest distance (max norm) from the Hopf
	// point's state, the size of the oscillation.
	Amplitude []float64
	End       End // PathEnd / PathStart, Budget, StepTooSmall, Joined (the cycle shrank onto a fixed point) or Canceled
}

// hopfOffset is how far past a Hopf point (in s, relative to
// max(1, path length)) the first cycle is sought on each side.
const hopfOffset = 1e-3

// FollowHopf follows the branch of limit cycles born at a Hopf point (Kind
// Hopf, from Continue with Settings.ContinuousTime) along path: on each
// side in turn, at hopfOffset past the point, it seeks a cycle of period
// 2 pi / omega (the critical eigenvalue of J is 1 + i omega) around the
// Hopf state along the real and imaginary parts of its eigenvector, at
// amplitudes sqrt(offset) times 1, 0.3 and 3 (a cycle born at a Hopf
// point grows as the square root of the distance), by orbits.RefineCycle;
// the first side where one converges to a true cycle (amplitude above 1e-6)
// is the branch's side. It then steps along the path from there, each
// cycle refined from a secant prediction of the last two, the first step
// a few offsets long, halved on failure and doubled after a success (up to
// s.MaxStep), until the path's end, s.MaxSteps cycles, a step below
// s.MinStep, or the cycle shrinking back onto a fixed point. cs sets the
// shooting (nil: defaults).
func FollowHopf(ctx context.Context, cell cells.Cell, path Path, hopf Bifurcation, s Settings, cs *orbits.CycleSettings) (*CycleBranch, error) {
	if cell == nil || len(path) < 2 {
		return nil, fmt.Errorf("%w: follow Hopf: need a cell and a path of two or more inputs", ErrSettings)
	}
	N := cell.StateSize()
	if hopf.Kind != Hopf || len(hopf.X) != N || len(hopf.Vector) != N || !(imag(hopf.Eigenvalue) != 0) {
		return nil, fmt.Errorf("%w: follow Hopf: want a Hopf point of a cell of %d states with its eigenvector", ErrSettings, N)
	}
	L := path.Length()
	s.fill(L, maxAbs(hopf.X))
	if err := s.validate(); err != nil {
		return nil, err
	}
	omega := math.Abs(imag(hopf.Eigenvalue))
	T := 2 * math.Pi / omega
	off := hopfOffset * math.Max(1, L)
	re, im := make([]float64, N), make([]float64, N)
	for i, z := range hopf.Vector {
		re[i], im[i] = real(z), imag(z)
	}
	amplitude := func(c *orbits.Cycle) float64 {
		a := 0.0
		for _, p := range c.Points {
			a = math.Max(a, distMaxRows(p, hopf.X))
		}
		return a
	}
	br := &CycleBranch{}
	var side float64
	var cyc *orbits.Cycle
	for _, sd := range []float64{1, -1} {
		s1 := hopf.S + sd*off
		if s1 < 0 || s1 > L {
			continue
		}
		for _, scale := range []float64{1, 0.3, 3} {
			a := scale * math.Sqrt(off)
			x0 := make([]float64, N)
			for i := range x0 {
				x0[i] = hopf.X[i] + a*re[i]/vecNorm(re, im)
			}
			c, err := orbits.RefineCycle(ctx, cell, path.At(s1), x0, T, cs)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				continue
			}
			if amplitude(c) > 1e-6 {
				side, cyc = sd, c
				br.S, br.Cycles, br.Amplitude = append(br.S, s1), append(br.Cycles, *c), append(br.Amplitude, amplitude(c))
				break
			}
		}
		if cyc != nil {
			break
		}
	}
	if cyc == nil {
		return nil, fmt.Errorf("continuation: follow Hopf: no cycle found on either side of s = %.6g", hopf.S)
	}
	// The amplitude grows as the square root of the distance from the
	// Hopf point: the first steps are short (a few offsets), each success
	// doubles the step.
	h, sv := math.Min(s.InitialStep, 4*off), br.S[0]
	for {
		if ctx.Err() != nil {
			br.End = Canceled
			return br, nil
		}
		if len(br.Cycles) >= s.MaxSteps {
			br.End = Budget
			return br, nil
		}
		if h < s.MinStep {
			br.End = StepTooSmall
			return br, nil
		}
		next, end := sv+side*h, End(-1)
		switch {
		case next >= L:
			next, end = L, PathEnd
		case next <= 0:
			next, end = 0, PathStart
		}
		// Secant predictor from the last two cycles (their points on
		// nearby phase hyperplanes), else the last cycle itself.
		guess, period := cyc.X0, cyc.Period
		if n := len(br.S); n >= 2 {
			prev := &br.Cycles[n-2]
			r := (next - br.S[n-1]) / (br.S[n-1] - br.S[n-2])
			guess = make([]float64, N)
			for i := range guess {
				guess[i] = cyc.X0[i] + r*(cyc.X0[i]-prev.X0[i])
			}
			period = cyc.Period + r*(cyc.Period-prev.Period)
		}
		c, err := orbits.RefineCycle(ctx, cell, path.At(next), guess, period, cs)
		if err != nil {
			if ctx.Err() != nil {
				br.End = Canceled
				return br, nil
			}
			if !errors.Is(err, orbits.ErrNotConverged) {
				return nil, fmt.Errorf("continuation: follow Hopf: %w", err)
			}
			h /= 2
			continue
		}
		a := amplitude(c)
		sv, cyc = next, c
		br.S, br.Cycles, br.Amplitude = append(br.S, sv), append(br.Cycles, *c), append(br.Amplitude, a)
		switch {
		case end >= 0:
			br.End = end
			return br, nil
		case a < 1e-6:
			br.End = Joined
			return br, nil
		}
		h = math.Min(s.MaxStep, 2*h)
	}
}

// vecNorm is the 2-norm of re + i im.
func vecNorm(re, im []float64) float64 {
	s := 0.0
	for i := range re {
		s = math.Hypot(s, math.Hypot(re[i], im[i]))
	}
	return s
}
