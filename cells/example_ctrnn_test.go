package cells_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// ExampleCTRNN finds the fixed points of a continuous-time RNN and judges
// them for its flow: a 2-unit rate-form CTRNN with self-excitation 2,
// tanh and alpha = dt/tau = 0.1 has the 9 fixed points of tanh(2x) in each
// unit (whatever alpha), and for the flow 4 are stable, 4 have one
// unstable mode and 1 has two. Each map eigenvalue mu is 1 + alpha lambda.
func ExampleCTRNN() {
	c, err := cells.NewCTRNN(2, 0, 0.1, cells.FormRate, cells.ActTanh)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := c.Params()[1] // W transposed
	w.Set(0, 0, 2)
	w.Set(1, 1, 2)
	var starts []float64
	for _, a := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
		for _, b := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
			starts = append(starts, a, b)
		}
	}
	s := finder.DefaultSettings()
	s.ContinuousTime = true
	res, err := finder.Find(context.Background(), finder.Problem{Cell: c, InitialStates: starts}, &s)
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := res.Fixed.CountBySaddleIndex()
	fmt.Printf("%d fixed points: %d stable, %d with one unstable mode, %d with two\n", res.Fixed.Len(), counts[0], counts[1], counts[2])
	// Output:
	// 9 fixed points: 4 stable, 4 with one unstable mode, 1 with two
}
