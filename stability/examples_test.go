package stability_test

import (
	"context"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/fftest"
	"github.com/rnnfp/fixedpoints/proof"
	"github.com/rnnfp/fixedpoints/stability"
)

// boxWidth is the radius of the shifted boxes of the example tests (see
// checkPoints).
const boxWidth = 1e-12

// checkPoints proves the stability of every fixed point of fp twice and
// compares the proved classes with the big.Float eigenvalues of the
// point's floating Jacobian J:
//
//   - in the proof's box: Krawczyk's proof on the cell's factored equation
//     G gives a radius r holding the root, and proof.RootJacobianRadius the
//     enclosure of dF/dx at that root around J (J itself is in it);
//   - in a box of radius boxWidth whose midpoint is J moved by boxWidth/2
//     in each entry (alternating signs), so that J lies in the box but is
//     not its midpoint: an enclosure that ignored the box's radius, or
//     shrank the discs, would miss J's eigenvalues and fail.
func checkPoints(t *testing.T, name string, cell cells.Cell, u []float64, fp *finder.FixedPoints) {
	t.Helper()
	if len(fp.Points) == 0 {
		t.Fatalf("%s: no fixed points", name)
	}
	fc, ok := cell.(cells.Factored)
	if !ok {
		t.Fatalf("%s: the cell has no factorization", name)
	}
	N := fp.N
	shifted := make([]float64, N*N)
	for i := range shifted {
		shifted[i] = boxWidth
	}
	for _, box := range []string{"proof box", "shifted box"} {
		var decided, modes, agree, proved int
		maxRad := 0.0
		for k, p := range fp.Points {
			mid, rad := p.Jacobian, shifted
			if box == "proof box" {
				res, err := proof.Krawczyk(proof.CellSystem(fc, u), p.X, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Proved {
					t.Logf("%s point %d: no proof (%s)", name, k, res.Reason)
					continue
				}
				rad, err = proof.RootJacobianRadius(fc, p.X, u, res.Radius, p.Jacobian)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				mid = make([]float64, N*N)
				for i, v := range p.Jacobian {
					mid[i] = v + boxWidth/2*float64(1-2*(i*7%3%2))
				}
			}
			proved++
			for _, r := range rad {
				maxRad = max(maxRad, r)
			}
			e, err := stability.Enclose(N, mid, rad)
			if err != nil {
				t.Fatal(err)
			}
			if !e.Proved {
				t.Errorf("%s point %d: not proved: %s", name, k, e.Reason)
				continue
			}
			pu, ru, d := stability.CheckAgainstBig(t, N, p.Jacobian, e)
			decided += d
			modes += N
			if d == N {
				if pu != ru {
					t.Errorf("%s point %d: saddle index %d proved, reference %d", name, k, pu, ru)
				} else {
					agree++
				}
			}
		}
		t.Logf("%s, %s: %d points (%d boxes, largest Jacobian radius %.2g), N = %d: %d of %d modes proved, %d points fully decided, saddle index equal to the reference", name, box, len(fp.Points), proved, maxRad, N, decided, modes, agree)
	}
}

// TestEncloseFlipFlopExamples: the committed flip-flop networks (RNN-16 and
// LSTM-16, and GRU-16 made by go run ./examples/flipflop -cell gru -seed 6).
func TestEncloseFlipFlopExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("searches")
	}
	for _, name := range []string{"rnn16", "lstm16", "gru16"} {
		m, res := fftest.Find(t, "../testdata/flipflop-"+name+".safetensors")
		checkPoints(t, name, m.Cell, make([]float64, m.Cell.InputSize()), res.Fixed)
	}
}

func TestEncloseTorchGRU2(t *testing.T) {
	if testing.Short() {
		t.Skip("a search")
	}
	dir := "../cells/testdata/"
	cell, _, err := cells.LoadModel(dir+"flipflop_gru2.pt", cells.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newton, err := cells.ReadStateDict(dir + "flipflop_gru2.newton.npz")
	if err != nil {
		t.Fatal(err)
	}
	pts, sat := newton["points"], newton["saturated"]
	N := pts.Shape[1]
	var starts []float64
	for i := 0; i < pts.Shape[0]; i++ {
		if sat.Data[i] == 0 {
			starts = append(starts, pts.Data[i*N:(i+1)*N]...)
		}
	}
	p := finder.Problem{Cell: cell, InitialStates: starts, Inputs: make([]float64, cell.InputSize())}
	res, err := finder.Find(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPoints(t, "torch gru2", cell, p.Inputs, res.Fixed)
}
