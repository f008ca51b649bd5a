package viz

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// The report of ExampleCTRNN's 2-unit tanh CTRNN (W = 2I, alpha = 0.1)
// carries, beside each mode's mu = lambda_map - 1, the flow's eigenvalue
// per tau, which at a fixed point with units 0 or ±a (a = tanh(2a)) is
// analytically 1 or -1 + 2(1 - a²) per unit; the tooltip's data has alpha
// and the spectrum's subtitle says how the two relate. Without alpha (a
// plain map) neither appears.
func TestReportFlowEigenvalues(t *testing.T) {
	const alpha = 0.1
	res, a := exampleCTRNN(t, alpha)
	r := &Report{Fixed: res.Fixed}
	sp := r.spectraOf()
	if sp.Alpha != alpha || len(sp.Points) != 9 {
		t.Fatalf("spectra: alpha %g, %d points; want %g, 9", sp.Alpha, len(sp.Points), alpha)
	}
	worst := 0.0
	for i, p := range sp.Points {
		x := res.Fixed.Points[i].X
		var want, got []float64
		for _, v := range x {
			h := 0.0
			if math.Abs(v) > a/2 {
				h = math.Copysign(a, v)
			}
			want = append(want, -1+2*(1-h*h))
		}
		if len(p.Flow) != len(p.Modes) || len(p.Flow) != 2 {
			t.Fatalf("point %d: %d flow eigenvalues for %d modes", i, len(p.Flow), len(p.Modes))
		}
		for k, l := range p.Flow {
			got = append(got, float64(l[0]))
			// The mode's value is mu - 1 = alpha lambda in continuous time.
			if d := math.Abs(float64(p.Modes[k][0]) - alpha*float64(l[0])); d > 1e-12 || l[1] != 0 {
				t.Errorf("point %d mode %d: value %g, flow %v: not alpha lambda", i, k, p.Modes[k][0], l)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		for k := range want {
			worst = math.Max(worst, math.Abs(got[k]-want[k]))
		}
	}
	if worst > 1e-9 {
		t.Errorf("flow eigenvalues off the analytic 1 and -1 + 2(1 - a²) by %g", worst)
	}
	t.Logf("flow eigenvalues within %.2g of the analytic ones", worst)
	sub := r.chartSpectra(sp).Option["title"].(map[string]interface{})["subtext"].(string)
	if !strings.Contains(sub, "the flow τ dh/dt's eigenvalues are μ/α, α = dt/τ = 0.1") {
		t.Errorf("spectrum subtitle %q does not relate the flow's eigenvalues to mu", sub)
	}
	var page strings.Builder
	if err := r.Render(&page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"alpha":0.1`, `"flow":[[`, "flow τ dh/dt: "} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %s", want)
		}
	}

	// The same points as a plain map's: no alpha, no flow.
	plain := res.Fixed.Clone()
	plain.Alpha = 0
	r = &Report{Fixed: plain}
	if sp := r.spectraOf(); sp.Alpha != 0 || sp.Points[0].Flow != nil {
		t.Errorf("without alpha: alpha %g, flow %v", sp.Alpha, sp.Points[0].Flow)
	}
}

// exampleCTRNN finds and judges for the flow the 9 fixed points of
// ExampleCTRNN's 2-unit rate-form tanh CTRNN, W = 2I, and returns them
// with a, the positive root of a = tanh(2a) (by bisection).
func exampleCTRNN(t *testing.T, alpha float64) (*finder.Result, float64) {
	t.Helper()
	lo, hi := 0.5, 1.0
	for range 200 {
		if m := (lo + hi) / 2; math.Tanh(2*m) > m {
			lo = m
		} else {
			hi = m
		}
	}
	c, err := cells.NewCTRNN(2, 0, alpha, cells.FormRate, cells.ActTanh)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Params()[1]
	w.Set(0, 0, 2)
	w.Set(1, 1, 2)
	var starts []float64
	for _, x := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
		for _, y := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
			starts = append(starts, x, y)
		}
	}
	s := finder.DefaultSettings()
	s.ContinuousTime = true
	res, err := finder.Find(context.Background(), finder.Problem{Cell: c, InitialStates: starts}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 9 {
		t.Fatalf("%d fixed points, want 9", res.Fixed.Len())
	}
	return res, lo
}

// In Chromium, the spectrum's tooltips on the two modes of a saddle of the
// CTRNN (one unit at 0, one at ±a) show for each mu = alpha lambda, the
// map's eigenvalue 1 + alpha lambda and the flow's lambda: 1 for the
// unstable mode, -1 + 2(1 - a²) = -0.8336 (4 digits) for the stable one.
func TestBrowserFlowTooltip(t *testing.T) {
	const alpha = 0.1
	res, a := exampleCTRNN(t, alpha)
	saddle := slices.IndexFunc(res.Fixed.Points, func(p finder.Point) bool { return p.Stability.NUnstable == 1 })
	order := []int{saddle}
	for i := range res.Fixed.Points {
		if i != saddle {
			order = append(order, i)
		}
	}
	fixed, err := res.Fixed.Subset(order)
	if err != nil {
		t.Fatal(err)
	}
	tab, bl := startBrowser(t)
	open(t, tab, bl, &Report{Fixed: fixed}, "ctrnn.html")
	round := func(x float64, digits int) string {
		p := math.Pow(10, float64(digits-1-int(math.Floor(math.Log10(math.Abs(x))))))
		return fmt.Sprint(math.Round(x*p) / p)
	}
	// Series 1 and 3 are the certainly stable and the unstable modes.
	for series, lambda := range map[int]float64{1: -1 + 2*(1-a*a), 3: 1} {
		text := eval[string](t, tab, fmt.Sprintf(`(function () { var el = document.getElementById(%q);
		  echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: %d, dataIndex: 0});
		  return el.innerText; })()`, idSpectra, series))
		for _, want := range []string{
			"μ = " + round(alpha*lambda, 4),
			"map: λ = " + round(1+alpha*lambda, 4),
			"flow τ dh/dt: " + round(lambda, 4) + " per τ (α = 0.1)",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("tooltip of series %d lacks %q; chart text:\n%s", series, want, text)
			}
		}
	}
}
