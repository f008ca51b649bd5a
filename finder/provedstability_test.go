package finder

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// tanhRNN is a vanilla tanh RNN without inputs or biases whose recurrent
// matrix is w (row-major): 0 is a fixed point with Jacobian exactly w.
func tanhRNN(t *testing.T, w []float64) *cells.Vanilla {
	t.Helper()
	H := int(math.Sqrt(float64(len(w))))
	c := cells.NewVanilla(H, 0, cells.Tanh)
	p := c.Params()
	for i := 0; i < H; i++ {
		for j := 0; j < H; j++ {
			p[1].Data[j*H+i] = w[i*H+j] // w_hh stored transposed
		}
	}
	return c
}

func linearizeAtZero(t *testing.T, w []float64, s Settings) Point {
	t.Helper()
	c := tanhRNN(t, w)
	N := c.StateSize()
	fp := pointsAt(N, 0, [][]float64{make([]float64, N)}, nil)
	if err := Linearize(c, fp, s); err != nil {
		t.Fatal(err)
	}
	for i, v := range fp.Points[0].Jacobian {
		if v != w[i] {
			t.Fatalf("Jacobian %v, want w = %v: the test's premise is wrong", fp.Points[0].Jacobian, w)
		}
	}
	return fp.Points[0]
}

// TestProvedStabilityAtKnownRoots: tanh RNNs whose root 0 has Jacobian w
// exactly, so the true eigenvalues are known. 1.000025 and a complex pair
// of modulus 1.00008 are proved unstable, 0.5 and 0.3 stable, for the map
// and the flow; a Jordan block at 1 makes G' singular, so nothing is
// proved and the point is estimated; a Jordan block at 0.9 is proved
// stable or left estimated, never unstable; above ProveStabilityMaxN the
// estimates decide.
func TestProvedStabilityAtKnownRoots(t *testing.T) {
	c, s := 0.6, 0.8001 // |c + is| = 1.00008
	w := []float64{
		1.000025, 0, 0, 0, 0,
		0, c, -s, 0, 0,
		0, s, c, 0, 0,
		0, 0, 0, 0.5, 0,
		0, 0, 0, 0, 0.3,
	}
	for _, cont := range []bool{false, true} {
		p := linearizeAtZero(t, w, Settings{ContinuousTime: cont})
		st := p.Stability
		wantUnstable := 3
		if cont {
			wantUnstable = 1 // Re(mu) = -0.4 for the pair
		}
		if !st.Proved || st.NUnstable != wantUnstable || st.NUndecided != 0 {
			t.Errorf("continuous %v: %+v, want proved with %d unstable", cont, st, wantUnstable)
		}
		for _, m := range p.Modes {
			if !m.Proved || !(m.Bound < 1e-10) {
				t.Errorf("continuous %v: mode %v: proved %v, bound %.3g", cont, m.Value, m.Proved, m.Bound)
			}
		}
	}
	p := linearizeAtZero(t, w, Settings{ProveStabilityMaxN: 4})
	if p.Stability.Proved || p.Stability.NUnstable != 3 {
		t.Errorf("N = 5 above ProveStabilityMaxN 4: %+v, want estimated with 3 unstable", p.Stability)
	}
	for _, m := range p.Modes {
		if m.Proved {
			t.Errorf("mode %v proved above ProveStabilityMaxN", m.Value)
		}
	}

	p = linearizeAtZero(t, []float64{1, 1, 0, 1}, Settings{})
	if p.Stability.Proved || p.Stability.NUnstable != 0 {
		t.Errorf("Jordan block at 1: %+v, want estimated, no unstable mode", p.Stability)
	}
	for _, m := range p.Modes {
		if m.Proved {
			t.Errorf("Jordan block at 1: mode %v proved %v", m.Value, m.Class)
		}
	}
	p = linearizeAtZero(t, []float64{0.9, 1, 0, 0.9}, Settings{})
	for _, m := range p.Modes {
		if m.Proved && m.Class != ModeStable {
			t.Errorf("Jordan block at 0.9: mode %v proved %v", m.Value, m.Class)
		}
	}
	t.Logf("Jordan block at 0.9: %+v, bounds %.3g %.3g", p.Stability, p.Modes[0].Bound, p.Modes[1].Bound)
}

