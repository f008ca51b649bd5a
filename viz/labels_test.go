package viz

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
)

// boundedPoints are four fixed points with diagonal Jacobians, decomposed
// by finder itself (error bounds from the Jacobian's error), whose classes
// are known analytically: a diagonal matrix has condition number 1 for
// every eigenvalue, so each bound is the Jacobian's error bound.
//
//	0: diag(1.000025, 0.5, 0.3), rounding only (bound ~1e-14): saddle
//	   index 1, although |lambda| - 1 = 2.5e-5 lies in the old marginal
//	   band (1e-3), where the old rule called it marginal, not unstable;
//	1: diag(1 - 1e-12, 0.5, 0.3), JacobianError 1e-8: the first mode's bound
//	   straddles 1, undecided: saddle index 0 to 1;
//	2: diag(0.5, 0.4, 0.3): stable;
//	3: diag(2, 1 - 1e-12, 0.5), JacobianError 1e-8: undecided, saddle
//	   index 1 to 2, with one segment (the certain mode 2).
func boundedPoints(t *testing.T) *finder.FixedPoints {
	t.Helper()
	diag := [][3]float64{{1.000025, 0.5, 0.3}, {1 - 1e-12, 0.5, 0.3}, {0.5, 0.4, 0.3}, {2, 1 - 1e-12, 0.5}}
	jacErr := []float64{0, 1e-8, 0, 1e-8}
	fp := &finder.FixedPoints{N: 3, M: 1, Dtype: "float64"}
	for i, d := range diag {
		p := finder.Point{X: []float64{float64(i), float64(i % 2), -float64(i)}, U: []float64{0}, JacobianError: jacErr[i],
			Jacobian: []float64{d[0], 0, 0, 0, d[1], 0, 0, 0, d[2]}}
		fp.Points = append(fp.Points, p)
	}
	if err := finder.Decompose(fp, finder.Settings{}); err != nil {
		t.Fatal(err)
	}
	return fp
}

// emitted is what a rendered page embeds: every chart's option by id and
// the spectra the script draws from.
type emitted struct {
	options map[string]map[string]any
	spectra struct {
		Continuous bool  `json:"continuous"`
		Classes    []int `json:"classes"`
		Points     []struct {
			Label string      `json:"label"`
			Modes [][]float64 `json:"modes"`
		} `json:"points"`
	}
	tables string
}

var (
	specRE    = regexp.MustCompile(`(?m)^\s*\{id: "([^"]+)", tips: "[^"]*", width:\s*\d+\s*, height:\s*\d+\s*, option: (.*)\},$`)
	spectraRE = regexp.MustCompile(`(?m)^\s*var spectra = (.*);$`)
	tablesRE  = regexp.MustCompile(`(?s)<div class="tables">(.*?)</div>\n<script>`)
)

// renderPage renders r and parses what the page embeds.
func renderPage(t *testing.T, r *Report) emitted {
	t.Helper()
	var b bytes.Buffer
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	d := emitted{options: map[string]map[string]any{}}
	for _, m := range specRE.FindAllStringSubmatch(html, -1) {
		var o map[string]any
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			t.Fatalf("option of %s: %v", m[1], err)
		}
		d.options[m[1]] = o
	}
	m := spectraRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no spectra in the page")
	}
	// Infinite bounds are written as null; read them as -1.
	if err := json.Unmarshal([]byte(strings.ReplaceAll(m[1], "null", "-1")), &d.spectra); err != nil {
		t.Fatal(err)
	}
	if m := tablesRE.FindStringSubmatch(html); m != nil {
		d.tables = m[1]
	}
	return d
}

// series3D lists, for each series name of the 3-D view, the fixed points
// (their "fp" index) it draws, its colour and the tips of its points.
func series3D(t *testing.T, o map[string]any) (fps map[string][]int, colors map[string]string, tips map[int]string, lines map[string]int) {
	t.Helper()
	fps, colors, tips, lines = map[string][]int{}, map[string]string{}, map[int]string{}, map[string]int{}
	for _, s := range o["series"].([]any) {
		s := s.(map[string]any)
		name := s["name"].(string)
		if s["type"] == "line3D" {
			lines[name]++
			continue
		}
		if st, ok := s["itemStyle"].(map[string]any); ok {
			colors[name], _ = st["color"].(string)
		}
		for _, d := range s["data"].([]any) {
			d, ok := d.(map[string]any)
			if !ok || d["fp"] == nil {
				continue
			}
			i := int(d["fp"].(float64))
			fps[name] = append(fps[name], i)
			tips[i], _ = d["tip"].(string)
		}
	}
	return
}

