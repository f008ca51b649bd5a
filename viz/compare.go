package viz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

// Comparison is a page comparing many results, one row each (the networks
// and inputs of a sweep, say): a table sortable by any column (click its
// header) and a scatter plot of the Y column against a column chosen on the
// page. Like Report, it is one self-contained HTML file (echarts inlined)
// that opens offline, and the same Comparison gives the same bytes.
type Comparison struct {
	Title   string
	Notes   []string // lines shown above the table (jobs missing or failed, say)
	Columns []string // unique names
	// Rows hold one value per column: nil (empty), string, bool, int or
	// float64 (NaN and ±Inf are shown but not plotted).
	Rows [][]any
	// Y names the column on the scatter's vertical axis; X the one first
	// on the horizontal axis (empty: the first numeric column other than
	// Y); Label the one naming a point in tooltips (empty: the first).
	Y, X, Label string
	// Group names the column whose values split the scatter into series,
	// one legend entry each (the input of a sweep, say); empty: one series.
	// The page can group by another column.
	Group string
}

// WriteFile writes the page to path atomically.
func (c *Comparison) WriteFile(path string) error {
	var buf bytes.Buffer
	if err := c.render(&buf); err != nil {
		return err
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	return nil
}

// WriteHTML writes the page to w.
func (c *Comparison) WriteHTML(w io.Writer) error {
	var buf bytes.Buffer
	if err := c.render(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// compareCell is one table cell: its text and, for numbers, the sort key.
type compareCell struct {
	Text string
	Num  string // empty for text
}

type compareData struct {
	Title   string
	Notes   []string
	Columns []string
	Rows    [][]compareCell
	Echarts template.JS
	Data    template.JS
}

// check reports a comparison that cannot be drawn.
func (c *Comparison) check() (y, x, label, group int, err error) {
	index := map[string]int{}
	for i, name := range c.Columns {
		if _, dup := index[name]; dup {
			return 0, 0, 0, 0, fmt.Errorf("viz: comparison: column %q twice", name)
		}
		index[name] = i
	}
	for r, row := range c.Rows {
		if len(row) != len(c.Columns) {
			return 0, 0, 0, 0, fmt.Errorf("viz: comparison: row %d has %d values for %d columns", r, len(row), len(c.Columns))
		}
		for i, v := range row {
			switch v.(type) {
			case nil, string, bool, int, float64:
			default:
				return 0, 0, 0, 0, fmt.Errorf("viz: comparison: row %d, column %q: value of type %T", r, c.Columns[i], v)
			}
		}
	}
	var ok bool
	if y, ok = index[c.Y]; !ok {
		return 0, 0, 0, 0, fmt.Errorf("viz: comparison: no column %q for the y axis", c.Y)
	}
	x = -1
	if c.X != "" {
		if x, ok = index[c.X]; !ok {
			return 0, 0, 0, 0, fmt.Errorf("viz: comparison: no column %q for the x axis", c.X)
		}
	}
	if label, ok = index[c.Label]; !ok {
		if c.Label != "" {
			return 0, 0, 0, 0, fmt.Errorf("viz: comparison: no column %q for the labels", c.Label)
		}
		label = 0
	}
	group = -1
	if c.Group != "" {
		if group, ok = index[c.Group]; !ok {
			return 0, 0, 0, 0, fmt.Errorf("viz: comparison: no column %q to group by", c.Group)
		}
	}
	return y, x, label, group, nil
}

// plotValue is v as JSON data for the chart: finite numbers as numbers,
// strings as strings, anything else null.
func plotValue(v any) any {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return nil
}

func (c *Comparison) render(buf *bytes.Buffer) error {
	y, x, label, group, err := c.check()
	if err != nil {
		return err
	}
	numeric := make([]bool, len(c.Columns))
	for i := range c.Columns {
		numeric[i] = true
		seen := false
		for _, row := range c.Rows {
			switch row[i].(type) {
			case int, float64:
				seen = true
			case nil:
			default:
				numeric[i] = false
			}
		}
		numeric[i] = numeric[i] && seen
	}
	if x < 0 {
		for i := range c.Columns {
			if numeric[i] && i != y {
				x = i
				break
			}
		}
		if x < 0 {
			x = label
		}
	}
	cols := make([][]any, len(c.Columns))
	for i := range c.Columns {
		cols[i] = make([]any, len(c.Rows))
		for r, row := range c.Rows {
			cols[i][r] = plotValue(row[i])
		}
	}
	data, err := json.Marshal(map[string]any{
		"columns": c.Columns, "numeric": numeric, "values": cols, "y": y, "x": x, "label": label, "group": group,
	})
	if err != nil {
		return fmt.Errorf("viz: comparison: %w", err)
	}
	title := c.Title
	if title == "" {
		title = "Comparison"
	}
	d := compareData{Title: title, Notes: c.Notes, Columns: c.Columns,
		Echarts: template.JS(echartsJS), Data: template.JS(data)}
	for _, row := range c.Rows {
		cells := make([]compareCell, len(row))
		for i, v := range row {
			cells[i] = formatCompareCell(v)
		}
		d.Rows = append(d.Rows, cells)
	}
	if err := compareTemplate.Execute(buf, d); err != nil {
		return fmt.Errorf("viz: render comparison: %w", err)
	}
	return nil
}

// formatCompareCell writes v for the table: numbers with 6 significant
// digits and their full value as the sort key.
func formatCompareCell(v any) compareCell {
	switch x := v.(type) {
	case nil:
		return compareCell{}
	case string:
		return compareCell{Text: x}
	case bool:
		return compareCell{Text: strconv.FormatBool(x)}
	case int:
		s := strconv.Itoa(x)
		return compareCell{Text: s, Num: s}
	case float64:
		return compareCell{Text: strconv.FormatFloat(x, 'g', 6, 64), Num: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return compareCell{Text: fmt.Sprint(v)}
}

// compareTemplate is the page. html/template escapes every text; the data
// is JSON with <, > and & escaped; tooltips escape their text in esc().
var compareTemplate = template.Must(template.New("compare").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 12px; }
.notes { font-size: 14px; margin: 0 0 12px; padding-left: 18px; }
.controls { font-size: 14px; margin: 6px 0; }
#scatter { width: 100%; max-width: 1400px; height: 520px; border: 1px solid #e4e4e4; }
table { border-collapse: collapse; font-size: 13px; margin-top: 14px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { font-weight: normal; color: #555; background: #f6f6f6; cursor: pointer; user-select: none; }
th.asc::after { content: " \25B2"; }
th.desc::after { content: " \25BC"; }
</style>
<script>{{.Echarts}}</script>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Notes}}
<ul class="notes">
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
<div class="controls"><label>x axis <select id="xcol"></select></label>
<label><input type="checkbox" id="xlog"> log scale</label>
<label>group by <select id="group"></select></label></div>
<div id="scatter"></div>
<table id="table">
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}{{if .Num}}<td class="num" data-v="{{.Num}}">{{.Text}}</td>{{else}}<td>{{.Text}}</td>{{end}}{{end}}</tr>
{{- end}}
</tbody>
</table>
<script>
"use strict";
(function () {
  var D = {{.Data}};
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // The table: a click on a header sorts by that column, again reverses;
  // empty cells go last.
  var table = document.getElementById("table");
  var heads = table.tHead.rows[0].cells;
  var sorted = -1, dir = 1;
  function key(td) {
    if (td.hasAttribute("data-v")) { return {n: true, v: parseFloat(td.getAttribute("data-v"))}; }
    return {n: false, v: td.textContent};
  }
  function sortBy(c) {
    dir = (c === sorted) ? -dir : 1;
    sorted = c;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var ka = key(a.cells[c]), kb = key(b.cells[c]);
      var ea = !ka.n && ka.v === "", eb = !kb.n && kb.v === "";
      if (ea || eb) { return ea === eb ? 0 : (ea ? 1 : -1); }
      if (ka.n && kb.n) { return dir * (ka.v - kb.v); }
      if (ka.n !== kb.n) { return ka.n ? -1 : 1; }
      return dir * (ka.v < kb.v ? -1 : ka.v > kb.v ? 1 : 0);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) {
      heads[i].className = i === c ? (dir > 0 ? "asc" : "desc") : "";
    }
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener("click", function () { sortBy(i); });
  });

  // The scatter: Y against the chosen column.
  var sel = document.getElementById("xcol"), logBox = document.getElementById("xlog");
  D.columns.forEach(function (name, i) {
    if (i === D.y) { return; }
    var o = document.createElement("option");
    o.value = i; o.textContent = name;
    if (i === D.x) { o.selected = true; }
    sel.appendChild(o);
  });
  var groupSel = document.getElementById("group");
  [-1].concat(D.columns.map(function (_, i) { return i; })).forEach(function (i) {
    if (i === D.y) { return; }
    var o = document.createElement("option");
    o.value = i; o.textContent = i < 0 ? "none" : D.columns[i];
    if (i === D.group) { o.selected = true; }
    groupSel.appendChild(o);
  });
  // Groups differ by shape and shade, not by hue: on these pages every hue
  // means a class of fixed point.
  var shapes = ["circle", "rect", "triangle", "diamond", "roundRect", "pin", "arrow"];
  var shades = ["#222222", "#777777", "#b0b0b0"];
  var chart = echarts.init(document.getElementById("scatter"));
  window.comparisonChart = chart;
  window.addEventListener("resize", function () { chart.resize(); });
  function draw() {
    var x = parseInt(sel.value, 10), num = D.numeric[x], log = num && logBox.checked;
    var g = parseInt(groupSel.value, 10);
    logBox.disabled = !num;
    var pts = [], cats = [];
    D.values[D.y].forEach(function (yv, r) {
      var xv = D.values[x][r];
      if (yv === null || typeof yv !== "number" || xv === null) { return; }
      if (num && (typeof xv !== "number" || (log && !(xv > 0)))) { return; }
      if (!num) { xv = String(xv); if (cats.indexOf(xv) < 0) { cats.push(xv); } }
      pts.push({value: [xv, yv], name: String(D.values[D.label][r]), group: g < 0 ? "all" : String(D.values[g][r])});
    });
    if (!num) { cats.sort(); }
    var groups = [];
    pts.forEach(function (p) { if (groups.indexOf(p.group) < 0) { groups.push(p.group); } });
    groups.sort(function (a, b) { var na = Number(a), nb = Number(b);
      return isNaN(na) || isNaN(nb) ? (a < b ? -1 : a > b ? 1 : 0) : na - nb; });
    var series = groups.map(function (name, i) {
      return {type: "scatter", name: g < 0 ? D.columns[D.y] : D.columns[g] + " " + name, symbolSize: 10,
        symbol: shapes[i % shapes.length],
        data: pts.filter(function (p) { return p.group === name; }),
        itemStyle: {color: shades[Math.floor(i / shapes.length) % shades.length], opacity: 0.8}};
    });
    chart.setOption({
      animation: false,
      grid: {left: 70, right: 30, top: 50, bottom: 60},
      legend: {show: true, type: "scroll", top: 8},
      tooltip: {trigger: "item", formatter: function (p) {
        return esc(p.name) + "<br>" + esc(D.columns[x]) + ": " + esc(p.value[0]) + "<br>" + esc(D.columns[D.y]) + ": " + esc(p.value[1]);
      }},
      xAxis: num ? {type: log ? "log" : "value", name: D.columns[x], nameLocation: "middle", nameGap: 30, scale: true,
                    boundaryGap: log ? undefined : ["4%", "4%"]}
                 : {type: "category", data: cats, name: D.columns[x], nameLocation: "middle", nameGap: 30},
      yAxis: {type: "value", name: D.columns[D.y], nameLocation: "middle", nameGap: 45, minInterval: 1, boundaryGap: ["4%", "4%"]},
      series: series
    }, true);
  }
  sel.addEventListener("change", draw);
  groupSel.addEventListener("change", draw);
  logBox.addEventListener("change", draw);
  draw();
})();
</script>
</body>
</html>
`))
