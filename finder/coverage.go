package finder

import (
	"fmt"
	"math"
	"slices"
)

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
		best, bd := -1, math.Inf(1)
		for k := range fixed.Points {
			if d := pairDistance(fixed.Points[k].X, fixed.Points[k].U, p.X, p.U); d < bd {
				best, bd = k, d
			}
		}
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