// A page of points whose classes are known analytically labels each point
// and mode by its error bound: the 3-D view's series, colours and tips, the
// spectra's labels and mode classes, the segments and the counts table.
func TestReportLabelsFromBounds(t *testing.T) {
	fp := boundedPoints(t)
	// finder's own description: mode 0 of point 0 lies in the marginal
	// band, which no longer decides anything.
	if s := fp.Points[0].Stability; s.NMarginal != 1 || s.NUnstable != 1 {
		t.Fatalf("point 0: NMarginal %d, NUnstable %d; want 1 and 1", s.NMarginal, s.NUnstable)
	}
	d := renderPage(t, &Report{Fixed: fp})

	wantLabels := []string{"fixed point 0: saddle index 1", "fixed point 1: undecided: saddle index 0 to 1",
		"fixed point 2: stable", "fixed point 3: undecided: saddle index 1 to 2"}
	// Mode classes: 0 certainly stable, 1 undecided, 2 unstable.
	wantClasses := [][]float64{{2, 0, 0}, {1, 0, 0}, {0, 0, 0}, {2, 1, 0}}
	if got := d.spectra.Classes; len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Errorf("spectra classes %v, want [0 1 2] (no point lacks bounds)", got)
	}
	for i, p := range d.spectra.Points {
		if p.Label != wantLabels[i] {
			t.Errorf("spectrum %d labelled %q, want %q", i, p.Label, wantLabels[i])
		}
		for k, m := range p.Modes {
			if m[2] != wantClasses[i][k] {
				t.Errorf("point %d mode %d (%g%+gi): class %g, want %g", i, k, m[0], m[1], m[2], wantClasses[i][k])
			}
		}
	}
	// The numbers behind the classes: growth |lambda| - 1 to 6 digits of
	// its own (Re and Im to 6 digits would say 1.00003 and 1), bounds of
	// rounding size or of the given Jacobian error.
	m := d.spectra.Points[0].Modes[0]
	if math.Abs(m[4]-2.5e-5) > 1e-10 || !(m[3] > 0 && m[3] < 1e-12) {
		t.Errorf("point 0 mode 0: growth %g, bound %g; want 2.5e-05 and a rounding-size bound", m[4], m[3])
	}
	m = d.spectra.Points[1].Modes[0]
	if math.Abs(m[4]+1e-12) > 2e-16 || !(m[3] >= 1e-8 && m[3] < 1.1e-8) {
		t.Errorf("point 1 mode 0: growth %g, bound %g; want -1e-12 (to float64 rounding of 1 - 1e-12) and 1e-8 (plus rounding)", m[4], m[3])
	}

	fps, colors, tips, lines := series3D(t, d.options[idFixedPoints])
	want := map[string][]int{"stable": {2}, "saddle index 1": {0}, "undecided": {1, 3}}
	for name, w := range want {
		if g := fps[name]; len(g) != len(w) || (len(g) > 0 && (g[0] != w[0] || g[len(g)-1] != w[len(w)-1])) {
			t.Errorf("3-D series %q draws %v, want %v", name, g, w)
		}
	}
	if len(fps) != len(want) {
		t.Errorf("3-D series %v, want only %v", fps, want)
	}
	for name, c := range map[string]string{"stable": "#000000", "saddle index 1": "#D55E00", "undecided": "#E69F00"} {
		if colors[name] != c {
			t.Errorf("3-D series %q coloured %s, want %s", name, colors[name], c)
		}
	}
	if lines[nameUnstableModes] != 2 {
		t.Errorf("%d segments of unstable modes, want 2 (point 0's 1.000025 and point 3's 2; none for undecided modes)", lines[nameUnstableModes])
	}
	for i, parts := range map[int][]string{
		0: {"fixed point 0: saddle index 1\nmodes: 1 unstable, 2 certainly stable", "top eigenvalues: 1 (unstable, |λ| - 1 = 2.5e-05 ± "},
		1: {"fixed point 1: undecided: saddle index 0 to 1\nmodes: 1 undecided, 2 certainly stable", "top eigenvalues: 1 (undecided, |λ| - 1 = -1e-12 ± 1e-08), 0.5, 0.3"},
		2: {"fixed point 2: stable\nmodes: 3 certainly stable"},
		3: {"fixed point 3: undecided: saddle index 1 to 2\nmodes: 1 unstable, 1 undecided, 1 certainly stable"},
	} {
		for _, p := range parts {
			if !strings.Contains(tips[i], p) {
				t.Errorf("tip of fixed point %d lacks %q:\n%s", i, p, tips[i])
			}
		}
	}
	for _, row := range []string{"<tr><th>stable</th><td>1</td></tr>", "<tr><th>saddle index 1</th><td>1</td></tr>",
		"<tr><th>undecided: saddle index 0 to 1</th><td>1</td></tr>", "<tr><th>undecided: saddle index 1 to 2</th><td>1</td></tr>"} {
		if !strings.Contains(d.tables, row) {
			t.Errorf("counts table lacks %s:\n%s", row, d.tables)
		}
	}
}

