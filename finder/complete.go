package finder

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// CompletionRound counts one round of the completion stage.
type CompletionRound struct {
	Midpoints int // candidates seeded at midpoints of pairs of found points
	Deflated  int // initial states restarted under deflation
	New       int // new certified fixed points found in the round ...
	Deflation int // ... of which from deflated starts
}

// settleSeeds evaluates the seeds from candidate lo on, deflates them first
// when deflated is set, refines them, and appends those certified at new
// points to *known. It returns how many it appended.
func (f *finder) settleSeeds(ctx context.Context, lo int, deflated bool, known *[]int) (int, error) {
	idx := make([]int, 0, len(f.cands)-lo)
	for ci := lo; ci < len(f.cands); ci++ {
		idx = append(idx, ci)
	}
	if len(idx) == 0 {
		return 0, nil
	}
	if err := f.evalAt(idx); err != nil {
		return 0, err
	}
	if deflated {
		var err error
		if idx, err = f.deflate(ctx, idx, *known); err != nil {
			return 0, err
		}
	}
	if err := f.refineSeeds(ctx, idx, *known); err != nil {
		return 0, err
	}
	// A seed in a known proved point's uniqueness box is that point, as
	// refineSeeds' stop assumes (Newton on G from there reaches the box's
	// root, the only one in it), and isKnown below says so of it whatever
	// its state in the box: it is not proved again. On the flip-flop
	// networks most seeds end there (GRU-16: 273 of the 351 midpoints that
	// prove would try).
	open := make([]int, 0, len(idx))
	for _, ci := range idx {
		if !f.inKnownBox(*known, f.cands[ci]) {
			open = append(open, ci)
		}
	}
	if err := f.prove(ctx, open, false); err != nil {
		return 0, err
	}
	n := 0
	for _, ci := range idx {
		if c := f.cands[ci]; f.certified(c) && !f.isKnown(*known, c.x, c.u) {
			*known = append(*known, ci)
			n++
		}
	}
	f.linearizeAhead(ctx, (*known)[len(*known)-n:])
	return n, nil
}

// complete is the completion stage: it seeds new candidates from the fixed
// points found so far, refines and certifies them as usual, and keeps those
// that certify at a point not yet known. A round seeds
//
//   - the midpoints of pairs of known points (with the same input), nearest
//     pairs first, each pair once: between two attractors lies, typically,
//     the saddle that separates them (exactly so for the flip-flop), and
//     Newton's basin of a saddle is thin, so random starts miss it;
//   - when the round's midpoints found nothing new, deflated Newton from
//     initial states whose candidates converged to known points (deflate),
//     which pushes them away from every known root. Deflation costs several
//     Jacobians per start and the midpoints find most points, so it is the
//     fallback of a round, not part of every one.
//
// Rounds run until one finds nothing new, Settings.CompleteRounds have run
// or Settings.CompleteBudget seeds are spent. Seeds that end anywhere else
// (a known point, a slow point, nowhere) are dropped: Result.All holds the
// initial states' candidates followed by the completion's new points.
func (f *finder) complete(ctx context.Context) error {
	t0 := time.Now()
	defer func() { f.stats.CompleteTime += time.Since(t0) }()
	f.reportCount("complete", 0, f.s.CompleteBudget)
	nInit := len(f.cands)
	known := f.knownPoints()
	f.linearizeAhead(ctx, known)
	var hits [][]int // basinStarts of the points known now, when deflation first needs them
	known0 := slices.Clone(known)
	tried := map[[2]int]bool{}
	used := map[int]bool{}
	budget := f.s.CompleteBudget
	if budget == 0 { // the default at this N (a budget given is at least 1)
		f.stats.Warnings = append(f.stats.Warnings, fmt.Sprintf(
			"completion seeded nothing: its default budget, 2^30 / N^3 seeds (each refined densely, ~N^3), is 0 at N = %d; set CompleteBudget to seek fixed points the initial states missed", f.N))
	}
	for round := 0; round < f.s.CompleteRounds && budget > 0; round++ {
		if ctx.Err() != nil {
			f.canceled = true
			break
		}
		lo := len(f.cands)
		mids := f.midpointSeeds(known, tried, min(budget, max(roundMin, roundPer*len(known))))
		budget -= mids
		n, err := f.settleSeeds(ctx, lo, false, &known)
		if err != nil {
			return err
		}
		var starts []int
		nd := 0
		if n == 0 && f.s.DeflationStarts > 0 && !f.canceled {
			if hits == nil {
				hits = f.basinStarts(known0, nInit)
			}
			starts = pickStarts(hits, used, min(budget, f.s.DeflationStarts))
			budget -= len(starts)
			dlo := len(f.cands)
			for _, i := range starts {
				f.addSeed(f.cands[i].xInit, i)
			}
			if nd, err = f.settleSeeds(ctx, dlo, true, &known); err != nil {
				return err
			}
		}
		if mids+len(starts) == 0 {
			break
		}
		f.stats.Completion = append(f.stats.Completion, CompletionRound{Midpoints: mids, Deflated: len(starts), New: n + nd, Deflation: nd})
		if n+nd == 0 || f.canceled {
			break
		}
	}
	// Keep, after the initial states' candidates, only the new points.
	var keep []int
	for _, ci := range known {
		if ci >= nInit {
			keep = append(keep, ci)
		}
	}
	slices.Sort(keep)
	cands, parents := f.cands[:nInit], f.parent[:0]
	for _, ci := range keep {
		cands = append(cands, f.cands[ci])
		parents = append(parents, f.parent[ci-nInit])
	}
	f.cands, f.parent = cands, parents
	return nil
}

