package finder

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// analyzed makes an analyzed point at x with the given saddle index.
func analyzed(x float64, nUnstable int, residual float64) Point {
	p := pt([]float64{x, 0}, []float64{1}, residual*residual/2)
	p.Residual = residual
	p.Stability = Stability{Analyzed: true, Stable: nUnstable == 0, NUnstable: nUnstable}
	return p
}

func TestSubsetAndFilters(t *testing.T) {
	fp := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{
		analyzed(0, 0, 1e-12), analyzed(1, 1, 1e-9), analyzed(2, 2, 1e-11), analyzed(3, 1, 0),
		pt([]float64{4, 0}, []float64{1}, 0), // not analyzed
	}}
	s, err := fp.Subset([]int{3, 0, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := xs(s); !reflect.DeepEqual(got, [][]float64{{3, 0}, {0, 0}, {3, 0}}) {
		t.Errorf("subset [3 0 3]: %v", got)
	}
	s.Points[0].X[0] = 99
	if fp.Points[3].X[0] != 3 || s.Points[2].X[0] != 3 {
		t.Error("subset points alias each other or the original")
	}
	if _, err := fp.Subset([]int{0, 5}); err == nil || !strings.Contains(err.Error(), "index 5 out of range [0, 5)") {
		t.Errorf("out of range: %v", err)
	}
	first := func(s *FixedPoints) []float64 {
		var v []float64
		for _, p := range s.Points {
			v = append(v, p.X[0])
		}
		return v
	}
	if got := first(fp.Stable()); !slices.Equal(got, []float64{0}) {
		t.Errorf("stable: %v", got)
	}
	if got := first(fp.Unstable()); !slices.Equal(got, []float64{1, 2, 3}) {
		t.Errorf("unstable: %v", got)
	}
	if got := first(fp.Certified(1e-11)); !slices.Equal(got, []float64{0, 2, 3, 4}) {
		t.Errorf("certified at 1e-11: %v", got)
	}
	want := map[int]int{0: 1, 1: 2, 2: 1}
	if got := fp.CountBySaddleIndex(); !maps.Equal(got, want) {
		t.Errorf("saddle counts %v, want %v", got, want)
	}
}

func TestConcat(t *testing.T) {
	a := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{analyzed(0, 0, 0)}}
	b := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{analyzed(1, 1, 0), analyzed(2, 1, 0)}}
	c, err := Concat(a, b, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := xs(c); !reflect.DeepEqual(got, [][]float64{{0, 0}, {1, 0}, {2, 0}, {0, 0}}) {
		t.Errorf("concat: %v", got)
	}
	c.Points[0].X[0] = 5
	if a.Points[0].X[0] != 0 || c.Points[3].X[0] != 0 {
		t.Error("concat aliases its inputs")
	}
	for _, bad := range []struct {
		sets []*FixedPoints
		msg  string
	}{
		{nil, "no sets"},
		{[]*FixedPoints{a, nil}, "set 1 is nil"},
		{[]*FixedPoints{a, {N: 3, M: 1, Dtype: "float64"}}, "set 1 has N=3"},
		{[]*FixedPoints{a, b, {N: 2, M: 0, Dtype: "float64"}}, "set 2 has N=2 M=0"},
		{[]*FixedPoints{a, {N: 2, M: 1, Dtype: "float32"}}, `dtype "float32"`},
	} {
		if _, err := Concat(bad.sets...); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("error %v, want one containing %q", err, bad.msg)
		}
	}
}

func TestFindContains(t *testing.T) {
	fp := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{
		pt([]float64{0, 0}, []float64{0}, 0),
		pt([]float64{0.3, 0.4}, []float64{0}, 0), // distance 0.5 from the origin
		pt([]float64{0, 0}, []float64{1}, 0),
		pt([]float64{0.03, 0.04}, []float64{0}, 0), // 0.05
	}}
	origin, u0 := []float64{0, 0}, []float64{0}
	for _, c := range []struct {
		tol  float64
		want []int
	}{{0, []int{0}}, {0.05, []int{0, 3}}, {0.5, []int{0, 1, 3}}, {1, []int{0, 1, 2, 3}}} {
		if got := fp.Find(origin, u0, c.tol); !slices.Equal(got, c.want) {
			t.Errorf("find within %v: %v, want %v", c.tol, got, c.want)
		}
	}
	if !fp.Contains([]float64{0.3, 0.4001}, u0, 1e-3) || fp.Contains([]float64{0.3, 0.402}, u0, 1e-3) {
		t.Error("contains near (0.3, 0.4) is wrong")
	}
	if fp.Find(origin, nil, 10) != nil || fp.Contains([]float64{0}, u0, 10) {
		t.Error("a query of the wrong length matched")
	}
}
