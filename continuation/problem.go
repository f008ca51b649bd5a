package continuation

import (
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// ErrSettings is wrapped by the errors of invalid problems and settings.
var ErrSettings = errors.New("continuation: invalid problem or settings")

// Path is a polyline of inputs: its vertices u^0, u^1, ... (each of M
// values). Two vertices make a segment. The path parameter s is the
// Euclidean arc length along it, from 0 at the first vertex to Length() at
// the last.
type Path [][]float64

// Segment is the path from u0 to u1.
func Segment(u0, u1 []float64) Path { return Path{u0, u1} }

// Length is the total arc length of the path.
func (p Path) Length() float64 {
	L := 0.0
	for k := 1; k < len(p); k++ {
		L += dist(p[k-1], p[k])
	}
	return L
}

// At returns u(s), clamped to the path's ends.
func (p Path) At(s float64) []float64 {
	u := make([]float64, len(p[0]))
	p.at(s, u)
	return u
}

// at writes u(s) into u and returns the index of the segment s lies on.
func (p Path) at(s float64, u []float64) int {
	k := p.segment(s, 1)
	a, b := p[k], p[k+1]
	s0 := p.vertexS(k)
	l := dist(a, b)
	t := 0.0
	if l > 0 {
		t = (s - s0) / l
	}
	t = math.Max(0, math.Min(1, t))
	for i := range u {
		u[i] = a[i] + t*(b[i]-a[i])
	}
	return k
}

// vertexS is the arc length at vertex k.
func (p Path) vertexS(k int) float64 {
	s := 0.0
	for i := 1; i <= k; i++ {
		s += dist(p[i-1], p[i])
	}
	return s
}

// segment is the index of the segment holding s; at a vertex, the one
// entered when s moves in direction dir (+1 or -1).
func (p Path) segment(s float64, dir float64) int {
	last := len(p) - 2
	for k := 0; k < last; k++ {
		end := p.vertexS(k + 1)
		if s < end || (s == end && dir < 0) {
			return k
		}
	}
	return last
}

// direction is the unit direction du/ds of segment k.
func (p Path) direction(k int) []float64 {
	a, b := p[k], p[k+1]
	l := dist(a, b)
	d := make([]float64, len(a))
	for i := range d {
		d[i] = (b[i] - a[i]) / l
	}
	return d
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := b[i] - a[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// Problem is what Continue follows: the fixed points in Start, all at input
// Path[0], of Cell, along Path.
type Problem struct {
	Cell  cells.Cell
	Start *finder.FixedPoints // the seeds, e.g. finder.Find's Result.Fixed; their U must be Path[0]
	Path  Path
}

// Settings control Continue. Zero fields take the defaults listed.
// Steps are measured in the norm ||(dx, ds)||^2 = ||dx||^2/N + ds^2, the
// root-mean-square change of the state and the change of s, so that a step
// means the same at N = 2 and N = 1000.
type Settings struct {
	ContinuousTime bool    // judge dx/dt = F(x) - x: folds and Hopf points instead of folds, flips and Neimark-Sacker
	MaxStep        float64 // max(1, Path.Length())/10: the largest step
	InitialStep    float64 // MaxStep/4
	MinStep        float64 // 1e-9 * MaxStep: a branch whose step falls below this ends
	MaxSteps       int     // 2000: accepted steps per branch (the budget)
	Bound          float64 // 1e4 * max(1, max |x| of the seeds): a branch with max|x_i| above this has left the region (an LSTM's cell state c = i g/(1 - f) grows large as f -> 1)
	TolResidual    float64 // 1e-12 * max(1, max|x_i|): corrector tolerance on max|F(x, u(s)) - x|
	TolLocate      float64 // 1e-10: bifurcations are located to this in s (the input's arc length); also the step tolerance of corrected points: a Newton step with a point's own bordered matrix is shorter (in the step norm)
	MaxCorrector   int     // 12: chord iterations before a step is retried shorter
	MaxTurn        float64 // 0.35 rad: largest angle between consecutive tangents
	MarginalTol    float64 // 1e-9: a mode within this of the stability boundary (or within its error bound, see Point) is undecided
	DenseEigenMax  int     // 400: up to this N every point's Jacobian is eigen-decomposed; above it Arnoldi gives the 30 largest
	// ProveStabilityMaxN is the largest N at which each point's mode
	// classes are proved (see Point); 0 means 64, negative never.
	ProveStabilityMaxN int
}

// DefaultSettings returns the defaults for a path of the given length.
func DefaultSettings(length float64) Settings {
	var s Settings
	s.fill(length, 1)
	return s
}

func (s *Settings) fill(length, xmax float64) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.MaxStep, math.Max(1, length)/10)
	def(&s.InitialStep, s.MaxStep/4)
	def(&s.MinStep, 1e-9*s.MaxStep)
	if s.MaxSteps == 0 {
		s.MaxSteps = 2000
	}
	def(&s.Bound, 1e4*math.Max(1, xmax))
	def(&s.TolResidual, 1e-12)
	def(&s.TolLocate, 1e-10)
	if s.MaxCorrector == 0 {
		s.MaxCorrector = 12
	}
	def(&s.MaxTurn, 0.35)
	def(&s.MarginalTol, 1e-9)
	if s.ProveStabilityMaxN == 0 {
		s.ProveStabilityMaxN = 64
	}
	if s.DenseEigenMax == 0 {
		s.DenseEigenMax = 400
	}
}

func (s *Settings) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"MaxStep", s.MaxStep}, {"InitialStep", s.InitialStep}, {"MinStep", s.MinStep}, {"Bound", s.Bound},
		{"TolResidual", s.TolResidual}, {"TolLocate", s.TolLocate}, {"MaxTurn", s.MaxTurn}, {"MarginalTol", s.MarginalTol}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%w: %s = %v, want finite > 0", ErrSettings, f.name, f.v)
		}
	}
	if s.MaxSteps < 1 || s.MaxCorrector < 1 || s.DenseEigenMax < 1 {
		return fmt.Errorf("%w: MaxSteps, MaxCorrector and DenseEigenMax must be >= 1", ErrSettings)
	}
	if s.MinStep > s.MaxStep || s.InitialStep > s.MaxStep {
		return fmt.Errorf("%w: want MinStep <= InitialStep <= MaxStep", ErrSettings)
	}
	return nil
}

