package viz

import (
	"strconv"

	"github.com/rnnfp/fixedpoints/finder"
)

// kind is how a fixed point is drawn.
type kind int

const (
	stable    kind = iota
	saddle         // unstable, with a saddle index
	undecided      // some mode's error bound straddles the stability boundary
	unknown        // not linearized, or labels that disagree
)

// class is a kind with the saddle index for saddles (for undecided points,
// the certain part of it, and more, the undecided modes); it orders series.
type class struct {
	kind        kind
	index, more int
}

// classify says how p is drawn, from finder's certain labels: a point with
// an undecided mode (its eigenvalue's error bound straddles the boundary)
// has a saddle index known only to lie in [NUnstable, NUnstable +
// NUndecided], and is drawn apart.
func classify(p *finder.Point) class {
	s := p.Stability
	switch {
	case !s.Analyzed:
		return class{kind: unknown}
	case s.NUndecided > 0:
		return class{kind: undecided, index: s.NUnstable, more: s.NUndecided}
	case s.Stable && s.NUnstable == 0:
		return class{kind: stable}
	case !s.Stable && s.NUnstable > 0:
		return class{kind: saddle, index: s.NUnstable}
	}
	return class{kind: unknown}
}

func (c class) String() string {
	switch c.kind {
	case stable:
		return "stable"
	case saddle:
		return "saddle index " + strconv.Itoa(c.index)
	case undecided:
		return "undecided: saddle index " + strconv.Itoa(c.index) + " to " + strconv.Itoa(c.index+c.more)
	}
	return "not analyzed"
}

func (c class) less(d class) bool {
	if c.kind != d.kind {
		return c.kind < d.kind
	}
	if c.index != d.index {
		return c.index < d.index
	}
	return c.more < d.more
}

// color is the class's colour in every chart: stable black, saddles red,
// undecided orange, others grey. Spectra tell saddle indices apart by hue.
func (c class) color() string {
	switch c.kind {
	case stable:
		return "#000000"
	case saddle:
		return colorUnstable
	case undecided:
		return "#ff8c00"
	}
	return "#999999"
}

const (
	colorUnstable   = "#d62728"
	colorTrajectory = "#1f77b4"
	colorSlow       = "#bbbbbb"
)

// lambda is the eigenvalue of the map's Jacobian behind a mode's value.
func lambda(v complex128, continuous bool) complex128 {
	if continuous {
		return v + 1
	}
	return v
}

// unstableModes are the growing modes among the top 3 of p that have
// eigenvectors, as the reference draws them.
func unstableModes(p *finder.Point) []finder.Mode {
	var out []finder.Mode
	for i, m := range p.Modes {
		if i == 3 {
			break
		}
		if m.Right != nil && classOfMode(p, i) == modeUnstable {
			out = append(out, m)
		}
	}
	return out
}
