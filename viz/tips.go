package viz

import (
	"fmt"
	"math"
	"strings"

	"github.com/rnnfp/fixedpoints/finder"
)

// nearBoundary is how close to the stability boundary (in growth rate) a
// mode's tooltip shows its distance and bound: the reader sees the numbers
// behind the class where the class is not obvious from the eigenvalue.
const nearBoundary = 1e-3

// fixedPointTip names a fixed point's index and class, how many of its
// modes are in each mode class (so the undecided ones are counted), q,
// residual and the top eigenvalues; those whose class is not plain from
// the eigenvalue (undecided, marginal, or within nearBoundary of the
// boundary) with their class, growth rate and bound.
func fixedPointTip(i int, p *finder.Point, c class) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fixed point %d: %s", i, c)
	flow := p.Stability.Continuous
	if p.Stability.Analyzed && len(p.Modes) > 0 {
		classes := modeClassesOf(p)
		b.WriteString("\n")
		if !hasBounds(p) {
			b.WriteString("no error bounds in the data; ")
		}
		b.WriteString(modeCounts(classes, flow))
		if p.Stability.Leading {
			fmt.Fprintf(&b, " (leading modes; the other %d certainly stable)", max(0, len(p.X)-len(p.Modes)))
		}
	}
	fmt.Fprintf(&b, "\nq = %s, residual = %s", fmtG(p.Q, 3), fmtG(p.Residual, 3))
	if len(p.Modes) > 0 {
		if flow {
			b.WriteString("\ntop modes μ = λ - 1:")
		} else {
			b.WriteString("\ntop eigenvalues:")
		}
		classes := modeClassesOf(p)
		for k, m := range p.Modes {
			if k == 3 {
				break
			}
			if k > 0 {
				b.WriteString(",")
			}
			b.WriteString(" " + fmtComplex(m.Value))
			if g := growth(m.Value, flow); classes[k] == modeUndecided || classes[k] == modeMarginalAbs || math.Abs(g) < nearBoundary {
				b.WriteString(" (" + classes[k].info(flow).name + ", " + growthText(g, m.Bound, flow) + ")")
			}
		}
	}
	return b.String()
}

// modeCounts says how many modes are in each class, growing ones first:
// "modes: 1 unstable, 2 undecided, 29 certainly stable".
func modeCounts(classes []modeClass, flow bool) string {
	var n [numModeClasses]int
	for _, c := range classes {
		n[c]++
	}
	var parts []string
	for _, c := range []modeClass{modeUnstable, modeUndecided, modeStable, modeUnstableAbs, modeMarginalAbs, modeStableAbs} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c], c.info(flow).name))
		}
	}
	return "modes: " + strings.Join(parts, ", ")
}

// growthText is a mode's growth rate with finder's bound on it:
// "|λ| - 1 = -1e-12 ± 1e-08" (Re μ for a flow); no ± part without a
// bound, "± ∞" when the bound is infinite.
func growthText(g, bound float64, flow bool) string {
	s := "|λ| - 1 = " + fmtG(g, 3)
	if flow {
		s = "Re μ = " + fmtG(g, 3)
	}
	switch {
	case math.IsInf(bound, 1):
		s += " ± ∞"
	case bound > 0:
		s += " ± " + fmtG(bound, 2)
	}
	return s
}
