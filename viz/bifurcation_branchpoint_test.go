package viz

import (
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/continuation"
)

// pitchforkResult is the trivial branch x = 0 of x' = x + (u x - x^3)/2
// written by hand, u from -0.5 to 0.5: eigenvalue 1 + u/2, stable for
// u < 0, one unstable mode for u > 0, and the branch point at u = 0.
func pitchforkResult() *continuation.Result {
	res := &continuation.Result{N: 1, M: 1, Path: continuation.Segment([]float64{-0.5}, []float64{0.5})}
	var br continuation.Branch
	for k := 0; k <= 20; k++ {
		u := -0.5 + float64(k)/20
		p := continuation.Point{S: u + 0.5, U: []float64{u}, X: []float64{0}}
		switch {
		case u < -1e-12:
			p.Stable = true
		case u > 1e-12:
			p.NUnstable = 1
		default:
			p.NUndecided = 1
		}
		br.Points = append(br.Points, p)
	}
	br.Seeds, br.End = []int{0}, continuation.PathEnd
	res.Branches = []continuation.Branch{br}
	res.Bifurcations = []continuation.Bifurcation{{Kind: continuation.BranchPoint, Branch: 0, After: 9,
		S: 0.5, U: []float64{0}, X: []float64{0}, Eigenvalue: 1, Vector: []complex128{1}}}
	return res
}

// A branch point gets a marker of its own, a plus sign unlike the other
// kinds' symbols, at (u, x) = (0, 0), a legend entry "branch point", a
// tooltip that names it and says another branch crosses there, and a row
// of the table.
func TestBifurcationBranchPoint(t *testing.T) {
	b := &Bifurcation{Title: "pitchfork", Result: pitchforkResult(), Direction: []float64{1}, YLabel: "x"}
	opt := bifOption(t, b)
	var markers int
	for _, s := range opt["series"].([]interface{}) {
		s := s.(map[string]interface{})
		if s["type"] != "scatter" {
			continue
		}
		markers++
		if s["name"] != "branch point" {
			t.Errorf("marker series %q, want \"branch point\"", s["name"])
			continue
		}
		sym := s["symbol"].(string)
		for k, other := range bifSymbols {
			if k != continuation.BranchPoint && other == sym {
				t.Errorf("branch point symbol %q is also %v's", sym, k)
			}
		}
		if !strings.HasPrefix(sym, "path://") {
			t.Errorf("branch point symbol %q", sym)
		}
		d := s["data"].([]interface{})
		if len(d) != 1 {
			t.Fatalf("%d branch point markers, want 1", len(d))
		}
		m := d[0].(map[string]interface{})
		v := m["value"].([]interface{})
		if math.Abs(v[0].(float64)) > 1e-12 || math.Abs(v[1].(float64)) > 1e-12 {
			t.Errorf("branch point marker at %v, want (0, 0)", v)
		}
		tip := m["tip"].(string)
		for _, want := range []string{"branch point on branch 0", "eigenvalue 1", "another branch of fixed points crosses here"} {
			if !strings.Contains(tip, want) {
				t.Errorf("tip %q lacks %q", tip, want)
			}
		}
	}
	if markers != 1 {
		t.Errorf("%d marker series, want 1", markers)
	}
	var inLegend bool
	for _, n := range opt["legend"].(map[string]interface{})["data"].([]interface{}) {
		inLegend = inLegend || n == "branch point"
	}
	if !inLegend {
		t.Errorf("legend %v lacks \"branch point\"", opt["legend"])
	}
	var page strings.Builder
	if err := b.Render(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<tr data-row="1"><td>1</td><td>branch point</td><td>0</td>`) {
		t.Error("no table row for the branch point")
	}
}
