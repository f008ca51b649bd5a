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
	idHistogram   = "q-histogram"
	idTrial       = "trial"
)

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
}
