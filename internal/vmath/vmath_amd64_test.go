//go:build amd64 && !purego

package vmath

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestKernelsInUse: with AVX2 the start-up check must have passed (a
// kernel that differs from math anywhere on its probes is turned off,
// which TestMatchesMath alone would not notice).
func TestKernelsInUse(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	if !useExp {
		t.Error("the exp kernel is off: it differs from math.Exp on a probe")
	}
	if !useTanh && !tanhFused {
		t.Error("the tanh kernel is off: it differs from math.Tanh on a probe")
	}
}
