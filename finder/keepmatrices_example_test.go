package finder_test

import (
	"context"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// ExampleLinearizePoints: above Settings.KeepMatricesMaxN states (256 by
// default; 1 here, below the network's 2) Find keeps of each fixed point
// its eigenvalues, their classes and proofs, but not its Jacobian nor the
// eigenvectors the connections do not need. LinearizePoints fills them
// again for the points wanted, here the saddle at the origin of the
// 2-bit flip-flop h' = tanh(2h).
func ExampleLinearizePoints() {
	cell := cells.NewVanilla(2, 0, cells.Tanh)
	cell.Params()[1].Set(0, 0, 2)
	cell.Params()[1].Set(1, 1, 2)
	var starts []float64
	for _, a := range []float64{-1, 0.1, 1} {
		for _, b := range []float64{-1, 0.1, 1} {
			starts = append(starts, a, b)
		}
	}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: cell, InitialStates: starts}, &finder.Settings{KeepMatricesMaxN: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fp := res.Fixed
	origin := fp.Find([]float64{0, 0}, nil, 1e-9)[0]
	p := &fp.Points[origin]
	value := p.Modes[0].Value
	_, err = p.Predict([]float64{0.01, 0}, nil)
	fmt.Printf("Find: %d points, %d Jacobian values, %d unstable modes (proved: %v), left vector: %v\n", fp.Len(), len(p.Jacobian), p.Stability.NUnstable, p.Stability.Proved, p.Modes[0].Left != nil)
	fmt.Println("Predict:", err != nil)
	if err := finder.LinearizePoints(cell, fp, []int{origin}, res.Settings); err != nil {
		fmt.Println(err)
		return
	}
	p = &fp.Points[origin]
	y, err := p.Predict([]float64{0.01, 0}, nil)
	fmt.Printf("LinearizePoints: %d Jacobian values, %d unstable modes (proved: %v), left vector: %v, same eigenvalue: %v\n", len(p.Jacobian), p.Stability.NUnstable, p.Stability.Proved, p.Modes[0].Left != nil, p.Modes[0].Value == value)
	fmt.Printf("Predict: F(0.01, 0) = [%.4f %.4f] (error %v)\n", y[0], y[1], err)
	// Output:
	// Find: 9 points, 0 Jacobian values, 2 unstable modes (proved: true), left vector: false
	// Predict: true
	// LinearizePoints: 4 Jacobian values, 2 unstable modes (proved: true), left vector: true, same eigenvalue: true
	// Predict: F(0.01, 0) = [0.0200 0.0000] (error <nil>)
}
