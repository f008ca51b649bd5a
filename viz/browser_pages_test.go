package viz

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rnnfp/fixedpoints/manifold"
)

// pageChartsJS describes every echarts instance of the page: its size, the
// text boxes zrender drew (in the chart's pixels), its legend's entries
// and, for each series (and each category of a graph), the name and colour
// it is drawn in. echarts-gl draws its own text in WebGL: a 3-D chart's
// boxes are those of its 2-D parts (title, legend).
const pageChartsJS = `(function () {
  var out = [];
  Array.prototype.forEach.call(document.querySelectorAll("div"), function (el) {
    var c = echarts.getInstanceByDom(el);
    if (!c) { return; }
    var W = c.getWidth(), H = c.getHeight(), texts = [];
    c.getZr().storage.getDisplayList(true).forEach(function (d) {
      var els = [d];
      if (d.getTextContent && d.getTextContent()) { els.push(d.getTextContent()); }
      els.forEach(function (e) {
        if (e.invisible || e.ignore || !(e.type === "text" || e.type === "tspan") || !e.style || !e.style.text) { return; }
        var r = e.getBoundingRect().clone();
        e.updateTransform && e.updateTransform();
        if (e.transform) { r.applyTransform(e.transform); }
        texts.push({Text: String(e.style.text), X: r.x, Y: r.y, W: r.width, H: r.height});
      });
    });
    var o = c.getOption(), series = [];
    (o.series || []).forEach(function (s) {
      var col = (s.itemStyle && s.itemStyle.color) || (s.lineStyle && s.lineStyle.color) || "";
      series.push({Name: String(s.name), Color: typeof col === "string" ? col : ""});
      (s.categories || []).forEach(function (k) {
        series.push({Name: String(k.name), Color: (k.itemStyle && k.itemStyle.color) || ""});
      });
    });
    var legend = [];
    var lm = c.getModel().getComponent("legend");
    if (lm && lm.get("show") !== false) { lm.getData().forEach(function (d) { legend.push(String(d.get("name"))); }); }
    out.push({ID: el.id, W: W, H: H, Texts: texts, Series: series, Legend: legend, GL: !!o.grid3D});
  });
  return out;
})()`

type pageText struct {
	Text       string
	X, Y, W, H float64
}

type pageSeries struct{ Name, Color string }

type shownChart struct {
	ID     string
	W, H   float64
	Texts  []pageText
	Series []pageSeries
	Legend []string
	GL     bool
}

// classColor is the colour the palette gives a series or category name
// that names a class, and whether the name names one.
func classColor(name string) (string, bool) {
	switch {
	case name == "stable" || name == "certainly stable":
		return colorStable, true
	case strings.HasPrefix(name, "undecided"):
		return colorUndecided, true
	case name == nameSlow || name == nameManifolds:
		return colorSlow, true
	case name == "saddle index ≥ 4":
		return colorIndex4, true
	case strings.HasPrefix(name, "saddle index "):
		k, err := strconv.Atoi(strings.TrimPrefix(name, "saddle index "))
		return saddleColor(k), err == nil
	}
	return "", false
}

// hueOwners are the names that may wear each class hue: the class, and
// the unstable-mode segments, which take their saddle's colour (a growing
// mode of the spectra is "unstable", index 1's colour: a saddle of one).
var hueOwners = map[string]*regexp.Regexp{
	colorIndex1:    regexp.MustCompile(`^(saddle index 1|unstable|unstable modes)$`),
	colorIndex2:    regexp.MustCompile(`^(saddle index 2|unstable modes)$`),
	colorIndex3:    regexp.MustCompile(`^(saddle index 3|unstable modes)$`),
	colorIndex4:    regexp.MustCompile(`^(saddle index (≥ 4|[4-9]|[1-9][0-9]+)|unstable modes)$`),
	colorUndecided: regexp.MustCompile(`^undecided`),
	colorSlow:      regexp.MustCompile(`^(slow points|slow manifolds)$`),
}

// shotPage opens a page file at 1600 x 1000, saves a screenshot of what
// shows and of the whole page, and describes its charts.
func shotPage(t *testing.T, tab context.Context, bl *browserLog, path, shots, name string) []shownChart {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("open %s: %v (page problems: %q)", path, err, bl.take())
	}
	time.Sleep(1500 * time.Millisecond) // the WebGL layer draws asynchronously
	shot, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot of %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(shots, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	fullShot(t, tab, filepath.Join(shots, name+"-full.png"))
	for _, p := range bl.take() {
		t.Errorf("%s: %s", name, p)
	}
	return eval[[]shownChart](t, tab, pageChartsJS)
}

