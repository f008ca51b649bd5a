package viz

import (
	"bytes"
	"context"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
)

// TestBrowserOrbits: the 8 period-3 orbits of a 3-unit ring (orbits.Find)
// are drawn in the browser as 8 closed polylines with their points (16
// series, one legend entry per orbit), the red saddles show on screen, and
// selecting an orbit (as a click on its points does) shows its multipliers.
func TestBrowserOrbits(t *testing.T) {
	c := cells.NewVanilla(3, 0, cells.Tanh)
	w, b := c.Params()[1], c.Params()[3]
	w.Set(2, 0, 2)   // h1' = tanh(2 h3 + 0.1)
	w.Set(0, 1, 2.5) // h2' = tanh(2.5 h1 - 0.2)
	w.Set(1, 2, 3)   // h3' = tanh(3 h2 + 0.05)
	b.Data[0], b.Data[1], b.Data[2] = 0.1, -0.2, 0.05
	r := rand.New(rand.NewPCG(7, 8))
	var x0 []float64
	for i := 0; i < 3*512; i++ {
		x0 = append(x0, 2*r.Float64()-1)
	}
	s := orbits.DefaultSettings()
	s.MaxPeriod = 3
	res, err := orbits.Find(context.Background(), orbits.Problem{Cell: c, InitialStates: x0}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 8 {
		t.Fatalf("%d orbits, want 8", len(res.Orbits))
	}
	tab, bl := startBrowser(t)
	open(t, tab, bl, &Report{Orbits: res.Orbits}, "orbits.html")
	if n := seriesCount(t, tab, idFixedPoints); n != 16 {
		t.Errorf("3-D view: %d series, want 16 (a line and its points per orbit)", n)
	}
	var red, ink int
	deadline := time.Now().Add(10 * time.Second)
	for {
		shot, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.CSS("#"+idFixedPoints)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		ink, red, _ = pixels(img, 110)
		if (ink > 3000 && red > 100) || time.Now().After(deadline) {
			dir := shotsDir(t)
			if err := os.WriteFile(filepath.Join(dir, "orbits.png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ink <= 3000 || red <= 100 {
		t.Errorf("3-D view looks blank: %d inked pixels, %d red", ink, red)
	}
	// Selecting orbit 5 (as a click on its points does) shows its three
	// multipliers in the bars.
	got := eval[int](t, tab, `fpReport.select(5), fpReport.charts["magnitudes"].getOption().xAxis[0].data.length`)
	if got != 3 {
		t.Errorf("selecting orbit 5 shows %d bars, want its 3 multipliers", got)
	}
}
