package finder_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	G "gorgonia.org/gorgonia"
)

// ExampleSettings_newSolver plugs gorgonia's stock RMSProp into the
// first-order search of the idealized 3-bit flip-flop x' = tanh(2x): a new
// solver per batch, candidates frozen as they finish. The first-order search
// runs down to q < 1e-8 here (HandoffQ), then Levenberg-Marquardt certifies
// all 27 fixed points.
func ExampleSettings_newSolver() {
	rnn := cells.NewVanilla(3, 0, cells.Tanh)
	for i := 0; i < 3; i++ {
		rnn.Params()[1].Set(i, i, 2) // W_hh = 2I
	}
	var starts []float64 // the 4^3 grid on [-1.2, 1.2]^3
	for k := 0; k < 64; k++ {
		starts = append(starts, -1.2+0.8*float64(k%4), -1.2+0.8*float64(k/4%4), -1.2+0.8*float64(k/16))
	}
	s := &finder.Settings{
		NewSolver: func(rows, n int) G.Solver { return G.NewRMSPropSolver(G.WithLearnRate(0.01)) },
		HandoffQ:  1e-8,
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: rnn, InitialStates: starts}, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Stats.Certified, "of", res.Stats.Candidates, "candidates certified")
	fmt.Println(res.Fixed.Len(), "fixed points; by unstable modes:", res.Fixed.CountBySaddleIndex())
	// Output:
	// Converged 64 of 64 candidates certified
	// 27 fixed points; by unstable modes: map[0:8 1:12 2:6 3:1]
}