// Every page type (the report of find and of report, a report with slow
// manifolds and the saddle-attractor graph, the bifurcation diagram, the
// sweep's comparison), opened at 1600 x 1000: no text box of a chart lies
// outside the chart (a clipped axis label, title or legend), every chart
// has a legend, and each class has its one colour in every chart of every
// page, a colour no other series wears (colours from getOption).
func TestBrowserPageTypes(t *testing.T) {
	tab, bl := startBrowser(t)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1600, 1000)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	dir, shots := t.TempDir(), shotsDir(t)

	found := flipFlopFound(t)
	pages := map[string]func(path string) error{
		"report": sampleReport().WriteFile,
		"report-manifolds": (&Report{Title: "flip-flop with a slow manifold", Fixed: found.Fixed, All: found.All,
			Manifolds: []*manifold.Curve{ringCurve(1.5, 40)}}).WriteFile,
		"bifurcation": (&Bifurcation{Title: "fold", Result: foldResult(), Direction: []float64{1}, YLabel: "x"}).WriteFile,
		"sweep": func(path string) error {
			c := sampleComparison()
			c.Group = "cell"
			return c.WriteFile(path)
		},
	}
	colorOf := map[string]string{} // class name -> colour, over every page
	for _, name := range []string{"report", "report-manifolds", "bifurcation", "sweep"} {
		path := filepath.Join(dir, name+".html")
		if err := pages[name](path); err != nil {
			t.Fatal(err)
		}
		cs := shotPage(t, tab, bl, path, shots, name)
		if len(cs) == 0 {
			t.Errorf("%s: no chart", name)
		}
		switch name {
		case "bifurcation":
			// The log button makes u's axis logarithmic; a row of the
			// table zooms to its marker (the fold at u = 0.53284).
			if typ := eval[string](t, tab, `document.getElementById("axis-log").click(), window.bifurcationChart.getOption().xAxis[0].type`); typ != "log" {
				t.Errorf("bifurcation: after the log button the u axis is %q", typ)
			}
			eval[bool](t, tab, `document.getElementById("axis-linear").click(), true`)
			z := eval[[2]float64](t, tab, `document.querySelector("#bifurcations tr[data-row]").click(),
			  (function () { var z = window.bifurcationChart.getOption().dataZoom[0]; return [z.startValue, z.endValue]; })()`)
			if !(z[0] < 0.53284 && z[1] >= 0.53284 && z[1]-z[0] < 0.15) {
				t.Errorf("bifurcation: a click on the fold's row zooms u to %v, want a tenth of the axis around 0.53284", z)
			}
		case "sweep":
			if got := strings.Join(cs[0].Legend, "|"); got != "cell gru|cell lstm|cell rnn" {
				t.Errorf("sweep: legend %q, want one entry per cell kind", got)
			}
		}
		for _, c := range cs {
			where := name + "/" + c.ID
			for _, x := range c.Texts {
				if x.X < -0.5 || x.Y < -0.5 || x.X+x.W > c.W+0.5 || x.Y+x.H > c.H+0.5 {
					t.Errorf("%s: text %q at [%.0f, %.0f] x [%.0f, %.0f] leaves the chart's %.0f x %.0f box",
						where, x.Text, x.X, x.X+x.W, x.Y, x.Y+x.H, c.W, c.H)
				}
			}
			if len(c.Legend) == 0 {
				t.Errorf("%s: no legend", where)
			}
			for _, s := range c.Series {
				col := strings.ToUpper(s.Color)
				if want, ok := classColor(s.Name); ok {
					if col != strings.ToUpper(want) {
						t.Errorf("%s: %q drawn in %s, want %s", where, s.Name, s.Color, want)
					}
					if prev, seen := colorOf[s.Name]; seen && prev != col {
						t.Errorf("%s: %q drawn in %s here and %s elsewhere", where, s.Name, col, prev)
					}
					colorOf[s.Name] = col
				}
				for hue, owners := range hueOwners {
					if col == strings.ToUpper(hue) && !owners.MatchString(s.Name) {
						t.Errorf("%s: %q wears %s, the colour of another class", where, s.Name, hue)
					}
				}
			}
		}
	}
	t.Logf("class colours seen: %v", colorOf)
	for _, want := range []string{"stable", "saddle index 1", "saddle index 2", "saddle index 3", nameSlow} {
		if _, ok := colorOf[want]; !ok {
			t.Errorf("no page draws %q: the colour check did not cover it", want)
		}
	}
}

