package viz

import (
	"math"

	"github.com/rnnfp/fixedpoints/finder"
)

// modeClass says what is certain about one mode of a fixed point.
type modeClass int

const (
	modeStable    modeClass = iota // certainly decays
	modeUndecided                  // too close to the boundary to tell
	modeUnstable                   // certainly grows
)

// modeClasses name and colour the classes, in their order.
var modeClasses = [...]struct{ name, color string }{
	modeStable:    {"certainly stable", "#333333"},
	modeUndecided: {"undecided", "#ff8c00"},
	modeUnstable:  {"unstable", colorUnstable},
}

// classOfMode is the class of mode k of p. finder does not yet bound the
// error of each eigenvalue, so a mode is judged by its value alone:
// unstable when it grows (|lambda| > 1, or Re(mu) > 0 in continuous time),
// else stable; none is undecided.
func classOfMode(p *finder.Point, k int) modeClass {
	if growing(p.Modes[k].Value, p.Stability.Continuous) {
		return modeUnstable
	}
	return modeStable
}

// finite reports whether v is a finite complex number.
func finite(v complex128) bool {
	return !math.IsNaN(real(v)) && !math.IsNaN(imag(v)) && !math.IsInf(real(v), 0) && !math.IsInf(imag(v), 0)
}
