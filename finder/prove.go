package finder

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/proof"
)

// Proof says how a fixed point is certified (Point.Proof).
type Proof struct {
	// Method is ProofKrawczyk (proved: a unique root of the cell's G lies
	// within Radius of X, max-norm, and no other within UniqueRadius),
	// ProofResidual (max|F(x) − x| <= TolResidual only: the cell has no
	// interval enclosure, see cells.Factored), or "" (not a fixed point).
	Method       string
	Radius       float64
	UniqueRadius float64
}

// ReasonNotNear is the proof reason of a candidate whose max|F − x| is
// within TolResidual but whose G is not small: the proof was not tried at
// its state (a root Newton reached from it, if any, is its own point).
const ReasonNotNear = "G not small"

// Proof methods.
const (
	ProofKrawczyk = proof.Method
	ProofResidual = "residual"
)

// provedRoot is one root proved during a search: the candidates whose
// refinement on G lands in its uniqueness box are that same point.
type provedRoot struct {
	x, u []float64
	g    float64 // max|G| at x
	pf   Proof
}

// proving reports whether the search proves its fixed points: the cell
// factors its residual (cells.Factored) and Settings.NoProof is off.
func (f *finder) proving() (cells.Factored, bool) {
	fc, ok := f.cell.(cells.Factored)
	return fc, ok && !f.s.NoProof
}

// prove refines the candidates idx on the cell's real equation G = 0
// (F − x = D ⊙ G, D > 0) and proves their roots with Krawczyk's operator
// (package proof). Candidates are taken in order of increasing residual.
//
// Candidates with max|F − x| <= Settings.ProveResidual·max(1, |x|) are
// tried. One where G itself is small (max|G| <= 1e-6·max(1, |x|)) is
// refined by Newton on G and moves to the root it reaches, proved here or
// already (its state or Newton's result lies in the uniqueness box of a
// proved root): it is that fixed point. Any other keeps its state and its
// own outcome (a point of a slab of saturated gates, where F − x vanishes
// but G does not, or a slow point), and Newton on G from it (and, when it
// claims max|F − x| <= TolResidual, from its initial state) may reach a
// root not yet known: with addRoots, that root, proved, is added as a new
// candidate, as the completion's are. A candidate that claims to be fixed
// but is not proved gets the reason (Point.ProofReason).
func (f *finder) prove(ctx context.Context, idx []int, addRoots bool) error {
	fc, ok := f.proving()
	if !ok {
		return nil
	}
	t0 := time.Now()
	defer func() { f.stats.ProofTime += time.Since(t0) }()
	type tried struct {
		ci  int
		res float64 // max|F − x|, computed once for the sort
	}
	try := make([]tried, 0, len(idx))
	for _, ci := range idx {
		c := f.cands[ci]
		c.pf, c.proofFail, c.gRes, c.hit = Proof{}, "", 0, nil
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) || !finite(c.x) {
			continue
		}
		if r := residual(c.f, c.x); r <= f.s.ProveResidual*scale(c.x) {
			try = append(try, tried{ci, r})
		}
	}
	slices.SortStableFunc(try, func(a, b tried) int { return cmpFloat(a.res, b.res) })
	// The candidates are decided one after another (each sees the roots
	// proved before it), but the work each needs (max|G|, Newton runs,
	// proofs) depends on its own state only: with several CPUs it is done
	// ahead for a window of candidates in parallel (speculate) and taken
	// from there, so the decisions, and the results, are those of one core.
	// On one, speculateLeads still takes max|G| and the frozen leads' runs.
	par := runtime.GOMAXPROCS(0) > 1
	window := f.proveWindow()
	var ahead, lead []speculation
	bufs := speculations.Get().(*[2][]speculation)
	defer speculations.Put(bufs)
	if f.N <= leadMaxN {
		cs := make([]*candidate, len(try))
		for k, t := range try {
			cs[k] = f.cands[t.ci]
		}
		lead = f.speculateLeads(ctx, fc, cs, par, &bufs[0])
	}
	var w []speculated
	var moved []int
	for n, t := range try {
		if ctx.Err() != nil {
			f.canceled = true
			break
		}
		ci, c := t.ci, f.cands[t.ci]
		claim := t.res <= f.s.TolResidual
		if par && n%window == 0 {
			w = w[:0]
			for k, u := range try[n:min(n+window, len(try))] {
				sw := speculated{c: f.cands[u.ci], claim: u.res <= f.s.TolResidual}
				if lead != nil {
					sw.pre = &lead[n+k]
				}
				w = append(w, sw)
			}
			ahead = f.speculate(ctx, fc, w, &bufs[1])
		}
		var sp *speculation
		if par {
			sp = &ahead[n%window]
		} else if lead != nil {
			sp = &lead[n]
		}
		g, err := sp.gNorm(fc, c.x, c.u)
		if err != nil {
			if claim {
				c.proofFail = failReason(err)
			}
			continue
		}
		c.gRes = g
		// near: G itself is small at the candidate, which Newton on G
		// then only polishes; the candidate is the root it reaches.
		near := g <= 1e-6*scale(c.x)
		if r := f.rootOf(c.x, c.u, g); r != nil && near {
			moved = f.adoptAt(moved, ci, r)
			continue
		}
		// Newton on G from the candidate's state; for one that claims to
		// be fixed but is not near (it sits on a slab of saturated gates,
		// where F − x vanishes but G does not), from its initial state too:
		// each root reached is proved, a new one added (addRoots).
		var r *provedRoot
		fail := ""
		for k, x0 := range [][]float64{c.x, c.xInit} {
			if k == 1 && (near || !claim || slices.Equal(c.x, c.xInit)) {
				break
			}
			rk, isNew, fk, err := f.newtonProof(fc, c.u, x0, sp.run(k))
			if err != nil {
				return err
			}
			if rk == nil {
				fail = fk
				continue
			}
			if near {
				r = rk
				break
			}
			if r == nil {
				r = rk
			}
			if isNew && addRoots {
				f.addSeed(rk.x, ci)
				nc := len(f.cands) - 1
				f.adopt(f.cands[nc], rk)
				moved = append(moved, nc)
			}
		}
		if r != nil && near {
			moved = f.adoptAt(moved, ci, r)
			continue
		}
		c.hit = r
		if claim {
			c.proofFail = fail
			if fail == "" {
				c.proofFail = ReasonNotNear
			}
		}
	}
	return f.evalMoved(moved)
}

