package finder

import (
	"math"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	fp := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{
		analyzed(0, 0, 2e-12), analyzed(1, 1, 1e-15), analyzed(2, 1, 3e-11), analyzed(3, 3, 0),
		analyzed(4, 0, 1e-14),
	}}
	fp.Points[1].Stability.Marginal = true
	fp.Points = append(fp.Points, analyzed(6, 0, 0))
	fp.Points[5].Stability.Stable, fp.Points[5].Stability.NUndecided = false, 1
	fp.Points[4].Q = math.NaN()
	fp.Points = append(fp.Points, pt([]float64{5, 0}, []float64{1}, 2.5e-3)) // not analyzed
	fp.Points[6].Residual = math.Inf(1)
	want := `7 points, N=2, M=1, float64
analyzed 6: stable 2, unstable 3, undecided 1, marginal 1
not analyzed 1
saddle index  count
0             3
1             2
3             1
          min  max
q         0    0.0025  (1 NaN)
residual  0    +Inf
`
	if got := fp.Summary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}

	empty := &FixedPoints{N: 16, M: 3, Dtype: "float32"}
	want = "0 points, N=16, M=3, float32\nanalyzed 0: stable 0, unstable 0, undecided 0, marginal 0\n"
	if got := empty.Summary(); got != want {
		t.Errorf("empty summary:\n%q\nwant:\n%q", got, want)
	}
}

// TestSummaryOldLabels: points whose labels rest on |lambda| alone (modes
// without bounds, as read from a file written before them) are counted as
// the file says, and named.
func TestSummaryOldLabels(t *testing.T) {
	old := analyzed(0, 1, 0)
	old.Modes = []Mode{{Value: 1.5}, {Value: 0.5}}
	bounded := analyzed(1, 1, 0)
	bounded.Modes = []Mode{{Value: 1.5, Bound: 1e-14, Cond: 1, Class: ModeUnstable}, {Value: 0.5, Bound: 1e-14, Cond: 1, Class: ModeStable}}
	fp := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{old, bounded}}
	want := "analyzed 2: stable 0, unstable 2, undecided 0, marginal 0\nof which labelled by |lambda| alone, without error bounds (a file written before them): 1\n"
	if got := fp.Summary(); !strings.Contains(got, want) {
		t.Errorf("summary:\n%s\nwant it to contain:\n%s", got, want)
	}
	if old.HasBounds() || !bounded.HasBounds() {
		t.Errorf("HasBounds: %v for modes without bounds, %v with", old.HasBounds(), bounded.HasBounds())
	}
}
