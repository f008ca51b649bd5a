package finder_test

import (
	"reflect"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/fptest"
)

// TestClone: a clone equals its original, and changing any vector of the
// clone leaves the original as it was.
func TestClone(t *testing.T) {
	fp := fptest.FullSet()
	c := fp.Clone()
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
	if !reflect.DeepEqual(fptest.FullSet(), fp) {
		t.Error("changing the clone changed the original")
	}
}