// newtonProof refines x0 by Newton on G and returns the proved root it
// reaches: a known one, or a new one proved here and added to f.roots
// (isNew). Without a root it returns why the proof failed. run (may be
// nil) holds the Newton run from x0 and its proof when done ahead.
func (f *finder) newtonProof(fc cells.Factored, u, x0 []float64, run *newtonRun) (r *provedRoot, isNew bool, fail string, err error) {
	sys := proof.CellSystem(fc, u)
	if run == nil || !run.done {
		run = &newtonRun{}
		run.x, run.gn, run.err = proof.Newton(sys, x0, nil)
	}
	x, gn := run.x, run.gn
	if run.err != nil {
		return nil, false, failReason(run.err), nil
	}
	if r := f.rootOf(x, u, gn); r != nil {
		return r, false, "", nil
	}
	if r := f.earlyRootOf(x, u, gn); r != nil {
		// Proved during the refinement (freezeAtRoots), new to this prove.
		f.roots = append(f.roots, r)
		return r, true, "", nil
	}
	pr, err := run.proof, run.proofErr
	if !run.proved {
		pr, err = proof.Krawczyk(sys, x, nil)
	}
	if err != nil {
		return nil, false, "", err
	}
	if !pr.Proved {
		return nil, false, pr.Reason, nil
	}
	r = &provedRoot{x: x, u: append([]float64(nil), u...), g: gn,
		pf: Proof{Method: ProofKrawczyk, Radius: pr.Radius, UniqueRadius: pr.UniqueRadius}}
	f.roots = append(f.roots, r)
	return r, true, "", nil
}

// proveWindow is how many candidates prove works ahead of in parallel: 32
// at small N, fewer (down to two per CPU) as N grows, since a Newton run or
// a proof done ahead that a root proved earlier in the window makes
// unneeded costs O(N³), and a cancellation waits for the window.
func (f *finder) proveWindow() int {
	return max(2*runtime.GOMAXPROCS(0), min(32, 4096/max(f.N, 1)))
}

// speculated is one candidate of a window, as prove will try it.
type speculated struct {
	c     *candidate
	claim bool         // max|F − x| <= TolResidual
	pre   *speculation // what speculateLeads did for it, or nil
}

