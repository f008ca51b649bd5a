package viz

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/rnnfp/fixedpoints/finder"
)

// The 3-D view draws trajectories faint, and hides them (their legend entry
// off) when there are more than shownTrajectories: the points come first.
const (
	trajectoryOpacity = 0.25
	shownTrajectories = 5
)

// Series names of the 3-D view; the legend merges series of one name.
const (
	nameTrajectories  = "trajectories"
	nameUnstable      = "unstable"
	nameUnstableModes = "unstable modes"
	nameSlow          = "slow points"
)

// projectionFor fits the projection: on the trajectories when there are
// any, else on the fixed and slow points, else on all candidates, else on
// the points of the periodic orbits.
func (r *Report) projectionFor(n int) (*projection, error) {
	if t := r.Trajectories; t != nil && t.Trials*t.Time >= 2 {
		return fitPCA(t.States, t.N)
	}
	var data []float64
	for _, fp := range []*finder.FixedPoints{r.Fixed, r.Slow} {
		if fp != nil {
			for _, p := range fp.Points {
				data = append(data, p.X...)
			}
		}
	}
	if len(data) < 2*n && r.All != nil {
		data = data[:0]
		for _, p := range r.All.Points {
			data = append(data, p.X...)
		}
	}
	if len(data) < 2*n {
		for _, o := range r.Orbits {
			for _, p := range o.Points {
				data = append(data, p...)
			}
		}
		for _, c := range r.Cycles {
			for _, p := range c.Points {
				data = append(data, p...)
			}
		}
		for i := range r.Circles {
			for _, p := range invariantCirclePoints(&r.Circles[i]) {
				data = append(data, p...)
			}
		}
	}
	return fitPCA(data, n)
}

// shownTrials are the trials drawn.
func (r *Report) shownTrials() []int {
	t := r.Trajectories
	if t == nil {
		return nil
	}
	if r.Trials != nil {
		return r.Trials
	}
	out := make([]int, min(t.Trials, DefaultMaxTrials))
	for i := range out {
		out[i] = i
	}
	return out
}

// points3D is what the 3-D view draws, projected, before styling.
type points3D struct {
	trajectories [][][3]float64
	classes      map[class][]item3D // by seriesClass
	slow         []item3D
	segments     []seg3D        // certainly unstable modes, in their point's colour
	segmentsAbs  []seg3D        // modes unstable by the eigenvalue alone (points without bounds)
	flow         bool           // some point judged in continuous time
	curves       [][][3]float64 // traced slow manifolds
	orbitPts     [][3]float64   // the points of the periodic orbits (for the axes)
	// visited bounds the projected trajectory states, drawn or not, but
	// for the rarest (see visitedBox): the region the network visits
	// (empty without trajectories).
	visitedLo, visitedHi [3]float64
	visited              bool
}

// seg3D is a mode segment and its colour, its fixed point's class's.
type seg3D struct {
	ends  [2][3]float64
	color string
}

// seriesClass is the class of p's series in the 3-D view: its kind, and
// for saddles the index up to 4 (saddleName: "saddle index ≥ 4").
func seriesClass(c class) class {
	k := class{kind: c.kind}
	if c.kind == saddle {
		k.index = min(c.index, 4)
	}
	return k
}

type item3D struct {
	name, tip string
	at        [3]float64
	fp        int // index in Report.Fixed, -1 for slow points
}

