package viz

import (
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// The counts table lists every outcome of the candidates, zero ones too,
// and the unconverged ones by reason.
func TestCountRowsListEveryOutcome(t *testing.T) {
	all := &finder.FixedPoints{N: 1, Dtype: "float64"}
	for _, o := range []struct {
		out finder.Outcome
		why finder.Reason
		n   int
	}{{finder.OutcomeFixed, finder.ReasonNone, 3}, {finder.OutcomeSlowRegion, finder.ReasonNone, 5},
		{finder.OutcomeUnconverged, finder.ReasonStall, 2}, {finder.OutcomeUnconverged, finder.ReasonDiverged, 1}} {
		for k := 0; k < o.n; k++ {
			all.Points = append(all.Points, finder.Point{X: []float64{float64(k)}, Outcome: o.out, Reason: o.why})
		}
	}
	r := &Report{All: all, SlowRegions: &finder.FixedPoints{N: 1, Dtype: "float64", Points: all.Points[3:5]}}
	got := map[string]string{}
	for _, row := range r.countRows(notDrawn{}) {
		got[row.Key] = row.Value
	}
	for key, want := range map[string]string{
		"candidates": "11",
		"candidates ending at a certified fixed point (outcome fixed)":       "3",
		"candidates ending at a slow point, a local minimum of q > 0 (slow)": "0",
		"candidates ending on a slow region (slow region)":                   "5",
		"candidates ending unconverged (unconverged)":                        "3",
		"... unconverged: stall":                                             "2",
		"... unconverged: diverged":                                          "1",
		"slow regions (unique candidates on them)":                           "2",
	} {
		if got[key] != want {
			t.Errorf("%q = %q, want %q (rows %v)", key, got[key], want, got)
		}
	}
}