// speculation is the work done ahead for one candidate: results of pure
// functions of its state (and input), which prove takes instead of
// computing them again. A nil *speculation computes everything.
type speculation struct {
	gDone bool // g and gErr are set
	g     float64
	gErr  error
	runs  [2]newtonRun // Newton from the state and from the initial state
	// follows: the candidate is converged (G small enough for rootOf)
	// and within leadRadius of an earlier one whose Newton run and proof
	// speculateLeads did, whose root its turn will most likely find
	// proved (rootOf): its own Newton run is left to the loop, which does
	// it only if that root is not there.
	follows bool
}

// newtonRun is one Newton run on G and, when done ahead, the proof at its
// result.
type newtonRun struct {
	done     bool
	x        []float64
	gn       float64
	err      error
	proved   bool // proof and proofErr are Krawczyk's at x
	proof    proof.Result
	proofErr error
}

func (sp *speculation) gNorm(fc cells.Factored, x, u []float64) (float64, error) {
	if sp == nil || !sp.gDone {
		return gNorm(fc, x, u)
	}
	return sp.g, sp.gErr
}

func (sp *speculation) run(k int) *newtonRun {
	if sp == nil {
		return nil
	}
	return &sp.runs[k]
}

// speculate does ahead, in parallel, the work prove's loop will need for
// the candidates of w, as far as the roots known now tell: max|G|; the
// Newton runs of a candidate that is not already a known root; and the
// proofs at those runs' results that reach no known root, once per cluster
// of results within 1e-8·max(1, |x|) of each other (likely one root, which
// the first of them proves in the loop and the others find by rootOf).
// Whatever it leaves undone the loop computes.
func (f *finder) speculate(ctx context.Context, fc cells.Factored, w []speculated, buf *[]speculation) []speculation {
	out := cleared(buf, len(w))
	each := linalg.ParallelEach
	if !slices.ContainsFunc(w, func(s speculated) bool {
		return s.pre == nil || !s.pre.gDone || !s.pre.runs[0].done && !s.pre.follows
	}) {
		each = func(n int, body func(lo, hi int)) { body(0, n) } // copies only
	}
	each(len(w), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			if ctx.Err() != nil {
				return // the loop stops too; nothing done ahead is needed
			}
			c, sp := w[j].c, &out[j]
			if pre := w[j].pre; pre != nil && pre.gDone {
				*sp = *pre
				if sp.runs[0].done || sp.follows {
					continue // a lead, done; or a follower of one
				}
			} else {
				sp.g, sp.gErr = gNorm(fc, c.x, c.u)
				sp.gDone = true
			}
			if sp.gErr != nil {
				continue
			}
			near := sp.g <= 1e-6*scale(c.x)
			if near && f.rootOf(c.x, c.u, sp.g) != nil {
				continue
			}
			sys := proof.CellSystem(fc, c.u)
			for k, x0 := range [][]float64{c.x, c.xInit} {
				if k == 1 && (near || !w[j].claim || slices.Equal(c.x, c.xInit)) {
					break
				}
				r := &sp.runs[k]
				r.x, r.gn, r.err = proof.Newton(sys, x0, nil)
				r.done = true
			}
		}
	})
	var todo []*newtonRun
	var us [][]float64
	for j := range out {
		for k := range out[j].runs {
			r := &out[j].runs[k]
			if !r.done || r.proved || r.err != nil || f.rootOf(r.x, w[j].c.u, r.gn) != nil || f.earlyRootOf(r.x, w[j].c.u, r.gn) != nil {
				continue
			}
			u := w[j].c.u
			dup := false
			for i, t := range todo {
				if slices.Equal(us[i], u) && withinOrAt(t.x, r.x, 1e-8*scale(r.x)) {
					dup = true
					break
				}
			}
			if !dup {
				todo = append(todo, r)
				us = append(us, u)
			}
		}
	}
	linalg.ParallelEach(len(todo), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if ctx.Err() != nil {
				return
			}
			r := todo[i]
			r.proof, r.proofErr = proof.Krawczyk(proof.CellSystem(fc, us[i]), r.x, nil)
			r.proved = true
		}
	})
	return out
}

// speculations holds prove's speculations (speculateLeads' and one
// window's, about 300 bytes a candidate: 0.6 MB of an RNN-16 Find's 10)
// between its calls; prove keeps no pointer into them once it returns.
var speculations = sync.Pool{New: func() any { return new([2][]speculation) }}

// cleared returns (*buf)[:n], zeroed (as a new slice would be), growing
// *buf when it is too small.
func cleared(buf *[]speculation, n int) []speculation {
	if cap(*buf) < n {
		*buf = make([]speculation, n)
	}
	out := (*buf)[:n]
	clear(out)
	return out
}