// layout3D projects everything the 3-D view draws.
func (r *Report) layout3D(pr *projection) points3D {
	var d points3D
	if t := r.Trajectories; t != nil {
		var coords [3][]float64
		for e := 0; e < t.Trials*t.Time; e++ {
			p := pr.apply(t.States[e*t.N : (e+1)*t.N])
			for k, v := range p {
				coords[k] = append(coords[k], v)
			}
		}
		d.visitedLo, d.visitedHi, d.visited = visitedBox(coords)
		stop := r.Stop
		if stop == 0 {
			stop = t.Time
		}
		for _, tr := range r.shownTrials() {
			line := make([][3]float64, 0, stop-r.Start)
			for ti := r.Start; ti < stop; ti++ {
				off := (tr*t.Time + ti) * t.N
				line = append(line, pr.apply(t.States[off:off+t.N]))
			}
			d.trajectories = append(d.trajectories, line)
		}
	}
	scale := r.ModeScale
	if scale == 0 {
		scale = DefaultModeScale
	}
	d.classes = map[class][]item3D{}
	if r.Fixed != nil {
		re := make([]float64, r.Fixed.N)
		for i := range r.Fixed.Points {
			p := &r.Fixed.Points[i]
			c := classify(p)
			at := pr.apply(p.X)
			sc := seriesClass(c)
			d.classes[sc] = append(d.classes[sc], item3D{
				name: "fixed point " + strconv.Itoa(i),
				tip:  fixedPointTip(i, p, c),
				at:   at,
				fp:   i,
			})
			d.flow = d.flow || p.Stability.Continuous
			modes, byAbs := unstableModes(p)
			for _, m := range modes {
				for k, v := range m.Right {
					re[k] = real(v)
				}
				dir := pr.applyDir(re)
				h := scale * cmplx.Abs(lambda(m.Value, p.Stability.Continuous))
				var a, b [3]float64
				for k := range 3 {
					a[k] = at[k] - h*dir[k]
					b[k] = at[k] + h*dir[k]
				}
				if byAbs {
					d.segmentsAbs = append(d.segmentsAbs, seg3D{[2][3]float64{a, b}, colorUnstableAbs})
				} else {
					d.segments = append(d.segments, seg3D{[2][3]float64{a, b}, c.color()})
				}
			}
		}
	}
	d.curves = r.layoutManifolds(pr)
	d.orbitPts = r.orbitPoints3D(pr)
	if r.Slow != nil {
		for i := range r.Slow.Points {
			p := &r.Slow.Points[i]
			d.slow = append(d.slow, item3D{
				name: "slow point " + strconv.Itoa(i),
				tip: fmt.Sprintf("slow point %d\nq = %s, residual = %s",
					i, fmtG(p.Q, 3), fmtG(p.Residual, 3)),
				at: pr.apply(p.X),
				fp: -1,
			})
		}
	}
	return d
}

// fmtComplex writes an eigenvalue with 4 significant digits.
func fmtComplex(v complex128) string {
	if imag(v) == 0 {
		return fmtG(real(v), 4)
	}
	sign := "+"
	if imag(v) < 0 {
		sign = "-"
	}
	return fmtG(real(v), 4) + sign + fmtG(math.Abs(imag(v)), 4) + "i"
}

