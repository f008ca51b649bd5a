package fixedpoints_test

// The end-to-end golden test: a small LSTM and a vanilla RNN trained on the
// 3-bit flip-flop (committed under testdata/), 1024 initial states sampled
// from their trajectories, the full search, and a comparison with the
// committed fixed points: counts by saddle index, every point matched, the
// eigenvalues. `go test . -run TestGolden -update` retrains the models (seed
// 6, validation MSE <= 1e-4) and rewrites the fixtures.

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/tasks"
)

var update = flag.Bool("update", false, "retrain the golden models and rewrite the golden fixed points")

const goldenSeed = 6

func goldenModel(t *testing.T, kind string) *tasks.Model {
	t.Helper()
	path := filepath.Join("testdata", fmt.Sprintf("flipflop-%s16.safetensors", kind))
	if *update {
		cell, err := cells.NewTorchCell(kind, 16, 3)
		if err != nil {
			t.Fatal(err)
		}
		m, err := tasks.NewModel(cell, 3, goldenSeed)
		if err != nil {
			t.Fatal(err)
		}
		res, err := tasks.Train(context.Background(), m, tasks.FlipFlop{}, tasks.TrainSettings{Seed: goldenSeed, TargetMSE: 1e-4, MaxEpochs: 300})
		if err != nil || !res.Reached {
			t.Fatalf("training %s: reached %v, %v", kind, res.Reached, err)
		}
		if err := tasks.SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
	}
	m, err := tasks.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// analyze samples 1024 states from 128 fresh trials and finds the fixed
// points under zero input, as examples/flipflop does.
func analyze(t *testing.T, m *tasks.Model) *finder.Result {
	t.Helper()
	ctx := context.Background()
	trials, err := tasks.FlipFlop{}.Generate(128, goldenSeed+1000)
	if err != nil {
		t.Fatal(err)
	}
	states, _, err := m.Run(ctx, trials)
	if err != nil {
		t.Fatal(err)
	}
	N := m.Cell.StateSize()
	smp, err := finder.SampleStates(finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}, 1024, 0.5, goldenSeed)
	if err != nil {
		t.Fatal(err)
	}
	// The golden points pin the search from the sampled states; completion,
	// which finds the RNN's 27th point, is tested in finder (complete_test.go).
	res, err := finder.Find(ctx, finder.Problem{Cell: m.Cell, InitialStates: smp.States, Inputs: make([]float64, 3)}, &finder.Settings{Seed: goldenSeed, NoComplete: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestGoldenFlipFlop(t *testing.T) {
	for _, kind := range []string{"lstm", "rnn"} {
		t.Run(kind, func(t *testing.T) {
			m := goldenModel(t, kind)
			res := analyze(t, m)
			got := res.Fixed
			golden := filepath.Join("testdata", fmt.Sprintf("flipflop-%s16-fixedpoints.json", kind))
			if *update {
				// Eigenvalues are compared; vectors and Jacobians would make
				// the fixture megabytes.
				slim := got.Clone()
				for i := range slim.Points {
					p := &slim.Points[i]
					p.Jacobian, p.InputJacobian = nil, nil
					for k := range p.Modes {
						p.Modes[k].Right, p.Modes[k].Left = nil, nil
					}
				}
				if err := fpjson.Save(golden, &finder.Result{Fixed: slim}); err != nil {
					t.Fatal(err)
				}
			}
			file, err := fpjson.Load(golden)
			if err != nil {
				t.Fatal(err)
			}
			want := file.Fixed
			// The flip-flop's memory: 8 stable corners and saddles of
			// index 1, 2 and 3 between them.
			counts := got.CountBySaddleIndex()
			if counts[0] != 8 || counts[1] == 0 || counts[2] == 0 || counts[3] == 0 {
				t.Errorf("counts by saddle index %v: want 8 stable and saddles of index 1, 2 and 3", counts)
			}
			wantCounts := want.CountBySaddleIndex()
			if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
				t.Errorf("counts by saddle index %v, golden %v", counts, wantCounts)
			}
			if got.Len() != want.Len() {
				t.Errorf("%d fixed points, golden %d", got.Len(), want.Len())
			}
			for i, w := range want.Points {
				idx := got.Find(w.X, w.U, 1e-8)
				if len(idx) != 1 {
					t.Errorf("golden point %d (%d unstable modes) found %d times", i, w.Stability.NUnstable, len(idx))
					continue
				}
				p := got.Points[idx[0]]
				if p.Residual > 1e-10 {
					t.Errorf("point %d: residual %g > 1e-10", i, p.Residual)
				}
				if len(p.Modes) != len(w.Modes) {
					t.Fatalf("point %d: %d modes, golden %d", i, len(p.Modes), len(w.Modes))
				}
				for k := range w.Modes {
					if d := cmplx.Abs(p.Modes[k].Value - w.Modes[k].Value); d > 1e-8 {
						t.Errorf("point %d mode %d: eigenvalue %v, golden %v", i, k, p.Modes[k].Value, w.Modes[k].Value)
					}
				}
				if p.Stability.NUnstable != w.Stability.NUnstable || p.Stability.Stable != w.Stability.Stable {
					t.Errorf("point %d: stability %+v, golden %+v", i, p.Stability, w.Stability)
				}
			}
			for _, p := range got.Points {
				if !(p.Residual <= 1e-10) || math.IsNaN(p.Q) {
					t.Errorf("reported point with residual %g", p.Residual)
				}
			}
			// Each golden and each found point is a fixed point of the cell as
			// PyTorch defines it, recomputed here in plain Go from the
			// state_dict, independently of the graph and of the recorded
			// residual field.
			sd := m.Cell.(interface{ StateDict() cells.StateDict }).StateDict()
			if x := append([]float64(nil), want.Points[0].X...); len(x) > 0 {
				x[0] += 1e-3 // the check is live: 1e-3 off a fixed point is not one
				if r := plainResidual(kind, sd, x, want.Points[0].U); !(r > 1e-6) {
					t.Errorf("plain-Go residual %g 1e-3 away from a fixed point", r)
				}
			}
			for _, set := range []*finder.FixedPoints{want, got} {
				for i, p := range set.Points {
					if r := plainResidual(kind, sd, p.X, p.U); !(r <= 1e-10) {
						t.Errorf("point %d: plain-Go residual max|F(x)-x| = %g > 1e-10", i, r)
					}
				}
			}
		})
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// plainResidual is max_i |F_i(x, u) - x_i| for PyTorch's nn.RNN (tanh) or
// nn.LSTM (state [h; c]) with the weights of sd, in plain Go:
//
//	RNN:  h' = tanh(W_ih u + b_ih + W_hh h + b_hh)
//	LSTM: [i f g o] = W_ih u + b_ih + W_hh h + b_hh; c' = s(f) c + s(i) tanh(g); h' = s(o) tanh(c')
func plainResidual(kind string, sd cells.StateDict, x, u []float64) float64 {
	wih, whh, bih, bhh := sd["weight_ih_l0"], sd["weight_hh_l0"], sd["bias_ih_l0"], sd["bias_hh_l0"]
	H, M := whh.Shape[1], wih.Shape[1]
	pre := func(row int, h []float64) float64 {
		s := bih.Data[row] + bhh.Data[row]
		for j := 0; j < M; j++ {
			s += wih.Data[row*M+j] * u[j]
		}
		for j := 0; j < H; j++ {
			s += whh.Data[row*H+j] * h[j]
		}
		return s
	}
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	res := 0.0
	h := x[:H]
	for k := 0; k < H; k++ {
		switch kind {
		case "rnn":
			res = math.Max(res, math.Abs(math.Tanh(pre(k, h))-x[k]))
		case "lstm":
			c := x[H+k]
			cn := sig(pre(H+k, h))*c + sig(pre(k, h))*math.Tanh(pre(2*H+k, h))
			hn := sig(pre(3*H+k, h)) * math.Tanh(cn)
			res = math.Max(res, math.Max(math.Abs(hn-x[k]), math.Abs(cn-c)))
		default:
			return math.NaN()
		}
	}
	return res
}
