package viz

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
)

// mixedPoints are boundedPoints and one point without error bounds (as
// read from a file written before them): eigenvalues 1.5, 0.5, 0.2, stored
// as one unstable mode.
func mixedPoints(t *testing.T) *finder.FixedPoints {
	fp := boundedPoints(t)
	e := func(i int) []complex128 { v := make([]complex128, 3); v[i] = 1; return v }
	fp.Points = append(fp.Points, finder.Point{X: []float64{2, -1, 1}, U: []float64{0},
		Modes:     []finder.Mode{{Value: 1.5, Right: e(0), Left: e(0)}, {Value: 0.5, Right: e(1), Left: e(1)}, {Value: 0.2, Right: e(2), Left: e(2)}},
		Stability: finder.Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.5}})
	return fp
}

// In the browser, the page with points of every class draws a series for
// each mode class, moves the spectra to a clicked undecided point, and its
// tooltips give the growth rate and bound behind the class.
func TestBrowserLabels(t *testing.T) {
	tab, bl := startBrowser(t)
	open(t, tab, bl, &Report{Fixed: mixedPoints(t)}, "labels.html")
	// Spectra: other points, 6 mode classes (3 certain, 3 by |λ| only) and
	// the circle; bars: 6 classes. 3-D: stable, unstable, undecided,
	// unstable by |λ| only, 2 certain segments and 1 by |λ| only.
	for id, n := range map[string]int{idSpectra: 8, idMagnitudes: 6, idFixedPoints: 7} {
		if got := seriesCount(t, tab, id); got != n {
			t.Errorf("chart %s: %d series, want %d", id, got, n)
		}
	}
	names := eval[[]string](t, tab, `fpReport.charts["spectra"].getOption().series.map(function (s) { return s.name; })`)
	want := []string{nameOtherPoints, "certainly stable", "undecided", "unstable", "stable by |λ| only", "marginal by |λ| only", "unstable by |λ| only", nameUnitCircle}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("spectra series %q, want %q", names, want)
	}
	// Fixed point 1: its mode at 1 - 1e-12 (bound 1e-8) is undecided.
	eval[bool](t, tab, `fpReport.select(1), true`)
	counts := eval[[]int](t, tab, `fpReport.charts["spectra"].getOption().series.slice(1, 7).map(function (s) { return s.data.length; })`)
	if fmt.Sprint(counts) != "[2 1 0 0 0 0]" {
		t.Errorf("fixed point 1: modes per class %v, want [2 1 0 0 0 0] (2 certainly stable, 1 undecided)", counts)
	}
	bars := eval[[]int](t, tab, `fpReport.charts["magnitudes"].getOption().series.map(function (s) {
	  return s.data.filter(function (v) { return v !== null && v !== "-"; }).length; })`)
	if fmt.Sprint(bars) != "[2 1 0 0 0 0]" {
		t.Errorf("fixed point 1: bars per class %v, want [2 1 0 0 0 0]", bars)
	}
	tip := eval[string](t, tab, `(function () { var el = document.getElementById("spectra");
	  echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: 2, dataIndex: 0});
	  return el.innerText; })()`)
	for _, w := range []string{"undecided", "fixed point 1: undecided: saddle index 0 to 1", "|λ| - 1 = -1e-12 ± 1e-8"} {
		if !strings.Contains(tip, w) {
			t.Errorf("tooltip of the undecided mode lacks %q:\n%s", w, tip)
		}
	}
	// Fixed point 4 has no bounds: its modes by |λ| only, without ±.
	eval[bool](t, tab, `fpReport.select(4), true`)
	counts = eval[[]int](t, tab, `fpReport.charts["spectra"].getOption().series.slice(1, 7).map(function (s) { return s.data.length; })`)
	if fmt.Sprint(counts) != "[0 0 0 2 0 1]" {
		t.Errorf("fixed point 4: modes per class %v, want [0 0 0 2 0 1]", counts)
	}
	tip = eval[string](t, tab, `(function () { var el = document.getElementById("spectra");
	  echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: 6, dataIndex: 0});
	  return el.innerText; })()`)
	for _, w := range []string{"unstable by |λ| only", "fixed point 4: saddle index 1 by |λ| only", "λ = 1.5\n"} {
		if !strings.Contains(tip, w) {
			t.Errorf("tooltip of the mode by |λ| only lacks %q:\n%s", w, tip)
		}
	}
	if strings.Contains(tip, "±") {
		t.Errorf("tooltip of a mode without a bound shows one:\n%s", tip)
	}
	time.Sleep(time.Second) // the WebGL layer draws asynchronously
	fullShot(t, tab, filepath.Join(shotsDir(t), "labels.png"))
	for _, p := range bl.take() {
		t.Error(p)
	}
}