// chart3D is the 3-D view of fixed points, modes and trajectories, and
// what it leaves out.
func (r *Report) chart3D(pr *projection) (chart, notDrawn) {
	d := r.layout3D(pr)
	outside := d.frame()
	lo, hi, step := fitAxes(d.ofInterest())
	lo, hi, step = thinTicks(lo, hi, step)
	// Trajectories leave the box fitted to the points: cut at its faces.
	d.trajectories = clipCurves(d.trajectories, lo, hi)
	snap := snapper(d)
	c := charts.NewScatter3D()

	for _, line := range d.trajectories {
		data := make([][]num, len(line))
		for i, p := range line {
			data[i] = snap(p)
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: nameTrajectories, Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data:      data,
			LineStyle: &opts.LineStyle{Color: colorTrajectory, Width: 1, Opacity: opts.Float(trajectoryOpacity)},
		})
	}
	for _, s := range d.segments {
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: nameUnstableModes, Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data:      [][]num{snap(s.ends[0]), snap(s.ends[1])},
			LineStyle: &opts.LineStyle{Color: s.color, Width: 3},
		})
	}
	for _, s := range d.segmentsAbs {
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: nameUnstableModes + class{flow: d.flow}.byAbs(), Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data:      [][]num{snap(s.ends[0]), snap(s.ends[1])},
			LineStyle: &opts.LineStyle{Color: s.color, Width: 3},
		})
	}

	// The points after the lines through them: echarts-gl picks what it
	// drew last, and a click must find the point, not its mode segment.
	keys := make([]class, 0, len(d.classes))
	for k := range d.classes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	for _, k := range keys {
		items := d.classes[k]
		if len(items) == 0 {
			continue
		}
		k.flow = d.flow
		c.MultiSeries = append(c.MultiSeries, scatter3DSeries(k.seriesName(), k.color(), 10, items, snap))
	}
	if len(d.slow) > 0 {
		c.MultiSeries = append(c.MultiSeries, scatter3DSeries(nameSlow, colorSlow, 5, d.slow, snap))
	}
	c.MultiSeries = append(c.MultiSeries, manifoldSeries(d.curves, snap)...)
	nFixed := 0
	if r.Fixed != nil {
		nFixed = r.Fixed.Len()
	}
	c.MultiSeries = append(c.MultiSeries, r.orbitSeries(pr, snap, nFixed)...)
	c.MultiSeries = append(c.MultiSeries, r.cycleSeries(pr, snap)...)
	c.MultiSeries = append(c.MultiSeries, r.circleSeries(pr, snap)...)
	box := boxSizes(lo, hi)
	sub := "top 3 principal components of the trajectories"
	switch {
	case pr.basis[0] == nil:
		sub = "state coordinates"
	case r.Trajectories == nil || r.Trajectories.Trials*r.Trajectories.Time < 2:
		sub = "top 3 principal components of the fixed points"
	}
	sub += "; hover for details, click a fixed point for its spectrum"
	if s := outside.String(r); s != "" {
		sub += "\n" + s
	}
	c.SetGlobalOptions(heading(idFixedPoints, "Fixed points", sub, "66", "item")...)
	c.Accept(extras{
		silent: map[string]bool{nameTrajectories: true, nameUnstableModes: true, nameManifolds: true,
			nameUnstableModes + class{flow: d.flow}.byAbs(): true},
		patch: func(opt map[string]interface{}) {
			// The legend's entries in series order; the mode segments,
			// in their saddles' colours, get a grey icon (echarts would
			// take the first segment's).
			var entries []interface{}
			seen := map[string]bool{}
			for _, s := range c.MultiSeries {
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if s.Type == types.ChartLine3D && strings.HasPrefix(s.Name, nameUnstableModes) {
					grey := map[string]interface{}{"color": colorConnection, "borderColor": colorConnection}
					entries = append(entries, map[string]interface{}{"name": s.Name, "itemStyle": grey,
						"lineStyle": map[string]interface{}{"color": colorConnection}})
				} else {
					entries = append(entries, s.Name)
				}
			}
			opt["legend"] = map[string]interface{}{"show": true, "top": "66", "data": entries, "selected": map[string]bool{}}
			// Many trajectories hide the points: off until asked for (a
			// click on their legend entry).
			if len(d.trajectories) > shownTrajectories {
				hideInLegend(opt, nameTrajectories)
			}
			// Options go-echarts' Grid3D lacks. Text in the 3-D scene gets
			// an explicit line height: zrender takes the width of a CJK
			// glyph for it, which is tiny on machines without CJK fonts,
			// and echarts-gl then packs its label texture with cut text.
			// The box starts below the legend.
			// echarts-gl puts x along the box's width, y along its
			// depth and z along its height.
			text := map[string]interface{}{"margin": 10, "textStyle": map[string]interface{}{"fontSize": 12, "lineHeight": 15, "color": "#444"}}
			opt["grid3D"] = map[string]interface{}{
				"boxWidth": num(box[0]), "boxDepth": num(box[1]), "boxHeight": num(box[2]),
				"top":         30,
				"axisLabel":   text,
				"axisPointer": map[string]interface{}{"show": false},
				"viewControl": map[string]interface{}{"distance": 215, "alpha": 20, "beta": 40},
			}
			// Axes as maps: go-echarts' Axis3D has no nameTextStyle.
			for k, key := range []string{"xAxis3D", "yAxis3D", "zAxis3D"} {
				opt[key] = map[string]interface{}{
					"name": pr.axes[k], "type": "value", "min": num(lo[k]), "max": num(hi[k]),
					"interval":      num(step[k]),
					"nameGap":       24,
					"nameTextStyle": map[string]interface{}{"fontSize": 13, "lineHeight": 16},
				}
			}
		},
	})
	c.Validate()
	return chart{ID: idFixedPoints, Width: 900, Height: 680, Tips: "item", Option: c.JSON()}, outside
}

