package finder

import (
	"fmt"
	"math"
	"time"

	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/orbits"
	G "gorgonia.org/gorgonia"
)

// Batching chooses how candidates share the first-order search.
type Batching int

const (
	// Joint optimizes all candidates in one batched graph (the default).
	Joint Batching = iota
	// Sequential optimizes one candidate at a time, each with its own graph run.
	Sequential
)

// Optimizer chooses the first-order solver.
type Optimizer int

const (
	// PerCandidate is our solver: Adam moments, learning rate and stopping
	// rule kept per candidate; a candidate that meets the tolerance is frozen.
	PerCandidate Optimizer = iota
	// ReferenceAdam is gorgonia's AdamSolver driven as the Python
	// FixedPointFinder drives Adam: one learning rate with its adaptive
	// schedule and one adaptive global gradient-norm clip for the whole batch.
	ReferenceAdam
)

// Settings configures Find. A zero field takes the default in its comment.
type Settings struct {
	Batching  Batching  // Joint
	Optimizer Optimizer // PerCandidate
	Dtype     graph.Dtype

	TolQ         float64 // 1e-12: a candidate is done when q < TolQ ...
	TolDQ        float64 // 1e-20: ... or |q(t) - q(t-1)| < TolDQ * learning rate
	MaxIters     int     // 5000 first-order iterations
	LearningRate float64 // 1.0 as the reference: the initial learning rate
	AdamEpsilon  float64 // 0 resolves at Find: 0.01 for ReferenceAdam (as the reference), 1e-8 for PerCandidate

	// NewSolver, when not nil, makes the first-order solver of a batch of
	// rows candidates of n states (one rows x n value): any gorgonia.Solver,
	// such as gorgonia.NewAdamSolver(gorgonia.WithLearnRate(0.1)). It is
	// called again for each smaller batch, since a solver keeps per-row
	// state. The rows of candidates that are done are frozen: their gradient
	// is zeroed before each step and their values put back after it, so they
	// stay where they converged whatever the solver. The solver's learning
	// rate is its own; LearningRate then only scales the TolDQ test.
	// nil: CandidateAdam (PerCandidate). Not with ReferenceAdam.
	NewSolver func(rows, n int) G.Solver

	// Refinement: Levenberg-Marquardt on F(x) - x = 0 after the search.
	// With refinement on, a candidate also leaves the first-order search once
	// q < HandoffQ or once q stalls (less than halved over StallIters
	// iterations): second-order steps finish it far faster. The trust region
	// of the refinement makes an early hand-off safe; the first-order search
	// then only brings the far candidates within reach.
	NoRefine       bool
	HandoffQ       float64 // 1
	SearchFloat32  bool    // false: with Dtype Float64, run the first-order search in float32 (refine and certify in float64)
	StallIters     int     // 100
	MaxRefineIters int     // 50
	TolResidual    float64 // 0 resolves at Find: 1e-10 (float64) or 1e-5 (float32); certified when max|F(x)-x| <= this
	// SlowRegionSpeed: a candidate that ends at neither a root nor a local
	// minimum of q is on a slow region when its speed sqrt(2q) is below
	// this times the network's own speed (see Problem.Trajectories).
	SlowRegionSpeed float64 // 1e-2
	JacobianBudget  int     // 256 MiB: memory for the N x N matrices (Jacobians, refinement) held at once
	Refiner         Refiner // AutoRefiner: DenseLM below KrylovMinN states, NewtonKrylov from there
	KrylovMinN      int     // 128: the state size from which AutoRefiner takes Newton-Krylov (measured: examples/bench -scale)

	// Proofs (prove.go): for a cell whose residual factors (cells.Factored),
	// candidates are refined on the real equation G = 0 and each root is
	// proved by Krawczyk's operator; only proved points are fixed. Cells
	// without the interface are certified by residual (Proof.Method
	// "residual").
	NoProof       bool    // false: prove (NoProof: certify by residual, as before issue 26)
	ProveResidual float64 // 1e-6: candidates with max|F-x| <= this * max(1, |x|) are refined on G and proved

	// Post-processing as the reference.
	TolUnique            float64 // 1e-3: points closer than this ([x; u], 2-norm) are one
	MaxUnique            int     // 0: no cap; else keep a random (seeded) subset
	KeepDistanceOutliers bool    // false: drop points far from the initial states
	OutlierDistanceScale float64 // 10
	RerunQOutliers       bool    // false
	OutlierQScale        float64 // 10

	// Linearization.
	NoJacobians    bool        // skip Jacobians (and so eigen-decomposition)
	NoDecompose    bool        // Jacobians but no eigen-decomposition
	NoEigenvectors bool        // eigenvalues only: several times faster at large N (Modes' vectors stay nil)
	MarginalTol    float64     // 1e-3: |lambda| within this of 1 is marginal
	Eigen          EigenMethod // AutoEigen: FullEigen below LeadingMinN states, LeadingEigen from there
	LeadingMinN    int         // 512
	LeadingModes   int         // 8: leading modes sought at least (LeadingEigen), doubled until the rest is proven stable
	ContinuousTime bool        // judge stability of dx/dt = F(x) - x (Re(lambda-1) < 0)
	// ProveStabilityMaxN is the largest N at which Linearize proves the mode
	// classes (see proveStability; about N^3, seconds at 512); 0 means 512,
	// negative never. Above it, and for modes the proof leaves undecided,
	// the first-order estimates decide (Stability.Proved false).
	ProveStabilityMaxN int
	// KeepMatricesMaxN is the largest N at which Find keeps every fixed
	// point's matrices: Point.Jacobian and InputJacobian and each mode's
	// Right and Left eigenvectors (N^2 values a point: 8 MiB of Jacobian and
	// 32 MiB of eigenvectors at N = 1024, 2.5 MiB in all at 256, so that a
	// thousand points hold 40 and 2.5 GiB). 0 means 256, negative always.
	// Above it Find linearizes the points a Jacobian chunk at a time and
	// keeps of each only O(N): its Modes without their vectors (Value, Cond,
	// Bound, Class, Proved), Stability, JacobianError, and the right
	// eigenvectors of the unstable modes that the connections can start
	// from within ConnectBudget (see Connection; all of them when the budget
	// is negative, none with NoConnections). Nothing else changes: the
	// same values, classes, proofs and connections. LinearizePoints fills
	// the matrices again for the points wanted. Linearize, EvalJacobians
	// and Decompose always keep everything.
	KeepMatricesMaxN int

	// Completion (see complete.go): after the search, new candidates are
	// seeded from the fixed points found (midpoints of pairs, nearest first,
	// and deflated Newton from initial states that found known points),
	// refined and certified as usual, in rounds until a round finds nothing
	// new, CompleteRounds rounds have run or CompleteBudget seeds are spent.
	NoComplete      bool // false: completion runs (it needs the refinement)
	CompleteRounds  int  // 8
	CompleteBudget  int  // seeded candidates over all rounds; 0: 4096 up to N = 64, 2^30 / N^3 above (none above N = 1024, with a warning): a seed's refinement costs ~N^3
	DeflationStarts int  // 32 deflated starts per round at most; < 0: no deflation

	// Connections (see connections.go): every real unstable mode of each
	// certified unstable point, and every unstable Floquet multiplier of
	// each orbit (MaxPeriod), is followed both ways (complex pairs at four
	// angles in their plane) to where it settles: a stable fixed point or
	// a stable orbit, among others.
	NoConnections bool    // false: connections are traced after linearization and the orbits
	ConnectSteps  int     // 2000 steps of the map at most per trajectory
	ConnectEps    float64 // 1e-3: start offset, relative to max(1, max|x*_i|)
	// ConnectBudget bounds the steps of the map summed over all
	// trajectories: 0 means 2^30 / (N^2 + 64 N) (about a second's work; at
	// least 4 ConnectSteps), negative no bound.
	// Under it each point's leading unstable modes are followed before any
	// point's next ones, and a warning counts the trajectories left out.
	ConnectBudget int

	// MaxPeriod: 0 (the default) seeks no periodic orbits; K >= 2 seeks
	// the orbits of the map of minimal period 2..K from the same initial
	// states, one search per distinct input row (package orbits, with
	// this search's TolResidual and TolUnique), into Result.Orbits. Not
	// with ContinuousTime (the flow's cycles: Cycles).
	MaxPeriod int
	// Cycles, with ContinuousTime, seeks the limit cycles of the flow
	// dx/dt = F(x) - x: each initial state is integrated and a trajectory
	// that does not settle seeds a cycle, refined by shooting with its
	// period unknown (orbits.FindCycles, one search per distinct input
	// row), into Result.Cycles. Its cost grows as N^3 per integration step.
	Cycles bool

	Seed     uint64         // seeds the random cap and anything else random
	Progress func(Progress) // called now and then during the search; may be nil
}