// completeBudget is the default CompleteBudget for N states: 4096 seeds up
// to N = 64, then as many as cost the same, 2^30 / N^3 (a seed's
// refinement is dense: about N^3 each; one seed took 36 s at N = 1024 at
// load 8), which is one at N = 1024 and none above. 2^27 / N^3 made it 512
// at N = 64, where the planted network then showed 65 of the 137 fixed
// points 4096 seeds find (3.6 s against 10.1 s for the whole Find).
func completeBudget(N int) int {
	n := int64(max(N, 1))
	return int(min(4096, (int64(1)<<30)/(n*n*n)))
}

// addSeed appends a candidate at x (copied) with the input of candidate
// parent, whose condition id it inherits.
func (f *finder) addSeed(x []float64, parent int) {
	nInit := f.nInit()
	for parent >= nInit {
		parent = f.parent[parent-nInit]
	}
	f.cands = append(f.cands, &candidate{
		x:     append([]float64(nil), x...),
		xInit: append([]float64(nil), x...),
		u:     append([]float64(nil), f.cands[parent].u...),
		f:     make([]float64, f.N),
		q:     math.Inf(1),
		done:  true,
	})
	f.parent = append(f.parent, parent)
}

// nInit is the number of candidates from the initial states.
func (f *finder) nInit() int { return len(f.cands) - len(f.parent) }

// knownPoints returns one certified candidate per distinct fixed point
// (within TolUnique on [x; u]), in candidate order.
func (f *finder) knownPoints() []int {
	var known []int
	for ci, c := range f.cands {
		if f.certified(c) && !f.isKnown(known, c.x, c.u) {
			known = append(known, ci)
		}
	}
	return known
}

// isKnown reports whether the certified point [x; u] is a known point. A
// proved known point is the same root when x lies in its uniqueness box
// (same input): two distinct proved roots closer than TolUnique stay two,
// as uniqueFixed keeps them. Otherwise, within TolUnique.
func (f *finder) isKnown(known []int, x, u []float64) bool {
	for _, k := range known {
		c := f.cands[k]
		if c.pf.Method == ProofKrawczyk {
			if slices.Equal(x, c.x) && slices.Equal(u, c.u) || inBox(x, u, c.x, c.u, c.pf.UniqueRadius) {
				return true
			}
			continue
		}
		if d, ok := pairDistanceBelow(c.x, c.u, x, u, 4*f.s.TolUnique*f.s.TolUnique); ok && d <= f.s.TolUnique {
			return true
		}
	}
	return false
}