// hideInLegend turns the series called name off in the 3-D view's legend
// (a click on the entry shows them), adding the entry if it lacks one.
func hideInLegend(opt map[string]interface{}, name string) {
	l, ok := opt["legend"].(map[string]interface{})
	if !ok {
		l = map[string]interface{}{"show": true, "top": "66", "selected": map[string]bool{}}
		opt["legend"] = l
	}
	l["selected"].(map[string]bool)[name] = false
	if data, ok := l["data"].([]interface{}); ok {
		for _, e := range data {
			if e == name {
				return
			}
		}
		l["data"] = append(data, name)
	}
}

// String says what the 3-D view leaves out, in the words of the counts
// table; "" when it draws everything.
func (n notDrawn) String(r *Report) string {
	var parts []string
	if n.fixed > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d fixed points", n.fixed, r.Fixed.Len()))
	}
	if n.slow > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d slow points", n.slow, r.Slow.Len()))
	}
	if len(parts) == 0 {
		return ""
	}
	return "not drawn, far outside the trajectories: " + strings.Join(parts, " and ")
}

func scatter3DSeries(name, color string, size int, items []item3D, snap func([3]float64) []num) charts.SingleSeries {
	data := make([]item, len(items))
	for i, it := range items {
		data[i] = item{Name: it.name, Value: snap(it.at), Tip: it.tip}
		if it.fp >= 0 {
			data[i].FP = &it.fp
		}
	}
	return charts.SingleSeries{
		Name: name, Type: types.ChartScatter3D, CoordSystem: types.ChartCartesian3D,
		Data:       data,
		SymbolSize: size,
		ItemStyle:  &opts.ItemStyle{Color: color},
	}
}

// snapper returns the function that turns a projected point into numbers,
// with coordinates below 1e-9 of the largest set to zero: they are the
// rounding noise of the projection, which differs from machine to machine.
func snapper(d points3D) func([3]float64) []num {
	var big float64
	each3D(d, func(p [3]float64) {
		for _, v := range p {
			if a := math.Abs(v); a > big && !math.IsInf(a, 0) {
				big = a
			}
		}
	})
	tiny := 1e-9 * big
	return func(p [3]float64) []num {
		out := make([]num, 3)
		for k, v := range p {
			if math.Abs(v) > tiny {
				out[k] = num(v)
			}
		}
		return out
	}
}

// each3D calls f on every point the 3-D view draws.
func each3D(d points3D, f func([3]float64)) {
	for _, l := range d.trajectories {
		for _, p := range l {
			f(p)
		}
	}
	for _, items := range d.classes {
		for _, it := range items {
			f(it.at)
		}
	}
	for _, it := range d.slow {
		f(it.at)
	}
	for _, s := range append(d.segments[:len(d.segments):len(d.segments)], d.segmentsAbs...) {
		f(s.ends[0])
		f(s.ends[1])
	}
	for _, l := range d.curves {
		for _, p := range l {
			f(p)
		}
	}
	for _, p := range d.orbitPts {
		f(p)
	}
}