// Progress reports how a search is going.
type Progress struct {
	Stage    string // "search", "refine", "linearize"
	Iter     int
	MaxIters int
	Done     int // candidates done (converged or stopped); fixed points linearized in "linearize"
	Total    int // candidates; fixed points in "linearize"
	MaxQ     float64
	Elapsed  time.Duration
}

// DefaultSettings returns Settings with every default filled in except
// those that depend on another setting (AdamEpsilon on Optimizer;
// TolResidual on Dtype), which stay 0 and are resolved when
// Find runs, so that changing Optimizer or Dtype afterwards behaves exactly
// as setting it first. Effective shows them resolved; Result.Settings holds
// the settings a search used.
func DefaultSettings() Settings {
	var s Settings
	s.fillIndependent()
	return s
}

// Effective returns s with every zero field resolved to its default, the
// coupled ones for s's own Optimizer and Dtype: the settings Find runs with.
func (s Settings) Effective() Settings {
	s.fill()
	return s
}

// fill resolves every zero field to its default.
func (s *Settings) fill() {
	s.fillIndependent()
	s.fillCoupled()
}

// fillCoupled resolves the defaults that depend on another setting.
func (s *Settings) fillCoupled() {
	if s.AdamEpsilon == 0 {
		if s.Optimizer == ReferenceAdam {
			s.AdamEpsilon = 0.01
		} else {
			s.AdamEpsilon = 1e-8
		}
	}
	if s.TolResidual == 0 {
		s.TolResidual = 1e-10
		if s.Dtype == graph.Float32 {
			s.TolResidual = 1e-5
		}
	}
}

