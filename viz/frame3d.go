package viz

import (
	"math"
	"slices"
)

// How far the 3-D view reaches beyond the box of the trajectories, on each
// axis in multiples of that axis' width w (w is at least minWidthShare of
// the widest axis' width, so that a flat axis still has room): fixed points
// within fixedReach*w are drawn, slow points within slowReach*w. The axes
// then span at most (1 + 2*fixedReach)*w plus a margin, whatever lies far
// out (slow points, or fixed points where gates saturate far from the
// dynamics, which would otherwise shrink the trajectories to a speck).
const (
	fixedReach    = 0.4
	slowReach     = 0.1
	minWidthShare = 0.1
	axisMargin    = 0.02 // of each axis' span, on each side
)

// visitShare is the share of trajectory states, on each side of each axis,
// that the box of the visited region leaves out: the rare excursions (the
// first steps from a far initial state, say), which would otherwise set
// the scale for all the rest.
const visitShare = 0.005

// visitedBox bounds, on each axis, all but the visitShare lowest and
// highest of the trajectory states' coordinates; ok is false without any.
func visitedBox(coords [3][]float64) (lo, hi [3]float64, ok bool) {
	for k, c := range coords {
		c = slices.DeleteFunc(slices.Clone(c), func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
		if len(c) == 0 {
			return lo, hi, false
		}
		slices.Sort(c)
		cut := int(visitShare * float64(len(c)))
		lo[k], hi[k] = c[cut], c[len(c)-1-cut]
	}
	return lo, hi, true
}

// region is the box of the trajectories, widened on each axis by reach
// times the axis' width (floored at minWidthShare of the widest).
func (d *points3D) region(reach float64) (lo, hi [3]float64) {
	var widest float64
	for k := range 3 {
		widest = math.Max(widest, d.visitedHi[k]-d.visitedLo[k])
	}
	for k := range 3 {
		w := math.Max(d.visitedHi[k]-d.visitedLo[k], minWidthShare*widest)
		lo[k], hi[k] = d.visitedLo[k]-reach*w, d.visitedHi[k]+reach*w
	}
	return lo, hi
}

// inBox reports whether p lies in [lo, hi] on every axis.
func inBox(p, lo, hi [3]float64) bool {
	for k, v := range p {
		if !(v >= lo[k] && v <= hi[k]) {
			return false
		}
	}
	return true
}

// notDrawn counts what the 3-D view leaves out.
type notDrawn struct {
	fixed, slow int
}

// frame drops from the view the fixed and slow points outside their
// regions around the trajectories and clips the mode segments to the fixed
// points' region. Without trajectories nothing is dropped.
func (d *points3D) frame() notDrawn {
	var out notDrawn
	if !d.visited {
		return out
	}
	flo, fhi := d.region(fixedReach)
	slo, shi := d.region(slowReach)
	if !(fhi[0] > flo[0]) && !(fhi[1] > flo[1]) && !(fhi[2] > flo[2]) {
		return out // trajectories that sit on one point: no scale to judge by
	}
	keep := func(items []item3D, lo, hi [3]float64, dropped *int) []item3D {
		kept := items[:0:0]
		for _, it := range items {
			if inBox(it.at, lo, hi) {
				kept = append(kept, it)
			} else {
				*dropped++
			}
		}
		return kept
	}
	for k, items := range d.classes {
		d.classes[k] = keep(items, flo, fhi, &out.fixed)
	}
	d.slow = keep(d.slow, slo, shi, &out.slow)
	clipAll := func(in []seg3D) []seg3D {
		segs := in[:0:0]
		for _, s := range in {
			if c, ok := clip(s.ends, flo, fhi); ok {
				segs = append(segs, seg3D{c, s.color})
			}
		}
		return segs
	}
	d.segments = clipAll(d.segments)
	d.segmentsAbs = clipAll(d.segmentsAbs)
	d.curves = clipCurves(d.curves, flo, fhi)
	return out
}

// clip cuts the segment s to the box [lo, hi] (Liang-Barsky); ok is false
// when nothing of it lies inside.
func clip(s [2][3]float64, lo, hi [3]float64) (c [2][3]float64, ok bool) {
	t0, t1 := 0.0, 1.0
	for k := range 3 {
		d := s[1][k] - s[0][k]
		for _, e := range [2]struct{ p, q float64 }{{-d, s[0][k] - lo[k]}, {d, hi[k] - s[0][k]}} {
			switch {
			case e.p == 0:
				if e.q < 0 {
					return c, false
				}
			case e.p < 0:
				t0 = math.Max(t0, e.q/e.p)
			default:
				t1 = math.Min(t1, e.q/e.p)
			}
		}
	}
	if t0 > t1 || math.IsNaN(t0) || math.IsNaN(t1) {
		return c, false
	}
	for k := range 3 {
		d := s[1][k] - s[0][k]
		c[0][k] = s[0][k] + t0*d
		c[1][k] = s[0][k] + t1*d
	}
	return c, true
}

// ofInterest is what the box is fitted to: the fixed and slow points, their
// mode segments and the manifolds, without the trajectories when they are
// hidden (more than shownTrajectories), which then take no room from the
// points. With fewer than two points, or points that all coincide, the
// trajectories stay: they are then the only scale there is.
func (d points3D) ofInterest() points3D {
	if len(d.trajectories) <= shownTrajectories {
		return d
	}
	p := d
	p.trajectories = nil
	n := len(p.slow)
	for _, items := range p.classes {
		n += len(items)
	}
	var lo, hi [3]float64
	first := true
	each3D(p, func(x [3]float64) {
		for k, v := range x {
			if first || v < lo[k] {
				lo[k] = v
			}
			if first || v > hi[k] {
				hi[k] = v
			}
		}
		first = false
	})
	if n < 2 || lo == hi {
		return d
	}
	return p
}

// fitAxes fits each axis to what is drawn on it, with a margin of
// axisMargin of its span on each side, and rounds its ends out to a multiple
// of a round step (about a fifth of the span), which is also the interval
// between ticks: every label is a round number, and none is squeezed beside
// an end that is not. Axes have their own ranges; boxSizes keeps the
// proportions.
func fitAxes(d points3D) (lo, hi, step [3]float64) {
	inf := math.Inf(1)
	lo = [3]float64{inf, inf, inf}
	hi = [3]float64{-inf, -inf, -inf}
	each3D(d, func(p [3]float64) {
		for k, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo[k] = math.Min(lo[k], v)
			hi[k] = math.Max(hi[k], v)
		}
	})
	var widest float64
	for k := range 3 {
		if lo[k] > hi[k] {
			lo[k], hi[k] = 0, 0
		}
		widest = math.Max(widest, hi[k]-lo[k])
	}
	if widest == 0 {
		widest = 1
	}
	for k := range 3 {
		span := math.Max(hi[k]-lo[k], minWidthShare*widest)
		c := (lo[k] + hi[k]) / 2
		a, b := c-span*(0.5+axisMargin), c+span*(0.5+axisMargin)
		step[k] = niceCeil((b - a) / 5)
		lo[k] = round(math.Floor(a/step[k]+1e-9) * step[k])
		hi[k] = round(math.Ceil(b/step[k]-1e-9) * step[k])
	}
	return lo, hi, step
}

