package finder

import "math"

// candidate is the working state of one candidate during a search.
type candidate struct {
	x, xInit, u []float64
	f           []float64
	q, dq       float64
	iters       int
	refines     int
	done        bool    // left the first-order search
	checkpoint  float64 // q at the last stall checkpoint
	lr          float64 // learning rate when it stopped
	q0          float64 // q at the initial state
	bestQ       float64 // lowest q seen in the first-order search ...
	bestX       []float64
	bestF       []float64 // ... where it was seen
	// stop is why the candidate last stopped (first-order search or
	// refinement) short of certification; decideOutcomes turns it into the
	// Reason of an unconverged candidate.
	stop Reason
	// retry marks a candidate sent back to the first-order search after
	// the refinement stalled (see retryStalled); it hands off again only
	// once q < retryQ.
	retry  bool
	retryQ float64
	hand   float64 // Settings.HandoffQ
	// active marks a candidate still being worked on, for cancellation.
	active bool
	// Set by decideOutcomes.
	outcome  Outcome
	reason   Reason
	grad     float64 // ||grad q|| over its rounding floor (see checkSlow) ...
	checked  bool    // ... when checked
	hessMin  float64 // smallest eigenvalue of the Hessian of q, when checked
	hessErr  float64 // its estimated error bound
	slow     bool    // checked: a local minimum of q > 0
	relSpeed float64 // sqrt(2q) over the network's speed, when checked
	// Set by prove (prove.go).
	pf        Proof       // its proof, when proved (or residual-certified)
	proofFail string      // why its proof failed, when tried
	gRes      float64     // max|G| at x (0 when not evaluated)
	hit       *provedRoot // the root Newton on G reached from it, when it stays put
}

// keepBest records the current point if it is the best so far.
func (c *candidate) keepBest() {
	if c.bestX == nil {
		c.bestX, c.bestF = make([]float64, len(c.x)), make([]float64, len(c.f))
		c.bestQ = math.Inf(1)
	}
	if c.q < c.bestQ {
		c.bestQ = c.q
		copy(c.bestX, c.x)
		copy(c.bestF, c.f)
	}
}

// revert goes back to the best point seen.
func (c *candidate) revert() {
	if c.bestX != nil && c.bestQ < c.q {
		c.q = c.bestQ
		copy(c.x, c.bestX)
		copy(c.f, c.bestF)
	}
}

// residual is max_i |F_i(x) - x_i| (NaN if one is NaN), found as
// maxAbsFrom finds its maximum.
func residual(f, x []float64) float64 {
	const sign = 1 << 63
	m0, m1 := uint64(0), uint64(0)
	i := 0
	for ; i+1 < len(x); i += 2 {
		m0 = max(m0, math.Float64bits(f[i]-x[i])&^sign)
		m1 = max(m1, math.Float64bits(f[i+1]-x[i+1])&^sign)
	}
	if i < len(x) {
		m0 = max(m0, math.Float64bits(f[i]-x[i])&^sign)
	}
	return math.Float64frombits(max(m0, m1))
}

// maxAbsFrom is max(m, max_i |x_i|) for m >= 0, or NaN if some x_i is.
// It compares the values' bits as integers: for numbers without sign, and
// NaNs above +Inf, their order is that of the values. Branches on signs
// (abs) and float64 max's chain of NaN and zero checks made the loop the
// refinement's hottest at N = 16 (scale, capStep, residual: ~10% of an
// RNN-16 Find's CPU), where the integer maximum is a conditional move.
func maxAbsFrom(m float64, x []float64) float64 {
	const sign = 1 << 63
	m0, m1 := math.Float64bits(m), uint64(0)
	i := 0
	for ; i+1 < len(x); i += 2 {
		m0 = max(m0, math.Float64bits(x[i])&^sign)
		m1 = max(m1, math.Float64bits(x[i+1])&^sign)
	}
	if i < len(x) {
		m0 = max(m0, math.Float64bits(x[i])&^sign)
	}
	return math.Float64frombits(max(m0, m1))
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// halfSq is 0.5*||f - x||^2.
func halfSq(f, x []float64) float64 {
	s := 0.0
	for i := range x {
		d := f[i] - x[i]
		s += d * d
	}
	return 0.5 * s
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// batchRows is the batch compiled for n rows of N states: the next power of
// two, and at least enough rows for about 1024 values. Below that a run
// costs the same whatever its rows (a 16-unit RNN step: 62 µs at 1 row, 74
// µs at 64), while every new size costs a graph build (0.3-6 ms), so small
// batches share one size.
func batchRows(n, N int) int {
	return max(nextPow2(n), nextPow2(max(1, 1024/max(N, 1))))
}

// batchFreeN is the largest state size at which every row of a batch
// evaluation is computed the same whatever the batch: gonum's matrix
// products (gorgonia's) work in blocks of 64, and once a product has 4
// blocks of rows and columns they sum a row's products with a transposed
// matrix block by block when the inner dimension exceeds 64, which can
// round differently from the one sum of a smaller batch (seen at N = 128
// between batches of 128 rows and more: the last bits of a few GRU-128
// candidates' final states).
const batchFreeN = 64

// fewRows is the batch compiled for n rows of N states where n may be
// below batchRows' floor of 1024/N rows: the next power of two, at least 4
// rows (or the floor, if smaller), and batchRows(n, N) from the floor up.
// Since the graphs run on the caller's goroutine a small batch costs less:
// an objective and gradient of the flip-flop GRU-16 takes 55 µs at 4 rows,
// 164 µs at 64 (LSTM-16: 86 and 332 µs; CPU time, one core). It changes
// no value: up to batchFreeN states no batch does, and above it changes
// only batches below batchRows' floor (at most 16 rows), all within one of
// gonum's blocks of 64 rows, which it computes alike. Each size is a graph
// built once (graph.Shared keeps it for the next Find).
func fewRows(n, N int) int {
	return max(nextPow2(n), min(4, batchRows(1, N)))
}

// handoff is the q below which the candidate leaves the first-order search
// for the refinement.
func (c *candidate) handoff() float64 {
	if c.retry {
		return c.retryQ
	}
	return c.hand
}
