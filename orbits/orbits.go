package orbits

import (
	"fmt"
	"math"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/stability"
)

// Problem is a search for periodic orbits: a cell, the candidate states
// the search starts from, and the constant input.
type Problem struct {
	Cell cells.Cell
	// InitialStates holds B candidate states, B x N row-major.
	InitialStates []float64
	// Inputs is one row of M values (nil or empty: zero input).
	Inputs []float64
}

// Settings configures Find. A zero field takes the default in its comment.
type Settings struct {
	// MaxPeriod is the largest period sought: periods 2..MaxPeriod are
	// searched. 0 or 1: none (Find returns an empty result).
	MaxPeriod int

	MaxIters     int     // 1000 first-order iterations per period
	LearningRate float64 // 0.05: Adam's initial step, halved for a candidate whenever its q_k rises
	HandoffQ     float64 // 1e-4: a candidate leaves the first-order search for Newton once q_k < HandoffQ

	MaxNewtonIters int // 40 Newton steps on the multiple-shooting system
	// TolResidual: an orbit is kept when max_j |F(x_j) - x_{j+1}| <= this;
	// Newton then takes up to two more steps while they shrink the residual
	// (each about squares it), so converged orbits are usually exact to
	// rounding.
	TolResidual float64 // 1e-10
	// TolDistinct: two points of one orbit closer than this (max norm) are
	// the same point, which makes the orbit's minimal period shorter.
	TolDistinct float64 // 1e-6
	TolUnique   float64 // 1e-3: two orbits whose points match, up to a cyclic shift, within this (max norm) are one
	// MaxShootingSize bounds k*N, the size of the dense multiple-shooting
	// system solved per candidate.
	MaxShootingSize int // 512: a dense LU of k N is (k N)^3/3 flops per candidate and Newton step
}

// DefaultSettings returns Settings with every default filled in (MaxPeriod
// stays 0: no orbits are sought unless asked).
func DefaultSettings() Settings {
	var s Settings
	s.fill()
	return s
}

func (s *Settings) fill() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if s.MaxIters == 0 {
		s.MaxIters = 1000
	}
	def(&s.LearningRate, 0.05)
	def(&s.HandoffQ, 1e-4)
	if s.MaxNewtonIters == 0 {
		s.MaxNewtonIters = 40
	}
	def(&s.TolResidual, 1e-10)
	def(&s.TolDistinct, 1e-6)
	def(&s.TolUnique, 1e-3)
	if s.MaxShootingSize == 0 {
		s.MaxShootingSize = 512
	}
}

func (s *Settings) validate() error {
	bad := func(name string, v float64) error {
		return fmt.Errorf("orbits: setting %s is %g, want a finite value > 0", name, v)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"LearningRate", s.LearningRate}, {"HandoffQ", s.HandoffQ}, {"TolResidual", s.TolResidual},
		{"TolDistinct", s.TolDistinct}, {"TolUnique", s.TolUnique}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return bad(f.name, f.v)
		}
	}
	if s.MaxPeriod < 0 || s.MaxIters < 0 || s.MaxNewtonIters < 0 || s.MaxShootingSize < 0 {
		return fmt.Errorf("orbits: MaxPeriod, MaxIters, MaxNewtonIters and MaxShootingSize must not be negative")
	}
	if s.MaxPeriod > MaxPeriod {
		return fmt.Errorf("orbits: MaxPeriod %d, want at most %d", s.MaxPeriod, MaxPeriod)
	}
	return nil
}

// MaxPeriod bounds Settings.MaxPeriod: the k-step graph holds k copies of
// the cell (graph.MaxSteps).
const MaxPeriod = graph.MaxSteps

// Orbit is one periodic orbit of minimal period Period.
type Orbit struct {
	Period int
	// Points are x_0 .. x_{Period-1}, F(x_j) = x_{j+1}, F(x_{Period-1}) = x_0,
	// each N values, rotated so that x_0 is the lexicographically least point.
	Points [][]float64
	U      []float64 // the constant input (M values)
	// Residual is max_j max_i |F_i(x_j) - x_{j+1,i}|.
	Residual float64
	// Floquet holds the multipliers (eigenvalues of the monodromy matrix
	// J_{Period-1} ... J_0), largest modulus first.
	Floquet []Multiplier
	// NUnstable is the saddle index: multipliers certainly outside the unit
	// circle. NUndecided: multipliers whose bound straddles it.
	NUnstable, NUndecided int
	// Stable: every multiplier certainly lies inside the unit circle.
	Stable bool
	// Proof, when not nil, is a computer-assisted proof that a true orbit
	// lies within Proof.Radius of Points; nil when none was found, and
	// ProofReason then says why.
	Proof       *Proof
	ProofReason string
	// Connections says where the orbit's unstable directions lead: one
	// entry per unstable multiplier (two directions for a real one, four
	// for a complex pair). Set by package finder, which follows them and
	// judges their ends as it does for fixed points; nil otherwise.
	Connections []Connection
}

