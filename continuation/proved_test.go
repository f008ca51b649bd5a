package continuation

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// TestFoldScalarProved: x' = tanh(2x + u) as a cells.Vanilla (Factored), u
// from 0 to 1 (see TestFoldScalar). Each point's count is proved except
// near the fold, where G' = 2 sech^2 - 1 vanishes and no proof can
// succeed, and every proved count agrees with the analytic eigenvalue
// 2 sech^2(2x + u); with ProveStabilityMaxN negative none is proved.
func TestFoldScalarProved(t *testing.T) {
	cell := cells.NewVanilla(1, 1, cells.Tanh)
	p := cell.Params()
	p[0].Data[0], p[1].Data[0] = 1, 2 // w_ih, w_hh
	prob := Problem{Cell: cell, Path: Segment([]float64{0}, []float64{1})}
	prob.Start = seeds(t, prob, [][]float64{{-1}, {0.1}, {1}, {-0.1}})
	for _, maxN := range []int{0, -1} {
		res, err := Continue(context.Background(), prob, Settings{ProveStabilityMaxN: maxN})
		if err != nil {
			t.Fatal(err)
		}
		proved, points, nearFold := 0, 0, 0
		for _, b := range res.Branches {
			for _, pt := range b.Points {
				points++
				x, u := pt.X[0], pt.U[0]
				lam := 2 / math.Pow(math.Cosh(2*x+u), 2)
				if math.Abs(lam-1) < 1e-6 {
					nearFold++
				}
				if !pt.Proved {
					if maxN == 0 && math.Abs(lam-1) > 1e-3 {
						t.Errorf("point at x = %v, u = %v (lambda %v) not proved", x, u, lam)
					}
					continue
				}
				proved++
				if maxN < 0 {
					t.Errorf("point at x = %v proved with ProveStabilityMaxN < 0", x)
				}
				if pt.NUndecided != 0 || (lam > 1) != (pt.NUnstable == 1) || pt.Stable != (lam < 1) {
					t.Errorf("point at x = %v, u = %v: lambda %v (|lambda - 1| = %.2g) but proved %+v", x, u, lam, math.Abs(lam-1), pt)
				}
			}
		}
		t.Logf("ProveStabilityMaxN %d: %d of %d points proved (%d within 1e-6 of the fold)", maxN, proved, points, nearFold)
		if maxN == 0 && proved == 0 {
			t.Error("no point proved")
		}
	}
}