// thinTicks widens the tick step of the axes whose side of the box is
// short (boxSizes), so that their labels, about 5 to the longest side, do
// not run into each other: a side of 40 gets 2 or 3 ticks, not 6. The ends
// are rounded out to the new step.
func thinTicks(lo, hi, step [3]float64) ([3]float64, [3]float64, [3]float64) {
	box := boxSizes(lo, hi)
	for k := range 3 {
		n := math.Max(2, math.Round(5*box[k]/100))
		if step[k] <= 0 || (hi[k]-lo[k])/step[k] <= n+1.5 { // one more than n is fine
			continue
		}
		s := niceCeil((hi[k] - lo[k]) / n)
		step[k] = s
		lo[k] = round(math.Floor(lo[k]/s+1e-9) * s)
		hi[k] = round(math.Ceil(hi[k]/s-1e-9) * s)
	}
	return lo, hi, step
}

// boxSizes are the lengths of the 3-D box's sides along the three axes, in
// echarts-gl's units: proportional to the axes' spans (the view keeps the
// true shape of the state space), the longest 100, none below 40 (so a flat
// direction stays readable).
func boxSizes(lo, hi [3]float64) [3]float64 {
	var widest float64
	for k := range 3 {
		widest = math.Max(widest, hi[k]-lo[k])
	}
	var s [3]float64
	for k := range 3 {
		s[k] = 100
		if widest > 0 {
			s[k] = math.Max(40, math.Round(100*(hi[k]-lo[k])/widest))
		}
	}
	return s
}
