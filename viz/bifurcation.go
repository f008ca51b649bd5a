package viz

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"math/cmplx"
	"sort"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/continuation"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// Bifurcation is the bifurcation diagram of a continuation result
// (package continuation): the path parameter on the horizontal axis, a
// projection of the state on the vertical one; stable stretches of a branch
// solid, unstable ones dashed, coloured by saddle index; bifurcation points
// marked, with their critical eigenvalue in the tooltip. It is a page of its
// own (WriteFile), beside the fixed-point report.
type Bifurcation struct {
	Title  string
	Result *continuation.Result
	// Direction (N values) projects a state x on the vertical axis as
	// Direction.x + Offset, e.g. a readout row. Nil means the top principal
	// component of all branch points (centered on their mean).
	Direction []float64
	Offset    float64
	YLabel    string // names the vertical axis ("principal component 1" by default)
	// XLabel names the horizontal axis. By default it is the input that
	// changes when the path is a segment along one input, u[k] (k from 0),
	// plotted as that input's value; otherwise s, the arc length of the path.
	XLabel string
}

// WriteFile writes the page to path atomically.
func (b *Bifurcation) WriteFile(path string) error {
	var buf bytes.Buffer
	if err := b.render(&buf); err != nil {
		return err
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	return nil
}

// Render writes the page to w.
func (b *Bifurcation) Render(w io.Writer) error {
	var buf bytes.Buffer
	if err := b.render(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type bifPage struct {
	// MarkerSize is the markers' size in pixels: closer ones are drawn as one.
	MarkerSize int
	Title      string
	Echarts    template.JS
	Option     template.JS
	Rows       []bifRow
}

type bifRow struct {
	N                                   int // the row's number, shown beside its marker
	Kind, Branch, U, S, Eigenvalue, Abs string
}

func (b *Bifurcation) render(buf *bytes.Buffer) error {
	res := b.Result
	if res == nil {
		return fmt.Errorf("viz: bifurcation diagram: no result")
	}
	if err := res.Validate(); err != nil {
		return fmt.Errorf("viz: bifurcation diagram: %w", err)
	}
	if b.Direction != nil && len(b.Direction) != res.N {
		return fmt.Errorf("viz: bifurcation diagram: direction has %d values, want %d", len(b.Direction), res.N)
	}
	proj, ylabel := b.projection()
	xOf, xlabel := b.abscissa()
	opt := b.option(proj, xOf, xlabel, ylabel)
	js, err := optionJSON(opt)
	if err != nil {
		return err
	}
	title := b.Title
	if title == "" {
		title = "Bifurcation diagram"
	}
	page := bifPage{MarkerSize: bifMarkerSize, Title: title, Echarts: template.JS(echartsJS), Option: template.JS(js)}
	for i, e := range res.Bifurcations {
		page.Rows = append(page.Rows, bifRow{N: i + 1, Kind: e.Kind.String(), Branch: fmt.Sprint(e.Branch), U: fmtVec(e.U),
			S: fmtG(e.S, 10), Eigenvalue: fmtComplex(e.Eigenvalue), Abs: fmtG(cmplx.Abs(e.Eigenvalue), 10)})
	}
	if err := bifTemplate.Execute(buf, page); err != nil {
		return fmt.Errorf("viz: render bifurcation diagram: %w", err)
	}
	return nil
}

func fmtVec(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmtG(x, 10)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// projection is the vertical coordinate of a state, and its axis name.
func (b *Bifurcation) projection() (func([]float64) float64, string) {
	label := b.YLabel
	dir, off := b.Direction, b.Offset
	if dir == nil {
		var mean []float64
		dir, mean = topComponent(b.Result)
		off = 0
		for i := range dir {
			off -= dir[i] * mean[i]
		}
		if label == "" {
			label = "principal component 1"
		}
	}
	if label == "" {
		label = "projection of the state"
	}
	return func(x []float64) float64 {
		s := off
		for i, v := range x {
			s += dir[i] * v
		}
		return s
	}, label
}

// topComponent is the unit top principal component of all branch points
// (by power iteration, sign fixed so that its largest entry is positive) and
// their mean.
func topComponent(res *continuation.Result) (dir, mean []float64) {
	N := res.N
	mean = make([]float64, N)
	var xs [][]float64
	for _, br := range res.Branches {
		for _, p := range br.Points {
			xs = append(xs, p.X)
			for i, v := range p.X {
				mean[i] += v
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(len(xs))
	}
	dir = make([]float64, N)
	for i := range dir {
		dir[i] = 1 / math.Sqrt(float64(N)) * (1 + 0.01*float64(i%7))
	}
	for it := 0; it < 200; it++ {
		next := make([]float64, N)
		for _, x := range xs {
			d := 0.0
			for i := range x {
				d += (x[i] - mean[i]) * dir[i]
			}
			for i := range x {
				next[i] += d * (x[i] - mean[i])
			}
		}
		n := 0.0
		for _, v := range next {
			n += v * v
		}
		if n == 0 {
			break
		}
		n = math.Sqrt(n)
		for i := range next {
			next[i] /= n
		}
		dir = next
	}
	big := 0
	for i := range dir {
		if math.Abs(dir[i]) > math.Abs(dir[big]) {
			big = i
		}
	}
	if dir[big] < 0 {
		for i := range dir {
			dir[i] = -dir[i]
		}
	}
	return dir, mean
}

// abscissa is the horizontal coordinate of a point (s, u), and its name.
func (b *Bifurcation) abscissa() (func(s float64, u []float64) float64, string) {
	path := b.Result.Path
	k := -1
	if len(path) == 2 {
		for i := range path[0] {
			if path[0][i] != path[1][i] {
				if k >= 0 {
					k = -2
					break
				}
				k = i
			}
		}
	}
	if k >= 0 {
		label := b.XLabel
		if label == "" {
			label = fmt.Sprintf("u[%d]", k)
		}
		return func(_ float64, u []float64) float64 { return u[k] }, label
	}
	label := b.XLabel
	if label == "" {
		label = "s (arc length of the input path)"
	}
	return func(s float64, _ []float64) float64 { return s }, label
}

// bifClass is a stretch's class: -1 undecided, else the number of unstable modes.
func bifClass(p continuation.Point) int {
	if p.NUndecided > 0 {
		return -1
	}
	return p.NUnstable
}

// bifClassName names a stretch's class as the report's legends do
// (saddleName), so that one name has one colour on every page.
func bifClassName(c int) string {
	if c < 0 {
		return "undecided"
	}
	return saddleName(c)
}

// bifColor is the colour of a stretch's class (palette.go).
func bifColor(c int) string {
	if c < 0 {
		return colorUndecided
	}
	return saddleColor(c)
}

var bifSymbols = map[continuation.Kind]string{
	continuation.Fold: "diamond", continuation.Flip: "triangle",
	continuation.NeimarkSacker: "circle", continuation.Hopf: "rect",
	// A plus sign: another branch crosses here.
	continuation.BranchPoint: "path://M4,0h2v4h4v2h-4v4h-2v-4h-4v-2h4z",
}

// bifTipNote is a line added to the tooltip of a kind's markers.
var bifTipNote = map[continuation.Kind]string{
	continuation.BranchPoint: "\nanother branch of fixed points crosses here (followed only if seeded)",
}

// option is the echarts option of the diagram.
func (b *Bifurcation) option(proj func([]float64) float64, xOf func(float64, []float64) float64, xlabel, ylabel string) map[string]interface{} {
	res := b.Result
	var series []interface{}
	legend := map[string]bool{}
	var order []string
	addLegend := func(n string) {
		if !legend[n] {
			legend[n] = true
			order = append(order, n)
		}
	}
	for bi, br := range res.Branches {
		start := 0
		for i := 1; i <= len(br.Points); i++ {
			if i < len(br.Points) && bifClass(br.Points[i]) == bifClass(br.Points[start]) {
				continue
			}
			c := bifClass(br.Points[start])
			hi := min(i, len(br.Points)-1) // include the first point of the next stretch: no gaps
			var data []interface{}
			for k := start; k <= hi; k++ {
				p := br.Points[k]
				data = append(data, map[string]interface{}{
					"value": nums(xOf(p.S, p.U), proj(p.X)),
					"tip": fmt.Sprintf("branch %d, point %d\n%s = %s\n%s = %s\n%s (%d unstable, %d undecided)",
						bi, k, xlabel, fmtG(xOf(p.S, p.U), 6), ylabel, fmtG(proj(p.X), 6), bifClassName(bifClass(p)), p.NUnstable, p.NUndecided),
				})
			}
			name := bifClassName(c)
			addLegend(name)
			typ := "solid"
			if c != 0 {
				typ = "dashed"
			}
			series = append(series, map[string]interface{}{
				"type": "line", "name": name, "data": data, "showSymbol": false, "symbolSize": 4,
				"lineStyle": map[string]interface{}{"type": typ, "width": 2, "color": bifColor(c)},
				"itemStyle": map[string]interface{}{"color": bifColor(c)},
			})
			start = i
		}
	}
	near := b.nearness(proj, xOf)
	for _, kind := range []continuation.Kind{continuation.Fold, continuation.Flip, continuation.NeimarkSacker, continuation.Hopf, continuation.BranchPoint} {
		// Markers of one kind that would sit on each other are one marker
		// naming all of them: 9 folds in two places are two markers
		// labelled with their rows of the table, not two that hide seven.
		var data []interface{}
		var groups []bifGroup
		for i, e := range res.Bifurcations {
			if e.Kind != kind {
				continue
			}
			x, y := xOf(e.S, e.U), proj(e.X)
			tip := fmt.Sprintf("#%d: %s on branch %d\nu = %s\ns = %s\n%s = %s\neigenvalue %s (|λ| = %s)",
				i+1, e.Kind, e.Branch, fmtVec(e.U), fmtG(e.S, 10), ylabel, fmtG(y, 6), fmtComplex(e.Eigenvalue), fmtG(cmplx.Abs(e.Eigenvalue), 8)) + bifTipNote[kind]
			g := -1
			for k := range groups {
				if near(groups[k].x, groups[k].y, x, y) {
					g = k
					break
				}
			}
			if g < 0 {
				groups = append(groups, bifGroup{x: x, y: y})
				g = len(groups) - 1
			}
			groups[g].rows = append(groups[g].rows, i+1)
			groups[g].tips = append(groups[g].tips, tip)
		}
		for _, g := range groups {
			label := make([]string, len(g.rows))
			for k, r := range g.rows {
				label[k] = "#" + strconv.Itoa(r)
			}
			data = append(data, map[string]interface{}{
				"value": nums(g.x, g.y), "rows": g.rows,
				"tip": strings.Join(g.tips, "\n\n"),
				// Upright: markers a symbol apart keep their labels apart.
				"label": map[string]interface{}{"show": true, "position": "top", "rotate": 90, "align": "left",
					"verticalAlign": "middle", "distance": 6, "fontSize": 10, "color": "#333",
					"formatter": strings.Join(label, " ")},
			})
		}
		if len(data) == 0 {
			continue
		}
		addLegend(kind.String())
		series = append(series, map[string]interface{}{
			"type": "scatter", "name": kind.String(), "data": data, "symbol": bifSymbols[kind], "symbolSize": bifMarkerSize, "z": 5,
			"labelLayout": map[string]interface{}{"hideOverlap": true},
			// Hollow: a filled hue would read as a class.
			"itemStyle": map[string]interface{}{"color": "#ffffff", "borderColor": "#222222", "borderWidth": 1.5},
		})
	}
	// The page's heading is the title; the chart's own title is the counts.
	opt := base(plural.Of(len(res.Branches), "branch")+", "+plural.Of(len(res.Bifurcations), "bifurcation"), "stable solid, unstable dashed, coloured by saddle index", 50, "item")
	sort.SliceStable(order, func(i, j int) bool { return legendRank(order[i]) < legendRank(order[j]) })
	opt["legend"] = map[string]interface{}{"show": true, "top": 50, "data": order}
	opt["toolbox"] = map[string]interface{}{"show": true, "right": 12, "top": 4, "feature": map[string]interface{}{
		"saveAsImage": map[string]interface{}{"show": true, "type": "png", "name": "bifurcation", "title": "save as PNG", "pixelRatio": 2, "backgroundColor": "#ffffff"},
	}}
	opt["grid"] = map[string]interface{}{"top": 90, "left": 80, "right": 70, "bottom": 95}
	opt["xAxis"] = map[string]interface{}{"type": "value", "name": xlabel, "nameLocation": "middle", "nameGap": 30, "scale": true}
	opt["yAxis"] = map[string]interface{}{"type": "value", "name": ylabel, "nameLocation": "middle", "nameGap": 55, "scale": true}
	// Zoom by wheel and drag inside, or by the sliders under and beside
	// the plot: a branch crushed against u = 0 opens up.
	opt["dataZoom"] = []interface{}{
		map[string]interface{}{"type": "inside", "xAxisIndex": 0, "filterMode": "none"},
		map[string]interface{}{"type": "inside", "yAxisIndex": 0, "filterMode": "none"},
		map[string]interface{}{"type": "slider", "xAxisIndex": 0, "filterMode": "none", "bottom": 12, "height": 22},
		map[string]interface{}{"type": "slider", "yAxisIndex": 0, "filterMode": "none", "right": 16, "width": 22},
	}
	opt["series"] = series
	return opt
}

// bifMarkerSize is the bifurcation markers' size in pixels.
const bifMarkerSize = 13

// bifGroup is one marker: bifurcations of one kind at one place.
type bifGroup struct {
	x, y float64
	rows []int // their rows in the table, from 1
	tips []string
}

// nearness says whether two markers would sit on each other: within a
// thousandth of the branches' extent on both axes.
func (b *Bifurcation) nearness(proj func([]float64) float64, xOf func(float64, []float64) float64) func(x0, y0, x1, y1 float64) bool {
	inf := math.Inf(1)
	xlo, xhi, ylo, yhi := inf, -inf, inf, -inf
	for _, br := range b.Result.Branches {
		for _, p := range br.Points {
			x, y := xOf(p.S, p.U), proj(p.X)
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
			ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	dx, dy := 1e-3*(xhi-xlo), 1e-3*(yhi-ylo)
	return func(x0, y0, x1, y1 float64) bool {
		return math.Abs(x1-x0) <= dx && math.Abs(y1-y0) <= dy
	}
}

// legendRank orders the legend: stable, then by saddle index, undecided,
// then the markers.
func legendRank(name string) int {
	switch {
	case name == "stable":
		return 0
	case name == "undecided":
		return 1000
	case strings.HasPrefix(name, "saddle index "):
		var k int
		fmt.Sscanf(strings.TrimPrefix(strings.TrimPrefix(name, "saddle index "), "≥ "), "%d", &k)
		return k
	}
	return 2000
}

var bifTemplate = template.Must(template.New("bifurcation").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; }
table { border-collapse: collapse; margin-top: 12px; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; }
.controls { font-size: 13px; color: #555; margin: 0 0 8px; }
.controls button { font-size: 13px; }
tr[data-row]:hover { background: #f6f6f6; }
</style>
<script>{{.Echarts}}</script>
</head>
<body>
<h1 style="font-size:20px">{{.Title}}</h1>
<div class="controls">Horizontal axis: <button type="button" id="axis-linear">linear</button>
<button type="button" id="axis-log">log</button> (log leaves out values &le; 0) · zoom with the wheel or the sliders ·
click a row of the table to zoom to its marker</div>
<div id="bifurcation" style="width:100%;height:640px"></div>
{{if .Rows}}<table id="bifurcations">
<tr><th>#</th><th>kind</th><th>branch</th><th>u</th><th>s</th><th>critical eigenvalue</th><th>|eigenvalue|</th></tr>
{{range .Rows}}<tr data-row="{{.N}}"><td>{{.N}}</td><td>{{.Kind}}</td><td>{{.Branch}}</td><td>{{.U}}</td><td>{{.S}}</td><td>{{.Eigenvalue}}</td><td>{{.Abs}}</td></tr>
{{end}}</table>{{else}}<p>No bifurcation on these branches.</p>{{end}}
<script>
(function () {
  var opt = {{.Option}};
  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  opt.tooltip.formatter = function (p) {
    return p.data && p.data.tip ? esc(p.data.tip).replace(/\n/g, "<br>") : esc(p.seriesName);
  };
  var chart = echarts.init(document.getElementById("bifurcation"));
  chart.setOption(opt);
  // Markers closer on screen than their size are drawn as one, at the
  // first one's place, labelled with all their rows of the table: at any
  // zoom none hides another. Done again after every zoom.
  var groups = opt.series.map(function (s) { return s.type === "scatter" ? s.data : null; });
  var drawn = "";
  function regroup() {
    var key = [], update = groups.map(function (g) {
      if (!g) { return {}; }
      var out = [];
      g.forEach(function (d) {
        var p = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, d.value), m = null;
        if (!p || !isFinite(p[0]) || !isFinite(p[1])) { out.push({d: d, p: p, rows: d.rows.slice(), tips: [d.tip]}); return; }
        out.forEach(function (o) { if (!m && o.p && Math.hypot(o.p[0] - p[0], o.p[1] - p[1]) < {{.MarkerSize}}) { m = o; } });
        if (m) { m.rows = m.rows.concat(d.rows); m.tips.push(d.tip); } else { out.push({d: d, p: p, rows: d.rows.slice(), tips: [d.tip]}); }
      });
      key.push(out.map(function (o) { return o.rows.join(","); }).join(";"));
      return {data: out.map(function (o) {
        return Object.assign({}, o.d, {rows: o.rows, tip: o.tips.join("\n\n"),
          label: Object.assign({}, o.d.label, {formatter: o.rows.map(function (r) { return "#" + r; }).join(" ")})});
      })};
    });
    if (key.join("|") !== drawn) { drawn = key.join("|"); chart.setOption({series: update}); }
  }
  chart.on("finished", regroup);
  chart.on("datazoom", function () { setTimeout(regroup, 0); });
  regroup();
  window.addEventListener("resize", function () { chart.resize(); });
  function axis(type) { chart.setOption({xAxis: {type: type}}); }
  document.getElementById("axis-linear").addEventListener("click", function () { axis("value"); });
  document.getElementById("axis-log").addEventListener("click", function () { axis("log"); });
  // A row of the table zooms to its marker and shows its tooltip.
  function find(row) {
    var out = null;
    chart.getOption().series.forEach(function (s, si) {
      if (s.type !== "scatter") { return; }
      s.data.forEach(function (d, di) { if (d.rows && d.rows.indexOf(row) >= 0) { out = {s: si, d: di, v: d.value}; } });
    });
    return out;
  }
  function show(row) {
    var m = find(row);
    if (!m) { return; }
    var x = chart.getModel().getComponent("xAxis").axis.scale.getExtent();
    var y = chart.getModel().getComponent("yAxis").axis.scale.getExtent();
    var wx = (x[1] - x[0]) / 20, wy = (y[1] - y[0]) / 20;
    chart.dispatchAction({type: "dataZoom", dataZoomIndex: 0, startValue: m.v[0] - wx, endValue: m.v[0] + wx});
    chart.dispatchAction({type: "dataZoom", dataZoomIndex: 1, startValue: m.v[1] - wy, endValue: m.v[1] + wy});
    chart.dispatchAction({type: "showTip", seriesIndex: m.s, dataIndex: m.d});
  }
  Array.prototype.forEach.call(document.querySelectorAll("#bifurcations tr[data-row]"), function (tr) {
    tr.style.cursor = "pointer";
    tr.addEventListener("click", function () { show(Number(tr.getAttribute("data-row"))); });
  });
  window.bifurcationChart = chart;
  window.bifurcationShow = show;
  window.bifurcationRegroup = regroup;
})();
</script>
</body>
</html>
`))