// leadMaxN is the largest N at which prove runs speculateLeads: beyond
// it a proof done ahead for a root that an earlier candidate proves after
// all (two leads at one root) costs O(N³), and prove's windows are
// smaller for that reason (proveWindow).
const leadMaxN = 128

// leadRadius is the distance (max-norm, relative to max(1, |x|)) within
// which a near candidate follows a lead: refined candidates at one root
// lie within rounding of it, and every proved root's uniqueness box is
// wider than this by orders of magnitude on the networks measured.
const leadRadius = 1e-6

// speculateLeads does ahead, for all of prove's candidates cs (in its
// order) at once, max|G| of each, in parallel, and for the first
// converged candidate (max|G| <= 1e-8·max(1, |x|), as rootOf asks) of each
// group within leadRadius of each other (a lead: the
// candidate whose turn will most likely prove a new root, each group's
// others then finding it by rootOf) the Newton run from its state and
// the proof at its result, all leads in parallel. The windows of
// speculate, one after another, left these proofs to the few new roots
// each window met, one or two a window, mostly on one core. As in
// speculate, everything done is a pure function of a candidate's state
// (and input), taken by the loop instead of computing it again, so the
// decisions and the results are those of one core; what is left undone
// (a follower whose lead's root is not there at its turn) the loop does.
// Without ahead (one CPU) it leaves the leads' Newton runs and proofs to
// the loop, but for the leads frozen at a root (frozenAt), which need none.
func (f *finder) speculateLeads(ctx context.Context, fc cells.Factored, cs []*candidate, ahead bool, buf *[]speculation) []speculation {
	out := cleared(buf, len(cs))
	// max|G| is computed at the first of the candidates frozen at one
	// early root only (frozenReps).
	rep := f.frozenReps(len(cs), func(j int) *candidate { return cs[j] })
	linalg.Parallel(len(cs), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			if ctx.Err() != nil {
				return
			}
			if rep[j] == j {
				out[j].g, out[j].gErr = gNorm(fc, cs[j].x, cs[j].u)
				out[j].gDone = true
			}
		}
	})
	if ctx.Err() != nil {
		return nil
	}
	for j, k := range rep {
		out[j].g, out[j].gErr, out[j].gDone = out[k].g, out[k].gErr, true
	}
	var leads []int
	for j, c := range cs {
		sp := &out[j]
		// Only a candidate that rootOf can match (G below its 1e-8) is a
		// lead or a follower; the others need their own Newton runs,
		// which speculate's windows do.
		sc := scale(c.x)
		if sp.gErr != nil || !(sp.g <= 1e-8*sc) || f.rootOf(c.x, c.u, sp.g) != nil {
			continue
		}
		for _, l := range leads {
			if slices.Equal(cs[l].u, c.u) && withinOrAt(cs[l].x, c.x, leadRadius*sc) {
				sp.follows = true
				break
			}
		}
		if !sp.follows {
			leads = append(leads, j)
		}
	}
	// The leads' costs differ (a Newton run that converges at once, or
	// one with a proof): each worker takes the next lead when done.
	var next atomic.Int64
	linalg.ParallelEach(min(runtime.GOMAXPROCS(0), len(leads)), func(int, int) {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(leads) || ctx.Err() != nil {
				return
			}
			j := leads[i]
			c, r := cs[j], &out[j].runs[0]
			if f.frozenAt(c) != nil { // newtonProof's earlyRootOf finds it at c.x
				r.done, r.x, r.gn = true, slices.Clone(c.x), out[j].g
				continue
			}
			if !ahead {
				continue // one CPU: the loop runs Newton at the lead's turn
			}
			r.done = true
			sys := proof.CellSystem(fc, c.u)
			r.x, r.gn, r.err = proof.Newton(sys, c.x, nil)
			if r.err != nil || f.rootOf(r.x, c.u, r.gn) != nil || f.earlyRootOf(r.x, c.u, r.gn) != nil {
				continue
			}
			r.proof, r.proofErr = proof.Krawczyk(sys, r.x, nil)
			r.proved = true
		}
	})
	return out
}

// rootOf returns the proved root whose uniqueness box holds x (same input),
// when |G(x)| is small enough to call x converged (at most
// 1e-8·max(1, |x|)), or nil.
func (f *finder) rootOf(x, u []float64, g float64) *provedRoot {
	if !(g <= 1e-8*scale(x)) {
		return nil
	}
	for _, r := range f.roots {
		if inBox(x, u, r.x, r.u, r.pf.UniqueRadius) {
			return r
		}
	}
	return nil
}

