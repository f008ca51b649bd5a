package viz

import (
	"strconv"

	"github.com/rnnfp/fixedpoints/finder"
)

// kind is how a fixed point is drawn.
type kind int

const (
	stable    kind = iota // every mode certainly decays
	saddle                // certainly unstable modes, none undecided: a saddle index
	undecided             // some mode's error bound straddles the stability boundary
	// Points analyzed before finder bounded eigenvalues (unbounded.go),
	// by the old rule on the eigenvalue alone.
	stableAbs
	saddleAbs
	marginalAbs
	disagree // labels that contradict each other or the eigenvalues
	unknown  // not linearized
)

// class is a kind with the saddle index for saddles (for undecided points,
// the certain part of it, and more, the undecided modes; for marginal ones
// the marginal modes); it orders series. flow names the by-eigenvalue
// classes by Re mu rather than |lambda|.
type class struct {
	kind        kind
	index, more int
	flow        bool
}

// classify says how p is drawn, from the class of each of its modes (see
// modeClassesOf): stable only when finder says Stable and every mode
// certainly decays; a saddle of index k when exactly k modes certainly
// grow and none is undecided; undecided, with a saddle index known only to
// lie in [k, k + the undecided modes], when some mode is undecided. The
// counts must agree with finder's Stability (NUnstable, NUndecided,
// Stable); a point whose labels disagree claims nothing ("labels
// disagree"). Points without bounds are classed by the old rule, named as
// such.
func classify(p *finder.Point) class {
	s := p.Stability
	if !s.Analyzed {
		return class{kind: unknown}
	}
	modes := modeClassesOf(p)
	var n [numModeClasses]int
	for _, c := range modes {
		n[c]++
	}
	if !hasBounds(p) {
		if _, ok := unboundedModes(p); !ok {
			return class{kind: disagree}
		}
		switch {
		case s.NMarginal > 0:
			return class{kind: marginalAbs, index: s.NUnstable, more: s.NMarginal, flow: s.Continuous}
		case s.NUnstable > 0:
			return class{kind: saddleAbs, index: s.NUnstable, flow: s.Continuous}
		}
		return class{kind: stableAbs, flow: s.Continuous}
	}
	if n[modeUnstable] != s.NUnstable || n[modeUndecided] != s.NUndecided ||
		s.Stable != (s.NUnstable == 0 && s.NUndecided == 0) {
		return class{kind: disagree}
	}
	switch {
	case s.NUndecided > 0:
		return class{kind: undecided, index: s.NUnstable, more: s.NUndecided}
	case s.Stable:
		return class{kind: stable}
	}
	return class{kind: saddle, index: s.NUnstable}
}

// byAbs is how the by-eigenvalue classes end: " by |λ| only", or
// " by Re μ only" for a flow.
func (c class) byAbs() string {
	if c.flow {
		return " by Re μ only"
	}
	return " by |λ| only"
}

func (c class) String() string {
	idx := strconv.Itoa(c.index)
	switch c.kind {
	case stable:
		return "stable"
	case saddle:
		return "saddle index " + idx
	case undecided:
		return "undecided: saddle index " + idx + " to " + strconv.Itoa(c.index+c.more)
	case stableAbs:
		return "stable" + c.byAbs()
	case saddleAbs:
		return "saddle index " + idx + c.byAbs()
	case marginalAbs:
		return "marginal" + c.byAbs() + ": saddle index " + idx + " to " + strconv.Itoa(c.index+c.more)
	case disagree:
		return "labels disagree"
	}
	return "not analyzed"
}

// seriesName is the name of the class's series in the 3-D view and the
// legends: saddles by index as saddleName ("saddle index ≥ 4" for all
// above 3), all saddles by |λ| only as one series.
func (c class) seriesName() string {
	switch c.kind {
	case saddle:
		return saddleName(c.index)
	case undecided:
		return "undecided"
	case saddleAbs:
		return "unstable" + c.byAbs()
	case marginalAbs:
		return "marginal" + c.byAbs()
	}
	return class{kind: c.kind, flow: c.flow}.String()
}

func (c class) less(d class) bool {
	if c.kind != d.kind {
		return c.kind < d.kind
	}
	if c.index != d.index {
		return c.index < d.index
	}
	if c.more != d.more {
		return c.more < d.more
	}
	return !c.flow && d.flow
}

// color is the class's colour in every chart (palette.go): stable black,
// each saddle index its hue, undecided orange, the by-eigenvalue classes
// paler, others grey.
func (c class) color() string {
	switch c.kind {
	case stable:
		return colorStable
	case saddle:
		return saddleColor(c.index)
	case undecided:
		return colorUndecided
	case stableAbs:
		return colorStableAbs
	case saddleAbs:
		return colorUnstableAbs
	case marginalAbs:
		return colorMarginalAbs
	}
	return colorFar
}

// lambda is the eigenvalue of the map's Jacobian behind a mode's value.
func lambda(v complex128, continuous bool) complex128 {
	if continuous {
		return v + 1
	}
	return v
}

// unstableModes are the growing modes among the top 3 of p that have
// eigenvectors, as the reference draws them: certainly unstable ones, or
// for a point without bounds unstable by the eigenvalue alone (byAbs).
func unstableModes(p *finder.Point) (modes []finder.Mode, byAbs bool) {
	classes := modeClassesOf(p)
	for i, m := range p.Modes {
		if i == 3 {
			break
		}
		if m.Right != nil && classes[i].grows() {
			modes = append(modes, m)
			byAbs = classes[i] == modeUnstableAbs
		}
	}
	return modes, byAbs
}