// Connection is where one unstable direction of an orbit leads: the state
// Points[0] + eps w, with w a unit vector in the span of the multiplier's
// eigenvector of the monodromy matrix at Points[0], iterated under the map
// (step by step, at the orbit's input) until it settles.
type Connection struct {
	Multiplier int // index in Floquet of the unstable multiplier followed
	// Direction is the angle, in degrees, of w in the eigenvector's plane,
	// w = cos(θ) Re v - sin(θ) Im v: 0 and 180 for a real multiplier, 0,
	// 90, 180 and 270 for a complex pair (its member with Im > 0).
	Direction float64
	// End is one of package finder's connection ends ("stable", "fixed",
	// "stable_orbit", "orbit", "slow", "left", "unsettled"); To indexes the
	// fixed points of the search (finder's Result.Fixed.Points) for
	// "stable" and "fixed", its orbits (Result.Orbits) for "stable_orbit"
	// and "orbit", and is -1 otherwise.
	End   string
	To    int
	Steps int // steps of the map until it settled
}

// Proof is a proof of existence and local uniqueness of an orbit:
// Krawczyk's operator in outward-rounded interval arithmetic (package
// proof) on the multiple-shooting system H(y) = [F(x_j) - x_{j+1}]_j.
type Proof struct {
	Method string // ProofMethod
	// Radius: a true orbit has its points x*_j within Radius of Points[j]
	// (max norm); UniqueRadius: no other solution of the shooting system
	// has all its points within UniqueRadius of Points.
	Radius, UniqueRadius float64
	// MinimalPeriod: the points are more than 2 Radius apart where a
	// shorter period would make them equal, so the true orbit's minimal
	// period is Period.
	MinimalPeriod bool
}

// Multiplier is one Floquet multiplier.
type Multiplier struct {
	// Value is the multiplier; it may be +-Inf or 0 where it over- or
	// underflows, and LogAbs = log|Value| then still holds its size.
	Value  complex128
	LogAbs float64
	// Cond is the eigenvalue's condition number in the monodromy matrix,
	// Bound the first-order bound on |Value - true multiplier|, Class what
	// the bound lets us say (stability.ClassifyMode).
	Cond, Bound float64
	Class       stability.ModeClass
	// Right is the multiplier's unit right eigenvector of the monodromy
	// matrix at Points[0] (the direction that grows or shrinks by Value in
	// one period); nil when unknown (read from a file, or a zero product).
	Right []complex128
	// Proved: Class and Bound come from an enclosure of the eigenvalues of
	// the true orbit's monodromy matrix (an orbit with a Proof; see
	// proveFloquet), not from the first-order estimate.
	Proved bool
}

// Status says how a search ended.
type Status int

const (
	// NotTerminated: no search filled this result.
	NotTerminated Status = iota
	// Converged: every period was searched to the end.
	Converged
	// Canceled: the context was canceled; the result holds the orbits so far.
	Canceled
)

// String is the constant's name.
func (s Status) String() string {
	switch s {
	case NotTerminated:
		return "NotTerminated"
	case Converged:
		return "Converged"
	case Canceled:
		return "Canceled"
	}
	return "Unknown"
}

// Result is what Find returns.
type Result struct {
	Orbits   []Orbit // by period, then by first point
	Status   Status
	Stats    Stats
	Settings Settings // the effective settings
}

// Stats counts the work done.
type Stats struct {
	Candidates  int // initial states
	Periods     int // periods searched
	Iters       int // first-order iterations, summed over periods
	NewtonIters int // Newton iterations of the batch, summed over periods
	Converged   int // candidates whose Newton solve met TolResidual, over all periods
	FixedPoints int // of those, solutions that were fixed points (minimal period 1)
	Shorter     int // of those, solutions whose minimal period was a proper divisor d >= 2 of k
	Runtime     time.Duration
}
