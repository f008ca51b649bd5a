package orbits_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
)

// The map x -> tanh(-2x) flips its sign each step: its fixed point 0 is
// unstable and its one periodic orbit is the 2-cycle +-x*, x* = tanh(2x*),
// with the Floquet multiplier (2 (1 - x*^2))^2.
func ExampleFind() {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = -2 // the recurrent weight
	s := orbits.DefaultSettings()
	s.MaxPeriod = 4
	res, err := orbits.Find(context.Background(), orbits.Problem{Cell: c, InitialStates: []float64{-1, -0.3, 0.2, 0.8}}, &s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Orbits {
		fmt.Printf("period %d: %.6f %.6f, multiplier %.6f, stable %v, proved %v\n",
			o.Period, o.Points[0][0], o.Points[1][0], real(o.Floquet[0].Value), o.Stable, o.Proof != nil && o.Proof.MinimalPeriod)
	}
	// Output:
	// period 2: -0.957504 0.957504, multiplier 0.027680, stable true, proved true
}