// provedRadius returns the existence radius of the root proved in this
// search at exactly p's X and U (bit for bit: adopt copies the root's state
// into the candidates, and the points keep it), for the stability proofs.
// Points the search did not prove there (or a state changed since) get
// false and are proved again.
func (f *finder) provedRadius(p *Point) (float64, bool) {
	for _, r := range f.roots {
		if slices.Equal(r.x, p.X) && slices.Equal(r.u, p.U) {
			return r.pf.Radius, true
		}
	}
	return 0, false
}

func provedAt(proved func(*Point) (float64, bool), p *Point) (float64, bool) {
	if proved == nil {
		return 0, false
	}
	return proved(p)
}

// adopt moves c to the proved root r.
func (f *finder) adopt(c *candidate, r *provedRoot) {
	copy(c.x, r.x)
	c.pf, c.gRes, c.proofFail = r.pf, r.g, ""
}

// adoptAt adopts candidate ci at r and appends it to moved (its F to be
// evaluated again) when that moved it: one at r.x bit for bit already (a
// candidate frozen there) keeps its F(x).
func (f *finder) adoptAt(moved []int, ci int, r *provedRoot) []int {
	if c := f.cands[ci]; !slices.Equal(c.x, r.x) {
		moved = append(moved, ci)
	}
	f.adopt(f.cands[ci], r)
	return moved
}

// gNorm is max|G(x, u)| in float64.
func gNorm(fc cells.Factored, x, u []float64) (float64, error) {
	g, _, err := cells.Residuals(fc, x, u)
	if err != nil {
		return math.NaN(), err
	}
	m := 0.0
	for _, v := range g {
		m = math.Max(m, math.Abs(v))
	}
	return m, nil
}

