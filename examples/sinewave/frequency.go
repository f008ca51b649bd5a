package main

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/finder"
)

// measuredOmega is the angular frequency (radians per step) of the
// sequence y: pi over the mean time between its crossings of its
// mid-range (max + min)/2, each crossing time interpolated linearly
// between the two steps it falls between. It needs at least three
// crossings (one full period) and returns the number found.
func measuredOmega(y []float64) (omega float64, crossings int, err error) {
	if len(y) < 2 {
		return 0, 0, fmt.Errorf("measure frequency: %d steps", len(y))
	}
	lo, hi := y[0], y[0]
	for _, v := range y {
		lo, hi = min(lo, v), max(hi, v)
	}
	mid := (lo + hi) / 2
	var first, last float64
	for t := 1; t < len(y); t++ {
		a, b := y[t-1]-mid, y[t]-mid
		if (a < 0) == (b < 0) {
			continue
		}
		tc := float64(t-1) + a/(a-b)
		if crossings == 0 {
			first = tc
		}
		last = tc
		crossings++
	}
	if crossings < 3 {
		return 0, crossings, fmt.Errorf("measure frequency: the output crosses its mid-range %d times in %d steps, want >= 3 (it does not oscillate)", crossings, len(y))
	}
	return math.Pi * float64(crossings-1) / (last - first), crossings, nil
}

// prediction is the oscillatory mode that predicts a frequency: the
// complex eigenvalue of largest modulus of the fixed point's Jacobian.
type prediction struct {
	Point  int        // index in the result's fixed points
	Lambda complex128 // the eigenvalue (Im > 0)
	Omega  float64    // |arg Lambda|, radians per step
	// Distance is from the point to the centroid of the trajectory the
	// network runs on (the fixed point inside the oscillation is the one
	// that predicts it).
	Distance float64
}

// predictOmega picks, among the fixed points with a complex eigenvalue,
// the one nearest centroid, and returns its leading oscillatory mode.
// ok is false when no fixed point has a complex eigenvalue.
func predictOmega(fp *finder.FixedPoints, centroid []float64) (p prediction, ok bool) {
	for i := range fp.Points {
		pt := &fp.Points[i]
		var best complex128
		for _, m := range pt.Modes {
			if imag(m.Value) > 0 && cmplx.Abs(m.Value) > cmplx.Abs(best) {
				best = m.Value
			}
		}
		if best == 0 {
			continue
		}
		d := 0.0
		for j, v := range pt.X {
			d += (v - centroid[j]) * (v - centroid[j])
		}
		c := prediction{Point: i, Lambda: best, Omega: math.Abs(cmplx.Phase(best)), Distance: math.Sqrt(d)}
		if !ok || cmp.Less(c.Distance, p.Distance) {
			p, ok = c, true
		}
	}
	return p, ok
}

// centroidOf is the mean of the T x N states.
func centroidOf(states []float64, N int) []float64 {
	c := make([]float64, N)
	T := len(states) / N
	for t := 0; t < T; t++ {
		for i := range c {
			c[i] += states[t*N+i] / float64(T)
		}
	}
	return c
}

func cabs(z complex128) float64 { return cmplx.Abs(z) }