// seedIsKnown reports whether a seed [x; u] lies at a known point: within
// TolUnique of it, and for a proved point also within its uniqueness box
// (a seed just outside a small box may well reach a neighbouring root).
func (f *finder) seedIsKnown(known []int, x, u []float64) bool {
	for _, k := range known {
		c := f.cands[k]
		if d, ok := pairDistanceBelow(c.x, c.u, x, u, 4*f.s.TolUnique*f.s.TolUnique); !ok || d > f.s.TolUnique {
			continue
		}
		if c.pf.Method != ProofKrawczyk || inBox(x, u, c.x, c.u, c.pf.UniqueRadius) {
			return true
		}
	}
	return false
}

// inBox reports whether x lies within max-norm distance r of c, at the
// same input, stopping at the first coordinate that does not (most roots
// are far from most candidates); a NaN is not within.
func inBox(x, u, c, cu []float64, r float64) bool {
	if !slices.Equal(u, cu) || len(x) != len(c) {
		return false
	}
	for i, v := range x {
		if !(math.Abs(v-c[i]) < r) {
			return false
		}
	}
	return true
}

// basinStarts lists, for each known point, the initial-state candidates
// (index < nInit) certified at it: its basin hits.
func (f *finder) basinStarts(known []int, nInit int) [][]int {
	hits := make([][]int, len(known))
	type nearest struct {
		k int
		d float64
	}
	at := map[*provedRoot]nearest{} // at the early roots, for the candidates frozen there
	for ci := 0; ci < nInit; ci++ {
		c := f.cands[ci]
		x := c.x
		switch {
		case c.hit != nil:
			x = c.hit.x // the proved root Newton on G reached from it (prove.go)
		case !(residual(c.f, c.x) <= f.s.TolResidual):
			continue
		}
		var r *provedRoot
		if c.hit == nil {
			r = f.frozenAt(c)
		}
		n, ok := at[r]
		if r == nil || !ok {
			n.k, n.d = nearestWithin(len(known), f.s.TolUnique, func(k int) ([]float64, []float64) {
				return f.cands[known[k]].x, f.cands[known[k]].u
			}, x, c.u)
			if r != nil {
				at[r] = n
			}
		}
		if n.k >= 0 && n.d <= f.s.TolUnique {
			hits[n.k] = append(hits[n.k], ci)
		}
	}
	return hits
}

// pairDistanceBelow is pairDistance, summed in the same order, and true;
// or false as soon as the partial sum of squares exceeds lim2 (so that the
// whole would: the partial sums never decrease).
func pairDistanceBelow(xa, ua, xb, ub []float64, lim2 float64) (float64, bool) {
	s, ok := pairDist2Below(xa, ua, xb, ub, lim2)
	return math.Sqrt(s), ok
}

// pairDist2Below is the square of pairDistanceBelow (connections' nearest
// test calls it with no inputs).
func pairDist2Below(xa, ua, xb, ub []float64, lim2 float64) (float64, bool) {
	if len(xa) != len(xb) || len(ua) != len(ub) {
		return math.Inf(1), false
	}
	s := 0.0
	for i, v := range xa {
		d := v - xb[i]
		if s += d * d; s > lim2 {
			return s, false
		}
	}
	for i, v := range ua {
		d := v - ub[i]
		if s += d * d; s > lim2 {
			return s, false
		}
	}
	return s, true
}

// nearestWithin returns the first of the n points at(k) nearest to [x; u]
// and its distance, as a full search does, when that distance is at most
// tol; otherwise the nearest or -1 (never within tol). A distance is summed
// only while it can still be the least and within 2 tol, which at large N
// and many points leaves out most of the arithmetic.
func nearestWithin(n int, tol float64, at func(k int) ([]float64, []float64), x, u []float64) (int, float64) {
	best, bd, lim := -1, math.Inf(1), 4*tol*tol
	for k := 0; k < n; k++ {
		xk, uk := at(k)
		if s, ok := pairDist2Below(xk, uk, x, u, lim); ok {
			if d := math.Sqrt(s); d < bd {
				best, bd, lim = k, d, s
			}
		}
	}
	return best, bd
}

