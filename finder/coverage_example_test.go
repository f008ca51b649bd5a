package finder_test

import (
	"context"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// Basin hit counts of five points: three were reached by one initial state
// each, one by two, one by five. Chao1 estimates 3^2/(2*1) = 4.5 points that
// no initial state reached.
func ExampleNewCoverage() {
	c := finder.NewCoverage([]int{1, 1, 1, 2, 5})
	fmt.Println(c)
	// Output: 5 found; estimated unseen 4.5 (Chao1; 3 points seen once, 1 twice)
}

// The idealized 2-bit flip-flop h' = tanh(2h), searched from its four
// corners only: completion finds the five saddles, and each unstable mode
// is followed to where it settles.
func ExampleConnection() {
	cell := cells.NewVanilla(2, 0, cells.Tanh)
	cell.Params()[1].Set(0, 0, 2)
	cell.Params()[1].Set(1, 1, 2)
	corners := []float64{-1, -1, 1, -1, -1, 1, 1, 1}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: cell, InitialStates: corners}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Fixed.Coverage)
	fmt.Println(finder.ConnectionCounts(res.Fixed.Connections))
	for _, c := range res.Fixed.Connections {
		from, to := res.Fixed.Points[c.From], res.Fixed.Points[c.To]
		if from.Stability.NUnstable == 1 {
			fmt.Printf("%v -> %v (%s after %d steps)\n", round2(from.X), round2(to.X), c.End, c.Steps)
		}
	}
	// Output:
	// 9 found; estimated unseen 1.0 (bias-corrected Chao1; 4 points seen once, 0 twice; 5 found by completion alone)
	// 12 trajectories: 8 stable, 4 fixed
	// [0 -0.96] -> [0.96 -0.96] (stable after 16 steps)
	// [0 -0.96] -> [-0.96 -0.96] (stable after 16 steps)
	// [-0.96 0] -> [-0.96 0.96] (stable after 16 steps)
	// [-0.96 0] -> [-0.96 -0.96] (stable after 16 steps)
	// [0.96 0] -> [0.96 0.96] (stable after 16 steps)
	// [0.96 0] -> [0.96 -0.96] (stable after 16 steps)
	// [0 0.96] -> [0.96 0.96] (stable after 16 steps)
	// [0 0.96] -> [-0.96 0.96] (stable after 16 steps)
}

// round2 rounds to two decimals, with no negative zero.
func round2(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Round(v*100) / 100
		if out[i] == 0 {
			out[i] = 0
		}
	}
	return out
}
