package main

import (
	"math"
	"testing"
)

// The crossings of an exact sine give its frequency: over 512 steps the
// interpolation's error is below 1e-4 (relative), whatever the offset,
// amplitude and phase; a decaying transient after a constant is refused.
func TestMeasuredOmegaOfASine(t *testing.T) {
	for _, w := range []float64{0.2, 0.3137, 0.5, 1.1} {
		y := make([]float64, 512)
		for k := range y {
			y[k] = 0.7 + 0.05*math.Sin(w*float64(k)+0.4)
		}
		got, n, err := measuredOmega(y)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-w)/w > 1e-4 {
			t.Errorf("sin(%v t): measured %v (%d crossings)", w, got, n)
		}
		if wantN := int(512 * w / math.Pi); n < wantN-1 || n > wantN+1 {
			t.Errorf("sin(%v t): %d crossings, want about %d", w, n, wantN)
		}
	}
	flat := make([]float64, 100)
	flat[0] = 1
	if _, _, err := measuredOmega(flat); err == nil {
		t.Error("a step to a constant: measured a frequency")
	}
}
