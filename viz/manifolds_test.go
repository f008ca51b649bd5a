package viz

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/manifold"
)

// ringCurve is a traced ring of radius r in the first two of three state
// coordinates, with one input whose selection varies along it.
func ringCurve(r float64, n int) *manifold.Curve {
	c := &manifold.Curve{N: 3, M: 1, U: []float64{0}, Closed: true, Ends: [2]manifold.End{manifold.EndClosed, manifold.EndClosed}}
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		c.Points = append(c.Points, manifold.CurvePoint{
			S: r * a, X: []float64{r * math.Cos(a), r * math.Sin(a), 0}, Q: 1e-30, Eigenvalue: 1,
			Right: []float64{-math.Sin(a), math.Cos(a), 0}, Left: []float64{-math.Sin(a), math.Cos(a), 0},
			Selection: []float64{math.Cos(a)},
		})
	}
	return c
}

// A traced manifold is drawn in the 3-D view (a closed line through its
// points, in state coordinates for N = 3) and gets its own chart of q, the
// eigenvalue and |selection| along its arclength.
func TestReportDrawsManifolds(t *testing.T) {
	fixed := &finder.FixedPoints{N: 3, M: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{0, 0, 0}, U: []float64{0}}}}
	r := &Report{Fixed: fixed, Manifolds: []*manifold.Curve{ringCurve(1.5, 40)}}
	cs, err := r.charts()
	if err != nil {
		t.Fatal(err)
	}
	var c3, cm *chart
	for i := range cs {
		switch cs[i].ID {
		case idFixedPoints:
			c3 = &cs[i]
		case idManifold(0):
			cm = &cs[i]
		}
	}
	if c3 == nil || cm == nil {
		t.Fatalf("charts %v: want the 3-D view and manifold-0", len(cs))
	}
	b, err := optionJSON(c3.Option)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"name":"`+nameManifolds+`"`); n != 1 {
		t.Errorf("%d series named %q in the 3-D view, want 1", n, nameManifolds)
	}
	ser := cm.Option["series"].([]interface{})
	if len(ser) != 3 {
		t.Fatalf("manifold chart has %d series, want q, eigenvalue and one selection", len(ser))
	}
	sel := ser[2].(map[string]interface{})["data"].([][]num)
	if len(sel) != 40 || float64(sel[0][1]) != 1 || math.Abs(float64(sel[10][1])) > 1e-12 {
		t.Errorf("selection series %v..., want |cos| along the ring", sel[:3])
	}
	if _, ok := cm.Option["toolbox"]; !ok {
		t.Error("the manifold chart has no save buttons")
	}
	// The ring closes: its 3-D line returns to the first point.
	lines := r.layoutManifolds(&projection{})
	if len(lines) != 1 || len(lines[0]) != 41 || lines[0][40] != lines[0][0] {
		t.Errorf("projected ring: %d lines of %d points, want one closed line of 41", len(lines), len(lines[0]))
	}
}

func TestReportRejectsBadManifolds(t *testing.T) {
	fixed := &finder.FixedPoints{N: 3, M: 1, Points: []finder.Point{{X: []float64{0, 0, 0}, U: []float64{0}}}}
	bad := ringCurve(1, 4)
	bad.Points[2].X = []float64{1, 2}
	for _, c := range []*manifold.Curve{nil, {N: 3}, bad} {
		r := &Report{Fixed: fixed, Manifolds: []*manifold.Curve{c}}
		if err := r.Render(io.Discard); err == nil {
			t.Errorf("curve %+v accepted", c)
		}
	}
}
