package viz

import "html/template"

// pageTemplate is the whole page. html/template escapes the title, the
// tables and the selector; the options are JSON with <, >, & escaped;
// tooltips, which echarts renders as HTML, escape their text in esc().
//
// The script draws the charts, fills in what JSON cannot hold (tooltip
// formatters, the SVG button's handler), keeps the spectra on the fixed
// point chosen in the selector or clicked in the 3-D view, and switches
// between the screen layout and a print layout (one column, no buttons),
// which printing selects by itself. window.fpReport exposes select(i),
// svg(id) and layout(name) to tests and to a reader's console.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
.controls { font-size: 13px; color: #555; margin: 0 0 12px; }
.controls button { font-size: 13px; margin-left: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.panel { border: 1px solid #e4e4e4; }
.panel label { display: block; font-size: 13px; padding: 6px 10px 0; color: #333; }
.panel select { font-size: 13px; max-width: 380px; }
.tables { display: flex; flex-wrap: wrap; gap: 32px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; vertical-align: top; }
th { font-weight: normal; color: #555; background: #f6f6f6; }
body.print { margin: 0; color: #000; }
body.print .charts { display: block; }
body.print .panel { border: none; margin: 0 0 8px; break-inside: avoid; page-break-inside: avoid; }
body.print .controls, body.print .panel label { display: none; }
body.print .tables { display: block; }
body.print table { margin-bottom: 8px; break-inside: avoid; }
body.print th { background: #fff; color: #000; }
#figure-panel { display: none; }
body.figure .tables { display: none; }
/* Off the page, not hidden: the figure takes its projection from the 3-D
   view, which must keep its size and camera. */
body.figure .charts { position: absolute; left: -20000px; top: 0; }
body.figure #figure-panel { display: block; }
#figure-panel .fig-controls { font-size: 13px; color: #555; margin: 0 0 8px; }
#figure { border: 1px solid #e4e4e4; background: #fff; }
@media print {
  .controls, .panel label { display: none; }
  .panel { border: none; break-inside: avoid; page-break-inside: avoid; }
  .charts, .tables { display: block; }
  th { background: #fff; color: #000; }
  @page { margin: 12mm; }
}
</style>
<script>{{.Echarts}}</script>
<script>{{.EchartGL}}</script>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="controls">Layout:
<button type="button" id="layout-screen">screen</button>
<button type="button" id="layout-print">print</button>
<button type="button" id="layout-figure">figure</button>
· each chart saves itself as PNG or SVG (buttons at its top right)</div>
<div id="figure-panel">
<div class="fig-controls">Figure of the fixed points, {{.FigureSize}}:
<select id="figure-view">
<option value="3d">3-D view, as on screen</option>
<option value="0,1">axes 1 and 2</option>
<option value="0,2">axes 1 and 3</option>
<option value="1,2">axes 2 and 3</option>
</select>
<button type="button" id="figure-svg">save SVG</button>
<button type="button" id="figure-png">save PNG (300 dpi)</button></div>
<div id="figure" style="width: {{.FigureWidth}}px; height: {{.FigureHeight}}px"></div>
</div>
<div class="charts">
{{- range .Charts}}
<div class="panel" id="panel-{{.ID}}">
{{- if .Choices}}
<label>Spectrum of <select id="{{.ID}}-select">
{{- range .Choices}}
<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{- end}}
</select></label>
{{- end}}
<div class="chart" id="{{.ID}}" style="width: {{.Width}}px; height: {{.Height}}px"></div>
</div>
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
  function cnum(re, im) { return num(re) + (im < 0 ? " − " + num(-im) + "i" : (im > 0 ? " + " + num(im) + "i" : "")); }
  var spectra = {{.Spectra}};
  // The mode classes drawn, in series order (see modeClass in modes.go).
  var classes = spectra.classes;
  var tips = {
    item: function (p) {
      var d = p.data;
      if (d && d.tip) { return esc(d.tip).replace(/\n/g, "<br>"); }
      return esc(p.seriesName);
    },
    eig: function (p) { return eig(p, "λ"); },
    eigmu: function (p) { return eig(p, "μ"); }
  };
  // eig describes one mode: v is [Re, Im, point, bound, growth, class,
  // mode]. For a map that is a flow's Euler step (spectra.alpha), the
  // map's eigenvalue and the flow's (per τ) follow.
  // The growth rate (|λ| - 1, or Re μ for a flow) with its bound is shown
  // where the class is not plain from the eigenvalue: undecided and
  // marginal modes, and any within 1e-3 of the boundary.
  function eig(p, sym) {
    var v = p.value || [];
    if (v.length < 3) { return esc(p.seriesName); }
    var im = v[1] < 0 ? " − " + num(-v[1]) + "i" : (v[1] > 0 ? " + " + num(v[1]) + "i" : "");
    var pt = spectra.points[v[2]];
    var bound = typeof v[3] === "number" && v[3] > 0 ? " ± " + num(v[3]) : (v[3] === null ? " ± ∞ (no bound)" : "");
    var out = esc(p.seriesName) + "<br>" + esc(pt ? pt.label : "fixed point " + v[2]) +
      "<br>" + sym + " = " + num(v[0]) + im + bound;
    if (!spectra.continuous) { out += "<br>|" + sym + "| = " + num(Math.hypot(v[0], v[1])) + bound; }
    var g = v[4];
    if (typeof g === "number" && (v[5] === 1 || v[5] === 4 || Math.abs(g) < 1e-3 || spectra.continuous)) {
      out += "<br>" + (spectra.continuous ? "Re μ = " : "|λ| - 1 = ") + num(g) + bound;
    }
    var fl = pt && pt.flow && pt.flow[v[6]];
    if (fl) {
      out += "<br>map: λ = " + cnum(spectra.continuous ? v[0] + 1 : v[0], v[1]) +
        "<br>flow τ dh/dt: " + cnum(fl[0], fl[1]) + " per τ (α = " + num(spectra.alpha) + ")";
    }
    return out;
  }
  var specs = [
{{- range .Charts}}
    {id: {{.ID}}, tips: {{.Tips}}, width: {{.Width}}, height: {{.Height}}, option: {{.Option}}},
{{- end}}
  ];
  var charts = {};
  specs.forEach(function (s) {
    var chart = echarts.init(document.getElementById(s.id), null, {renderer: "canvas"});
    if (tips[s.tips]) { s.option.tooltip.formatter = tips[s.tips]; }
    var z = s.option.zAxis3D;
    if (z) {
      // The lowest height label sits in the corner where the other two
      // axes' labels start: leave it out.
      z.axisLabel = {formatter: function (v) { return Number(v) === z.min ? "" : String(v); }};
    }
    // Log axes label powers of ten as 1e-10: echarts writes 0.0000000001.
    [].concat(s.option.xAxis || [], s.option.yAxis || []).forEach(function (a) {
      if (a && a.axisLabel && a.axisLabel.formatter === "exp") {
        a.axisLabel.formatter = function (v) { return Number(v).toExponential(0).replace("e+", "e"); };
      }
    });
    var tb = s.option.toolbox;
    if (tb && tb.feature && tb.feature.mySaveSVG) {
      tb.feature.mySaveSVG.onclick = function () { download(s.id + ".svg", svg(s.id)); };
    }
    chart.setOption(s.option);
    if (s.option.grid3D) { pickable(chart); chart.on("finished", function () { pickable(chart); }); }
    charts[s.id] = chart;
  });

  // pickable lets a click find the point of a series that has only one:
  // echarts-gl meets a ray with a mesh's bounding box before it picks the
  // mesh's points, and one point has an empty box that no ray meets. A
  // mesh without a box is tried for every ray.
  function pickable(chart) {
    (chart._chartsViews || []).forEach(function (v) {
      (v._pointsBuilderList || []).forEach(function (b) {
        var m = (b._pointsBuilder || b)._mesh, g = m && m.geometry, box = g && g.boundingBox;
        if (box && box.min.array.every(function (x, k) { return x === box.max.array[k]; })) { g.boundingBox = null; }
      });
    });
  }

  // The spectra follow the chosen fixed point (-1: all of them).
  function select(i) {
    var plane = charts["spectra"], bars = charts["magnitudes"];
    if (!plane) { return; }
    var other = [], byClass = classes.map(function () { return []; }), ranks = [];
    var sizes = classes.map(function () { return []; });
    spectra.points.forEach(function (p, j) {
      p.modes.forEach(function (m, k) {
        var d = [m[0], m[1], j, m[3], m[4], m[2], k];
        if (i >= 0 && j !== i) { other.push(d); } else { byClass[classes.indexOf(m[2])].push(d); }
      });
    });
    var pt = spectra.points[i];
    if (pt) {
      pt.modes.forEach(function (m, k) {
        ranks.push(String(k + 1));
        var v = spectra.continuous ? m[0] : Math.hypot(m[0], m[1]);
        for (var c = 0; c < classes.length; c++) { sizes[c].push(classes[c] === m[2] ? v : null); }
      });
    }
    plane.setOption({series: [{data: other}].concat(byClass.map(function (d) { return {data: d}; }))});
    if (bars && i >= 0) {
      bars.setOption({xAxis: {data: ranks}, series: sizes.map(function (d) { return {data: d}; }),
        title: {subtext: (spectra.continuous ? "Re μ" : "|λ|") + " of each mode of " + pt.label + ", largest first"}});
    }
    spectra.selected = i;
    var box = document.getElementById("spectra-select");
    if (box && box.value !== String(i)) { box.value = String(i); }
  }
  var box = document.getElementById("spectra-select");
  if (box) { box.addEventListener("change", function () { select(Number(box.value)); }); }
  select(spectra.selected);
  if (charts["fixed-points"]) {
    charts["fixed-points"].on("click", function (p) {
      if (p.data && typeof p.data.fp === "number") { select(p.data.fp); }
    });
  }

  function download(name, text) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], {type: "image/svg+xml"}));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  // svg draws a chart again with echarts' SVG renderer; the 3-D view, which
  // only WebGL draws, as the projection of what is on screen.
  function svg(id) {
    var c = charts[id], el = document.getElementById(id);
    var opt = id === "fixed-points" ? flat3D(c, el) : c.getOption();
    opt.toolbox = [{show: false}];
    opt.animation = false;
    var out = echarts.init(null, null, {renderer: "svg", ssr: true, width: el.clientWidth, height: el.clientHeight});
    out.setOption(opt);
    var s = out.renderToSVGString();
    out.dispose();
    return s;
  }
  // project maps data coordinates of the 3-D view to pixels of its div.
  function projector(c) {
    var grid = c.getModel().getComponent("grid3D");
    var cs = grid.coordinateSystem, gl = cs.viewGL, cam = gl.camera;
    cam.update(true);
    // The viewport is in WebGL's pixels, counted from the bottom.
    var v = cam.viewMatrix.array, p = cam.projectionMatrix.array, vp = gl.viewport, H = c.getHeight();
    function mul(m, x) {
      return [0, 1, 2, 3].map(function (r) { return m[r] * x[0] + m[4 + r] * x[1] + m[8 + r] * x[2] + m[12 + r] * x[3]; });
    }
    return function (d) {
      var w = cs.dataToPoint([d[0], d[1], d[2]]);
      var q = mul(p, mul(v, [w[0], w[1], w[2], 1]));
      return [vp.x + (q[0] / q[3] + 1) / 2 * vp.width, H - vp.y - (q[1] / q[3] + 1) / 2 * vp.height];
    };
  }
  function flat3D(c, el) {
    var o = c.getOption(), proj = projector(c), series = [];
    var val = function (d) { return Array.isArray(d) ? d : d.value; };
    o.series.forEach(function (s) {
      var data = (s.data || []).map(function (d) { return proj(val(d)); });
      if (s.type === "line3D") {
        series.push({type: "line", name: s.name, data: data, showSymbol: false, silent: true,
          lineStyle: {color: s.lineStyle.color, width: s.lineStyle.width, opacity: s.lineStyle.opacity},
          itemStyle: {color: s.lineStyle.color}});
      } else {
        series.push({type: "scatter", name: s.name, data: data, symbolSize: s.symbolSize,
          itemStyle: {color: s.itemStyle.color}});
      }
    });
    var g = o.grid3D[0], ax = [o.xAxis3D[0], o.yAxis3D[0], o.zAxis3D[0]];
    var lo = ax.map(function (a) { return a.min; }), hi = ax.map(function (a) { return a.max; });
    var edges = [];
    [[0, 1], [0, 2], [1, 2]].forEach(function (pair) {
      var free = 3 - pair[0] - pair[1];
      [[lo, lo], [lo, hi], [hi, lo], [hi, hi]].forEach(function (e) {
        var a = [0, 0, 0], b = [0, 0, 0];
        a[pair[0]] = b[pair[0]] = e[0][pair[0]];
        a[pair[1]] = b[pair[1]] = e[1][pair[1]];
        a[free] = lo[free]; b[free] = hi[free];
        edges.push(proj(a), proj(b), null);
      });
    });
    series.unshift({type: "line", name: "box", data: edges, showSymbol: false, silent: true, connectNulls: false,
      lineStyle: {color: "#bbbbbb", width: 1}});
    // Each axis is named at the middle of its outermost edge, on the side
    // away from the box's centre (an end can sit in the middle of the
    // drawing, behind the points).
    var mid = lo.map(function (v, k) { return (v + hi[k]) / 2; }), c0 = proj(mid);
    ax.forEach(function (a, k) {
      var best = null, far = -1;
      [[lo, lo], [lo, hi], [hi, lo], [hi, hi]].forEach(function (e) {
        var at = [0, 0, 0], o = [0, 1, 2].filter(function (j) { return j !== k; });
        at[k] = mid[k]; at[o[0]] = e[0][o[0]]; at[o[1]] = e[1][o[1]];
        var p = proj(at), d = Math.hypot(p[0] - c0[0], p[1] - c0[1]);
        if (d > far) { far = d; best = p; }
      });
      var dx = best[0] - c0[0], dy = best[1] - c0[1];
      var pos = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "right" : "left") : (dy > 0 ? "bottom" : "top");
      series.push({type: "scatter", name: a.name, data: [{value: best, label: {show: true, formatter: a.name,
        position: pos, distance: 8, color: "#333", fontSize: 13}}], symbolSize: 0, silent: true});
    });
    var W = el.clientWidth, H = el.clientHeight, names = [];
    o.series.forEach(function (s) { if (names.indexOf(s.name) < 0) { names.push(s.name); } });
    var legend = Object.assign({}, o.legend[0], {data: names});
    return {title: o.title, legend: legend, series: series,
      grid: {left: 0, right: 0, top: 0, bottom: 0},
      xAxis: {type: "value", min: 0, max: W, show: false},
      yAxis: {type: "value", min: 0, max: H, inverse: true, show: false}};
  }

  // The figure: the 3-D view alone, redrawn as a static 2-D drawing of
  // print size (FigureWidth x FigureHeight px at 96 per inch) without
  // tooltips, buttons or title: the projection on screen (flat3D), or the
  // points on two of the view's axes. The legend keeps the classes shown.
  var figW = {{.FigureWidth}}, figH = {{.FigureHeight}}, figChart = null;
  function figureOption(view) {
    var c = charts["fixed-points"];
    if (!c) { return null; }
    var el = document.getElementById("fixed-points"), opt;
    var o = c.getOption(), shown = o.legend && o.legend[0] && o.legend[0].selected || {};
    if (view === "3d") {
      opt = flat3D(c, el);
      // The drawing (box, points, axis names) scaled to fill the figure
      // above the legend's 40 px, with room for the names at its sides.
      var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
      opt.series.forEach(function (ser) {
        ser.data.forEach(function (d) {
          if (d === null) { return; }
          var v = Array.isArray(d) ? d : d.value;
          for (var k = 0; k < 2; k++) { lo[k] = Math.min(lo[k], v[k]); hi[k] = Math.max(hi[k], v[k]); }
        });
      });
      var legendH = 40, mx = 90, my = 24;
      var s = Math.min((figW - 2 * mx) / Math.max(hi[0] - lo[0], 1), (figH - legendH - 2 * my) / Math.max(hi[1] - lo[1], 1));
      var dx = (figW - (hi[0] - lo[0]) * s) / 2 - lo[0] * s, dy = (figH - legendH - (hi[1] - lo[1]) * s) / 2 - lo[1] * s;
      opt.series.forEach(function (ser) {
        ser.data = ser.data.map(function (d) {
          if (d === null) { return null; }
          var v = Array.isArray(d) ? d : d.value, p = [v[0] * s + dx, v[1] * s + dy];
          return Array.isArray(d) ? p : Object.assign({}, d, {value: p});
        });
      });
      opt.xAxis.max = figW; opt.yAxis.max = figH;
    } else {
      var ij = view.split(",").map(Number), ax = [o.xAxis3D[0], o.yAxis3D[0], o.zAxis3D[0]], series = [];
      o.series.forEach(function (ser) {
        var data = (ser.data || []).map(function (d) { var v = Array.isArray(d) ? d : d.value; return [v[ij[0]], v[ij[1]]]; });
        if (ser.type === "line3D") {
          series.push({type: "line", name: ser.name, data: data, showSymbol: false, silent: true,
            lineStyle: {color: ser.lineStyle.color, width: ser.lineStyle.width, opacity: ser.lineStyle.opacity},
            itemStyle: {color: ser.lineStyle.color}});
        } else {
          series.push({type: "scatter", name: ser.name, data: data, symbolSize: ser.symbolSize, itemStyle: {color: ser.itemStyle.color}});
        }
      });
      var axis = function (a) {
        return {type: "value", name: a.name, nameLocation: "middle", nameGap: 28, min: a.min, max: a.max,
          interval: a.interval, splitLine: {show: false}, axisLine: {show: true, onZero: false}, axisTick: {show: true},
          nameTextStyle: {fontSize: 13}, axisLabel: {fontSize: 12}};
      };
      opt = {series: series, grid: {left: 64, right: 24, top: 16, bottom: 100},
        xAxis: axis(ax[ij[0]]), yAxis: axis(ax[ij[1]])};
    }
    // Series off in the view's legend are left out, not greyed.
    opt.series = opt.series.filter(function (s) { return shown[s.name] !== false; });
    var names = [];
    opt.series.forEach(function (s) {
      if (s.name !== "box" && names.indexOf(s.name) < 0 && o.series.some(function (t) { return t.name === s.name; })) { names.push(s.name); }
    });
    opt.title = {show: false};
    opt.tooltip = {show: false};
    opt.animation = false;
    opt.legend = {show: true, bottom: 6, data: names, itemGap: 14, textStyle: {fontSize: 12}};
    return opt;
  }
  function drawFigure() {
    var view = document.getElementById("figure-view").value;
    var opt = figureOption(view);
    if (!opt) { return; }
    if (!figChart) { figChart = echarts.init(document.getElementById("figure"), null, {renderer: "svg", width: figW, height: figH}); }
    figChart.setOption(opt, true);
  }
  // figureSVG is the figure as SVG text; figurePNG as a PNG data URL at
  // 300 dpi (the figure's pixels are 96 per inch).
  function figureSVG() {
    var out = echarts.init(null, null, {renderer: "svg", ssr: true, width: figW, height: figH});
    out.setOption(figChart.getOption());
    var s = out.renderToSVGString();
    out.dispose();
    return s;
  }
  function figurePNG() {
    var div = document.createElement("div");
    div.style.cssText = "position: absolute; left: -10000px; width: " + figW + "px; height: " + figH + "px";
    document.body.appendChild(div);
    var out = echarts.init(div, null, {renderer: "canvas", devicePixelRatio: 300 / 96});
    out.setOption(figChart.getOption());
    var url = out.getDataURL({type: "png", pixelRatio: 300 / 96, backgroundColor: "#ffffff"});
    out.dispose();
    div.remove();
    return url;
  }
  document.getElementById("figure-view").addEventListener("change", drawFigure);
  document.getElementById("figure-svg").addEventListener("click", function () { download("fixed-points-figure.svg", figureSVG()); });
  document.getElementById("figure-png").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = figurePNG(); a.download = "fixed-points-figure.png";
    document.body.appendChild(a); a.click(); a.remove();
  });

  // Layouts: "screen" as designed, "print" one column no wider than a page,
  // without buttons or tooltips, "figure" the figure alone; printing
  // switches to print and back.
  var current = "screen";
  function layout(name) {
    if (name === "figure") {
      // The projection is taken from the 3-D view as it is on screen.
      if (current === "print") { layout("screen"); }
      current = name;
      drawFigure();
      document.body.className = "figure";
      return;
    }
    current = name;
    var print = name === "print";
    document.body.className = print ? "print" : "";
    specs.forEach(function (s) {
      var el = document.getElementById(s.id), c = charts[s.id];
      el.style.width = (print ? Math.min(s.width, 700) : s.width) + "px";
      c.dispatchAction({type: "hideTip"});
      c.setOption({toolbox: {show: !print}, tooltip: {show: !print}});
      var g = s.option.grid3D;
      if (g && g.viewControl) { // narrower: step back so the box still fits
        var w = Math.min(s.width, 700) / s.width;
        c.setOption({grid3D: {viewControl: {distance: print ? g.viewControl.distance / w : g.viewControl.distance}}});
      }
      c.resize();
    });
  }
  document.getElementById("layout-screen").addEventListener("click", function () { layout("screen"); });
  document.getElementById("layout-print").addEventListener("click", function () { layout("print"); });
  document.getElementById("layout-figure").addEventListener("click", function () { layout("figure"); });
  var before = "screen";
  window.addEventListener("beforeprint", function () { before = current; layout("print"); });
  window.addEventListener("afterprint", function () { layout(before); });

  window.fpReport = {charts: charts, spectra: spectra, select: select, svg: svg, layout: layout, project: function (id) {
    return charts[id] ? projector(charts[id]) : null;
  }, figure: function () { return figChart; }, figureSVG: figureSVG, figurePNG: figurePNG, drawFigure: drawFigure};
  // Opened as a figure: once the 3-D view has drawn (its camera is set
  // on its first frame).
  if ({{.Layout}} === "figure") {
    document.body.className = "figure";
    var opened = false, open = function () { if (!opened) { opened = true; layout("figure"); } };
    if (charts["fixed-points"]) { charts["fixed-points"].on("finished", function () { setTimeout(open, 50); }); }
    setTimeout(open, 1500);
  }
})();
</script>
</body>
</html>
`))
