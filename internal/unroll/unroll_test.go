package unroll

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// refUnrolledLoss is the unrolled loss in plain Go from the PyTorch
// equations: inputs B x T x M, targets B x T x O, w R x O, b 1 x O.
func refUnrolledLoss(c cells.TorchCell, x0 []float64, w, b *cells.Param, inputs, targets []float64, B, T int) (loss float64, outputs []float64) {
	N, M, O, R := c.StateSize(), c.InputSize(), w.Cols, w.Rows
	outputs = make([]float64, B*T*O)
	for i := 0; i < B; i++ {
		x := make([]float64, N)
		copy(x, x0)
		for t := 0; t < T; t++ {
			x = torchref.Step(c, x, inputs[(i*T+t)*M:(i*T+t+1)*M])
			for o := 0; o < O; o++ {
				y := b.Data[o]
				for j := 0; j < R; j++ {
					y += x[j] * w.At(j, o)
				}
				outputs[(i*T+t)*O+o] = y
				d := y - targets[(i*T+t)*O+o]
				loss += d * d
			}
		}
	}
	return loss / float64(B*T*O), outputs
}

func unrollFixture(name string, c cells.TorchCell, learnX0 bool) (w, b, x0 *cells.Param, in, tg []float64) {
	const B, T, O = 3, 5, 2
	r := rand.New(rand.NewPCG(7, uint64(len(name))))
	R := c.Hidden()
	w = cells.NewParam("w", R, O)
	copy(w.Data, torchref.RandVec(r, R*O))
	b = cells.NewParam("b", 1, O)
	copy(b.Data, torchref.RandVec(r, O))
	if learnX0 {
		x0 = cells.NewParam("x0", 1, c.StateSize())
		for i := range x0.Data {
			x0.Data[i] = 0.5 * r.NormFloat64()
		}
	}
	return w, b, x0, torchref.RandVec(r, B*T*c.InputSize()), torchref.RandVec(r, B*T*O)
}

func TestUnrolledMatchesPlainGo(t *testing.T) {
	const B, T = 3, 5
	for name, c := range torchref.Cells() {
		for _, learnX0 := range []bool{false, true} {
			w, b, x0, in, tg := unrollFixture(name, c, learnX0)
			u, err := New(c, w, b, x0, Config{Batch: B, Steps: T})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := u.SetSequences(in, tg); err != nil {
				t.Fatal(err)
			}
			var x0v []float64
			if x0 != nil {
				x0v = x0.Data
			}
			want, wantOut := refUnrolledLoss(c, x0v, w, b, in, tg, B, T)
			got, err := u.LossGrad()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if math.Abs(got-want) > 1e-13*math.Max(1, want) {
				t.Errorf("%s (x0 %v): loss %v, want %v", name, learnX0, got, want)
			}
			out := make([]float64, len(wantOut))
			fl, err := u.Forward(out)
			if err != nil {
				t.Fatal(err)
			}
			if fl != got {
				t.Errorf("%s: forward loss %v, loss-and-gradient loss %v", name, fl, got)
			}
			for i := range out {
				if math.Abs(out[i]-wantOut[i]) > 1e-13 {
					t.Fatalf("%s: output %d = %v, want %v", name, i, out[i], wantOut[i])
				}
			}
		}
	}
}

func TestUnrolledGradientMatchesFiniteDifferences(t *testing.T) {
	const B, T, h = 3, 5, 1e-6
	for name, c := range torchref.Cells() {
		w, b, x0, in, tg := unrollFixture(name, c, true)
		u, err := New(c, w, b, x0, Config{Batch: B, Steps: T})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := u.SetSequences(in, tg); err != nil {
			t.Fatal(err)
		}
		if _, err := u.LossGrad(); err != nil {
			t.Fatal(err)
		}
		grads := make([][]float64, len(u.Grads))
		for i := range grads {
			grads[i] = append([]float64(nil), u.Grads[i]...)
		}
		if n := len(u.Params()); n != len(c.Params())+3 {
			t.Fatalf("%s: %d params, want the cell's %d + readout + x0", name, n, len(c.Params()))
		}
		for i, p := range u.Params() {
			for k := range p.Data {
				v := p.Data[k]
				p.Data[k] = v + h
				lp, err := u.Forward(nil)
				if err != nil {
					t.Fatal(err)
				}
				p.Data[k] = v - h
				lm, _ := u.Forward(nil)
				p.Data[k] = v
				fd := (lp - lm) / (2 * h)
				if e := relErr(grads[i][k], fd); e > 1e-6 {
					t.Errorf("%s: d loss / d %s[%d] = %v, finite difference %v", name, p.Name, k, grads[i][k], fd)
				}
			}
		}
		// The gradients do not accumulate across runs.
		if _, err := u.LossGrad(); err != nil {
			t.Fatal(err)
		}
		for i := range grads {
			for k := range grads[i] {
				if u.Grads[i][k] != grads[i][k] {
					t.Fatalf("%s: second run's gradient %v differs from the first's %v", name, u.Grads[i][k], grads[i][k])
				}
			}
		}
	}
}