// oldFile is the committed LSTM-16 result, written before finder bounded
// eigenvalues: no eigenvalue_bounds, eigenvalue_conds or mode_classes.
const oldFile = "../testdata/flipflop-lstm16-fixedpoints.json"

// A file without per-mode labels is shown by the old rule, named "by |λ|
// only" everywhere, never as certainly stable or a saddle. The counts are
// the file's own (8 stable, 12 of index 1, 6 of index 2, 1 of index 3, as
// its "stable" and "n_unstable" fields say), and each point's modes unstable
// by |λ| are exactly those with |λ| > 1.
func TestReportOldFileByAbsOnly(t *testing.T) {
	f, err := fpjson.Load(oldFile)
	if err != nil {
		t.Fatal(err)
	}
	fp := f.Fixed
	d := renderPage(t, &Report{Fixed: fp})
	if got := d.spectra.Classes; len(got) != 3 || got[0] != int(modeStableAbs) || got[2] != int(modeUnstableAbs) {
		t.Errorf("spectra classes %v, want only the classes by |λ| (3, 4, 5)", got)
	}
	for i, p := range d.spectra.Points {
		if !strings.HasSuffix(p.Label, " by |λ| only") {
			t.Errorf("point %d labelled %q, want a label by |λ| only", i, p.Label)
		}
		for k, m := range p.Modes {
			want := float64(modeStableAbs)
			if math.Hypot(m[0], m[1]) > 1 {
				want = float64(modeUnstableAbs)
			}
			if m[2] != want {
				t.Errorf("point %d mode %d, |λ| = %g: class %g, want %g", i, k, math.Hypot(m[0], m[1]), m[2], want)
			}
		}
	}
	for _, row := range []string{"<tr><th>stable by |λ| only</th><td>8</td></tr>", "<tr><th>saddle index 1 by |λ| only</th><td>12</td></tr>",
		"<tr><th>saddle index 2 by |λ| only</th><td>6</td></tr>", "<tr><th>saddle index 3 by |λ| only</th><td>1</td></tr>"} {
		if !strings.Contains(d.tables, row) {
			t.Errorf("counts table lacks %s:\n%s", row, d.tables)
		}
	}
	fps, colors, tips, _ := series3D(t, d.options[idFixedPoints])
	if len(fps["stable by |λ| only"]) != 8 || len(fps["unstable by |λ| only"]) != 19 || len(fps) != 2 {
		t.Errorf("3-D series: %d stable by |λ| only, %d unstable by |λ| only, %d series; want 8, 19 and 2", len(fps["stable by |λ| only"]), len(fps["unstable by |λ| only"]), len(fps))
	}
	if colors["stable by |λ| only"] != colorStableAbs || colors["unstable by |λ| only"] != colorUnstableAbs {
		t.Errorf("3-D colours %v, want the pale ones of the classes by |λ|", colors)
	}
	i := fps["stable by |λ| only"][0]
	if want := "no error bounds in the data; modes: 32 stable by |λ| only"; !strings.Contains(tips[i], want) {
		t.Errorf("tip of fixed point %d lacks %q:\n%s", i, want, tips[i])
	}
}

