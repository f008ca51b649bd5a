package viz

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/rnnfp/fixedpoints/finder"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// decades bins q by powers of ten: bin e holds 10^e <= q < 10^(e+1).
// q = 0 and q that is not finite get bins of their own, at the ends.
type decades struct {
	lo, hi  int // range of e, lo > hi when no q > 0
	zero    [2]int
	bins    [][2]int // per e - lo: count below and at or above TolQ
	invalid int
}

func binQ(points []finder.Point, tol float64) decades {
	d := decades{lo: math.MaxInt, hi: math.MinInt}
	exp := func(q float64) int { return int(math.Floor(math.Log10(q))) }
	for _, p := range points {
		if q := p.Q; q > 0 && !math.IsInf(q, 0) {
			d.lo, d.hi = min(d.lo, exp(q)), max(d.hi, exp(q))
		}
	}
	if d.lo <= d.hi {
		d.bins = make([][2]int, d.hi-d.lo+1)
	}
	side := func(q float64) int {
		if q < tol {
			return 0
		}
		return 1
	}
	for _, p := range points {
		switch q := p.Q; {
		case q == 0:
			d.zero[side(q)]++
		case q > 0 && !math.IsInf(q, 0):
			d.bins[exp(q)-d.lo][side(q)]++
		default:
			d.invalid++
		}
	}
	return d
}

// bar is a count with a tooltip text.
type bar struct {
	Value int    `json:"value"`
	Tip   string `json:"tip"`
}

// chartHistogram is the histogram of log10 q over all candidates, split
// by whether q < TolQ.
func (r *Report) chartHistogram() chart {
	tol := r.TolQ
	if tol == 0 {
		tol = finder.DefaultSettings().TolQ
	}
	d := binQ(r.All.Points, tol)

	var labels []string
	var below, above []bar
	add := func(label, what string, n [2]int) {
		labels = append(labels, label)
		below = append(below, bar{Value: n[0],
			Tip: fmt.Sprintf("%s: %s with q < %s", what, candidates(n[0]), fmtG(tol, 3))})
		above = append(above, bar{Value: n[1],
			Tip: fmt.Sprintf("%s: %s with q ≥ %s", what, candidates(n[1]), fmtG(tol, 3))})
	}
	if d.zero[0]+d.zero[1] > 0 {
		add("0", "q = 0", d.zero)
	}
	every := decadeStep(len(d.bins))
	for i, n := range d.bins {
		e := d.lo + i
		label := ""
		if e%every == 0 {
			label = fmt.Sprintf("1e%d", e)
		}
		add(label, fmt.Sprintf("1e%d ≤ q < 1e%d", e, e+1), n)
	}
	if d.invalid > 0 {
		add("NaN/Inf", "q not finite", [2]int{0, d.invalid})
	}
	converged := d.zero[0]
	for _, n := range d.bins {
		converged += n[0]
	}

	c := charts.NewBar()
	c.SetXAxis(labels)
	barSeries := func(name, color string, data []bar) charts.SingleSeries {
		return charts.SingleSeries{Name: name, Type: types.ChartBar, Stack: "q", Data: data,
			ItemStyle: &opts.ItemStyle{Color: color}}
	}
	c.MultiSeries = append(c.MultiSeries,
		barSeries("q < "+fmtG(tol, 3), "#555555", below),
		barSeries("q ≥ "+fmtG(tol, 3), "#bbbbbb", above))

	sub := fmt.Sprintf("%d of %d candidates have q < %s", converged, len(r.All.Points), fmtG(tol, 3))
	if r.Fixed != nil {
		sub += "; " + plural.Of(r.Fixed.Len(), "certified fixed point")
	}
	c.SetGlobalOptions(heading(idHistogram, "Speed q of all candidates", sub, "50", "item",
		charts.WithGridOpts(opts.Grid{Left: "60", Top: "100", Right: "30", Bottom: "60"}),
		charts.WithYAxisOpts(opts.YAxis{Name: "candidates", NameLocation: "middle", NameGap: 40,
			Type: "value", MinInterval: 1}),
	)...)
	c.Validate()
	opt := c.JSON()
	// Every category keeps its label (most are empty), level.
	opt["xAxis"] = []interface{}{map[string]interface{}{
		"type": "category", "data": labels, "name": "q, by decade (a bar holds 1eK ≤ q < 1eK+1)",
		"nameLocation": "middle", "nameGap": 32,
		"axisLabel": map[string]interface{}{"interval": 0, "rotate": 0},
		"axisTick":  map[string]interface{}{"alignWithLabel": true},
	}}
	return chart{ID: idHistogram, Width: 520, Height: 560, Tips: "item", Option: opt}
}

// decadeStep is how many decades apart the histogram's labels are: 1, 2,
// 5, 10, 20 or 50, so that at most 8 labels share the axis, each at a
// multiple of the step (1e-30, 1e-25, ...).
func decadeStep(n int) int {
	for _, s := range []int{1, 2, 5, 10, 20} {
		if n <= 8*s {
			return s
		}
	}
	return 50
}

func candidates(n int) string {
	if n == 1 {
		return "1 candidate"
	}
	return fmt.Sprintf("%d candidates", n)
}
