package stability_test

import (
	"context"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/fftest"
	"github.com/rnnfp/fixedpoints/stability"
)

// boxWidth is the radius of the interval Jacobians of the example tests
// around each fixed point's floating Jacobian.
const boxWidth = 1e-12

// checkPoints encloses the eigenvalues of every fixed point's Jacobian J in
// a box of radius boxWidth whose midpoint is J moved by boxWidth/2 in each
// entry (alternating signs), so that J lies in the box but is not its
// midpoint, and compares the proved classes with the big.Float eigenvalues
// of J.
func checkPoints(t *testing.T, name string, fp *finder.FixedPoints) {
	t.Helper()
	if len(fp.Points) == 0 {
		t.Fatalf("%s: no fixed points", name)
	}
	N := fp.N
	rad := make([]float64, N*N)
	for i := range rad {
		rad[i] = boxWidth
	}
	var decided, modes, agree int
	for k, p := range fp.Points {
		mid := make([]float64, N*N)
		for i, v := range p.Jacobian {
			mid[i] = v + boxWidth/2*float64(1-2*(i*7%3%2))
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
	t.Logf("%s: %d points, N = %d: %d of %d modes proved, %d points fully decided and equal to the reference", name, len(fp.Points), N, decided, modes, agree)
}

// TestEncloseFlipFlopExamples: the committed flip-flop networks (RNN-16 and
// LSTM-16, and GRU-16 made by go run ./examples/flipflop -cell gru -seed 6).
func TestEncloseFlipFlopExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("searches")
	}
	for _, name := range []string{"rnn16", "lstm16", "gru16"} {
		_, res := fftest.Find(t, "../testdata/flipflop-"+name+".safetensors")
		checkPoints(t, name, res.Fixed)
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
	checkPoints(t, "torch gru2", res.Fixed)
}
