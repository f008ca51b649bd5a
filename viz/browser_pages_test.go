package viz

import (
	"context"
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