// fillIndependent resolves the defaults that depend on no other setting.
func (s *Settings) fillIndependent() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.TolQ, 1e-12)
	def(&s.TolDQ, 1e-20)
	if s.MaxIters == 0 {
		s.MaxIters = 5000
	}
	def(&s.LearningRate, 1)
	def(&s.HandoffQ, 1)
	if s.StallIters == 0 {
		s.StallIters = 100
	}
	if s.MaxRefineIters == 0 {
		s.MaxRefineIters = 50
	}
	if s.JacobianBudget == 0 {
		s.JacobianBudget = 256 << 20
	}
	if s.LeadingMinN == 0 {
		s.LeadingMinN = 512
	}
	if s.ProveStabilityMaxN == 0 {
		s.ProveStabilityMaxN = 512
	}
	if s.KeepMatricesMaxN == 0 {
		s.KeepMatricesMaxN = 256
	}
	if s.LeadingModes == 0 {
		s.LeadingModes = 8
	}
	if s.KrylovMinN == 0 {
		s.KrylovMinN = 128
	}
	def(&s.TolUnique, 1e-3)
	def(&s.OutlierDistanceScale, 10)
	def(&s.ProveResidual, 1e-6)
	def(&s.OutlierQScale, 10)
	def(&s.MarginalTol, 1e-3)
	def(&s.SlowRegionSpeed, 1e-2)
	if s.CompleteRounds == 0 {
		s.CompleteRounds = 8
	}
	if s.DeflationStarts == 0 {
		s.DeflationStarts = 32
	}
	if s.ConnectSteps == 0 {
		s.ConnectSteps = 2000
	}
	def(&s.ConnectEps, 1e-3)
}

