package finder_test

import (
	"context"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// ExampleFind finds, certifies and classifies the fixed points of a GRU
// whose gates are saturated so that it is the idealized 2-bit flip-flop
// h' = tanh(2h): 9 fixed points, at every h in {-a, 0, a}^2.
func ExampleFind() {
	gru := cells.NewGRU(2, 1)
	p := gru.Params() // per gate r, z, n: w_ih_T, w_hh_T, b_ih, b_hh
	for i := 0; i < 2; i++ {
		p[2].Data[i] = 40  // reset gate open
		p[6].Data[i] = -40 // update gate closed
		p[9].Set(i, i, 2)  // candidate: tanh(2h)
	}
	starts := []float64{-1, -1, -1, 0.1, -1, 1, 0.1, -1, 0.1, 0.1, 0.1, 1, 1, -1, 1, 0.1, 1, 1}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: gru, InitialStates: starts, Inputs: []float64{0}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r6 := func(v float64) float64 { return math.Round(v*1e6)/1e6 + 0 } // + 0: no "-0.000000"
	for _, fp := range res.Fixed.Points {
		fmt.Printf("x* = [%+.6f %+.6f]  residual <= 1e-15: %v  unstable modes: %d  top |lambda| = %.6f\n",
			r6(fp.X[0]), r6(fp.X[1]), fp.Residual <= 1e-15, fp.Stability.NUnstable, fp.Stability.MaxAbs)
	}
	// Output:
	// x* = [-0.957504 -0.957504]  residual <= 1e-15: true  unstable modes: 0  top |lambda| = 0.166372
	// x* = [-0.957504 +0.000000]  residual <= 1e-15: true  unstable modes: 1  top |lambda| = 2.000000
	// x* = [-0.957504 +0.957504]  residual <= 1e-15: true  unstable modes: 0  top |lambda| = 0.166372
	// x* = [+0.000000 -0.957504]  residual <= 1e-15: true  unstable modes: 1  top |lambda| = 2.000000
	// x* = [+0.000000 +0.000000]  residual <= 1e-15: true  unstable modes: 2  top |lambda| = 2.000000
	// x* = [+0.000000 +0.957504]  residual <= 1e-15: true  unstable modes: 1  top |lambda| = 2.000000
	// x* = [+0.957504 -0.957504]  residual <= 1e-15: true  unstable modes: 0  top |lambda| = 0.166372
	// x* = [+0.957504 +0.000000]  residual <= 1e-15: true  unstable modes: 1  top |lambda| = 2.000000
	// x* = [+0.957504 +0.957504]  residual <= 1e-15: true  unstable modes: 0  top |lambda| = 0.166372
}