// gorgonia's Concat gradient merges the slices [0,128) and [256,384) of a
// 128-trial batch (its slice hash keeps one byte of each bound); the
// stacking op must not. With 128 trials and 3 steps the gradient reaching
// step 3 would be step 1's.
func TestUnrolledGradientLargeBatch(t *testing.T) {
	const B, T, h = 128, 3, 1e-5
	c := torchref.Cells()["gru"]
	w, b, _, _, _ := unrollFixture("large", c, false)
	r := rand.New(rand.NewPCG(3, 4))
	u, err := New(c, w, b, nil, Config{Batch: B, Steps: T})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.SetSequences(torchref.RandVec(r, B*T*c.InputSize()), torchref.RandVec(r, B*T*w.Cols)); err != nil {
		t.Fatal(err)
	}
	if _, err := u.LossGrad(); err != nil {
		t.Fatal(err)
	}
	for i, p := range u.Params() {
		for _, k := range []int{0, len(p.Data) - 1} {
			v := p.Data[k]
			p.Data[k] = v + h
			lp, _ := u.Forward(nil)
			p.Data[k] = v - h
			lm, _ := u.Forward(nil)
			p.Data[k] = v
			// The loss sums 768 terms: finite differences carry ~1e-9 of
			// rounding; the merged-slice bug gives errors of order 1.
			if fd := (lp - lm) / (2 * h); relErr(u.Grads[i][k], fd) > 1e-5 {
				t.Errorf("d loss / d %s[%d] = %v, finite difference %v", p.Name, k, u.Grads[i][k], fd)
			}
		}
	}
}

func TestUnrolledErrors(t *testing.T) {
	c := torchref.Cells()["lstm"]
	N := c.StateSize()
	ok := func() (*cells.Param, *cells.Param) { return cells.NewParam("w", 4, 2), cells.NewParam("b", 1, 2) }
	w, b := ok()
	for name, f := range map[string]func() error{
		"nil cell":   func() error { _, err := New(nil, w, b, nil, Config{Batch: 2, Steps: 3}); return err },
		"zero batch": func() error { _, err := New(c, w, b, nil, Config{Batch: 0, Steps: 3}); return err },
		"readout wider than the state": func() error {
			_, err := New(c, cells.NewParam("w", N+1, 2), b, nil, Config{Batch: 2, Steps: 3})
			return err
		},
		"bias of the wrong width": func() error {
			_, err := New(c, w, cells.NewParam("b", 1, 3), nil, Config{Batch: 2, Steps: 3})
			return err
		},
		"initial state of the wrong width": func() error {
			_, err := New(c, w, b, cells.NewParam("x0", 1, N-1), Config{Batch: 2, Steps: 3})
			return err
		},
		"run before sequences": func() error {
			u, err := New(c, w, b, nil, Config{Batch: 2, Steps: 3})
			if err != nil {
				return nil
			}
			_, err = u.LossGrad()
			return err
		},
		"wrong sequence length": func() error {
			u, err := New(c, w, b, nil, Config{Batch: 2, Steps: 3})
			if err != nil {
				return nil
			}
			return u.SetSequences(make([]float64, 2*3*3), make([]float64, 2*3*2+1))
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestUnrolledFloat32(t *testing.T) {
	const B, T = 3, 5
	c := torchref.Cells()["lstm"]
	w, b, x0, in, tg := unrollFixture("f32", c, true)
	want, wantOut := refUnrolledLoss(c, x0.Data, w, b, in, tg, B, T)
	u, err := New(c, w, b, x0, Config{Batch: B, Steps: T, Dtype: graph.Float32})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.SetSequences(in, tg); err != nil {
		t.Fatal(err)
	}
	got, err := u.LossGrad()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(wantOut))
	if _, err := u.Forward(out); err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-5*want {
		t.Errorf("float32 loss %v, float64 reference %v", got, want)
	}
	for i := range out {
		if math.Abs(out[i]-wantOut[i]) > 1e-5 {
			t.Fatalf("float32 output %d = %v, want %v", i, out[i], wantOut[i])
		}
	}
}
