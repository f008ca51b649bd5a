package finder

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// flipflopCell is F(x) = tanh(w x) on N units: the idealized N-bit flip-flop,
// with fixed points at every x in {-a, 0, a}^N, a = tanh(w a).
func flipflopCell(n int, w float64) *cells.Vanilla {
	c := cells.NewVanilla(n, 0, cells.Tanh)
	whh := c.Params()[1]
	for i := 0; i < n; i++ {
		whh.Set(i, i, w)
	}
	return c
}

// flipflopA solves a = tanh(w a), a > 0, by Newton's method.
func flipflopA(w float64) float64 {
	a := 1.0
	for i := 0; i < 100; i++ {
		t := math.Tanh(w * a)
		a -= (a - t) / (1 - w*(1-t*t))
	}
	return a
}

func grid(n, k int, lo, hi float64) []float64 {
	total := 1
	for i := 0; i < n; i++ {
		total *= k
	}
	out := make([]float64, 0, total*n)
	for idx := 0; idx < total; idx++ {
		r := idx
		for i := 0; i < n; i++ {
			out = append(out, lo+(hi-lo)*float64(r%k)/float64(k-1))
			r /= k
		}
	}
	return out
}

func TestFindFlipFlopSearchOnly(t *testing.T) {
	c := flipflopCell(3, 2)
	res, err := Find(context.Background(), Problem{Cell: c, InitialStates: grid(3, 5, -1.5, 1.5)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("status %v stats %+v fixed %d slow %d", res.Status, res.Stats, res.Fixed.Len(), res.Slow.Len())
	maxQ, maxR := 0.0, 0.0
	for _, p := range res.Fixed.Points {
		maxQ = math.Max(maxQ, p.Q)
		maxR = math.Max(maxR, p.Residual)
	}
	t.Logf("max q %g max residual %g", maxQ, maxR)
}