// The figure layout redraws the 3-D view as a static drawing of print
// size: as on screen, or on two axes with every drawn fixed point at its
// coordinates; it saves as SVG of 672 x 504 px (7 x 5.25 in) and as a PNG
// of 2100 x 1575 px (300 dpi). Report.Figure opens the page in it.
func TestBrowserFigure(t *testing.T) {
	tab, bl := startBrowser(t)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1600, 1000)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	shots := shotsDir(t)
	r := sampleReport()
	r.Figure = true
	open(t, tab, bl, r, "figure.html")
	if cls := eval[string](t, tab, `document.body.className`); cls != "figure" {
		t.Errorf("Report.Figure: the page opens in layout %q, want figure", cls)
	}
	shot := func(name string) {
		time.Sleep(300 * time.Millisecond)
		b, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot("figure-3d.png")
	if n := eval[int](t, tab, `fpReport.figure().getOption().series.length`); n < 5 {
		t.Errorf("3-D figure: %d series", n)
	}
	// Axes 1 and 2: the scatter points are the 3-D view's, on x and y.
	eval[bool](t, tab, `(function () { var s = document.getElementById("figure-view"); s.value = "0,1"; s.dispatchEvent(new Event("change")); return true; })()`)
	shot("figure-12.png")
	same := eval[bool](t, tab, `(function () {
	  var f = fpReport.figure().getOption(), o = fpReport.charts["fixed-points"].getOption(), ok = true, n = 0;
	  o.series.forEach(function (s, i) {
	    if (s.type !== "scatter3D") { return; }
	    var g = f.series.filter(function (t) { return t.name === s.name && t.type === "scatter"; })[0];
	    if (!g || g.data.length !== s.data.length) { ok = false; return; }
	    s.data.forEach(function (d, k) { n++; if (g.data[k][0] !== d.value[0] || g.data[k][1] !== d.value[1]) { ok = false; } });
	  });
	  return ok && n > 0 && f.xAxis[0].name === o.xAxis3D[0].name && f.yAxis[0].name === o.yAxis3D[0].name;
	})()`)
	if !same {
		t.Error("figure on axes 1 and 2: its points or axis names are not the 3-D view's")
	}
	svg := eval[string](t, tab, `fpReport.figureSVG()`)
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `width="672"`) || !strings.Contains(svg, `height="504"`) || strings.Count(svg, "<path") < 20 {
		t.Errorf("figure SVG is not a 672 x 504 drawing: %.200s", svg)
	}
	if err := os.WriteFile(filepath.Join(shots, "figure.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	size := eval[[2]int](t, tab, `(function () { var u = fpReport.figurePNG(), img = new Image(); img.src = u;
	  var b = atob(u.split(",")[1]), v = function (i) { return (b.charCodeAt(i) << 24 | b.charCodeAt(i + 1) << 16 | b.charCodeAt(i + 2) << 8 | b.charCodeAt(i + 3)) >>> 0; };
	  return [v(16), v(20)]; })()`)
	if size != [2]int{2100, 1575} {
		t.Errorf("figure PNG is %d x %d px, want 2100 x 1575 (7 x 5.25 in at 300 dpi)", size[0], size[1])
	}
	// Back to the screen layout, and the button leads to the figure again.
	eval[bool](t, tab, `fpReport.layout("screen"), true`)
	eval[bool](t, tab, `document.getElementById("layout-figure").click(), true`)
	if cls := eval[string](t, tab, `document.body.className`); cls != "figure" {
		t.Errorf("after the figure button: layout %q", cls)
	}
	for _, p := range bl.take() {
		t.Error(p)
	}
}

// markersJS is the bifurcation page's markers as drawn: their pixel places
// and the rows of the table each names.
const markersJS = `(function () {
  var c = window.bifurcationChart, out = [];
  c.getOption().series.forEach(function (s) {
    if (s.type !== "scatter") { return; }
    s.data.forEach(function (d) {
      var p = c.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, d.value);
      out.push({X: p[0], Y: p[1], Rows: d.rows});
    });
  });
  return out;
})()`

type drawnMarker struct {
	X, Y float64
	Rows []int
}

// Nine folds a few pixels apart (as the trained flip-flop's, where 9 folds
// showed as about 2 markers) are drawn as markers no two of which overlap,
// together naming all nine rows; zoomed in, they come apart.
func TestBrowserBifurcationMarkers(t *testing.T) {
	res := foldResult()
	f := res.Bifurcations[0]
	res.Bifurcations = nil
	for k := range 9 {
		g := f
		g.U = []float64{f.U[0] - 0.002*float64(k)}
		g.S = g.U[0]
		res.Bifurcations = append(res.Bifurcations, g)
	}
	tab, bl := startBrowser(t)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1600, 1000)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "folds.html")
	if err := (&Bifurcation{Result: res, Direction: []float64{1}}).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	check := func(when string, atLeast int) {
		time.Sleep(500 * time.Millisecond)
		ms := eval[[]drawnMarker](t, tab, markersJS)
		seen := map[int]bool{}
		for i, a := range ms {
			for _, r := range a.Rows {
				seen[r] = true
			}
			for _, b := range ms[i+1:] {
				if d := math.Hypot(a.X-b.X, a.Y-b.Y); d < bifMarkerSize {
					t.Errorf("%s: markers %v and %v are %.1f px apart, less than their size %d", when, a.Rows, b.Rows, d, bifMarkerSize)
				}
			}
		}
		if len(seen) != 9 || len(ms) < atLeast {
			t.Errorf("%s: %d markers naming rows %v; want all 9 rows in at least %d markers", when, len(ms), seen, atLeast)
		}
		t.Logf("%s: %d markers", when, len(ms))
	}
	check("whole diagram", 1)
	eval[bool](t, tab, `window.bifurcationChart.dispatchAction({type: "dataZoom", dataZoomIndex: 0, startValue: 0.51, endValue: 0.535}), true`)
	check("zoomed to u in [0.51, 0.535]", 9)
	for _, p := range bl.take() {
		t.Error(p)
	}
}
