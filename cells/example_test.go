package cells_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	G "gorgonia.org/gorgonia"
)

// leaky is a user-defined cell: a leaky tanh network
// F(x, u) = (1 - a) x + a tanh(x W + u), W = w I, built from gorgonia ops.
type leaky struct {
	a, w float64
	n    int
	ps   []*cells.Param
}

func newLeaky(n int, a, w float64) *leaky {
	W := cells.NewParam("w", n, n)
	for i := 0; i < n; i++ {
		W.Set(i, i, w)
	}
	return &leaky{a: a, w: w, n: n, ps: []*cells.Param{W}}
}

func (c *leaky) StateSize() int         { return c.n }
func (c *leaky) InputSize() int         { return c.n }
func (c *leaky) Params() []*cells.Param { return c.ps }

// Step builds F for a batch; every constant is named, as gorgonia merges
// unnamed constants of equal value.
func (c *leaky) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	xw, err := G.Mul(x, p[0])
	if err != nil {
		return nil, err
	}
	pre, err := G.Add(xw, u)
	if err != nil {
		return nil, err
	}
	th, err := G.Tanh(pre)
	if err != nil {
		return nil, err
	}
	a := G.NewConstant(c.a, G.WithName("leak"))
	keep := G.NewConstant(1-c.a, G.WithName("keep"))
	ax, err := G.HadamardProd(x, keep)
	if err != nil {
		return nil, err
	}
	at, err := G.HadamardProd(th, a)
	if err != nil {
		return nil, err
	}
	return G.Add(ax, at)
}

// Example_userCell finds the fixed points of a user-defined cell: a
// 2-unit leaky network with self-excitation 2 has the 9 fixed points of
// tanh(2x) (a = 0.957504), whatever its leak.
func Example_userCell() {
	cell := newLeaky(2, 0.3, 2)
	var starts []float64
	for _, a := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
		for _, b := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
			starts = append(starts, a, b)
		}
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: cell, InitialStates: starts, Inputs: []float64{0, 0}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := res.Fixed.CountBySaddleIndex()
	fmt.Printf("%d fixed points: %d stable, %d with one unstable mode, %d with two\n", res.Fixed.Len(), counts[0], counts[1], counts[2])
	// Output:
	// 9 fixed points: 4 stable, 4 with one unstable mode, 1 with two
}
