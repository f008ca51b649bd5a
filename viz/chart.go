package viz

import (
	"encoding/json"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// chart is one echarts instance of the page: where it goes and its option.
type chart struct {
	ID            string // fixed: the div's id, so output is reproducible
	Width, Height int    // pixels
	// Tips names the page's tooltip formatter: "" keeps echarts' own,
	// "item" shows each datum's tip text, "eig" describes an eigenvalue.
	Tips   string
	Option map[string]interface{}
}

// The charts' ids, in page order.
const (
	idFixedPoints = "fixed-points"
	idSpectra     = "spectra"
	idMagnitudes  = "magnitudes"
	idHistogram   = "q-histogram"
	idTrial       = "trial"
	idTraining    = "training"
)

// base is how a chart built as a plain map starts, as heading for the
// go-echarts ones: no animation, its title, a legend top pixels down and
// tooltips triggered by "item" or "axis".
func base(title, sub string, legendTop int, trigger string) map[string]interface{} {
	return map[string]interface{}{
		"animation": false,
		"title":     titleOpt(title, sub),
		"legend":    map[string]interface{}{"show": true, "top": legendTop},
		"tooltip":   map[string]interface{}{"show": true, "trigger": trigger},
	}
}

// titleOpt is a chart's title and subtitle with explicit line heights: zrender
// otherwise takes them from the width of a CJK glyph, which on machines
// without CJK fonts is tiny, and a two-line subtitle runs over the title.
func titleOpt(title, sub string) map[string]interface{} {
	return map[string]interface{}{
		"text": title, "subtext": sub, "itemGap": 6,
		"textStyle":    map[string]interface{}{"fontSize": 17, "lineHeight": 22},
		"subtextStyle": map[string]interface{}{"fontSize": 12, "lineHeight": 16},
	}
}

// svgIcon is the toolbox's "save as SVG" button: a page with a folded corner.
const svgIcon = "path://M6,2H16L22,8V26H6Z M16,2V8H22 M9,15H19 M9,19H19"

// toolbox is every chart's save buttons: PNG at twice the screen's
// resolution (echarts' own saveAsImage) and SVG, which the page's script
// makes by drawing the chart again with echarts' SVG renderer (the 3-D view
// as a projection of what is on screen). The file is named after the chart.
func toolbox(id string) map[string]interface{} {
	return map[string]interface{}{
		"show": true, "right": 12, "top": 4, "itemSize": 16,
		"feature": map[string]interface{}{
			"saveAsImage": map[string]interface{}{
				"show": true, "type": "png", "name": id, "title": "save as PNG",
				"pixelRatio": 2, "backgroundColor": "#ffffff",
			},
			"mySaveSVG": map[string]interface{}{
				"show": true, "title": "save as SVG", "icon": svgIcon,
			},
		},
	}
}

// heading is how every chart of the page starts, followed by its own
// options: its fixed id, no animation (a report is read, not watched), its
// title, a legend top pixels down, and tooltips triggered by "item" or
// "axis".
func heading(id, title, sub, legendTop, trigger string, more ...charts.GlobalOpts) []charts.GlobalOpts {
	return append([]charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: sub}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: legendTop}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
	}, more...)
}

// optionJSON marshals an option with HTML escaping on: <, > and & become
// \u003c, \u003e and \u0026, so no string in it can close the <script> the
// page puts it in. Map keys are sorted, so the bytes are reproducible.
func optionJSON(opt map[string]interface{}) ([]byte, error) {
	b, err := json.Marshal(opt)
	if err != nil {
		return nil, fmt.Errorf("viz: marshal chart option: %w", err)
	}
	return b, nil
}

// series is a go-echarts series with the few options go-echarts lacks.
type series struct {
	charts.SingleSeries
	Silent bool `json:"silent,omitempty"` // takes no mouse events (no tooltip)
}

// extras is the go-echarts visitor that adds those options: series whose
// names are in silent ignore the mouse, and patch edits the final option.
type extras struct {
	charts.BaseConfigurationVisitor
	silent map[string]bool
	patch  func(opt map[string]interface{})
}

func (e extras) VisitSeriesOpt(ms charts.MultiSeries) interface{} {
	out := make([]series, len(ms))
	for i, s := range ms {
		out[i] = series{SingleSeries: s, Silent: e.silent[s.Name]}
	}
	return out
}

func (e extras) Visit(opt map[string]interface{}) {
	if e.patch != nil {
		e.patch(opt)
	}
}

// item is a datum with a name and a tooltip text.
type item struct {
	Name  string `json:"name,omitempty"`
	Value []num  `json:"value"`
	Tip   string `json:"tip,omitempty"`
	FP    *int   `json:"fp,omitempty"` // the fixed point's index: a click selects its spectrum
}
