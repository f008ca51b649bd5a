package finder

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// referenceTolQ is the Python FixedPointFinder's default tol_q.
const referenceTolQ = 1e-12

// ReferenceView counts what the reference (Python FixedPointFinder) would
// call fixed points among the same candidates: those whose q ends below its
// tol_q, whether or not they are roots, so that a user comparing the two
// sees the same number and where it comes from. Slow points and slow
// regions with q below tol_q are among them.
type ReferenceView struct {
	TolQ       float64 // the reference's tol_q, 1e-12
	Candidates int     // initial states' candidates whose final q < TolQ
	Unique     int     // of those, unique within Settings.TolUnique (the reference's tol_unique)
	Certified  int     // of those, certified fixed points here (outcome fixed)
	Of         int     // the initial states' candidates
}

// String is one line, e.g. "the reference's view: 486 of 1024 candidates
// have q below its tol_q 1e-12 (46 unique): it would call them fixed
// points; 467 are certified here".
func (v ReferenceView) String() string {
	return fmt.Sprintf("the reference's view: %d of %d candidates have q below its tol_q %g (%d unique): it would call them fixed points; %d are certified here",
		v.Candidates, v.Of, v.TolQ, v.Unique, v.Certified)
}

// referenceView counts the initial states' candidates as the reference would.
func (f *finder) referenceView() ReferenceView {
	v := ReferenceView{TolQ: referenceTolQ, Of: f.nInit()}
	var below []*candidate
	for _, c := range f.cands[:f.nInit()] {
		if c.q < referenceTolQ {
			v.Candidates++
			if c.outcome == OutcomeFixed {
				v.Certified++
			}
			below = append(below, c)
		}
	}
	// Unique's count, read from the candidates themselves: Points made of
	// them (several hundred bytes each) were most of the bytes here.
	v.Unique = len(uniqueOf(len(below), f.N, f.M, func(k int) ([]float64, []float64, float64) {
		return below[k].x, below[k].u, below[k].q
	}, f.s.TolUnique))
	return v
}

// Advice says what to make of a search whose candidates mostly did not end
// at fixed or slow points: when more than half of the initial states'
// candidates ended on slow regions or unconverged, which, and what to do;
// "" otherwise. E.g. "552 of 1024 candidates lie on slow regions: ...".
func (r *Result) Advice() string {
	st := r.Stats
	n := st.Candidates
	if n == 0 || 2*(st.SlowRegions+st.Unconverged) <= n {
		return ""
	}
	var by []string
	for _, reason := range reasons {
		if k := st.UnconvergedByReason[reason]; k > 0 {
			by = append(by, fmt.Sprintf("%d %s", k, reason))
		}
	}
	why := strings.Join(by, ", ")
	switch {
	case 2*st.SlowRegions > n:
		return fmt.Sprintf("%d of %d candidates lie on slow regions (slower than %g of the network's speed, at no root and no local minimum of q): the network holds states on slow manifolds; see the manifold summary (package manifold, the report's manifold view)",
			st.SlowRegions, n, r.Settings.SlowRegionSpeed)
	case 2*st.Unconverged > n:
		return fmt.Sprintf("%d of %d candidates ended unconverged (%s): raise MaxIters or MaxRefineIters for iteration limits; a stall far from any fixed or slow point often means the initial states lie where the network never goes",
			st.Unconverged, n, why)
	}
	return fmt.Sprintf("%d of %d candidates lie on slow regions and %d ended unconverged (%s): see the manifold summary for the slow regions",
		st.SlowRegions, n, st.Unconverged, why)
}

// referenceAdam runs the search as the Python FixedPointFinder does: one
// gorgonia AdamSolver over the whole batch minimizing mean(q), one adaptive
// learning rate, and the gradient clipped to a global norm equal to the 95th
// percentile of the last 128 gradient norms. Converged candidates keep
// moving (the reference's behaviour); each candidate's record is taken at
// the evaluation where it first met a tolerance, so x*, F(x*) and q belong to
// the same point (the reference reports them one step apart).
func (f *finder) referenceAdam(ctx context.Context, idx []int) error {
	s := &f.s
	cs := f.cands
	N := f.N
	ob, err := f.objs.get(len(idx))
	if err != nil {
		return err
	}
	if err := f.load(ob, idx); err != nil {
		return err
	}
	lr := s.LearningRate
	solver := G.NewAdamSolver(G.WithLearnRate(lr), G.WithEps(s.AdamEpsilon))
	var sched schedule
	var norms []float64
	B := float64(len(idx))
	for it := 1; ; it++ {
		if err := ob.Eval(); err != nil {
			return err
		}
		f.stats.GradEvals++
		x := ob.States()
		mean, allDone := 0.0, true
		for r, ci := range idx {
			c := cs[ci]
			q := ob.Q()[r]
			mean += q / B
			if c.done {
				continue
			}
			if c.iters > 0 {
				c.dq = math.Abs(q - c.q)
			} else {
				c.dq = math.Inf(1)
			}
			c.q, c.lr = q, lr
			copy(c.x, x[r*N:(r+1)*N])
			copy(c.f, ob.F()[r*N:(r+1)*N])
			switch {
			case math.IsNaN(q) || math.IsInf(q, 0):
				c.done, c.stop = true, ReasonDiverged
			case q < s.TolQ:
				c.done, c.stop = true, ReasonTolQ
			case c.dq < s.TolDQ*lr:
				c.done, c.stop = true, ReasonStall
			case c.iters >= s.MaxIters:
				c.done, c.stop = true, ReasonIterationLimit
			}
			if c.done {
				continue
			}
			allDone = false
		}
		f.stats.Iters = it - 1
		f.report("search", it-1, idx)
		if allDone {
			return nil
		}
		if err := ctx.Err(); err != nil {
			f.canceled = true
			return nil
		}
		lr = sched.next(lr, mean)
		G.WithLearnRate(lr)(solver)

		// Mean rather than sum, then the adaptive global-norm clip.
		gv, _ := ob.Candidates().Grad()
		g := gv.(*tensor.Dense)
		norm := scaleGrad(g, 1/B)
		clip := 1e12
		if len(norms) > 0 {
			clip = percentile95(norms)
		}
		if norm > clip {
			scaleGrad(g, clip/norm)
		}
		norms = append(norms, norm)
		if len(norms) > 128 {
			norms = norms[1:]
		}
		if err := solver.Step([]G.ValueGrad{ob.Candidates()}); err != nil {
			return err
		}
		for _, ci := range idx {
			if !cs[ci].done {
				cs[ci].iters++
			}
		}
	}
}

// scaleGrad multiplies g by k in place and returns the 2-norm of the result.
func scaleGrad(g *tensor.Dense, k float64) float64 {
	s := 0.0
	switch b := g.Data().(type) {
	case []float64:
		for i := range b {
			b[i] *= k
			s += b[i] * b[i]
		}
	case []float32:
		for i := range b {
			b[i] *= float32(k)
			s += float64(b[i]) * float64(b[i])
		}
	}
	return math.Sqrt(s)
}

func percentile95(v []float64) float64 {
	w := append([]float64(nil), v...)
	sort.Float64s(w)
	// Linear interpolation between order statistics, as numpy's default.
	pos := 0.95 * float64(len(w)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(w)-1)
	return w[lo] + (pos-float64(lo))*(w[hi]-w[lo])
}
