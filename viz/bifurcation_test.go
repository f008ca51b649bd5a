package viz

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rnnfp/fixedpoints/continuation"
)

// foldResult is the fold of x' = tanh(2x + u) written by hand: one branch
// x from -0.9575 (stable, u = 0) through the fold at x = -1/sqrt 2 to the
// saddle x = 0 (u = 0), u = atanh(x) - 2x along it.
func foldResult() *continuation.Result {
	res := &continuation.Result{N: 1, M: 1, Path: continuation.Segment([]float64{0}, []float64{1})}
	var br continuation.Branch
	for k := 0; k <= 40; k++ {
		x := -0.957504 + 0.957504*float64(k)/40
		u := math.Atanh(x) - 2*x
		if k == 0 || k == 40 {
			u = 0
		}
		lam := 2 * (1 - x*x)
		p := continuation.Point{S: u, U: []float64{u}, X: []float64{x}}
		if lam > 1 {
			p.NUnstable = 1
		} else {
			p.Stable = true
		}
		br.Points = append(br.Points, p)
	}
	br.Seeds, br.End = []int{0, 1}, continuation.Joined
	res.Branches = []continuation.Branch{br}
	xf := -1 / math.Sqrt2
	res.Bifurcations = []continuation.Bifurcation{{Kind: continuation.Fold, Branch: 0, After: 10,
		S: math.Atanh(xf) - 2*xf, U: []float64{math.Atanh(xf) - 2*xf}, X: []float64{xf}, Eigenvalue: 1, Vector: []complex128{1}}}
	return res
}

