package finder

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func xs(fp *FixedPoints) [][]float64 {
	var out [][]float64
	for _, p := range fp.Points {
		out = append(out, p.X)
	}
	return out
}

func TestExcludeDistanceOutliers(t *testing.T) {
	// Centroid (3, 2); each initial state is at distance 1 from it, so r = 1
	// and the ratio of a point is its distance to (3, 2).
	init := []float64{2, 2, 4, 2, 3, 1, 3, 3}
	fp := &FixedPoints{N: 2, Dtype: "float64", Points: []Point{
		pt([]float64{3, 2}, nil, 0),          // ratio 0: kept
		pt([]float64{3, 11.99}, nil, 0),      // 9.99: kept
		pt([]float64{3, 12}, nil, 0),         // exactly 10: dropped, as the reference
		pt([]float64{-7, 2}, nil, 0),         // 10: dropped
		pt([]float64{9, 9.9}, nil, 0),        // sqrt(36 + 62.41) = 9.92: kept
		pt([]float64{math.NaN(), 0}, nil, 0), // NaN: dropped
		pt([]float64{100, 100}, nil, 0),      // far: dropped
	}}
	kept, dropped, err := fp.ExcludeDistanceOutliers(init, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{3, 2}, {3, 11.99}, {9, 9.9}}
	if dropped != 4 || !slices.EqualFunc(xs(kept), want, slices.Equal) {
		t.Fatalf("kept %v (dropped %d), want %v (dropped 4)", xs(kept), dropped, want)
	}
	kept.Points[0].X[0] = -1
	if fp.Points[0].X[0] != 3 {
		t.Error("kept points alias the original")
	}

	// Mean distance not 1: states at distances 1 and 3 from centroid 0 give
	// r = 2, so the boundary for scale 2.5 is at distance 5.
	init = []float64{-1, 0, 1, 0, 0, -3, 0, 3}
	fp = &FixedPoints{N: 2, Dtype: "float64", Points: []Point{
		pt([]float64{4.999, 0}, nil, 0), pt([]float64{0, 5}, nil, 0), pt([]float64{3, 4.01}, nil, 0),
	}}
	kept, dropped, err = fp.ExcludeDistanceOutliers(init, 2.5)
	if err != nil {
		t.Fatal(err)
	}
	if dropped != 2 || kept.Len() != 1 || kept.Points[0].X[0] != 4.999 {
		t.Errorf("r = 2, scale 2.5: kept %v, dropped %d; want [[4.999 0]], 2", xs(kept), dropped)
	}
}

func TestExcludeDistanceOutliersDegenerate(t *testing.T) {
	fp := &FixedPoints{N: 2, Dtype: "float64", Points: []Point{
		pt([]float64{1e6, 0}, nil, 0), pt([]float64{0, 0}, nil, 0),
	}}
	// One initial state (or several equal ones): r = 0, everything is kept.
	for _, init := range [][]float64{{5, 5}, {5, 5, 5, 5}} {
		kept, dropped, err := fp.ExcludeDistanceOutliers(init, 10)
		if err != nil || dropped != 0 || kept.Len() != 2 {
			t.Errorf("initial states %v: kept %d, dropped %d, err %v; want all kept", init, kept.Len(), dropped, err)
		}
	}
	for _, c := range []struct {
		init []float64
		msg  string
	}{
		{nil, "0 initial state values"},
		{[]float64{1, 2, 3}, "3 initial state values"},
		{[]float64{1, 2, 3, math.Inf(1)}, "initial state 1, unit 1 is +Inf"},
	} {
		_, _, err := fp.ExcludeDistanceOutliers(c.init, 10)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("initial states %v: error %v, want one containing %q", c.init, err, c.msg)
		}
	}
}

func qset(qs ...float64) *FixedPoints {
	fp := &FixedPoints{N: 1, Dtype: "float64"}
	for _, q := range qs {
		fp.Points = append(fp.Points, pt([]float64{0}, nil, q))
	}
	return fp
}

func TestQOutliers(t *testing.T) {
	for _, c := range []struct {
		qs    []float64
		scale float64
		want  []int
	}{
		// Median of the non-NaN q is 3, the limit 30.
		{[]float64{1, 2, 3, 100, math.NaN(), 30.0001}, 10, []int{3, 4, 5}},
		{[]float64{1, 2, 3, 30, 30.0001}, 10, []int{4}},
		// Even count: median (2+3)/2 = 2.5.
		{[]float64{1, 2, 3, 4}, 2, nil},
		{[]float64{1, 2, 3, 4}, 1, []int{2, 3}},
		{[]float64{1e-30, 1e-30, math.Inf(1)}, 10, []int{2}},
		// All converged exactly: any q above 0 is an outlier, as the reference.
		{[]float64{0, 0, 0, 1e-300}, 10, []int{3}},
		{nil, 10, nil},
	} {
		if got := qset(c.qs...).QOutliers(c.scale); !slices.Equal(got, c.want) {
			t.Errorf("q %v scale %v: outliers %v, want %v", c.qs, c.scale, got, c.want)
		}
	}
}

func TestRandomSubset(t *testing.T) {
	fp := qset(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	qsOf := func(s *FixedPoints) []float64 {
		var q []float64
		for _, p := range s.Points {
			q = append(q, p.Q)
		}
		return q
	}
	a := qsOf(fp.RandomSubset(3, 42))
	if len(a) != 3 || !slices.IsSorted(a) || a[0] == a[1] || a[1] == a[2] {
		t.Fatalf("subset %v, want 3 distinct points in original order", a)
	}
	if b := qsOf(fp.RandomSubset(3, 42)); !slices.Equal(a, b) {
		t.Errorf("same seed gave %v then %v", a, b)
	}
	if got := fp.RandomSubset(10, 1).Len(); got != 10 {
		t.Errorf("n = Len keeps %d", got)
	}
	if got := fp.RandomSubset(20, 1).Len(); got != 10 {
		t.Errorf("n > Len keeps %d", got)
	}
	if got := fp.RandomSubset(0, 1).Len(); got != 0 {
		t.Errorf("n = 0 keeps %d", got)
	}
	// Uniform: over 2000 seeds each point is chosen 600 times on average
	// (std 20.5); allow 5 std.
	count := make([]int, 10)
	for seed := range uint64(2000) {
		for _, q := range qsOf(fp.RandomSubset(3, seed)) {
			count[int(q)]++
		}
	}
	for i, c := range count {
		if math.Abs(float64(c)-600) > 103 {
			t.Errorf("point %d chosen %d times in 2000 draws of 3 of 10, want about 600", i, c)
		}
	}
}
