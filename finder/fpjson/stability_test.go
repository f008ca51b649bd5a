package fpjson

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// stabilitySet is one point with a proved unstable and a proved stable
// mode, and one whose second mode rests on the estimate.
func stabilitySet() *finder.FixedPoints {
	modes := func(secondProved bool) []finder.Mode {
		return []finder.Mode{
			{Value: 1.5, Cond: 1, Bound: 1e-12, Class: finder.ModeUnstable, Proved: true},
			{Value: 0.25, Cond: 2, Bound: 1e-3, Class: finder.ModeStable, Proved: secondProved},
		}
	}
	st := func(proved bool) finder.Stability {
		return finder.Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.5, Proved: proved}
	}
	return &finder.FixedPoints{N: 2, Dtype: "float64", Points: []finder.Point{
		{X: []float64{1, 2}, Modes: modes(true), Stability: st(true)},
		{X: []float64{3, 4}, Modes: modes(false), Stability: st(false)},
	}}
}

// TestStabilityProvedRoundTrip: "stability" and "mode_proved" are written
// and read back as they were.
func TestStabilityProvedRoundTrip(t *testing.T) {
	fp := stabilitySet()
	got, raw := roundTrip(t, fp)
	if !reflect.DeepEqual(got, fp) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got.Points, fp.Points)
	}
	for _, want := range []string{`"stability":"proved","mode_proved":[true,true]`, `"stability":"estimated","mode_proved":[true,false]`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("file lacks %s:\n%s", want, raw)
		}
	}
}

// TestStabilityProvedReadErrors: a "proved" label that the modes do not
// back, a proved undecided mode, or an unknown label is refused.
func TestStabilityProvedReadErrors(t *testing.T) {
	const head = `{"format":"fixedpoints/v1","n_states":2,"n_inputs":0,"dtype":"float64","fixed_points":[{"x":[1,2],"u":[],"q":0,"residual":0,"eigenvalues":[[1.5,0],[0.25,0]],"analyzed":true,"stable":false,"n_unstable":1,"n_undecided":`
	for _, c := range []struct{ name, tail, msg string }{
		{"proved, a mode not", `0,"eigenvalue_bounds":[1e-12,1e-3],"mode_classes":["unstable","stable"],"stability":"proved","mode_proved":[true,false]}]}`, `stability is "proved" but not every mode is`},
		{"estimated, all proved", `0,"eigenvalue_bounds":[1e-12,1e-3],"mode_classes":["unstable","stable"],"stability":"estimated","mode_proved":[true,true]}]}`, `stability is "estimated" but every mode is proved`},
		{"undecided proved", `1,"eigenvalue_bounds":[1e-12,1],"mode_classes":["unstable","undecided"],"stability":"estimated","mode_proved":[true,true]}]}`, "mode 1 is proved but undecided"},
		{"label", `0,"eigenvalue_bounds":[1e-12,1e-3],"mode_classes":["unstable","stable"],"stability":"sure"}]}`, `stability is "sure"`},
		{"length", `0,"eigenvalue_bounds":[1e-12,1e-3],"mode_classes":["unstable","stable"],"mode_proved":[true]}]}`, "mode_proved has 1 values"},
	} {
		_, err := readSet(strings.NewReader(head + c.tail))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}
