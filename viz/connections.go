package viz

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"github.com/rnnfp/fixedpoints/finder"
)

// The saddle-attractor graph (finder.Connection): where each unstable mode
// of a saddle leads. The 3-D view draws a line from each saddle to each
// fixed point its modes reach; a chart of its own draws the graph, fixed
// points as nodes coloured by saddle index.

const (
	idConnections   = "connections"
	nameConnections = "saddle → attractor"
	colorConnection = "#8a8a8a" // grey: the classes' hues are the nodes'
)

// link is one edge of the graph: a saddle, a point its modes reach, and
// how many trajectories went that way.
type link struct {
	from, to, n int
}

// links merges the connections of fp that reached a certified point into
// edges, in order of (from, to). Those that reached an orbit (their To
// indexes the orbits, not the points) draw no edge.
func links(fp *finder.FixedPoints) []link {
	count := map[[2]int]int{}
	for _, c := range fp.Connections {
		if (c.End == finder.EndStable || c.End == finder.EndFixed) && c.To >= 0 && c.To < fp.Len() && c.From >= 0 && c.From < fp.Len() && c.From != c.To {
			count[[2]int{c.From, c.To}]++
		}
	}
	out := make([]link, 0, len(count))
	for k, n := range count {
		out = append(out, link{k[0], k[1], n})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].from != out[b].from {
			return out[a].from < out[b].from
		}
		return out[a].to < out[b].to
	})
	return out
}

// addConnections3D appends to the 3-D view's option one line per edge, from
// the saddle to the point reached, in the projection pr.
func (r *Report) addConnections3D(c *chart, pr *projection) {
	if r.Fixed == nil || len(r.Fixed.Connections) == 0 {
		return
	}
	ls, ok := c.Option["series"].([]series)
	if !ok {
		return
	}
	snap := snapper(r.layout3D(pr))
	for _, l := range links(r.Fixed) {
		a, b := pr.apply(r.Fixed.Points[l.from].X), pr.apply(r.Fixed.Points[l.to].X)
		ls = append(ls, series{SingleSeries: charts.SingleSeries{
			Name: nameConnections, Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data:      [][]num{snap(a), snap(b)},
			LineStyle: &opts.LineStyle{Color: colorConnection, Width: 1.5, Opacity: opts.Float(0.6)},
		}, Silent: true})
	}
	c.Option["series"] = ls
	// Over the points they hide them: off until asked for; the graph
	// chart shows them apart.
	hideInLegend(c.Option, nameConnections)
}

// obliqueX and obliqueY place the third axis of the 3-D view at 30 degrees,
// foreshortened by half, in the graph chart.
const (
	obliqueX = 0.433
	obliqueY = 0.25
)

// chartConnections is the graph chart: every fixed point a node at its
// place in the first two axes of pr, coloured by its class, and an arrow
// from each saddle to each point its unstable modes reach (labelled with
// the number of trajectories when more than one).
func (r *Report) chartConnections(pr *projection) (chart, bool) {
	fp := r.Fixed
	if fp == nil || len(fp.Connections) == 0 {
		return chart{}, false
	}
	catOf := map[class]int{}
	var cats []class
	for i := range fp.Points {
		c := classify(&fp.Points[i])
		if _, ok := catOf[c]; !ok {
			catOf[c] = -1
			cats = append(cats, c)
		}
	}
	sort.Slice(cats, func(a, b int) bool { return cats[a].less(cats[b]) })
	var categories []map[string]interface{}
	for k, c := range cats {
		catOf[c] = k
		color := c.color()
		categories = append(categories, map[string]interface{}{"name": c.String(), "itemStyle": map[string]interface{}{"color": color}})
	}
	nodes := make([]map[string]interface{}, fp.Len())
	for i := range fp.Points {
		p := &fp.Points[i]
		y := pr.apply(p.X)
		c := classify(p)
		// An oblique (cabinet) projection of the 3-D view's axes: points
		// that differ only along the third axis stay apart.
		nodes[i] = map[string]interface{}{
			"id": strconv.Itoa(i), "name": fmt.Sprintf("#%d %s", i, c),
			"x": num(y[0] + obliqueX*y[2]), "y": num(-(y[1] + obliqueY*y[2])), "category": catOf[c],
			"symbolSize": 12,
			"tip":        fixedPointTip(i, p, c),
		}
	}
	var edges []map[string]interface{}
	for _, l := range links(fp) {
		e := map[string]interface{}{"source": strconv.Itoa(l.from), "target": strconv.Itoa(l.to)}
		if l.n > 1 {
			e["label"] = map[string]interface{}{"show": true, "formatter": strconv.Itoa(l.n)}
		}
		edges = append(edges, e)
	}
	ends := map[string]int{}
	for _, c := range fp.Connections {
		ends[c.End]++
	}
	sub := fmt.Sprintf("%s; nodes placed by an oblique view of the 3-D view's axes; arrows from each saddle to where its unstable modes lead",
		finder.ConnectionCounts(fp.Connections))
	opt := base("Saddle-attractor graph", sub, 58, "item")
	opt["series"] = []map[string]interface{}{{
		"type": "graph", "layout": "none", "roam": true, "top": 100,
		"categories": categories, "data": nodes, "links": edges,
		"edgeSymbol": []string{"none", "arrow"}, "edgeSymbolSize": 8,
		"lineStyle": map[string]interface{}{"color": colorConnection, "opacity": 0.6, "width": 1.5, "curveness": 0.1},
		"label":     map[string]interface{}{"show": false},
		"emphasis":  map[string]interface{}{"focus": "adjacency"},
	}}
	opt["legend"] = map[string]interface{}{"show": true, "top": 58, "data": legendNames(cats)}
	return chart{ID: idConnections, Width: 900, Height: 600, Tips: "item", Option: opt}, true
}

func legendNames(cs []class) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// coverageRows is the completeness table: the coverage estimate and how
// the unstable modes ended.
func (r *Report) coverageRows() []Row {
	if r.Fixed == nil || r.Fixed.Coverage == nil {
		return nil
	}
	c := r.Fixed.Coverage
	rows := []Row{
		{"fixed points found", strconv.Itoa(c.Found)},
		{"of which hit by initial states", strconv.Itoa(c.Sampled)},
		{"of which found by completion alone", strconv.Itoa(c.Completed)},
		{"hit once / twice", fmt.Sprintf("%d / %d", c.SeenOnce, c.SeenTwice)},
		{"estimated unseen", fmt.Sprintf("%.1f (%s)", c.EstimatedUnseen, c.Method)},
	}
	if c.StillFinding {
		rows = append(rows, Row{"completion", "still finding points when its budget ran out: more probably exist"})
	}
	if len(r.Fixed.Connections) > 0 {
		rows = append(rows, Row{"unstable modes followed", finder.ConnectionCounts(r.Fixed.Connections)})
	}
	return rows
}
