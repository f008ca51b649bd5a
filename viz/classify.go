package viz

import (
	"math/cmplx"
	"strconv"

	"github.com/rnnfp/fixedpoints/finder"
)

// kind is how a fixed point is drawn.
type kind int

const (
	stable   kind = iota
	saddle        // unstable, with a saddle index
	marginal      // some mode on the stability boundary
	unknown       // not linearized, or labels that disagree
)

// class is a kind with the saddle index for saddles; it orders series.
type class struct {
	kind  kind
	index int
}

// classify says how p is drawn. Marginal wins over stable and saddle: the
// label of a point with a mode on the boundary is not robust to rounding.
func classify(p *finder.Point) class {
	s := p.Stability
	switch {
	case !s.Analyzed:
		return class{kind: unknown}
	case s.Marginal:
		return class{kind: marginal}
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
	case marginal:
		return "marginal"
	}
	return "not analyzed"
}

func (c class) less(d class) bool {
	if c.kind != d.kind {
		return c.kind < d.kind
	}
	return c.index < d.index
}

// color is the class's colour in every chart: stable black, saddles red,
// marginal orange, others grey. Spectra tell saddle indices apart by hue.
func (c class) color() string {
	switch c.kind {
	case stable:
		return "#000000"
	case saddle:
		return colorUnstable
	case marginal:
		return "#ff8c00"
	}
	return "#999999"
}

const (
	colorUnstable   = "#d62728"
	colorTrajectory = "#1f77b4"
	colorSlow       = "#bbbbbb"
)

// growing reports whether a mode grows: for the map x -> F(x) its value is
// an eigenvalue lambda of the Jacobian and grows when |lambda| > 1; when
// stability was judged for dx/dt = F(x) - x, finder stores mu = lambda - 1,
// which grows when Re(mu) > 0.
func growing(v complex128, continuous bool) bool {
	if continuous {
		return real(v) > 0
	}
	return cmplx.Abs(v) > 1
}

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
		if m.Right != nil && growing(m.Value, p.Stability.Continuous) {
			out = append(out, m)
		}
	}
	return out
}
