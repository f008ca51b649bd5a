package manifold

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/cmplx"
	"slices"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"gonum.org/v1/gonum/floats"
)

// Analysis is what Analyze found: the manifolds that a search's fixed and
// slow points lie on, and the traced curve of each 1-D manifold.
type Analysis struct {
	// Points holds the fixed points followed by the slow and unconverged
	// candidates analyzed (see Analyze),
	// all linearized; Group members index it.
	Points *finder.FixedPoints
	// NFixed is how many of Points are fixed points (the rest are slow).
	NFixed int
	// Region is the ball around the initial states that detection and
	// tracing keep to (nil without initial states).
	Region *Ball
	// SlowOutside, SlowHighQ and SlowFast count the slow and unconverged
	// candidates that could
	// not be on a manifold: outside Region, with q above Settings.QMax, or
	// with a leading mode outside the slow band (in that order of checks).
	SlowOutside, SlowHighQ, SlowFast int
	settings                         Settings
	fileN, fileM                     int // sizes read from JSON, without Points
	// Manifolds are the detected groups, largest first.
	Manifolds []Manifold
}

// Manifold is one detected slow manifold.
type Manifold struct {
	Group
	// Curve is the traced manifold (1-D manifolds only, at most
	// Settings.MaxTraces of them; nil otherwise).
	Curve *Curve
	// Fixed, Slow, SlowRegions and Unconverged are the members as indices
	// into the search's Result.Fixed, Result.Slow, Result.SlowRegions and
	// Result.Unconverged (the fixed_points, slow_points, slow_regions and
	// unconverged arrays of its fixedpoints/v1 file). Group.Members indexes
	// Analysis.Points instead, and is nil in an Analysis read from JSON.
	Fixed, Slow, SlowRegions, Unconverged []int
	// TraceError says why a 1-D manifold was not traced, if it was not.
	TraceError string
	// EncodedMin and EncodedMax bound the readout W x + b over the members,
	// per output, when Analyze was given a readout: what the manifold holds
	// (a flip-flop's slow regions each hold one memory, all outputs of one
	// sign).
	EncodedMin, EncodedMax []float64
}

