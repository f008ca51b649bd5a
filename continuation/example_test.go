package continuation_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/continuation"
	"github.com/rnnfp/fixedpoints/finder"
)

// Follow the fixed points of a one-unit tanh RNN, h' = tanh(2h + u), as its
// input goes from 0 to 1: the stable point at h < 0 and the saddle at 0
// meet in a fold at u = 0.532840.
func ExampleContinue() {
	cell := cells.NewVanilla(1, 1, cells.Tanh)
	for _, p := range cell.Params() {
		switch p.Name {
		case "w_ih_h_T":
			p.Data[0] = 1
		case "w_hh_h_T":
			p.Data[0] = 2
		}
	}
	ctx := context.Background()
	found, err := finder.Find(ctx, finder.Problem{Cell: cell, InitialStates: []float64{-1, 0.1, 1}, Inputs: []float64{0}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	path := continuation.Segment([]float64{0}, []float64{1})
	res, err := continuation.Continue(ctx, continuation.Problem{Cell: cell, Start: found.Fixed, Path: path}, continuation.Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d fixed points, %d branches\n", found.Fixed.Len(), len(res.Branches))
	for _, e := range res.Bifurcations {
		fmt.Printf("%s at u = %.6f, h = %.6f, eigenvalue %.6f\n", e.Kind, e.U[0], e.X[0], real(e.Eigenvalue))
	}
	// Output:
	// 3 fixed points, 2 branches
	// fold at u = 0.532840, h = -0.707107, eigenvalue 1.000000
}
