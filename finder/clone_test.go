package finder_test

import (
	"reflect"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/fptest"
)

// TestClone: a clone equals its original, its modes' bounds and classes
// too, and changing any vector of the clone leaves the original as it was.
func TestClone(t *testing.T) {
	fp := fptest.FullSet()
	m := &fp.Points[0].Modes[1]
	m.Cond, m.Bound, m.Class, m.Proved = 3, 0.25, finder.ModeUnstable, true
	c := fp.Clone()
	if got := c.Points[0].Modes[1]; got.Cond != 3 || got.Bound != 0.25 || got.Class != finder.ModeUnstable || !got.Proved {
		t.Fatalf("cloned mode %+v, want Cond 3, Bound 0.25, unstable, proved", got)
	}
	if !reflect.DeepEqual(c, fp) {
		t.Fatal("clone differs")
	}
	p := &c.Points[0]
	p.X[0]++
	p.XInit[0]++
	p.U[0]++
	p.F[0]++
	p.Jacobian[0]++
	p.InputJacobian[0]++
	p.Modes[0].Right[0]++
	p.Modes[0].Left[0]++
	p.Modes[1].Bound++
	orig := fptest.FullSet()
	orig.Points[0].Modes[1] = finder.Mode{Value: m.Value, Right: orig.Points[0].Modes[1].Right, Left: orig.Points[0].Modes[1].Left, Cond: 3, Bound: 0.25, Class: finder.ModeUnstable, Proved: true}
	if !reflect.DeepEqual(orig, fp) {
		t.Error("changing the clone changed the original")
	}
}