func failReason(err error) string {
	if errors.Is(err, cells.ErrOverflow) {
		return proof.ReasonOverflow
	}
	return err.Error()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unprovedReason says why a candidate with max|F − x| <= TolResidual is not
// fixed: ReasonSaturated when a gate rounds to exactly 1 there (some
// D_i < eps/2, so that the computed F_i − x_i is 0 although |G_i| is above
// TolResidual: a root of the rounded map only), ReasonUnproved otherwise.
func (f *finder) unprovedReason(c *candidate) Reason {
	fc, ok := f.proving()
	if !ok {
		return ReasonUnproved
	}
	g, d, err := cells.Residuals(fc, c.x, c.u)
	if err != nil {
		return ReasonUnproved
	}
	for i := range g {
		if d[i] < f.s.Dtype.Eps()/2 && math.Abs(g[i]) > f.s.TolResidual {
			return ReasonSaturated
		}
	}
	return ReasonUnproved
}

// certified reports whether c is a fixed point as decideOutcomes labels
// it, and sets its proof method: proved by Krawczyk's operator when the
// search proves (a factored cell), else max|F(x) − x| <= TolResidual
// (method "residual").
func (f *finder) certified(c *candidate) bool {
	if _, ok := f.proving(); ok {
		return c.pf.Method == ProofKrawczyk
	}
	if residual(c.f, c.x) <= f.s.TolResidual {
		c.pf = Proof{Method: ProofResidual}
		return true
	}
	return false
}

// uniqueFixed removes duplicates from the points of fp that in reports
// true for (the fixed points): proved points are
// the same when they are the same proved root (equal X and U, as adopt
// makes them: uniqueness within the proof's radius decides), the others
// within TolUnique as the reference.
//
// It picks by index and copies only the points it keeps: a copy of every
// fixed point first and of every proved one then (Filter) was most of the
// bytes here, about 1000 points for a 16-unit network whose candidates
// nearly all prove.
func (f *finder) uniqueFixed(fp *FixedPoints, in func(*Point) bool) *FixedPoints {
	var keep, rest []int // indices in fp: the first of each proved root, the unproved
	for i := range fp.Points {
		p := &fp.Points[i]
		if !in(p) {
			continue
		}
		if p.Proof.Method != ProofKrawczyk {
			rest = append(rest, i)
			continue
		}
		if !slices.ContainsFunc(keep, func(k int) bool {
			return slices.Equal(fp.Points[k].X, p.X) && slices.Equal(fp.Points[k].U, p.U)
		}) {
			keep = append(keep, i)
		}
	}
	out := fp.subset(keep)
	out.Points = append(out.Points, fp.subset(rest).Unique(f.s.TolUnique).Points...)
	return out
}

// farOutliers applies the reference's distance rule (see
// ExcludeDistanceOutliers) to fp: a proved point beyond it is kept and
// marked Far with its distance ratio; any other is dropped (unless
// KeepDistanceOutliers). It returns the kept points and the counts.
func (f *finder) farOutliers(fp *FixedPoints, initial []float64) (*FixedPoints, int, int, error) {
	N := fp.N
	if fp.Len() == 0 {
		return fp, 0, 0, nil
	}
	c, r, err := initialSpread(initial, N)
	if err != nil {
		return nil, 0, 0, err
	}
	var keep []int
	type farMark struct {
		k     int
		ratio float64
	}
	var marks []farMark
	dropped := 0
	for i := range fp.Points {
		p := &fp.Points[i]
		ratio := math.Inf(1)
		if r > 0 && len(p.X) == N {
			ratio = euclidean(p.X, c) / r
		}
		switch {
		case r == 0 || ratio < f.s.OutlierDistanceScale, f.s.KeepDistanceOutliers && p.Proof.Method != ProofKrawczyk:
		case p.Proof.Method == ProofKrawczyk:
			marks = append(marks, farMark{len(keep), ratio})
		default:
			dropped++
			continue
		}
		keep = append(keep, i)
	}
	out := fp.subset(keep) // deep copies, with the set's other fields (Alpha)
	for _, m := range marks {
		out.Points[m.k].Far, out.Points[m.k].FarDistance = true, m.ratio
	}
	far := len(marks)
	return out, dropped, far, nil
}

// postprocessFixed removes duplicates from the fixed points, those of fp
// that in reports true for (uniqueFixed), and applies the distance rule
// (farOutliers), counting the far and residual-only points in Stats.
func (f *finder) postprocessFixed(fp *FixedPoints, in func(*Point) bool, initial []float64) (*FixedPoints, error) {
	u := f.uniqueFixed(fp, in)
	kept, dropped, far, err := f.farOutliers(u, initial)
	if err != nil {
		return nil, err
	}
	f.stats.DistanceOutliers += dropped
	f.stats.Far += far
	f.stats.ResidualOnly = 0
	for i := range kept.Points {
		if kept.Points[i].Proof.Method == ProofResidual {
			f.stats.ResidualOnly++
		}
	}
	return kept, nil
}

// earlyRoots is what the search's dense refinement knows of the roots
// (freezeAtRoots): the roots proved while it ran, and the candidates it
// froze at them.
type earlyRoots struct {
	on, off bool          // freezing runs (run sets on; tests set off to compare)
	roots   []*provedRoot // proved during the refinement
	// failed holds, for a candidate whose Newton run on G reached no proved
	// root, its residual then: it leads again only once its residual fell
	// by earlyRetry.
	failed map[int]float64
	frozen []int // the candidates frozen, in order
	// rows counts the candidates of every refinement round of the Find
	// (refineRounds), frozen or not: what freezing saves (tests).
	rows int
}

const (
	// earlyResidual: a candidate of a refinement round with max|F − x| at
	// most this times max(1, |x|) leads: Newton on G from it, and a proof
	// at the root it reaches (if not known). On the flip-flop networks
	// the candidates are 1e-4 of the uniqueness radius from their root
	// after one or two rounds.
	earlyResidual = 1e-6
	earlyRetry    = 1e-3
	// earlyGroup: leads within this (max-norm, relative to max(1, |x|))
	// of an earlier one most likely reach its root, and wait for it.
	earlyGroup = 1e-4
)

// freezeAtRoots runs after each round of the search's dense refinement
// (Settings.NoProof off, a cells.Factored cell): the round's candidates
// with a small residual (earlyResidual), in order of increasing residual,
// lead, unless already in the box of a root proved here: Newton on G from
// one, and Krawczyk's proof at the root it reaches, as prove does. Then
// each candidate still refining (next) that lies in the freezing box of a
// proved root r (max-norm distance to r.x below UniqueRadius − 2·Radius)
// is frozen: it is moved to r (adopt) and refined no more. It returns the
// candidates that go on.
//
// Why a frozen candidate is that root. Krawczyk's proof gives x̃ = r.x, C,
// r = Radius and R = UniqueRadius with ‖I − C·A‖∞ ≤ ρ < 1 for every A in
// the interval enclosure dG(Y) of Y = x̃ + [−R, R]^N, and a root x* of G
// with ‖x* − x̃‖∞ ≤ r. For x in Y the mean value theorem, row by row,
// gives G(x) − G(x*) = A·(x − x*) with A's rows dG_i at points of the
// segment [x*, x] ⊂ Y, so A lies in dG(Y) (the enclosure is entrywise). So
// the simplified Newton map S(x) = x − C·G(x) has
// S(x) − x* = (I − C·A)(x − x*): ‖S(x) − x*‖∞ ≤ ρ‖x − x*‖∞. On the ball
// B = {x : ‖x − x*‖∞ ≤ R − r}, which lies in Y, S maps B into B and its
// iterates from any point of B converge to x*. A candidate with
// ‖x − x̃‖∞ < R − 2r is in B: simplified Newton from its state converges to
// x*, the only root of G, hence of F − x = D ⊙ G (D > 0), in Y. (prove's
// rootOf asks less, the box Y and G small, as it always has.) That is the
// point the refinement would reach from there: measured on the 16-unit
// flip-flop networks and the GRU-128, every candidate ever inside such a
// box during the refinement ended certified at that root. The label says
// no more than before: the point reported is r, proved by its own proof;
// the candidate is counted as one of its hits.
//
// The roots proved here are kept apart from f.roots (the final prove
// starts from none, as before, so that which candidate first reaches a
// root, and so adds it, is decided as before); prove takes one in place
// of a new proof when its Newton run lands in its box (earlyRootOf).
func (f *finder) freezeAtRoots(round, next []int) ([]int, error) {
	fc, ok := f.proving()
	if !ok {
		return next, nil
	}
	type lead struct {
		ci  int
		res float64
	}
	var leads []lead
	for _, ci := range round {
		c := f.cands[ci]
		res := residual(c.f, c.x)
		if !(res <= earlyResidual*scale(c.x)) || !finite(c.x) {
			continue
		}
		if prev, ok := f.early.failed[ci]; ok && !(res < earlyRetry*prev) {
			continue
		}
		leads = append(leads, lead{ci, res})
	}
	slices.SortStableFunc(leads, func(a, b lead) int { return cmpFloat(a.res, b.res) })
	// Heads: the leads in no box, and not within earlyGroup of an earlier
	// head (most likely the same root): their Newton runs and proofs are
	// done at once, in parallel; the others' in turn, if still in no box.
	// Each is a function of a candidate's state and the roots proved
	// before, and the roots are taken in the leads' order: the same on any
	// number of CPUs.
	head := make([]bool, len(leads))
	var heads []int
	for k, l := range leads {
		c := f.cands[l.ci]
		if f.freezeBox(c.x, c.u) != nil {
			continue
		}
		d := earlyGroup * scale(c.x)
		head[k] = !slices.ContainsFunc(heads, func(h int) bool {
			hc := f.cands[leads[h].ci]
			return slices.Equal(hc.u, c.u) && within(c.x, hc.x, d)
		})
		if head[k] {
			heads = append(heads, k)
		}
	}
	runs := make([]newtonRun, len(leads))
	var nextHead atomic.Int64
	linalg.ParallelEach(min(runtime.GOMAXPROCS(0), len(heads)), func(int, int) {
		for {
			i := int(nextHead.Add(1)) - 1
			if i >= len(heads) {
				return
			}
			runs[heads[i]] = f.earlyRun(fc, f.cands[leads[heads[i]].ci])
		}
	})
	for k, l := range leads {
		c := f.cands[l.ci]
		if !head[k] {
			if f.freezeBox(c.x, c.u) != nil {
				continue
			}
			runs[k] = f.earlyRun(fc, c)
		}
		ok, err := f.earlyAdd(fc, c, &runs[k])
		if err != nil {
			return nil, err
		}
		if !ok {
			if f.early.failed == nil {
				f.early.failed = map[int]float64{}
			}
			f.early.failed[l.ci] = l.res
		}
	}
	if len(f.early.roots) == 0 {
		return next, nil
	}
	keep := next[:0]
	for _, ci := range next {
		c := f.cands[ci]
		if r := f.freezeBox(c.x, c.u); r != nil {
			f.adopt(c, r)
			c.stop = ReasonNone
			f.early.frozen = append(f.early.frozen, ci)
			continue
		}
		keep = append(keep, ci)
	}
	return keep, nil
}

// earlyRun is the work a lead c needs, a function of its state and the
// roots proved before: max|G| (where G is not small, as for prove's
// candidates that are not near, nothing more: run.done stays false),
// Newton on G from c's state, and Krawczyk's proof at its result when that
// converged (max|G| <= 1e-8·max(1, |x|), as rootOf asks) in no known
// root's box.
func (f *finder) earlyRun(fc cells.Factored, c *candidate) (run newtonRun) {
	g, err := gNorm(fc, c.x, c.u)
	if err != nil || !(g <= 1e-6*scale(c.x)) {
		return run
	}
	sys := proof.CellSystem(fc, c.u)
	run.x, run.gn, run.err = proof.Newton(sys, c.x, nil)
	run.done = true
	if run.err != nil || !(run.gn <= 1e-8*scale(run.x)) || f.earlyRootOf(run.x, c.u, run.gn) != nil {
		return run
	}
	run.proof, run.proofErr = proof.Krawczyk(sys, run.x, nil)
	run.proved = true
	return run
}

// earlyAdd takes the root that earlyRun reached from c: it reports
// whether that root is proved, adding it to the early roots when it is
// new.
func (f *finder) earlyAdd(fc cells.Factored, c *candidate, run *newtonRun) (bool, error) {
	if !run.done || run.err != nil || !(run.gn <= 1e-8*scale(run.x)) {
		return false, nil
	}
	if f.earlyRootOf(run.x, c.u, run.gn) != nil {
		return true, nil
	}
	if !run.proved { // not reached: earlyRun proves a root it does not know
		run.proof, run.proofErr = proof.Krawczyk(proof.CellSystem(fc, c.u), run.x, nil)
	}
	if run.proofErr != nil {
		return false, run.proofErr
	}
	if !run.proof.Proved {
		return false, nil
	}
	f.early.roots = append(f.early.roots, &provedRoot{x: run.x, u: append([]float64(nil), c.u...), g: run.gn,
		pf: Proof{Method: ProofKrawczyk, Radius: run.proof.Radius, UniqueRadius: run.proof.UniqueRadius}})
	return true, nil
}

// freezeBox returns the root proved during the refinement whose freezing
// box (max-norm distance below UniqueRadius − 2·Radius, see
// freezeAtRoots) holds x at input u, or nil.
func (f *finder) freezeBox(x, u []float64) *provedRoot {
	for _, r := range f.early.roots {
		if slices.Equal(u, r.u) && within(x, r.x, r.pf.UniqueRadius-2*r.pf.Radius) {
			return r
		}
	}
	return nil
}

// within reports whether max|x_i − c_i| < d, looking no further than the
// first coordinate that is not.
func within(x, c []float64, d float64) bool {
	for i, v := range x {
		if !(math.Abs(v-c[i]) < d) {
			return false
		}
	}
	return true
}

// frozenAt returns the early root whose x and u c has bit for bit, or nil:
// the root freezeAtRoots moved c to. Its x lies in no earlier early root's
// box (earlyAdd), so earlyRootOf gives that root at c.x.
func (f *finder) frozenAt(c *candidate) *provedRoot {
	for _, r := range f.early.roots {
		if slices.Equal(c.x, r.x) && slices.Equal(c.u, r.u) {
			return r
		}
	}
	return nil
}

// frozenReps returns, for each of n candidates (cand(k)), the first k' <= k
// frozen at the same early root (frozenAt), or k itself when it is not
// frozen: the candidates frozen at one root share its x and u bit for bit,
// so whatever depends on x and u alone is computed once, at rep[k].
func (f *finder) frozenReps(n int, cand func(k int) *candidate) []int {
	rep, first := make([]int, n), map[*provedRoot]int{}
	for k := range rep {
		rep[k] = k
		if r := f.frozenAt(cand(k)); r != nil {
			if p, ok := first[r]; ok {
				rep[k] = p
			} else {
				first[r] = k
			}
		}
	}
	return rep
}

// withinOrAt reports whether max|x_i − c_i| <= d (false at a NaN), looking
// no further than the first coordinate that is not.
func withinOrAt(x, c []float64, d float64) bool {
	for i, v := range x {
		if !(math.Abs(v-c[i]) <= d) {
			return false
		}
	}
	return true
}

// earlyRootOf is rootOf over the roots proved during the refinement.
func (f *finder) earlyRootOf(x, u []float64, g float64) *provedRoot {
	if !(g <= 1e-8*scale(x)) {
		return nil
	}
	for _, r := range f.early.roots {
		if inBox(x, u, r.x, r.u, r.pf.UniqueRadius) {
			return r
		}
	}
	return nil
}
