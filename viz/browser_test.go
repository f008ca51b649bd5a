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

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rnnfp/fixedpoints/finder"
)

var screenshotPath = flag.String("screenshot", "", "browser test: also save a PNG of the whole sample report here")

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

func TestBrowser(t *testing.T) {
	tab, bl := startBrowser(t)

	t.Run("report", func(t *testing.T) {
		r := sampleReport()
		open(t, tab, bl, r, "report.html")
		// 50 trajectories + stable, unstable, slow + 27 mode segments
		// (12 one-mode + 6 two-mode + 1 three-mode saddles); 4 classes + the
		// unit circle; 2 histogram halves; 3 x (input, target, output).
		want := map[string]int{idFixedPoints: 80, idSpectra: 5, idHistogram: 2, idTrial: 9}
		for id, n := range want {
			if got := seriesCount(t, tab, id); got != n {
				t.Errorf("chart %s: %d series, want %d", id, got, n)
			}
		}
		// The WebGL layer draws asynchronously: poll the element's pixels.
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
		t.Logf("3-D view below the legend: %d inked pixels, %d red, %d blue", ink, red, blue)
		if ink <= 5000 || red <= 100 || blue <= 100 {
			t.Errorf("3-D view looks blank: %d inked pixels (want > 5000), %d red (> 100), %d blue (> 100)", ink, red, blue)
		}
		if *screenshotPath != "" {
			shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("full screenshot: %v", err)
			}
			if err := os.WriteFile(*screenshotPath, shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The page's tooltip formatters: echarts shows their text in the chart's div.
		tips := map[string][]string{
			idSpectra:   {"stable", "fixed point 0", "λ = 0.3 + 0.2i", "|λ| = 0.3606"},
			idHistogram: {"candidates with q < 1e-12"},
		}
		for id, want := range tips {
			text, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(
				`(function () { var el = document.getElementById(%q);
				  echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0});
				  return el.innerText; })()`, id)))
			if err != nil {
				t.Fatalf("tooltip of %s: %v", id, err)
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("tooltip of %s lacks %q; chart text:\n%s", id, w, text)
				}
			}
		}
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
		// stable and unstable points, one mode segment; 2 classes + circle.
		want := map[string]int{idFixedPoints: 3, idSpectra: 3, idHistogram: -1, idTrial: -1}
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
