package manifold

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"gonum.org/v1/gonum/floats"
)

// Problem is a manifold to trace: a cell, a state on (or near) the
// manifold, and the constant input.
type Problem struct {
	Cell  cells.Cell
	Start []float64 // N values
	Input []float64 // M values; nil means zero
	// Readout optionally maps states to outputs, to say what the manifold
	// encodes (CurvePoint.Encoded).
	Readout *Readout
	// Region optionally bounds the trace to the part of state space the
	// network visits: a trained cell's gates saturate far from its data,
	// where F(x) = x holds to rounding on whole regions that say nothing of
	// how it computes. The curve ends where it leaves the ball (EndRegion).
	Region *Ball
}

// Ball is the set of states within Radius of Center (2-norm).
type Ball struct {
	Center []float64
	Radius float64
}

// Contains reports whether x lies in the ball.
func (b *Ball) Contains(x []float64) bool {
	return floats.Distance(x, b.Center, 2) <= b.Radius
}

// Readout is an affine map y = W x[:K] + b from the first K state values
// (K = len(Weight)/Outputs; an LSTM's h comes first in its state [h; c]).
type Readout struct {
	Outputs int
	Weight  []float64 // Outputs x K, row-major
	Bias    []float64 // Outputs values, or nil
}

func (ro *Readout) check(N int) error {
	if ro.Outputs <= 0 || len(ro.Weight)%ro.Outputs != 0 || len(ro.Weight)/ro.Outputs > N || len(ro.Weight) == 0 {
		return fmt.Errorf("manifold: %w: readout with %d outputs and %d weights for %d states", cells.ErrShape, ro.Outputs, len(ro.Weight), N)
	}
	if ro.Bias != nil && len(ro.Bias) != ro.Outputs {
		return fmt.Errorf("manifold: %w: readout bias has %d values for %d outputs", cells.ErrShape, len(ro.Bias), ro.Outputs)
	}
	return nil
}

// apply returns W x + b (bias false: W x alone).
func (ro *Readout) apply(x []float64, bias bool) []float64 {
	K := len(ro.Weight) / ro.Outputs
	y := make([]float64, ro.Outputs)
	for o := range y {
		y[o] = floats.Dot(ro.Weight[o*K:(o+1)*K], x[:K])
		if bias && ro.Bias != nil {
			y[o] += ro.Bias[o]
		}
	}
	return y
}

// maxCorrections bounds the corrector's iterations per point.
const maxCorrections = 30

// Trace follows the 1-D slow manifold through p.Start in both directions
// (see the package documentation). A nil settings means DefaultSettings.
// On cancellation it returns the curve so far with the context's error.
func Trace(ctx context.Context, p Problem, settings *Settings) (*Curve, error) {
	s, err := resolve(settings)
	if err != nil {
		return nil, err
	}
	if p.Cell == nil {
		return nil, fmt.Errorf("manifold: problem has no cell")
	}
	N, M := p.Cell.StateSize(), p.Cell.InputSize()
	if len(p.Start) != N {
		return nil, fmt.Errorf("manifold: %w: start has %d values, the cell's state has %d", cells.ErrShape, len(p.Start), N)
	}
	if err := graph.CheckFinite("manifold: start", p.Start, N); err != nil {
		return nil, err
	}
	u := p.Input
	if u == nil {
		u = make([]float64, M)
	}
	if p.Readout != nil {
		if err := p.Readout.check(N); err != nil {
			return nil, err
		}
	}
	if p.Region != nil {
		if len(p.Region.Center) != N || !(p.Region.Radius > 0) || math.IsInf(p.Region.Radius, 0) {
			return nil, fmt.Errorf("manifold: %w: region of %d centre values and radius %v for %d states", cells.ErrShape, len(p.Region.Center), p.Region.Radius, N)
		}
		if !p.Region.Contains(p.Start) {
			return nil, fmt.Errorf("manifold: the start lies outside the region")
		}
	}
	e, err := newEvaluator(p.Cell, u)
	if err != nil {
		return nil, err
	}
	sc := max(1, floats.Norm(p.Start, math.Inf(1)))
	s = s.scaled(sc)
	if err := s.validate(); err != nil {
		return nil, err
	}
	tr := &tracer{e: e, s: s, ro: p.Readout, region: p.Region}
	c := &Curve{N: N, M: M, U: append([]float64(nil), u...)}

	// The start: its slow mode, then the point of least q on the
	// hyperplane through it orthogonal to that mode.
	if err := e.jacobians(p.Start); err != nil {
		return nil, err
	}
	modes, err := e.modes()
	if err != nil {
		return nil, err
	}
	m0, ok := pickMode(modes, nil, s.Band)
	if !ok {
		c.Ends = [2]End{EndNoMode, EndNoMode}
		return c, nil
	}
	first, err := e.correct(p.Start, m0.right, maxCorrections)
	if err != nil {
		return nil, err
	}
	c.Corrections += first.iters
	start, err := tr.point(first, m0.right)
	if err != nil {
		return nil, err
	}
	fwd, endF, closed, err := tr.walk(ctx, start, 1, c)
	if err != nil && !canceled(ctx) {
		return nil, err
	}
	var bwd []CurvePoint
	endB := EndClosed
	if closed {
		endF = EndClosed
	} else if err == nil {
		bwd, endB, _, err = tr.walk(ctx, start, -1, c)
		if err != nil && !canceled(ctx) {
			return nil, err
		}
	}
	if canceled(ctx) {
		if endF == "" {
			endF = EndCanceled
		}
		endB = EndCanceled
	}
	slices.Reverse(bwd)
	for i := range bwd { // orient the backward half along increasing S
		floats.Scale(-1, bwd[i].Right)
		for j := range bwd[i].Selection {
			bwd[i].Selection[j] = -bwd[i].Selection[j]
		}
		for j := range bwd[i].EncodedSlope {
			bwd[i].EncodedSlope[j] = -bwd[i].EncodedSlope[j]
		}
	}
	c.Points = append(append(bwd, start), fwd...)
	c.Closed = closed
	c.Ends = [2]End{endB, endF}
	for i := 1; i < len(c.Points); i++ {
		c.Points[i].S = c.Points[i-1].S + floats.Distance(c.Points[i].X, c.Points[i-1].X, 2)
	}
	return c, ctx.Err()
}

