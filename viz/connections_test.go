package viz

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/orbits"
)

// flipFlopFound runs Find on the idealized flip-flop F(x) = tanh(2x), N = 3,
// from its 8 corners: completion finds the 19 saddles, and the connections
// join each index-1 saddle to the two corners beside it.
func flipFlopFound(t *testing.T) *finder.Result {
	t.Helper()
	const N = 3
	c := cells.NewVanilla(N, 0, cells.Tanh)
	for i := 0; i < N; i++ {
		c.Params()[1].Set(i, i, 2)
	}
	var init []float64
	for k := 0; k < 1<<N; k++ {
		for i := 0; i < N; i++ {
			init = append(init, float64(2*(k>>i&1)-1))
		}
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: c, InitialStates: init}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 27 {
		t.Fatalf("%d fixed points, want 27", res.Fixed.Len())
	}
	return res
}

// TestConnectionsChart: the graph chart has one node per fixed point and
// one arrow per (saddle, point reached) pair; each of the 12 index-1 saddles
// has arrows to exactly two stable corners, those beside its zero
// coordinate; the 3-D view gains one line per arrow; the completeness table
// shows the coverage.
func TestConnectionsChart(t *testing.T) {
	res := flipFlopFound(t)
	r := &Report{Fixed: res.Fixed}
	b, err := r.build()
	if err != nil {
		t.Fatal(err)
	}
	var graph, view map[string]interface{}
	for _, c := range b.charts {
		switch c.ID {
		case idConnections:
			graph = c.Option
		case idFixedPoints:
			view = c.Option
		}
	}
	if graph == nil {
		t.Fatal("no connections chart")
	}
	s := graph["series"].([]map[string]interface{})[0]
	nodes, edges := s["data"].([]map[string]interface{}), s["links"].([]map[string]interface{})
	if len(nodes) != 27 {
		t.Errorf("%d nodes, want 27", len(nodes))
	}
	out := map[string][]string{}
	for _, e := range edges {
		out[e["source"].(string)] = append(out[e["source"].(string)], e["target"].(string))
	}
	a := 0.0
	for _, p := range res.Fixed.Points {
		a = math.Max(a, p.X[0])
	}
	for i, p := range res.Fixed.Points {
		if p.Stability.NUnstable != 1 {
			continue
		}
		to := out[nodes[i]["id"].(string)]
		if len(to) != 2 {
			t.Errorf("saddle %v: arrows to %v, want 2", p.X, to)
			continue
		}
		for _, id := range to {
			var k int
			for k = range nodes {
				if nodes[k]["id"] == id {
					break
				}
			}
			q := res.Fixed.Points[k]
			diff := 0
			for j := range q.X {
				if math.Abs(q.X[j]-p.X[j]) > 1e-8 {
					diff++
					if math.Abs(p.X[j]) > 1e-8 || math.Abs(math.Abs(q.X[j])-a) > 1e-8 {
						diff += 10
					}
				}
			}
			if !q.Stability.Stable || diff != 1 {
				t.Errorf("saddle %v: arrow to %v, want a corner differing only in the saddle's zero coordinate", p.X, q.X)
			}
		}
	}
	lines := 0
	for _, sr := range view["series"].([]series) {
		if sr.Name == nameConnections {
			lines++
		}
	}
	if lines != len(edges) {
		t.Errorf("3-D view: %d connection lines, want one per arrow (%d)", lines, len(edges))
	}
	rows := r.coverageRows()
	if len(rows) == 0 || rows[0].Value != "27" {
		t.Errorf("completeness rows %v, want 27 found first", rows)
	}
}

// TestBrowserConnections: the page with the graph chart renders without a
// page error, and the chart holds the 27 nodes.
func TestBrowserConnections(t *testing.T) {
	res := flipFlopFound(t)
	tab, bl := startBrowser(t)
	open(t, tab, bl, &Report{Title: "flip-flop", Fixed: res.Fixed, All: res.All}, "connections.html")
	if got := seriesCount(t, tab, idConnections); got != 1 {
		t.Errorf("connections chart: %d series, want 1", got)
	}
	if n := eval[int](t, tab, `fpReport.charts["connections"].getOption().series[0].data.length`); n != 27 {
		t.Errorf("connections chart: %d nodes, want 27", n)
	}
	for _, p := range bl.take() {
		t.Error(p)
	}
}

// A connection that ends at an orbit names the orbit, not a point: links
// draws no edge for it, even where a point of that index exists.
func TestLinksSkipOrbitEnds(t *testing.T) {
	fp := &finder.FixedPoints{N: 1, Points: make([]finder.Point, 3), Connections: []finder.Connection{
		{From: 0, To: 1, End: finder.EndStable}, {From: 0, To: 2, End: finder.EndStableOrbit}, {From: 0, To: 2, End: finder.EndOrbit}}}
	if ls := links(fp); len(ls) != 1 || ls[0] != (link{0, 1, 1}) {
		t.Errorf("links %v, want the one to point 1", ls)
	}
}

// The orbits' table counts where their unstable directions lead.
func TestOrbitConnectionRows(t *testing.T) {
	r := &Report{Orbits: []orbits.Orbit{{Period: 3, Connections: []orbits.Connection{
		{End: finder.EndStableOrbit, To: 1}, {End: finder.EndStable, To: 0}, {End: finder.EndStableOrbit, To: 1}}}}}
	for _, row := range r.orbitRows() {
		if row.Key == "orbits' unstable directions followed" {
			if row.Value != "3 trajectories: 1 stable, 2 stable_orbit" {
				t.Errorf("row %q", row.Value)
			}
			return
		}
	}
	t.Errorf("no row for the orbits' connections in %v", r.orbitRows())
}