// validate checks the problem.
func (p *Problem) validate() error {
	if p.Cell == nil {
		return fmt.Errorf("%w: nil cell", ErrSettings)
	}
	N, M := p.Cell.StateSize(), p.Cell.InputSize()
	if M < 1 {
		return fmt.Errorf("%w: the cell has no inputs to vary", ErrSettings)
	}
	if len(p.Path) < 2 {
		return fmt.Errorf("%w: a path needs at least 2 vertices, have %d", ErrSettings, len(p.Path))
	}
	for k, u := range p.Path {
		if len(u) != M {
			return fmt.Errorf("%w: path vertex %d has %d inputs, want %d", ErrSettings, k, len(u), M)
		}
		for _, v := range u {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: path vertex %d is not finite", ErrSettings, k)
			}
		}
		if k > 0 && dist(p.Path[k-1], u) == 0 {
			return fmt.Errorf("%w: path vertices %d and %d coincide", ErrSettings, k-1, k)
		}
	}
	if p.Start == nil || len(p.Start.Points) == 0 {
		return fmt.Errorf("%w: no starting fixed points", ErrSettings)
	}
	if p.Start.N != N || p.Start.M != M {
		return fmt.Errorf("%w: starting points have N = %d, M = %d; the cell %d, %d", ErrSettings, p.Start.N, p.Start.M, N, M)
	}
	for k, pt := range p.Start.Points {
		if len(pt.X) != N {
			return fmt.Errorf("%w: starting point %d has %d states, want %d", ErrSettings, k, len(pt.X), N)
		}
		if len(pt.U) == M && dist(pt.U, p.Path[0]) > 1e-12*math.Max(1, maxAbs(p.Path[0])) {
			return fmt.Errorf("%w: starting point %d has input %v, the path starts at %v", ErrSettings, k, pt.U, p.Path[0])
		}
	}
	return nil
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
