package viz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// pageData is what the page template sees.
type pageData struct {
	Title             string
	Echarts, EchartGL template.JS
	Charts            []pageChart
	Tables            []pageTable // only those with rows
	// Spectra is the eigenvalues of every fixed point (JSON, escaped as
	// the options), for the selector.
	Spectra template.JS
	// Layout is the layout the page opens in: "screen" or "figure".
	Layout string
	// The figure's size in CSS pixels (96 per inch) and in words.
	FigureWidth, FigureHeight int
	FigureSize                string
}

type pageTable struct {
	Title string
	Rows  []Row
}

type pageChart struct {
	ID            string
	Width, Height int
	Tips          string
	// Option is trusted as JS because optionJSON escapes <, > and &.
	Option template.JS
	// Choices, when any, fill a selector above the chart (the spectra's
	// fixed point); Chosen is the selected value.
	Choices []choice
}

// choice is one entry of a selector.
type choice struct {
	Value    int
	Label    string
	Selected bool
}

// built is everything of the page that is computed from the report.
type built struct {
	charts   []chart
	spectra  spectra
	notDrawn notDrawn
}

// render validates r and writes the page to buf.
func (r *Report) render(buf *bytes.Buffer) error {
	if err := r.validate(); err != nil {
		return err
	}
	b, err := r.build()
	if err != nil {
		return err
	}
	title := r.Title
	if title == "" {
		title = "Fixed points"
	}
	data := pageData{
		Title:    title,
		Echarts:  template.JS(echartsJS),
		EchartGL: template.JS(echartsGLJS),
		Layout:   "screen",
		// 7 x 5.25 inches: a two-column figure of a journal page.
		FigureWidth: 672, FigureHeight: 504, FigureSize: "7 x 5.25 in",
	}
	if r.Figure {
		data.Layout = "figure"
	}
	for _, t := range []pageTable{
		{"Counts", r.countRows(b.notDrawn)},
		{"Training", r.Training.rows()},
		{"Search settings and run", r.Summary},
		{"Completeness", r.coverageRows()},
	} {
		if len(t.Rows) > 0 {
			data.Tables = append(data.Tables, t)
		}
	}
	for _, c := range b.charts {
		js, err := optionJSON(c.Option)
		if err != nil {
			return err
		}
		pc := pageChart{ID: c.ID, Width: c.Width, Height: c.Height, Tips: c.Tips, Option: template.JS(js)}
		if c.ID == idSpectra {
			pc.Choices = b.spectra.choices()
		}
		data.Charts = append(data.Charts, pc)
	}
	js, err := json.Marshal(b.spectra)
	if err != nil {
		return fmt.Errorf("viz: marshal spectra: %w", err)
	}
	data.Spectra = template.JS(js)
	if err := pageTemplate.Execute(buf, data); err != nil {
		return fmt.Errorf("viz: render page: %w", err)
	}
	return nil
}

// choices are the spectra selector's entries: each linearized fixed point,
// then all of them.
func (s spectra) choices() []choice {
	var cs []choice
	for i, p := range s.Points {
		if len(p.Modes) > 0 {
			cs = append(cs, choice{Value: i, Label: p.Label, Selected: i == s.Selected})
		}
	}
	if len(cs) > 1 {
		cs = append(cs, choice{Value: -1, Label: "all fixed points"})
	}
	return cs
}

// charts builds every chart of the page, in order.
func (r *Report) charts() ([]chart, error) {
	b, err := r.build()
	if err != nil {
		return nil, err
	}
	return b.charts, nil
}

// build makes the charts, each with its save buttons, and what the page
// needs besides.
func (r *Report) build() (*built, error) {
	pr, err := r.projectionFor(r.dim())
	if err != nil {
		return nil, err
	}
	b := &built{spectra: r.spectraOf()}
	var c3 chart
	c3, b.notDrawn = r.chart3D(pr)
	r.addConnections3D(&c3, pr)
	b.charts = []chart{c3, r.chartSpectra(b.spectra), r.chartMagnitudes(b.spectra)}
	if cc, ok := r.chartConnections(pr); ok {
		b.charts = append(b.charts, cc)
	}
	if r.All != nil {
		b.charts = append(b.charts, r.chartHistogram())
	}
	if r.Trial != nil {
		b.charts = append(b.charts, r.chartTrial())
	}
	if r.Training != nil && len(r.Training.ValMSE) > 0 {
		b.charts = append(b.charts, r.chartTraining())
	}
	for k := range r.Manifolds {
		b.charts = append(b.charts, r.chartManifold(k))
	}
	for k := range r.Charts {
		b.charts = append(b.charts, r.chartXY(k))
	}
	for _, c := range b.charts {
		c.Option["toolbox"] = toolbox(c.ID)
		if t, ok := c.Option["title"].(opts.Title); ok { // a go-echarts chart
			c.Option["title"] = titleOpt(t.Title, t.Subtitle)
		}
	}
	return b, nil
}

// dim is the state dimension N (validate has checked that all parts agree).
func (r *Report) dim() int {
	switch {
	case r.Trajectories != nil:
		return r.Trajectories.N
	case r.Fixed != nil:
		return r.Fixed.N
	case r.Slow != nil:
		return r.Slow.N
	case r.All == nil && len(r.Orbits) > 0 && len(r.Orbits[0].Points) > 0:
		return len(r.Orbits[0].Points[0])
	case r.All == nil && len(r.Cycles) > 0 && len(r.Cycles[0].Points) > 0:
		return len(r.Cycles[0].Points[0])
	case r.All == nil && len(r.Circles) > 0 && len(r.Circles[0].A) > 0:
		return len(r.Circles[0].A[0])
	}
	return r.All.N
}