// pickStarts takes up to n unused initial states, one per point in turn,
// points with the most hits first: the largest basins give the most starts
// that deflation can push elsewhere.
func pickStarts(hits [][]int, used map[int]bool, n int) []int {
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(hits[order[a]]) > len(hits[order[b]]) })
	var out []int
	for more := true; more && len(out) < n; {
		more = false
		for _, k := range order {
			if len(out) >= n {
				break
			}
			for _, ci := range hits[k] {
				if !used[ci] {
					used[ci] = true
					out = append(out, ci)
					more = true
					break
				}
			}
		}
	}
	return out
}

// maxPairs bounds the pairs whose distances are sorted in one round; beyond
// it each point pairs only with its pairNeighbours nearest.
const (
	maxPairs       = 1 << 21
	pairNeighbours = 32
)

// midpointSeeds appends, as new candidates, the midpoints of untried pairs of
// known points with equal inputs, nearest pairs first, at most budget of
// them. Midpoints that fall on a known point or on an earlier midpoint of the
// round are skipped (their pair counts as tried). It returns how many it
// added.
func (f *finder) midpointSeeds(known []int, tried map[[2]int]bool, budget int) int {
	type pair struct {
		a, b int
		d    float64
	}
	var pairs []pair
	K := len(known)
	all := K*(K-1)/2 <= maxPairs
	for i := 0; i < K; i++ {
		ci := f.cands[known[i]]
		var near []pair
		for j := i + 1; j < K; j++ {
			cj := f.cands[known[j]]
			if tried[[2]int{known[i], known[j]}] || !slices.Equal(ci.u, cj.u) {
				continue
			}
			near = append(near, pair{known[i], known[j], dist2(ci.x, cj.x)})
		}
		if !all && len(near) > pairNeighbours {
			sort.Slice(near, func(a, b int) bool { return near[a].d < near[b].d })
			near = near[:pairNeighbours]
		}
		pairs = append(pairs, near...)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { // sort.SliceStable's order, without its reflection
		switch {
		case a.d < b.d:
			return -1
		case b.d < a.d:
			return 1
		}
		return 0
	})
	seen := map[string]bool{}
	added := 0
	mid := make([]float64, f.N)
	for _, p := range pairs {
		if added >= budget {
			break
		}
		tried[[2]int{p.a, p.b}] = true
		xa, xb := f.cands[p.a].x, f.cands[p.b].x
		for i := range mid {
			mid[i] = 0.5 * (xa[i] + xb[i])
		}
		key := gridKey(mid, f.s.TolUnique)
		if seen[key] || f.seedIsKnown(known, mid, f.cands[p.a].u) {
			continue
		}
		seen[key] = true
		f.addSeed(mid, p.a)
		added++
	}
	return added
}

// gridKey names the cell of side tol holding x: equal midpoints (two pairs
// across one saddle) share it.
func gridKey(x []float64, tol float64) string {
	b := make([]byte, 0, 8*len(x))
	for _, v := range x {
		k := int64(math.Round(v / tol))
		for s := 0; s < 64; s += 8 {
			b = append(b, byte(k>>s))
		}
	}
	return string(b)
}

