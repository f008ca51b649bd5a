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

// classOfMode is the class of mode k of p, as finder judged it from the
// eigenvalue's error bound (finder.Mode.Class).
func classOfMode(p *finder.Point, k int) modeClass {
	switch p.Modes[k].Class {
	case finder.ModeStable:
		return modeStable
	case finder.ModeUnstable:
		return modeUnstable
	}
	return modeUndecided
}

// finite reports whether v is a finite complex number.
func finite(v complex128) bool {
	return !math.IsNaN(real(v)) && !math.IsNaN(imag(v)) && !math.IsInf(real(v), 0) && !math.IsInf(imag(v), 0)
}
