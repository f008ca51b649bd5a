package viz

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rnnfp/fixedpoints/finder"
)

var screenshotPath = flag.String("screenshot", "", "browser test: also save a PNG of the whole sample report here (docs/report.png is made from a real run instead)")

// chromiumPath finds Chromium. Outside CI a missing browser skips the
// test; in CI (env CI set) it fails, since .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium not found but CI is set: the CI script must install it (apt-get install -y chromium)")
	}
	t.Skip("Chromium not found (apt-get install -y chromium); browser test skipped outside CI")
	return ""
}

// browserLog collects what must not happen on a report page: script
// errors, dialogs and requests that leave the file system.
type browserLog struct {
	mu       sync.Mutex
	problems []string
}

func (b *browserLog) add(format string, a ...any) {
	b.mu.Lock()
	b.problems = append(b.problems, fmt.Sprintf(format, a...))
	b.mu.Unlock()
}

func (b *browserLog) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func (b *browserLog) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.add("exception: %s", msg)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.add("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			b.add("browser log: %s %s", ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			b.add("request leaves the file: %s", u)
		}
	case *page.EventJavascriptDialogOpening:
		b.add("dialog opened: %s", ev.Message)
	}
}

// startBrowser starts headless Chromium without network and returns a
// tab's context.
func startBrowser(t *testing.T) (context.Context, *browserLog) {
	path := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"), // no name resolves
		chromedp.Flag("proxy-server", "127.0.0.1:9"),            // nothing gets out
		chromedp.WindowSize(1500, 1300),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	tab, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	bl := &browserLog{}
	if err := chromedp.Listen(tab, bl.listen); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1500, 1300)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	// A dialog would block the page (and the test) until answered: make
	// alert and friends mark the page instead.
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.alert = window.confirm = window.prompt = function () { window.pwned = "dialog"; };`,
	}); err != nil {
		t.Fatalf("install dialog guard: %v", err)
	}
	return tab, bl
}

// open writes r to a file and loads it in the tab.
func open(t *testing.T, tab context.Context, bl *browserLog, r *Report, name string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("open %s: %v (page problems: %q)", path, err, bl.take())
	}
}

// seriesCount is the number of series of the echarts instance on div id,
// or -1 when the div holds none.
func seriesCount(t *testing.T, tab context.Context, id string) int {
	t.Helper()
	n, err := chromedp.Run(tab, chromedp.Evaluate[int](fmt.Sprintf(
		`(function () { var el = document.getElementById(%q), c = el && echarts.getInstanceByDom(el);
		  return c ? c.getOption().series.length : -1; })()`, id)))
	if err != nil {
		t.Fatalf("series of %s: %v", id, err)
	}
	return n
}

// pixels counts, in the part of img below the legend, the pixels that are
// not near-white, and those that are clearly red and clearly blue.
func pixels(img image.Image, top int) (ink, red, blue int) {
	b := img.Bounds()
	for y := b.Min.Y + top; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 215 || g < 215 || bl < 215 {
				ink++
			}
			if r > 150 && g < 110 && bl < 110 {
				red++
			}
			if bl > 120 && r < 110 && bl > g+30 {
				blue++
			}
		}
	}
	return ink, red, blue
}

// shotsDir is where the browser test leaves its screenshots for a person
// to look at: a fresh folder under the system's temporary directory, kept
// after the test (its path is logged).
func shotsDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fixedpoints-report-shots-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots of the sample report's charts: %s", dir)
	return dir
}

// eval runs a JavaScript expression in the tab and decodes its value.
func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %.80s...: %v", js, err)
	}
	return v
}

// axes3D is what the page's 3-D view shows: its axes' ranges and the
// fixed points it draws (series of scatter3D other than slow points).
type axes3D struct {
	Min, Max         [3]float64
	TrajMin, TrajMax [3]float64 // the trajectories drawn
	Points           []struct {
		Value [3]float64 `json:"value"`
		FP    int        `json:"fp"`
	}
}

const axes3DJS = `(function () {
  var o = fpReport.charts["fixed-points"].getOption(), out = {Min: [], Max: [], Points: [],
    TrajMin: [Infinity, Infinity, Infinity], TrajMax: [-Infinity, -Infinity, -Infinity]};
  ["xAxis3D", "yAxis3D", "zAxis3D"].forEach(function (k) { out.Min.push(o[k][0].min); out.Max.push(o[k][0].max); });
  o.series.forEach(function (s) {
    if (s.name === "trajectories") {
      s.data.forEach(function (v) { for (var k = 0; k < 3; k++) {
        out.TrajMin[k] = Math.min(out.TrajMin[k], v[k]); out.TrajMax[k] = Math.max(out.TrajMax[k], v[k]); } });
    }
    if (s.type === "scatter3D" && s.name !== "slow points") {
      s.data.forEach(function (d) { out.Points.push({value: d.value, fp: d.fp}); });
    }
  });
  return out;
})()`

func TestBrowser(t *testing.T) {
	tab, bl := startBrowser(t)

	t.Run("report", func(t *testing.T) {
		r := sampleReport()
		open(t, tab, bl, r, "report.html")
		// 50 trajectories + stable, saddle index 1, 2 and 3, slow + 27
		// mode segments (12 one-mode + 6 two-mode + 1 three-mode
		// saddles); other points,
		// 3 mode classes and the unit circle; 3 mode classes as bars; 2
		// histogram halves; 3 x (input, target, output); loss and MSE.
		want := map[string]int{idFixedPoints: 82, idSpectra: 5, idMagnitudes: 3, idHistogram: 2, idTrial: 9, idTraining: 2}
		for id, n := range want {
			if got := seriesCount(t, tab, id); got != n {
				t.Errorf("chart %s: %d series, want %d", id, got, n)
			}
		}
		checkAxes3D(t, tab)
		waitFor3D(t, tab)
		shots := shotsDir(t)
		for id := range want {
			shot, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.CSS("#panel-"+id)))
			if err != nil {
				t.Fatalf("screenshot of %s: %v", id, err)
			}
			if err := os.WriteFile(filepath.Join(shots, id+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fullShot(t, tab, filepath.Join(shots, "page.png"))
		if *screenshotPath != "" {
			fullShot(t, tab, *screenshotPath)
		}
		checkSaveButtons(t, tab, want, shots)
		checkClickSelects(t, tab)
		checkTooltips(t, tab)
		// The print layout: one column no wider than a page, no buttons.
		eval[bool](t, tab, `fpReport.layout("print"), true`)
		w := eval[int](t, tab, `document.getElementById("fixed-points").clientWidth`)
		if w > 700 {
			t.Errorf("print layout: the 3-D view is %d px wide, want <= 700", w)
		}
		if show := eval[bool](t, tab, `fpReport.charts["spectra"].getOption().toolbox[0].show`); show {
			t.Error("print layout shows the save buttons")
		}
		waitFor3D(t, tab)
		fullShot(t, tab, filepath.Join(shots, "page-print.png"))
		eval[bool](t, tab, `fpReport.layout("screen"), true`)
		for _, p := range bl.take() {
			t.Error(p)
		}
	})

	t.Run("escaping", func(t *testing.T) {
		r := hostileReport()
		open(t, tab, bl, r, "hostile.html")
		pwned, err := chromedp.Run(tab, chromedp.Evaluate[string](`String(window.pwned)`))
		if err != nil {
			t.Fatal(err)
		}
		if pwned != "undefined" {
			t.Errorf("injected script ran: window.pwned = %s", pwned)
		}
		h1, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("h1").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != hostile {
			t.Errorf("title shows %q, want the text %q", h1, hostile)
		}
		if got := seriesCount(t, tab, idTrial); got != 9 {
			t.Errorf("trial chart: %d series, want 9", got)
		}
		for _, p := range bl.take() {
			t.Error(p)
		}
	})

	t.Run("N=2 without trajectories", func(t *testing.T) {
		fp := &finder.FixedPoints{N: 2, Points: []finder.Point{
			flipFlopPoint([]float64{flipA, -flipA}), flipFlopPoint([]float64{0, flipA}),
		}}
		open(t, tab, bl, &Report{Fixed: fp}, "small.html")
		// stable and unstable points, one mode segment; the spectra always
		// have other points, 3 mode classes and the circle.
		want := map[string]int{idFixedPoints: 3, idSpectra: 5, idMagnitudes: 3, idHistogram: -1, idTrial: -1}
		for id, n := range want {
			if got := seriesCount(t, tab, id); got != n {
				t.Errorf("chart %s: %d series, want %d (-1: no chart)", id, got, n)
			}
		}
		for _, p := range bl.take() {
			t.Error(p)
		}
	})
}

// fullShot saves a PNG of the whole page.
func fullShot(t *testing.T, tab context.Context, path string) {
	t.Helper()
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("full screenshot: %v", err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor3D polls the 3-D view's pixels until the WebGL layer has drawn
// (asynchronously) and fails if it stays blank.
func waitFor3D(t *testing.T, tab context.Context) {
	t.Helper()
	var ink, red, blue int
	deadline := time.Now().Add(10 * time.Second)
	for {
		shot, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.CSS("#"+idFixedPoints)))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatalf("decode screenshot: %v", err)
		}
		ink, red, blue = pixels(img, 110)
		if (ink > 5000 && red > 100 && blue > 100) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ink <= 5000 || red <= 100 || blue <= 100 {
		t.Errorf("3-D view looks blank: %d inked pixels (want > 5000), %d red (> 100), %d blue (> 100)", ink, red, blue)
	}
}

// checkAxes3D: the 3-D axes contain every fixed point drawn and span at
// most 3 times the range of the trajectories drawn (all 50) on each axis;
// the far fixed point of the sample is not drawn, and the page says so.
func checkAxes3D(t *testing.T, tab context.Context) {
	t.Helper()
	a := eval[axes3D](t, tab, axes3DJS)
	for k := range 3 {
		traj := a.TrajMax[k] - a.TrajMin[k]
		span := a.Max[k] - a.Min[k]
		t.Logf("axis %d: [%g, %g], span %.3g = %.2f x the trajectories' range %.3g", k+1, a.Min[k], a.Max[k], span, span/traj, traj)
		if !(span <= 3*traj) {
			t.Errorf("axis %d spans %g, more than 3 x the trajectories' range %g", k+1, span, traj)
		}
	}
	if len(a.Points) != 27 {
		t.Errorf("%d fixed points drawn, want the 27 near the trajectories (the 28th is far out)", len(a.Points))
	}
	for _, p := range a.Points {
		for k, v := range p.Value {
			if !(v >= a.Min[k] && v <= a.Max[k]) {
				t.Errorf("fixed point %d at %v: coordinate %d outside the axis [%g, %g]", p.FP, p.Value, k+1, a.Min[k], a.Max[k])
			}
		}
		if p.FP == 27 {
			t.Errorf("the far fixed point 27 is drawn")
		}
	}
	sub := eval[string](t, tab, `fpReport.charts["fixed-points"].getOption().title[0].subtext`)
	table := eval[string](t, tab, `document.querySelector(".tables").innerText`)
	for _, want := range []string{"1 of 28 fixed points", "4 of 7 slow points"} {
		if !strings.Contains(sub, want) {
			t.Errorf("3-D subtitle %q lacks %q", sub, want)
		}
	}
	for _, want := range []string{"fixed points not drawn in 3-D (far outside the trajectories)\t1", "slow points not drawn in 3-D (far outside the trajectories)\t4"} {
		if !strings.Contains(table, want) {
			t.Errorf("counts table lacks %q:\n%s", want, table)
		}
	}
}

// checkSaveButtons: every chart has echarts' save-as-PNG button and the
// save-as-SVG button, and the SVG it makes is a drawing of the chart
// (saved beside the screenshots).
func checkSaveButtons(t *testing.T, tab context.Context, ids map[string]int, shots string) {
	t.Helper()
	for id := range ids {
		ok := eval[bool](t, tab, fmt.Sprintf(`(function () { var f = fpReport.charts[%q].getOption().toolbox[0].feature;
		  return !!(f.saveAsImage && f.saveAsImage.show && f.saveAsImage.type === "png" && f.mySaveSVG && f.mySaveSVG.show &&
		    typeof f.mySaveSVG.onclick === "function"); })()`, id))
		if !ok {
			t.Errorf("chart %s lacks its save-as-PNG or save-as-SVG button", id)
		}
		svg := eval[string](t, tab, fmt.Sprintf(`fpReport.svg(%q)`, id))
		if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "</svg>") || strings.Count(svg, "<path") < 5 {
			t.Errorf("chart %s: SVG export is not a drawing (%d bytes, %d paths): %.200s", id, len(svg), strings.Count(svg, "<path"), svg)
		}
		if err := os.WriteFile(filepath.Join(shots, id+".svg"), []byte(svg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkClickSelects clicks, with the mouse, on a saddle in the 3-D view
// and checks that the spectra then show that point's modes.
func checkClickSelects(t *testing.T, tab context.Context) {
	t.Helper()
	// Fixed point 13 is the origin of the ideal flip-flop: three unstable
	// modes (lambda = 2); point 0, shown first, has none.
	unstable := `fpReport.charts["spectra"].getOption().series[3].data.length`
	if n := eval[int](t, tab, unstable); n != 0 {
		t.Fatalf("before the click: %d unstable modes shown, want 0 (fixed point 0 is stable)", n)
	}
	xy := eval[[2]float64](t, tab, `(function () {
	  var o = fpReport.charts["fixed-points"].getOption(), at;
	  o.series.forEach(function (s) { (s.data || []).forEach(function (d) { if (d.fp === 13) { at = d.value; } }); });
	  var p = fpReport.project("fixed-points")(at), r = document.getElementById("fixed-points").getBoundingClientRect();
	  return [r.left + p[0], r.top + p[1]];
	})()`)
	// Move there first, as a hand would: echarts-gl picks on mouse moves.
	if err := chromedp.Do(tab, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1])); err != nil {
		t.Fatalf("move to %v: %v", xy, err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := chromedp.Do(tab, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatalf("click at %v: %v", xy, err)
	}
	var sel string
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if sel = eval[string](t, tab, `document.getElementById("spectra-select").value`); sel == "13" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if sel != "13" {
		t.Fatalf("after a click on fixed point 13 at %v, the selector shows %s", xy, sel)
	}
	if n := eval[int](t, tab, unstable); n != 3 {
		t.Errorf("after the click: %d unstable modes shown, want 3", n)
	}
	// The mouse rests on the point: its tooltip names it.
	hover := eval[string](t, tab, `document.getElementById("fixed-points").innerText`)
	for _, want := range []string{"fixed point 13: saddle index 3", "residual = 0", "q = 0", "top eigenvalues: 2, 2, 2"} {
		if !strings.Contains(hover, want) {
			t.Errorf("hover on fixed point 13 lacks %q; chart text:\n%s", want, hover)
		}
	}
	if bars := eval[int](t, tab, `fpReport.charts["magnitudes"].getOption().series[2].data.filter(function (v) { return v !== null && v !== "-"; }).length`); bars != 3 {
		t.Errorf("after the click: %d unstable bars, want 3", bars)
	}
	// The selector switches too: all points.
	eval[bool](t, tab, `(function () { var s = document.getElementById("spectra-select"); s.value = "-1";
	  s.dispatchEvent(new Event("change")); return true; })()`)
	if n := eval[int](t, tab, unstable); n != 12*1+6*2+1*3 {
		t.Errorf("all points: %d unstable modes, want 27", n)
	}
	eval[bool](t, tab, `fpReport.select(0), true`)
}

// checkTooltips: the page's formatters, whose text echarts shows in the
// chart's div.
func checkTooltips(t *testing.T, tab context.Context) {
	t.Helper()
	// Away from the charts, so that no hover competes.
	if err := chromedp.Do(tab, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 2, 2)); err != nil {
		t.Fatal(err)
	}
	tips := map[string][2]any{
		idSpectra:   {1, []string{"certainly stable", "fixed point 0: stable", "λ = 0.3 + 0.2i", "|λ| = 0.3606"}},
		idHistogram: {0, []string{"candidates with q < 1e-12"}},
	}
	for id, w := range tips {
		text := eval[string](t, tab, fmt.Sprintf(`(function () { var el = document.getElementById(%q);
		  echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: %d, dataIndex: 0});
		  return el.innerText; })()`, id, w[0]))
		for _, want := range w[1].([]string) {
			if !strings.Contains(text, want) {
				t.Errorf("tooltip of %s lacks %q; chart text:\n%s", id, want, text)
			}
		}
	}
}
