package viz

import (
	"bytes"
	"fmt"
	"html/template"
)

// pageData is what the page template sees.
type pageData struct {
	Title             string
	Echarts, EchartGL template.JS
	Charts            []pageChart
	Tables            []pageTable // only those with rows
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
}

// render validates r and writes the page to buf.
func (r *Report) render(buf *bytes.Buffer) error {
	if err := r.validate(); err != nil {
		return err
	}
	cs, err := r.charts()
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
	}
	for _, t := range []pageTable{{"Counts", r.countRows()}, {"Summary", r.Summary}} {
		if len(t.Rows) > 0 {
			data.Tables = append(data.Tables, t)
		}
	}
	for _, c := range cs {
		b, err := optionJSON(c.Option)
		if err != nil {
			return err
		}
		data.Charts = append(data.Charts, pageChart{c.ID, c.Width, c.Height, c.Tips, template.JS(b)})
	}
	if err := pageTemplate.Execute(buf, data); err != nil {
		return fmt.Errorf("viz: render page: %w", err)
	}
	return nil
}

// charts builds every chart of the page, in order.
func (r *Report) charts() ([]chart, error) {
	pr, err := r.projectionFor(r.dim())
	if err != nil {
		return nil, err
	}
	cs := []chart{r.chart3D(pr), r.chartSpectra()}
	if r.All != nil {
		cs = append(cs, r.chartHistogram())
	}
	if r.Trial != nil {
		cs = append(cs, r.chartTrial())
	}
	return cs, nil
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
	}
	return r.All.N
}

// pageTemplate is the whole page. html/template escapes the title and the
// table; the options are JSON with <, >, & escaped; tooltips, which echarts
// renders as HTML, escape their text in esc().
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #e4e4e4; }
.tables { display: flex; flex-wrap: wrap; gap: 32px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; }
th { font-weight: normal; color: #555; background: #f6f6f6; }
</style>
<script>{{.Echarts}}</script>
<script>{{.EchartGL}}</script>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="charts">
{{- range .Charts}}
<div class="chart" id="{{.ID}}" style="width: {{.Width}}px; height: {{.Height}}px"></div>
{{- end}}
</div>
<div class="tables">
{{- range .Tables}}
<div><h2>{{.Title}}</h2>
<table>
{{- range .Rows}}
<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>
{{- end}}
</table></div>
{{- end}}
</div>
<script>
"use strict";
(function () {
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function num(x) { return typeof x === "number" ? String(Number(x.toPrecision(4))) : "?"; }
  var tips = {
    item: function (p) {
      var d = p.data;
      if (d && d.tip) { return esc(d.tip).replace(/\n/g, "<br>"); }
      return esc(p.seriesName);
    },
    eig: function (p) { return eig(p, "λ"); },
    eigmu: function (p) { return eig(p, "μ"); }
  };
  function eig(p, sym) {
    var v = p.value || [];
    if (v.length < 3) { return esc(p.seriesName); }
    var im = v[1] < 0 ? " − " + num(-v[1]) + "i" : (v[1] > 0 ? " + " + num(v[1]) + "i" : "");
    return esc(p.seriesName) + "<br>fixed point " + num(v[2]) +
      "<br>" + sym + " = " + num(v[0]) + im + "<br>|" + sym + "| = " + num(Math.hypot(v[0], v[1]));
  }
  var specs = [
{{- range .Charts}}
    {id: {{.ID}}, tips: {{.Tips}}, option: {{.Option}}},
{{- end}}
  ];
  specs.forEach(function (s) {
    var chart = echarts.init(document.getElementById(s.id), null, {renderer: "canvas"});
    if (tips[s.tips]) { s.option.tooltip.formatter = tips[s.tips]; }
    chart.setOption(s.option);
  });
})();
</script>
</body>
</html>
`))
