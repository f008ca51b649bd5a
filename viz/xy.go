package viz

import (
	"fmt"
	"math"
)

// XY is a small chart of named series of (x, y) points, for what an
// analysis measures beside the fixed points (say, the frequency predicted
// by eigenvalues against the one measured): drawn after the other charts,
// each series as markers, or as a line through its points when Line is
// set. Series are drawn in black and greys, since hues mean classes of
// fixed points on the page.
type XY struct {
	Title, Subtitle string
	XName, YName    string
	Series          []XYSeries
}

// XYSeries is one series of an XY chart. Non-finite points are left out.
type XYSeries struct {
	Name   string
	Points [][2]float64
	Line   bool // a dashed line through the points instead of markers
}

// xyGreys are the series' colours, in turn.
var xyGreys = []string{"#000000", "#7f7f7f", "#b0b0b0", "#404040"}

// chartXY draws r.Charts[k].
func (r *Report) chartXY(k int) chart {
	c := r.Charts[k]
	var series []interface{}
	for i, s := range c.Series {
		data := [][]num{}
		for _, p := range s.Points {
			if !math.IsNaN(p[0]+p[1]) && !math.IsInf(p[0]+p[1], 0) {
				data = append(data, nums(p[0], p[1]))
			}
		}
		col := xyGreys[i%len(xyGreys)]
		se := map[string]interface{}{
			"name": s.Name, "data": data,
			"itemStyle": map[string]interface{}{"color": col},
		}
		if s.Line {
			se["type"], se["showSymbol"] = "line", false
			se["lineStyle"] = map[string]interface{}{"color": col, "width": 1.5, "type": "dashed"}
		} else {
			se["type"], se["symbolSize"] = "scatter", 9
		}
		series = append(series, se)
	}
	opt := base(c.Title, c.Subtitle, 50, "item")
	opt["grid"] = map[string]interface{}{"left": 70, "top": 100, "right": 30, "bottom": 50}
	opt["xAxis"] = map[string]interface{}{"type": "value", "scale": true, "name": c.XName, "nameLocation": "middle", "nameGap": 28}
	opt["yAxis"] = map[string]interface{}{"type": "value", "scale": true, "name": c.YName, "nameLocation": "middle", "nameGap": 50}
	opt["series"] = series
	return chart{ID: fmt.Sprintf("xy-%d", k), Width: 520, Height: 420, Option: opt}
}
