package viz

import (
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/finder"
)

// modeClass says what is known about one mode of a fixed point.
type modeClass int

const (
	modeStable    modeClass = iota // certainly decays (finder.ModeStable)
	modeUndecided                  // its error bound straddles the boundary, or no bound is known
	modeUnstable                   // certainly grows (finder.ModeUnstable)
	// The classes of a point analyzed before finder bounded eigenvalues
	// (see unbounded.go): the old rule's reading of the eigenvalue alone.
	modeStableAbs   // decays by |lambda| (or Re mu) alone, beyond the marginal band
	modeMarginalAbs // within the old rule's marginal band of the boundary
	modeUnstableAbs // grows by |lambda| (or Re mu) alone, beyond the marginal band
	numModeClasses
)

// modeClassInfo names and colours a mode class.
type modeClassInfo struct{ name, color string }

// info names and colours c; flow names the classes by Re mu (continuous
// time) rather than |lambda|.
func (c modeClass) info(flow bool) modeClassInfo {
	by := " by |λ| only"
	if flow {
		by = " by Re μ only"
	}
	switch c {
	case modeStable:
		return modeClassInfo{"certainly stable", colorStable}
	case modeUndecided:
		return modeClassInfo{"undecided", colorUndecided}
	case modeUnstable:
		return modeClassInfo{"unstable", colorUnstable}
	case modeStableAbs:
		return modeClassInfo{"stable" + by, colorStableAbs}
	case modeMarginalAbs:
		return modeClassInfo{"marginal" + by, colorMarginalAbs}
	case modeUnstableAbs:
		return modeClassInfo{"unstable" + by, colorUnstableAbs}
	}
	return modeClassInfo{"unknown", colorFar}
}

// grows reports whether the class says the mode grows.
func (c modeClass) grows() bool { return c == modeUnstable || c == modeUnstableAbs }

// modeClassesOf is the class of every mode of p, in p.Modes' order. A point
// whose modes carry finder's error bounds gets finder's classes
// (finder.Mode.Class); a point analyzed before bounds existed gets the old
// rule's classes by the eigenvalue alone (see unboundedModes), or every
// mode undecided when its stored labels do not fit its eigenvalues.
func modeClassesOf(p *finder.Point) []modeClass {
	out := make([]modeClass, len(p.Modes))
	if !hasBounds(p) {
		if abs, ok := unboundedModes(p); ok {
			return abs
		}
		for k := range out {
			out[k] = modeUndecided
		}
		return out
	}
	for k, m := range p.Modes {
		switch m.Class {
		case finder.ModeStable:
			out[k] = modeStable
		case finder.ModeUnstable:
			out[k] = modeUnstable
		default:
			out[k] = modeUndecided
		}
	}
	return out
}

// growth is the mode's growth rate: |lambda| - 1 for a map, Re(mu) for a
// flow (finder stores mu = lambda - 1 then). A mode grows when it is
// positive; finder's bound on the eigenvalue bounds its error too.
func growth(v complex128, continuous bool) float64 {
	if continuous {
		return real(v)
	}
	return cmplx.Abs(v) - 1
}

// finite reports whether v is a finite complex number.
func finite(v complex128) bool {
	return !math.IsNaN(real(v)) && !math.IsNaN(imag(v)) && !math.IsInf(real(v), 0) && !math.IsInf(imag(v), 0)
}