// evalAt sets F(x), q and the best point of the candidates idx. Those
// frozen at one early root (freezeAtRoots) have its x and u bit for bit,
// so one row of the batch serves them all (a row's F does not depend on
// the others: TestFindAnyCores16).
func (f *finder) evalAt(idx []int) error {
	N, M := f.N, f.M
	rep := f.frozenReps(len(idx), func(k int) *candidate { return f.cands[idx[k]] })
	rows := make([]int, 0, len(idx))
	for k, ci := range idx {
		if rep[k] == k {
			rows = append(rows, ci)
		}
	}
	const chunk = 4096
	for lo := 0; lo < len(rows); lo += chunk {
		part := rows[lo:min(lo+chunk, len(rows))]
		B := batchRows(len(part), N)
		x, u, out := make([]float64, B*N), make([]float64, B*M), make([]float64, B*N)
		for row, ci := range part {
			copy(x[row*N:], f.cands[ci].x)
			copy(u[row*M:], f.cands[ci].u)
		}
		if err := f.stepRows(x, u, out, len(part)); err != nil {
			return err
		}
		for row, ci := range part {
			c := f.cands[ci]
			copy(c.f, out[row*N:(row+1)*N])
			c.q = halfSq(c.f, c.x)
			c.q0 = c.q
		}
	}
	for k, ci := range idx {
		if rep[k] != k {
			c := f.cands[ci]
			copy(c.f, f.cands[idx[rep[k]]].f)
			c.q = halfSq(c.f, c.x)
			c.q0 = c.q
		}
	}
	return nil
}

// conditions extends the caller's condition ids (nil stays nil) to the
// completion's candidates, each with its parent's id.
func (f *finder) conditions(conds []int) []int {
	if conds == nil || len(f.parent) == 0 {
		return conds
	}
	out := slices.Clone(conds)
	for _, p := range f.parent {
		out = append(out, conds[p])
	}
	return out
}

// A round seeds at most roundPer midpoints per known point (at least
// roundMin): the next round then pairs the new points too, rather than
// spending the budget on ever farther pairs of the old ones.
const (
	roundPer = 16
	roundMin = 256
)

// Seeds are refined first for seedScreen iterations; those then within
// seedNear of a known point (relative to its scale) are heading there and
// are dropped, and the rest refined in full. Most seeds fall back to known
// points; the screen saves their Jacobians.
const (
	seedScreen = 1
	seedNear   = 0.05
)

// refineSeeds refines the seeds idx, screening out those heading to known
// points.
func (f *finder) refineSeeds(ctx context.Context, idx, known []int) error {
	// A seed inside a known proved point's uniqueness box is heading for
	// that root, the only one there: its refinement stops, in the screen
	// too (its quasi-Newton steps end there: boundForRoot).
	f.refineStop = func(ci int) bool { return f.inKnownBox(known, f.cands[ci]) }
	defer func() { f.refineStop = nil }()
	full := f.s.MaxRefineIters
	f.s.MaxRefineIters = min(seedScreen, full)
	err := f.refine(ctx, idx)
	f.s.MaxRefineIters = full
	if err != nil || full <= seedScreen {
		return err
	}
	var rest []int
	for _, ci := range idx {
		c := f.cands[ci]
		if residual(c.f, c.x) <= f.s.TolResidual || f.nearKnown(known, c) || f.refineStop(ci) {
			continue
		}
		rest = append(rest, ci)
	}
	return f.refine(ctx, rest)
}

// inKnownBox reports whether c lies in the uniqueness box of a known
// proved point (at its input).
func (f *finder) inKnownBox(known []int, c *candidate) bool {
	for _, k := range known {
		kc := f.cands[k]
		if kc.pf.Method == ProofKrawczyk && inBox(c.x, c.u, kc.x, kc.u, kc.pf.UniqueRadius) {
			return true
		}
	}
	return false
}

// nearKnown reports whether c lies within seedNear scale of a known point
// with its input.
func (f *finder) nearKnown(known []int, c *candidate) bool {
	for _, k := range known {
		kc := f.cands[k]
		r := seedNear * scale(kc.x)
		if slices.Equal(kc.u, c.u) && dist2(kc.x, c.x) <= r*r {
			return true
		}
	}
	return false
}