// TestProvedStabilityTorchGRU2: the 2-layer torch GRU fixture, found from
// the independent Newton solve's unsaturated points: every fixed point's
// stability is proved, with the saddle index numpy's eigenvalues of torch's
// autograd Jacobian give (gen_fixtures.py).
func TestProvedStabilityTorchGRU2(t *testing.T) {
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
	pts, sat, nun := newton["points"], newton["saturated"], newton["n_unstable"]
	N := pts.Shape[1]
	var starts [][]float64
	var want []int
	for i := 0; i < pts.Shape[0]; i++ {
		if sat.Data[i] == 0 {
			starts = append(starts, pts.Data[i*N:(i+1)*N])
			want = append(want, int(nun.Data[i]))
		}
	}
	var flat []float64
	for _, s := range starts {
		flat = append(flat, s...)
	}
	res, err := Find(context.Background(), Problem{Cell: cell, InitialStates: flat, Inputs: make([]float64, cell.InputSize())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for k, p := range res.Fixed.Points {
		if !p.Stability.Proved {
			t.Errorf("point %d: stability %+v not proved", k, p.Stability)
		}
		for i, s := range starts {
			d := 0.0
			for j := range s {
				d = math.Max(d, math.Abs(s[j]-p.X[j]))
			}
			if d < 1e-8 {
				matched++
				if p.Stability.NUnstable != want[i] {
					t.Errorf("point %d: proved saddle index %d, Newton's eigenvalues say %d", k, p.Stability.NUnstable, want[i])
				}
			}
		}
	}
	if matched != len(starts) || len(res.Fixed.Points) != len(starts) {
		t.Errorf("%d fixed points, %d matched to Newton's %d", len(res.Fixed.Points), matched, len(starts))
	}
	t.Logf("%d points, all proved; saddle indices equal Newton's", matched)
}

// TestStabilityProofsReuseRootProofs: Find's stability proofs, which take
// the existence radius of the search's own Krawczyk proof at each point
// (provedRadius) instead of proving the root again, give exactly what the
// public Linearize gives on the same points, proving every root again: the
// same classes, proved flags and bounds, on the trained flip-flop RNN-16
// (27 points, all proved).
func TestStabilityProofsReuseRootProofs(t *testing.T) {
	p := flipFlopProblem(t, "rnn")
	s := Settings{Seed: benchSeed}
	res, err := Find(context.Background(), p, &s)
	if err != nil {
		t.Fatal(err)
	}
	again := res.Fixed.Clone()
	if err := Linearize(p.Cell, again, res.Settings); err != nil {
		t.Fatal(err)
	}
	proved := 0
	for i, pt := range res.Fixed.Points {
		q := again.Points[i]
		if pt.Stability != q.Stability || len(pt.Modes) != len(q.Modes) {
			t.Fatalf("point %d: stability %+v, proved again %+v", i, pt.Stability, q.Stability)
		}
		for k, m := range pt.Modes {
			if n := q.Modes[k]; m.Class != n.Class || m.Proved != n.Proved || m.Bound != n.Bound || m.Value != n.Value {
				t.Fatalf("point %d mode %d: %v %v %g, proved again %v %v %g", i, k, m.Class, m.Proved, m.Bound, n.Class, n.Proved, n.Bound)
			}
		}
		if pt.Stability.Proved {
			proved++
		}
	}
	if res.Fixed.Len() != 27 || proved != 27 {
		t.Errorf("%d points, %d with proved stability; want 27, 27", res.Fixed.Len(), proved)
	}
}