func canceled(ctx context.Context) bool { return ctx.Err() != nil }

// tracer holds what one Trace shares between its two walks.
type tracer struct {
	e      *evaluator
	s      Settings
	ro     *Readout
	region *Ball
}

// point builds a CurvePoint at a corrected state, with the slow mode
// aligned with tangent (its Jacobians are evaluated anew).
func (tr *tracer) point(cr correction, tangent []float64) (CurvePoint, error) {
	e := tr.e
	if err := e.jacobians(cr.x); err != nil {
		return CurvePoint{}, err
	}
	modes, err := e.modes()
	if err != nil {
		return CurvePoint{}, err
	}
	m, ok := pickMode(modes, tangent, tr.s.Band)
	if !ok {
		return CurvePoint{}, errNoMode
	}
	if floats.Dot(m.right, tangent) < 0 {
		floats.Scale(-1, m.right)
	}
	res := 0.0
	for _, v := range cr.r {
		res = max(res, math.Abs(v))
	}
	p := CurvePoint{X: cr.x, Q: cr.q, Residual: res, Eigenvalue: m.lambda, Right: m.right, Left: m.left,
		Selection: selection(m, e.ju, e.N, e.M)}
	if tr.ro != nil {
		p.Encoded = tr.ro.apply(cr.x, true)
		p.EncodedSlope = tr.ro.apply(m.right, false)
	}
	return p, nil
}

var errNoMode = fmt.Errorf("manifold: no real slow mode")

// walk steps from start along dir * start.Right until an end; it returns
// the new points in order of travel and why it stopped.
func (tr *tracer) walk(ctx context.Context, start CurvePoint, dir float64, c *Curve) (pts []CurvePoint, end End, closed bool, err error) {
	s := tr.s
	x := start.X
	t := append([]float64(nil), start.Right...)
	floats.Scale(dir, t)
	h, arc := s.Step, 0.0
	xp := make([]float64, len(x))
	for {
		if err := ctx.Err(); err != nil {
			return pts, EndCanceled, false, err
		}
		if len(pts) >= s.MaxPoints {
			return pts, EndPoints, false, nil
		}
		if arc >= s.MaxArclength {
			return pts, EndArclength, false, nil
		}
		h = min(h, s.MaxArclength-arc)
		floats.AddScaledTo(xp, x, h, t)
		cr, err := tr.e.correct(xp, t, maxCorrections)
		if err != nil {
			return pts, "", false, err
		}
		c.Corrections += cr.iters
		shrink := func(why End) (End, bool) {
			if h/2 < s.MinStep {
				return why, true
			}
			h /= 2
			return "", false
		}
		if !cr.ok || !(cr.q <= s.QMax) {
			why := EndStep
			if !(cr.q <= s.QMax) {
				why = EndQ
			}
			if e, stop := shrink(why); stop {
				return pts, e, false, nil
			}
			continue
		}
		p, err := tr.point(cr, t)
		if err == errNoMode {
			return pts, EndNoMode, false, nil
		}
		if err != nil {
			return pts, "", false, err
		}
		if turn := math.Acos(math.Min(1, floats.Dot(p.Right, t))); turn > s.MaxTurn {
			if e, stop := shrink(EndStep); stop {
				return pts, e, false, nil
			}
			continue
		}
		if math.Abs(math.Abs(p.Eigenvalue)-1) > s.Band {
			return pts, EndBand, false, nil
		}
		if tr.region != nil && !tr.region.Contains(p.X) {
			return pts, EndRegion, false, nil
		}
		arc += floats.Distance(p.X, x, 2)
		x, t = p.X, p.Right
		pts = append(pts, p)
		if dir > 0 && arc > 3*s.MaxStep && floats.Distance(x, start.X, 2) < 1.5*h {
			return pts, EndClosed, true, nil
		}
		if cr.iters <= 3 {
			h = min(1.5*h, s.MaxStep)
		}
	}
}