// Coverage estimates how many fixed points a search has not seen, from how
// many initial states converged to each point found (its basin hits), as an
// ecologist estimates unseen species from how often each seen one was
// caught.
//
// The estimator is Chao1 (Chao 1984): with f1 points hit once and f2 hit
// twice, the number of points the initial states missed is about
// f1^2 / (2 f2), or f1 (f1 - 1) / 2 when f2 = 0 (the bias-corrected form).
// It is a lower bound in expectation: points whose basins are much thinner
// than the others' (saddles, for Newton's method) are underestimated.
//
// Only the initial states' candidates count as hits: they sample the state
// space, where the completion's seeds are aimed at points. The points found
// by completion alone (Completed) were among those the initial states
// missed, so EstimatedUnseen is max(0, Chao1 - Completed).
type Coverage struct {
	Found           int     // unique certified fixed points reported
	Sampled         int     // of which hit by at least one initial state
	Completed       int     // of which found by the completion stage alone
	SeenOnce        int     // f1: points hit by exactly one initial state
	SeenTwice       int     // f2: points hit by exactly two
	EstimatedUnseen float64 // points probably still missing
	Method          string  // "chao1" or "chao1-bias-corrected" (f2 = 0)
	// StillFinding: the completion's last round still found new points (it
	// stopped at Settings.CompleteBudget or CompleteRounds). Chao1 is a
	// lower bound, and completion finding more than it predicted shows it
	// low here: more points probably exist, whatever EstimatedUnseen says.
	StillFinding bool
	// Hits[i] is the number of initial states whose candidates were
	// certified at Points[i] of the set the coverage belongs to.
	Hits []int
}

// Chao1 returns the Chao1 estimate of the number of unseen classes from the
// number f1 seen once and f2 seen twice, and the method's name:
// f1^2/(2 f2) ("chao1"), or f1(f1-1)/2 when f2 = 0 ("chao1-bias-corrected").
func Chao1(f1, f2 int) (float64, string) {
	if f2 > 0 {
		return float64(f1) * float64(f1) / (2 * float64(f2)), "chao1"
	}
	return float64(f1) * float64(f1-1) / 2, "chao1-bias-corrected"
}

// NewCoverage estimates the coverage of a set from the basin hits of its
// points (hits[i] for point i; a point with no hits was found another way).
func NewCoverage(hits []int) *Coverage {
	c := &Coverage{Found: len(hits), Hits: slices.Clone(hits)}
	for _, h := range hits {
		switch {
		case h == 0:
			c.Completed++
		case h == 1:
			c.SeenOnce++
		case h == 2:
			c.SeenTwice++
		}
	}
	c.Sampled = c.Found - c.Completed
	est, method := Chao1(c.SeenOnce, c.SeenTwice)
	c.EstimatedUnseen, c.Method = math.Max(0, est-float64(c.Completed)), method
	return c
}

// String is one line, e.g.
// "27 found; estimated unseen 0.0 (Chao1; 3 points seen once, 1 twice)".
func (c *Coverage) String() string {
	name := "Chao1"
	if c.Method == "chao1-bias-corrected" {
		name = "bias-corrected Chao1"
	}
	s := fmt.Sprintf("%d found; estimated unseen %.1f (%s; %d points seen once, %d twice", c.Found, c.EstimatedUnseen, name, c.SeenOnce, c.SeenTwice)
	if c.Completed > 0 {
		s += fmt.Sprintf("; %d found by completion alone", c.Completed)
	}
	if c.StillFinding {
		s += "; completion was still finding points when its budget ran out: more probably exist"
	}
	return s + ")"
}

// coverage counts, for each point of fixed, the initial states' candidates
// (the first nInit of all) certified at it: within TolUnique, else the
// nearest within 10 TolUnique (uniqueness clusters greedily).
func (f *finder) coverage(fixed, all *FixedPoints) *Coverage {
	hits := make([]int, fixed.Len())
	nInit := len(all.Points) - len(f.parent)
	for i := 0; i < nInit; i++ {
		p := &all.Points[i]
		if !(p.Residual <= f.s.TolResidual) {
			continue
		}
		best, bd := nearestWithin(fixed.Len(), 10*f.s.TolUnique, func(k int) ([]float64, []float64) {
			return fixed.Points[k].X, fixed.Points[k].U
		}, p.X, p.U)
		if best >= 0 && bd <= 10*f.s.TolUnique {
			hits[best]++
		}
	}
	c := NewCoverage(hits)
	if r := f.stats.Completion; len(r) > 0 && r[len(r)-1].New > 0 {
		c.StillFinding = true
	}
	return c
}