// bifOption renders the page and returns its echarts option.
func bifOption(t *testing.T, b *Bifurcation) map[string]interface{} {
	t.Helper()
	var buf bytes.Buffer
	if err := b.Render(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	i := strings.Index(page, "var opt = ")
	j := strings.Index(page[i:], ";\n")
	var opt map[string]interface{}
	if i < 0 || j < 0 {
		t.Fatal("no option in the page")
	}
	if err := json.Unmarshal([]byte(page[i+len("var opt = "):i+j]), &opt); err != nil {
		t.Fatal(err)
	}
	return opt
}

// Stable stretches are solid black lines, unstable ones dashed red, split
// at the fold; the fold marker sits at (u, x) of the fold.
func TestBifurcationDiagram(t *testing.T) {
	opt := bifOption(t, &Bifurcation{Title: "fold", Result: foldResult(), Direction: []float64{1}, YLabel: "x"})
	series := opt["series"].([]interface{})
	var lines, folds int
	for _, s := range series {
		s := s.(map[string]interface{})
		name := s["name"].(string)
		switch s["type"] {
		case "line":
			lines++
			style := s["lineStyle"].(map[string]interface{})
			want := map[string][2]string{"stable": {"solid", "#000000"}, "saddle index 1": {"dashed", "#D55E00"}}[name]
			if style["type"] != want[0] || style["color"] != want[1] {
				t.Errorf("series %q: line %v %v, want %v", name, style["type"], style["color"], want)
			}
			// Every point of a stable line is stable: x < -1/sqrt 2.
			for _, d := range s["data"].([]interface{}) {
				v := d.(map[string]interface{})["value"].([]interface{})
				x := v[1].(float64)
				if name == "stable" && x > -1/math.Sqrt2+0.03 || name != "stable" && x < -1/math.Sqrt2-0.03 {
					t.Errorf("series %q holds x = %v", name, x)
				}
			}
		case "scatter":
			folds++
			d := s["data"].([]interface{})[0].(map[string]interface{})
			v := d["value"].([]interface{})
			if name != "fold" || math.Abs(v[0].(float64)-0.53284) > 1e-5 || math.Abs(v[1].(float64)+0.707107) > 1e-5 {
				t.Errorf("marker %q at %v, want the fold at (0.53284, -0.707107)", name, v)
			}
			if tip := d["tip"].(string); !strings.Contains(tip, "fold on branch 0") || !strings.Contains(tip, "eigenvalue 1") {
				t.Errorf("fold tip %q", tip)
			}
		}
	}
	if lines != 2 || folds != 1 {
		t.Errorf("%d line series and %d markers, want 2 and 1", lines, folds)
	}
	if name := opt["xAxis"].(map[string]interface{})["name"]; name != "u[0]" {
		t.Errorf("x axis %q, want u[0]", name)
	}
	if err := (&Bifurcation{Result: foldResult(), Direction: []float64{1, 2}}).Render(&bytes.Buffer{}); err == nil {
		t.Error("a direction of the wrong size was accepted")
	}
}

// Without a direction the vertical axis is the top principal component:
// for N = 1 that is x itself (sign fixed positive), centered.
func TestBifurcationPCA(t *testing.T) {
	opt := bifOption(t, &Bifurcation{Result: foldResult()})
	res := foldResult()
	mean := 0.0
	for _, p := range res.Branches[0].Points {
		mean += p.X[0] / float64(len(res.Branches[0].Points))
	}
	for _, s := range opt["series"].([]interface{}) {
		s := s.(map[string]interface{})
		if s["type"] != "scatter" {
			continue
		}
		v := s["data"].([]interface{})[0].(map[string]interface{})["value"].([]interface{})
		if want := -1/math.Sqrt2 - mean; math.Abs(v[1].(float64)-want) > 1e-5 {
			t.Errorf("fold projected to %v, want %v", v[1], want)
		}
	}
}

// The page draws in Chromium without script errors or requests: a fold,
// and a pitchfork's branch point marker (an SVG path symbol) with three
// stretches (stable, undecided at u = 0, one unstable mode).
func TestBifurcationBrowser(t *testing.T) {
	tab, bl := startBrowser(t)
	for _, c := range []struct {
		title  string
		res    *continuation.Result
		series int
	}{{"fold", foldResult(), 3}, {"pitchfork", pitchforkResult(), 4}} {
		path := filepath.Join(t.TempDir(), "bif.html")
		if err := (&Bifurcation{Title: c.title, Result: c.res}).WriteFile(path); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.Navigate("file://"+path)); err != nil {
			t.Fatal(err)
		}
		if n := seriesCount(t, tab, "bifurcation"); n != c.series {
			t.Errorf("%s: %d series drawn, want %d", c.title, n, c.series)
		}
		if p := bl.take(); len(p) > 0 {
			t.Errorf("%s: page problems: %q", c.title, p)
		}
	}
}

// Folds that would sit on each other are one marker naming their rows of
// the table ("#1 #2 #3"), so none hides another; a fold elsewhere keeps
// its own marker. The plot is zoomable on both axes, by sliders too.
func TestBifurcationMarkersDoNotHide(t *testing.T) {
	res := foldResult()
	f := res.Bifurcations[0]
	g := f
	g.U = []float64{f.U[0] + 1e-6}
	h := f
	h.X = []float64{-0.3}
	res.Bifurcations = []continuation.Bifurcation{f, g, f, h}
	opt := bifOption(t, &Bifurcation{Result: res, Direction: []float64{1}})
	var labels []string
	for _, s := range opt["series"].([]interface{}) {
		s := s.(map[string]interface{})
		if s["type"] != "scatter" {
			continue
		}
		for _, d := range s["data"].([]interface{}) {
			labels = append(labels, d.(map[string]interface{})["label"].(map[string]interface{})["formatter"].(string))
		}
	}
	if strings.Join(labels, "|") != "#1 #2 #3|#4" {
		t.Errorf("markers labelled %q, want [#1 #2 #3 #4]: one for the three coincident folds, one for the other", labels)
	}
	sliders := 0
	for _, z := range opt["dataZoom"].([]interface{}) {
		if z.(map[string]interface{})["type"] == "slider" {
			sliders++
		}
	}
	if sliders != 2 {
		t.Errorf("%d zoom sliders, want 2 (u and the projection)", sliders)
	}
}
