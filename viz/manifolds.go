package viz

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// nameManifolds is the 3-D view's series of traced slow manifolds.
const nameManifolds = "slow manifolds"

// colorManifold draws traced manifolds: slow manifolds, in the slow
// points' colour (palette.go).
const colorManifold = colorSlow

// idManifold is the id of the chart of traced manifold k.
func idManifold(k int) string { return fmt.Sprintf("manifold-%d", k) }

// layoutManifolds projects the traced manifolds' points.
func (r *Report) layoutManifolds(pr *projection) [][][3]float64 {
	var out [][][3]float64
	for _, c := range r.Manifolds {
		line := make([][3]float64, len(c.Points))
		for i, p := range c.Points {
			line[i] = pr.apply(p.X)
		}
		if c.Closed && len(line) > 0 {
			line = append(line, line[0])
		}
		out = append(out, line)
	}
	return out
}

// clipCurves keeps the parts of the curves inside [lo, hi], split where
// they leave it.
func clipCurves(curves [][][3]float64, lo, hi [3]float64) [][][3]float64 {
	var out [][][3]float64
	for _, c := range curves {
		var run [][3]float64
		for _, p := range c {
			if inBox(p, lo, hi) {
				run = append(run, p)
				continue
			}
			if len(run) > 1 {
				out = append(out, run)
			}
			run = nil
		}
		if len(run) > 1 {
			out = append(out, run)
		}
	}
	return out
}

// manifoldSeries are the 3-D view's lines of the traced manifolds.
func manifoldSeries(curves [][][3]float64, snap func([3]float64) []num) []charts.SingleSeries {
	var out []charts.SingleSeries
	for _, line := range curves {
		data := make([][]num, len(line))
		for i, p := range line {
			data[i] = snap(p)
		}
		out = append(out, charts.SingleSeries{Name: nameManifolds, Type: types.ChartLine3D,
			CoordSystem: types.ChartCartesian3D, Data: data,
			LineStyle: &opts.LineStyle{Color: colorManifold, Width: 5}})
	}
	return out
}

// chartManifold is the chart of traced manifold k along its arclength s:
// q (log scale), the marginal eigenvalue, and |selection| per input, in
// three panels sharing the s axis.
func (r *Report) chartManifold(k int) chart {
	c := r.Manifolds[k]
	s := make([]num, len(c.Points))
	q := make([]interface{}, len(c.Points)) // [s, q], or [s, "-"] where q = 0 (no place on a log axis)
	lam := make([][]num, len(c.Points))
	for i, p := range c.Points {
		s[i] = num(p.S)
		if p.Q > 0 {
			q[i] = []num{num(p.S), num(p.Q)}
		} else {
			q[i] = []interface{}{num(p.S), "-"}
		}
		lam[i] = []num{num(p.S), num(p.Eigenvalue)}
	}
	kind := "line"
	if c.Closed {
		kind = "ring"
	}
	sub := fmt.Sprintf("%d points, %s of length %s; ends: %s / %s (q = 0 is left out of the log axis)", len(c.Points), kind,
		fmtG(c.Points[len(c.Points)-1].S, 3), c.Ends[0], c.Ends[1])
	grid := func(top, height string) map[string]interface{} {
		return map[string]interface{}{"left": 90, "right": 30, "top": top, "height": height}
	}
	axisX := func(g int, name string) map[string]interface{} {
		return map[string]interface{}{"type": "value", "gridIndex": g, "name": name,
			"nameLocation": "middle", "nameGap": 24, "scale": true}
	}
	axisY := func(g int, name, typ string) map[string]interface{} {
		a := map[string]interface{}{"type": typ, "gridIndex": g, "name": name,
			"nameLocation": "middle", "nameGap": 66, "scale": true}
		if typ == "log" { // powers of ten as 1e-10, not 0.0000000001 (the page's script)
			a["axisLabel"] = map[string]interface{}{"formatter": "exp"}
		}
		return a
	}
	line := func(name string, g int, data interface{}, color string) map[string]interface{} {
		return map[string]interface{}{"name": name, "type": "line", "xAxisIndex": g, "yAxisIndex": g, "connectNulls": true,
			"data": data, "showSymbol": false, "lineStyle": map[string]interface{}{"color": color, "width": 2},
			"itemStyle": map[string]interface{}{"color": color}}
	}
	series := []interface{}{
		line("q", 0, q, "#7f7f7f"),
		line("eigenvalue", 1, lam, "#555555"),
	}
	// Inputs apart by grey and dash, not by hue: every hue means a class.
	greys := []string{"#222222", "#777777", "#aaaaaa"}
	dashes := []string{"solid", "dashed", "dotted"}
	for j := 0; j < c.M; j++ {
		sel := make([][]num, len(c.Points))
		for i, p := range c.Points {
			sel[i] = []num{num(p.S), num(math.Abs(p.Selection[j]))}
		}
		s := line(fmt.Sprintf("|selection| of input %d", j), 2, sel, greys[j%len(greys)])
		s["lineStyle"].(map[string]interface{})["type"] = dashes[(j/len(greys))%len(dashes)]
		series = append(series, s)
	}
	opt := map[string]interface{}{
		"title":     titleOpt(fmt.Sprintf("Slow manifold %d along its arclength", k), sub),
		"animation": false,
		"legend":    map[string]interface{}{"show": true, "top": 50},
		"tooltip":   map[string]interface{}{"show": true, "trigger": "axis"},
		"grid":      []interface{}{grid("95", "120"), grid("265", "120"), grid("435", "150")},
		"xAxis":     []interface{}{axisX(0, ""), axisX(1, ""), axisX(2, "arclength s")},
		"yAxis": []interface{}{axisY(0, "q", "log"), axisY(1, "eigenvalue", "value"),
			axisY(2, "|yᵀB_j / yᵀv|", "value")},
		"series": series,
	}
	return chart{ID: idManifold(k), Width: 900, Height: 640, Option: opt}
}

// checkManifolds reports a traced curve that does not fit the report.
func (r *Report) checkManifolds(n int) error {
	for k, c := range r.Manifolds {
		if c == nil || len(c.Points) == 0 {
			return fmt.Errorf("viz: manifold %d has no points", k)
		}
		for i, p := range c.Points {
			if len(p.X) != n || len(p.Selection) != c.M {
				return fmt.Errorf("viz: manifold %d, point %d: %d states and %d selections, want %d and %d", k, i, len(p.X), len(p.Selection), n, c.M)
			}
		}
	}
	return nil
}