// Analyze linearizes the slow points of res, its Slow, its SlowRegions and
// its Unconverged candidates of finite q (the fixed points are already
// linearized by finder.Find), detects the slow manifolds among the fixed and
// slow points inside the ball around the initial states' centroid that
// holds them all (the region the network visits: far from it a trained
// cell's gates saturate, and F(x) = x holds to rounding on whole regions
// that say nothing of how it computes; see Problem.Region), and traces each
// 1-D manifold from its member of least q within that ball. The readout, if not
// nil, gives each traced point its encoded value.
func Analyze(ctx context.Context, cell cells.Cell, res *finder.Result, readout *Readout, settings *Settings) (*Analysis, error) {
	if res == nil || res.Fixed == nil {
		return nil, fmt.Errorf("manifold: analyze: no result")
	}
	s, err := resolve(settings)
	if err != nil {
		return nil, err
	}
	pts := &finder.FixedPoints{N: res.Fixed.N, M: res.Fixed.M, Dtype: res.Fixed.Dtype}
	pts.Points = append(pts.Points, res.Fixed.Points...)
	nFixed := len(pts.Points)
	// The slow points in the manifold sense: finder's checked slow points
	// (local minima of q), its slow regions (slow, but along a slow
	// manifold q has no local minimum) and the candidates it left
	// unconverged, those
	// with a finite state and q, not saturated; the criteria below (region,
	// QMax, band) decide which take part.
	var candidates []finder.Point
	origins := make([]origin, nFixed, nFixed+res.Slow.Len()+res.SlowRegions.Len()+res.Unconverged.Len())
	for i := range origins {
		origins[i] = origin{groupFixed, i}
	}
	for gi, g := range []*finder.FixedPoints{res.Slow, res.Unconverged, res.SlowRegions} {
		if g == nil {
			continue
		}
		for j, p := range g.Points {
			// Saturated candidates solve the rounded map only (a gate at
			// exactly 1 makes F(x) = x on a whole region): no slow manifold.
			if !math.IsNaN(p.Q) && !math.IsInf(p.Q, 0) && finiteAll(p.X) && p.Reason != finder.ReasonSaturated {
				candidates = append(candidates, p)
				origins = append(origins, origin{groupSlow + gi, j})
			}
		}
	}
	if len(candidates) > 0 {
		slow := &finder.FixedPoints{N: res.Fixed.N, M: res.Fixed.M, Dtype: res.Fixed.Dtype,
			Points: slices.Clone(candidates)}
		if err := finder.Linearize(cell, slow, finder.DefaultSettings()); err != nil {
			return nil, fmt.Errorf("manifold: linearize slow points: %w", err)
		}
		pts.Points = append(pts.Points, slow.Points...)
	}
	for i := 0; i < nFixed; i++ {
		if len(pts.Points[i].Modes) == 0 {
			// Fixed points found with NoJacobians: linearize them here too.
			if err := finder.Linearize(cell, pts, finder.DefaultSettings()); err != nil {
				return nil, fmt.Errorf("manifold: linearize fixed points: %w", err)
			}
			break
		}
	}
	// Fixed points whose eigenvectors Find dropped (N above
	// finder.Settings.KeepMatricesMaxN) and that detect would take: get
	// them again, for those points only.
	var again []int
	for i := 0; i < nFixed; i++ {
		p := &pts.Points[i]
		if len(p.Modes) > 0 && p.Modes[0].Right == nil && p.Q <= s.QMax && math.Abs(cmplx.Abs(p.Modes[0].Value)-1) <= s.Band {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		if err := finder.LinearizePoints(cell, pts, again, finder.DefaultSettings()); err != nil {
			return nil, fmt.Errorf("manifold: linearize fixed points: %w", err)
		}
	}
	region := initialBall(res)
	var inside func(int) bool
	if region != nil {
		inside = func(i int) bool { return region.Contains(pts.Points[i].X) }
	}
	groups, err := detect(pts, &s, inside)
	if err != nil {
		return nil, err
	}
	a := &Analysis{Points: pts, NFixed: nFixed, Region: region}
	a.settings = s
	for i := nFixed; i < pts.Len(); i++ {
		p := &pts.Points[i]
		switch {
		case inside != nil && !inside(i):
			a.SlowOutside++
		case !(p.Q <= s.QMax):
			a.SlowHighQ++
		case len(p.Modes) == 0 || math.Abs(cmplx.Abs(p.Modes[0].Value)-1) > s.Band:
			a.SlowFast++
		}
	}
	traced := 0
	for _, g := range groups {
		m := Manifold{Group: g}
		for _, i := range g.Members {
			o := origins[i]
			switch o.group {
			case groupFixed:
				m.Fixed = append(m.Fixed, o.index)
			case groupSlow:
				m.Slow = append(m.Slow, o.index)
			case groupSlowRegion:
				m.SlowRegions = append(m.SlowRegions, o.index)
			default:
				m.Unconverged = append(m.Unconverged, o.index)
			}
		}
		if readout != nil {
			if err := readout.check(pts.N); err != nil {
				return nil, err
			}
			for k, i := range g.Members {
				y := readout.apply(pts.Points[i].X, true)
				if k == 0 {
					m.EncodedMin, m.EncodedMax = slices.Clone(y), slices.Clone(y)
				}
				for o := range y {
					m.EncodedMin[o] = min(m.EncodedMin[o], y[o])
					m.EncodedMax[o] = max(m.EncodedMax[o], y[o])
				}
			}
		}
		if g.Dim == 1 && traced < s.MaxTraces {
			traced++
			best := g.Members[0]
			for _, i := range g.Members {
				if pts.Points[i].Q < pts.Points[best].Q {
					best = i
				}
			}
			p := pts.Points[best]
			c, err := Trace(ctx, Problem{Cell: cell, Start: p.X, Input: p.U, Readout: readout, Region: region}, &s)
			if ctx.Err() != nil {
				return a, ctx.Err()
			}
			if err != nil {
				m.TraceError = err.Error()
			} else {
				m.Curve = c
			}
		}
		a.Manifolds = append(a.Manifolds, m)
	}
	return a, nil
}

// Summary describes the analysis in a few lines: how many of the slow and
// fixed points lie on manifolds, of which dimensions, and per traced curve
// its length, eigenvalue range and selection.
func (a *Analysis) Summary() string {
	var b strings.Builder
	nSlow := a.Points.Len() - a.NFixed
	onFixed, onSlow := 0, 0
	dims := map[int]int{}
	for _, m := range a.Manifolds {
		dims[m.Dim]++
		for _, i := range m.Members {
			if i < a.NFixed {
				onFixed++
			} else {
				onSlow++
			}
		}
	}
	fmt.Fprintf(&b, "slow manifolds: %d", len(a.Manifolds))
	if len(a.Manifolds) > 0 {
		var ds []string
		for _, d := range slices.Sorted(maps.Keys(dims)) {
			ds = append(ds, fmt.Sprintf("%d of dimension %d", dims[d], d))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(ds, ", "))
	}
	// "Candidates": finder's slow points, slow regions and unconverged
	// candidates (on a slow manifold q has no local minimum, so most of a
	// line's points end on slow regions, crawling along it).
	fmt.Fprintf(&b, ", holding %d of %d fixed points and %d of %d slow, slow-region or unconverged candidates\n", onFixed, a.NFixed, onSlow, nSlow)
	if nSlow > 0 {
		fmt.Fprintf(&b, "  of the %d slow, slow-region or unconverged candidates: %d lie outside the region of the initial states, %d have q above %g, %d a leading mode outside the slow band (%g of |lambda| = 1); %d of the other %d lie on the manifolds\n",
			nSlow, a.SlowOutside, a.SlowHighQ, a.settings.QMax, a.SlowFast, a.settings.Band,
			onSlow, nSlow-a.SlowOutside-a.SlowHighQ-a.SlowFast)
	}
	for k, m := range a.Manifolds {
		if m.Curve == nil {
			fmt.Fprintf(&b, "  manifold %d: %d points, dimension %d", k, len(m.Members), m.Dim)
			if m.EncodedMin != nil {
				fmt.Fprintf(&b, ", encodes %.3g..%.3g", m.EncodedMin, m.EncodedMax)
			}
			if m.TraceError != "" {
				fmt.Fprintf(&b, " (not traced: %s)", m.TraceError)
			}
			b.WriteString("\n")
			continue
		}
		sm := m.Curve.Summarize()
		kind := "line"
		if m.Curve.Closed {
			kind = "ring"
		}
		fmt.Fprintf(&b, "  manifold %d: %d points, %s of length %.3g, eigenvalue %.4f..%.4f, max q %.2g",
			k, len(m.Members), kind, sm.Length, sm.MinLambda, sm.MaxLambda, sm.MaxQ)
		if len(sm.MeanAbsSelection) > 0 {
			fmt.Fprintf(&b, ", mean |selection| per input %.3g", sm.MeanAbsSelection)
		}
		if len(sm.EncodedMin) > 0 {
			fmt.Fprintf(&b, ", encodes %.3g..%.3g", sm.EncodedMin, sm.EncodedMax)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// initialBall returns the smallest ball around the centroid of the search's
// initial states that holds them all, or nil without initial states. Only
// the first Stats.Candidates points of All started from initial states; the
// rest are the completion stage's, seeded between found points (saturated
// far ones too), and do not say where the network goes.
func initialBall(res *finder.Result) *Ball {
	all := res.All
	if all == nil || all.Len() == 0 || len(all.Points[0].XInit) != all.N {
		return nil
	}
	pts := all.Points
	if n := res.Stats.Candidates; n > 0 && n < len(pts) {
		pts = pts[:n]
	}
	c := make([]float64, all.N)
	for _, p := range pts {
		floats.Add(c, p.XInit)
	}
	floats.Scale(1/float64(len(pts)), c)
	r := 0.0
	for _, p := range pts {
		r = max(r, floats.Distance(p.XInit, c, 2))
	}
	if !(r > 0) {
		return nil
	}
	return &Ball{Center: c, Radius: r}
}

// finiteAll reports whether every value of v is finite.
func finiteAll(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// origin is where a point of Analysis.Points came from in the Result.
type origin struct {
	group int // groupFixed, groupSlow, groupUnconverged or groupSlowRegion
	index int
}

const (
	groupFixed = iota
	groupSlow
	groupUnconverged
	groupSlowRegion
)