// validate reports the first setting that makes no sense.
func (s *Settings) validate() error {
	pos := []struct {
		name string
		v    float64
	}{
		{"TolQ", s.TolQ}, {"TolDQ", s.TolDQ}, {"LearningRate", s.LearningRate},
		{"AdamEpsilon", s.AdamEpsilon}, {"TolResidual", s.TolResidual}, {"SlowRegionSpeed", s.SlowRegionSpeed},
		{"TolUnique", s.TolUnique}, {"OutlierDistanceScale", s.OutlierDistanceScale},
		{"OutlierQScale", s.OutlierQScale}, {"MarginalTol", s.MarginalTol}, {"HandoffQ", s.HandoffQ},
		{"ConnectEps", s.ConnectEps}, {"ProveResidual", s.ProveResidual},
	}
	for _, p := range pos {
		if p.v < 0 || math.IsNaN(p.v) || math.IsInf(p.v, 0) {
			return fmt.Errorf("finder: %w: %s = %v, want a finite value > 0", ErrSettings, p.name, p.v)
		}
	}
	if s.MaxIters < 0 {
		return fmt.Errorf("finder: %w: MaxIters = %d, want > 0 (0 means the default)", ErrSettings, s.MaxIters)
	}
	if s.StallIters < 0 {
		return fmt.Errorf("finder: %w: StallIters = %d, want > 0", ErrSettings, s.StallIters)
	}
	if s.MaxRefineIters < 0 {
		return fmt.Errorf("finder: %w: MaxRefineIters = %d, want >= 0", ErrSettings, s.MaxRefineIters)
	}
	if s.MaxUnique < 0 {
		return fmt.Errorf("finder: %w: MaxUnique = %d, want >= 0", ErrSettings, s.MaxUnique)
	}
	if s.JacobianBudget < 0 {
		return fmt.Errorf("finder: %w: JacobianBudget = %d, want >= 0", ErrSettings, s.JacobianBudget)
	}
	if s.CompleteRounds < 0 || s.CompleteBudget < 0 || s.ConnectSteps < 0 {
		return fmt.Errorf("finder: %w: CompleteRounds %d, CompleteBudget %d, ConnectSteps %d, want >= 0", ErrSettings, s.CompleteRounds, s.CompleteBudget, s.ConnectSteps)
	}
	if s.LeadingMinN < 0 || s.LeadingModes < 0 {
		return fmt.Errorf("finder: %w: LeadingMinN = %d, LeadingModes = %d, want >= 0", ErrSettings, s.LeadingMinN, s.LeadingModes)
	}
	if s.Eigen < AutoEigen || s.Eigen > LeadingEigen {
		return fmt.Errorf("finder: %w: unknown Eigen %d", ErrSettings, s.Eigen)
	}
	if s.KrylovMinN < 0 {
		return fmt.Errorf("finder: %w: KrylovMinN = %d, want >= 0", ErrSettings, s.KrylovMinN)
	}
	if s.Refiner < AutoRefiner || s.Refiner > NewtonKrylov {
		return fmt.Errorf("finder: %w: unknown Refiner %d", ErrSettings, s.Refiner)
	}
	if s.Batching != Joint && s.Batching != Sequential {
		return fmt.Errorf("finder: %w: unknown Batching %d", ErrSettings, s.Batching)
	}
	if s.Optimizer != PerCandidate && s.Optimizer != ReferenceAdam {
		return fmt.Errorf("finder: %w: unknown Optimizer %d", ErrSettings, s.Optimizer)
	}
	if s.MaxPeriod < 0 || s.MaxPeriod > orbits.MaxPeriod {
		return fmt.Errorf("finder: %w: MaxPeriod = %d, want 0 (none) to %d", ErrSettings, s.MaxPeriod, orbits.MaxPeriod)
	}
	if s.MaxPeriod > 1 && s.ContinuousTime {
		return fmt.Errorf("finder: %w: MaxPeriod seeks orbits of the map, not with ContinuousTime (Cycles seeks the flow's limit cycles)", ErrSettings)
	}
	if s.Cycles && !s.ContinuousTime {
		return fmt.Errorf("finder: %w: Cycles seeks limit cycles of the flow dx/dt = F(x) - x: set ContinuousTime (MaxPeriod seeks the map's periodic orbits)", ErrSettings)
	}
	if s.NewSolver != nil && s.Optimizer == ReferenceAdam {
		return fmt.Errorf("finder: %w: NewSolver and Optimizer ReferenceAdam both choose the solver", ErrSettings)
	}
	return nil
}

// memoryVectorsPerCandidate is how many vectors of N + M values Find holds
// per candidate during the search: the state, the input, the gradient, the
// solver's moments, the graph's intermediates and the refinement's work
// vectors, rounded up.
const memoryVectorsPerCandidate = 32

// MemoryNeed estimates the bytes Find needs for B initial states of a cell
// with N states and M inputs under s (zero fields at their defaults): the
// batch, about 32 vectors of N + M values per candidate, and the N x N
// Jacobians held at once (Settings.JacobianBudget, or all B of them when
// that is less). It is in float64 so that absurd sizes do not overflow. It
// is a floor, not a measurement: commands compare it with the memory they
// may use before they allocate anything, and refuse sizes that cannot fit.
func MemoryNeed(N, M, B int, s Settings) float64 {
	s.fill()
	n, m, b := float64(N), float64(M), float64(B)
	batch := 8 * b * (n + m) * memoryVectorsPerCandidate
	jac := min(float64(s.JacobianBudget), 8*b*n*(n+m))
	return batch + jac
}

// keepMatrices reports whether Find keeps every point's Jacobians and
// eigenvectors at N states (Settings.KeepMatricesMaxN, filled).
func (s *Settings) keepMatrices(N int) bool {
	return s.KeepMatricesMaxN < 0 || N <= s.KeepMatricesMaxN
}