// Points without bounds whose stored labels do not fit their eigenvalues,
// and the old rule's marginal points.
func TestUnboundedLabels(t *testing.T) {
	pt := func(st finder.Stability, vals ...complex128) *finder.Point {
		p := &finder.Point{Stability: st}
		for _, v := range vals {
			p.Modes = append(p.Modes, finder.Mode{Value: v})
		}
		return p
	}
	for _, c := range []struct {
		p     *finder.Point
		label string
		modes []modeClass
	}{
		// The old rule: a mode within 1e-3 of |λ| = 1 was marginal.
		{pt(finder.Stability{Analyzed: true, NUnstable: 1, NMarginal: 1}, 1.5, 0.9999, 0.5),
			"marginal by |λ| only: saddle index 1 to 2", []modeClass{modeUnstableAbs, modeMarginalAbs, modeStableAbs}},
		{pt(finder.Stability{Analyzed: true, Continuous: true, NUnstable: 1}, -0.5, 0.2),
			"saddle index 1 by Re μ only", []modeClass{modeStableAbs, modeUnstableAbs}},
		// Stored stable, but a mode grows.
		{pt(finder.Stability{Analyzed: true, Stable: true}, 1.5, 0.5),
			"labels disagree", []modeClass{modeUndecided, modeUndecided}},
		// One unstable mode stored, but 0.5 would have to be it.
		{pt(finder.Stability{Analyzed: true, NUnstable: 2}, 1.5, 0.5),
			"labels disagree", []modeClass{modeUndecided, modeUndecided}},
		// A marginal mode farther from 1 than an unstable one: no band fits.
		{pt(finder.Stability{Analyzed: true, NUnstable: 2, NMarginal: 1}, 1.5, complex(1, 0.25), complex(0.5, 0.5)),
			"labels disagree", []modeClass{modeUndecided, modeUndecided, modeUndecided}},
	} {
		if got := classify(c.p).String(); got != c.label {
			t.Errorf("%+v: %q, want %q", c.p.Stability, got, c.label)
		}
		got := modeClassesOf(c.p)
		for k := range c.modes {
			if got[k] != c.modes[k] {
				t.Errorf("%+v: mode classes %v, want %v", c.p.Stability, got, c.modes)
				break
			}
		}
	}
}

// The saddle-attractor graph classes its nodes as the 3-D view does: the
// undecided points in a category of their own, orange, and their tips count
// the undecided modes.
func TestConnectionsChartClasses(t *testing.T) {
	fp := boundedPoints(t)
	fp.Connections = []finder.Connection{{From: 0, To: 2, End: finder.EndStable}, {From: 3, To: 2, End: finder.EndStable}}
	d := renderPage(t, &Report{Fixed: fp})
	o, ok := d.options[idConnections]
	if !ok {
		t.Fatal("no connections chart")
	}
	s := o["series"].([]any)[0].(map[string]any)
	var got []string
	for _, c := range s["categories"].([]any) {
		c := c.(map[string]any)
		got = append(got, c["name"].(string)+" "+c["itemStyle"].(map[string]any)["color"].(string))
	}
	want := []string{"stable #000000", "saddle index 1 #D55E00", "undecided: saddle index 0 to 1 #E69F00", "undecided: saddle index 1 to 2 #E69F00"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("categories %q, want %q", got, want)
	}
	for _, n := range s["data"].([]any) {
		n := n.(map[string]any)
		if n["id"] == "1" {
			if cat := n["category"].(float64); cat != 2 {
				t.Errorf("node 1 in category %g, want 2 (undecided: saddle index 0 to 1)", cat)
			}
			if tip := n["tip"].(string); !strings.Contains(tip, "modes: 1 undecided, 2 certainly stable") {
				t.Errorf("node 1's tip lacks its undecided mode:\n%s", tip)
			}
		}
	}
}

// A point decomposed for its leading modes only counts the others, which
// finder proved stable, in its tip.
func TestTipLeadingModes(t *testing.T) {
	p := &finder.Point{X: make([]float64, 5), Modes: []finder.Mode{{Value: 1.2, Bound: 1e-14, Cond: 1, Class: finder.ModeUnstable},
		{Value: 0.9, Bound: 1e-14, Cond: 1, Class: finder.ModeStable}},
		Stability: finder.Stability{Analyzed: true, NUnstable: 1, Leading: true, RemainderBound: 0.5}}
	c := classify(p)
	tip := fixedPointTip(7, p, c)
	want := "fixed point 7: saddle index 1\nmodes: 1 unstable, 1 certainly stable (leading modes; the other 3 certainly stable)"
	if !strings.HasPrefix(tip, want) {
		t.Errorf("tip\n%s\nwant it to start with\n%s", tip, want)
	}
}
