package tasks

import (
	"math"
	"testing"
)

// Two steps of Adam worked by hand from PyTorch's update rule
// (lr 0.1, betas 0.9/0.999, eps 1e-8).
func TestAdamMatchesPyTorchRule(t *testing.T) {
	p := [][]float64{{1, -2}}
	a := newAdam(0.1, []int{2})
	a.step(p, [][]float64{{0.5, -4}}, 1)
	// First step: m/(1-b1) = g, sqrt(v/(1-b2)) = |g|, so p -= lr*g/(|g|+eps).
	first := []float64{1 - 0.1*0.5/(0.5+1e-8), -2 + 0.1*4/(4+1e-8)}
	if math.Abs(p[0][0]-first[0]) > 1e-14 || math.Abs(p[0][1]-first[1]) > 1e-14 {
		t.Fatalf("after one step %v, want %v", p[0], first)
	}
	a.step(p, [][]float64{{1, 2}}, 0.5) // scaled gradient: {0.5, 1}
	for k, g := range [][2]float64{{0.5, 0.5}, {-4, 1}} {
		m := 0.9*(0.1*g[0]) + 0.1*g[1]
		v := 0.999*(0.001*g[0]*g[0]) + 0.001*g[1]*g[1]
		mh, vh := m/(1-0.81), v/(1-0.999*0.999)
		want := first[k] - 0.1*mh/(math.Sqrt(vh)+1e-8)
		if math.Abs(p[0][k]-want) > 1e-12 {
			t.Errorf("after two steps p[%d] = %v, want %v", k, p[0][k], want)
		}
	}
	if n := globalNorm([][]float64{{3}, {4, 0}}); n != 5 {
		t.Errorf("global norm %v, want 5", n)
	}
}
