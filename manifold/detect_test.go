package manifold

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// linearized returns points at xs under input u, linearized on cell.
func linearized(t *testing.T, cell interface {
	StateSize() int
	InputSize() int
}, xs [][]float64, u []float64) *finder.FixedPoints {
	t.Helper()
	fp := &finder.FixedPoints{N: cell.StateSize(), M: cell.InputSize(), Dtype: "float64"}
	for _, x := range xs {
		fp.Points = append(fp.Points, finder.Point{X: x, U: u})
	}
	return fp
}

// TestDetectRingAndLine: twelve points on the ring of the radial map are one
// 1-D manifold; a point near the origin (|lambda| about 1.6) and points off the ring whose
// leading mode is far from 1 are not members. Twelve points on the line of
// a linear map with eigenvalue 1, split under two inputs, are two manifolds.
func TestDetectRingAndLine(t *testing.T) {
	ring := newRingCell(0.4, 1.5)
	var xs [][]float64
	for k := 0; k < 12; k++ {
		a := 2 * math.Pi * float64(k) / 12
		xs = append(xs, []float64{1.5 * math.Cos(a), 1.5 * math.Sin(a), 0})
	}
	xs = append(xs, []float64{0.05, 0, 0}, []float64{0.3, 0.2, 0}, []float64{-0.2, 0.25, 0})
	fp := linearized(t, ring, xs, nil)
	if err := finder.Linearize(ring, fp, finder.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	groups, err := Detect(fp, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if len(groups) != 1 || groups[0].Dim != 1 || !slices.Equal(groups[0].Members, want) {
		t.Fatalf("groups %+v, want one 1-D group of the 12 ring points", groups)
	}

	// A line under two inputs: A = diag(1, 0.5), B = I; at u = (0, 0) the
	// line is the x1 axis; at u = (0, 1) it is x2 = 2 (a shifted copy).
	line := newAffineCell(2, 2, []float64{1, 0, 0, 0.5}, []float64{1, 0, 0, 1})
	var ls [][]float64
	for k := 0; k < 6; k++ {
		ls = append(ls, []float64{0.1 * float64(k), 0})
	}
	fl := linearized(t, line, ls, []float64{0, 0})
	for k := 0; k < 6; k++ {
		fl.Points = append(fl.Points, finder.Point{X: []float64{0.1 * float64(k), 2}, U: []float64{0, 1}})
	}
	if err := finder.Linearize(line, fl, finder.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	groups, err = Detect(fl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || !slices.Equal(groups[0].Members, []int{0, 1, 2, 3, 4, 5}) || !slices.Equal(groups[1].Members, []int{6, 7, 8, 9, 10, 11}) {
		t.Fatalf("groups %+v, want the two lines apart", groups)
	}
	// Points across the line (x2 direction, the fast mode) are not aligned.
	across := linearized(t, line, [][]float64{{0, 0}, {0, 0.1}, {0, 0.2}, {0, 0.3}}, []float64{0, 0})
	if err := finder.Linearize(line, across, finder.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	if groups, _ = Detect(across, nil); len(groups) != 0 {
		t.Errorf("points stacked across the slow direction grouped: %+v", groups)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, s := range []Settings{{Band: -1}, {AlignTol: 2}, {Step: math.NaN()}, {MaxPoints: -1}, {Step: 1, MaxStep: 0.5}} {
		if _, err := Trace(context.Background(), Problem{Cell: newRingCell(0.4, 1), Start: []float64{1, 0, 0}}, &s); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	if _, err := Trace(context.Background(), Problem{Cell: newRingCell(0.4, 1), Start: []float64{1, 0}}, nil); err == nil {
		t.Error("start of the wrong size: no error")
	}
	if _, err := Trace(context.Background(), Problem{Start: []float64{1, 0}}, nil); err == nil {
		t.Error("no cell: no error")
	}
}
