package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// handRNN is the fixed-point objective of a tanh RNN written by hand with
// gonum, the floor against which the graph's overhead is measured:
//
//	F = tanh(X W_hh^T + d),  d = U W_ih^T + b_ih + b_hh (cached: U is constant),
//	r = F - X,  q_b = 0.5*||r_b||^2,  dq_b/dx_b = ((1 - F^2) * r)_b W_hh - r_b.
type handRNN struct {
	B, N    int
	whh     blas64.General // W_hh^T as the cell stores it, N x N
	drive   []float64      // B x N
	X, F, Q []float64
	Grad    []float64
	delta   blas64.General // (1 - F^2) * r, B x N
}

func newHandRNN(c *cells.Vanilla, B int) *handRNN {
	p := c.Params()
	N, M := c.StateSize(), c.InputSize()
	h := &handRNN{B: B, N: N,
		whh:   blas64.General{Rows: N, Cols: N, Stride: N, Data: p[1].Data},
		drive: make([]float64, B*N), X: make([]float64, B*N), F: make([]float64, B*N),
		Q: make([]float64, B), Grad: make([]float64, B*N),
		delta: blas64.General{Rows: B, Cols: N, Stride: N, Data: make([]float64, B*N)},
	}
	u := make([]float64, B*M)
	h.setInputs(c, u)
	return h
}

// setInputs computes the drive U W_ih^T + b_ih + b_hh for B x M inputs u.
func (h *handRNN) setInputs(c *cells.Vanilla, u []float64) {
	p := c.Params()
	N, M := h.N, c.InputSize()
	for b := 0; b < h.B; b++ {
		for i := 0; i < N; i++ {
			h.drive[b*N+i] = p[2].Data[i] + p[3].Data[i]
		}
	}
	if M > 0 {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: h.B, Cols: M, Stride: M, Data: u},
			blas64.General{Rows: M, Cols: N, Stride: N, Data: p[0].Data},
			1, blas64.General{Rows: h.B, Cols: N, Stride: N, Data: h.drive})
	}
}

func (h *handRNN) eval() {
	B, N := h.B, h.N
	x := blas64.General{Rows: B, Cols: N, Stride: N, Data: h.X}
	f := blas64.General{Rows: B, Cols: N, Stride: N, Data: h.F}
	copy(h.F, h.drive)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, x, h.whh, 1, f)
	for b := 0; b < B; b++ {
		q := 0.0
		for i := b * N; i < (b+1)*N; i++ {
			fi := math.Tanh(h.F[i])
			r := fi - h.X[i]
			h.F[i] = fi
			h.Grad[i] = -r
			h.delta.Data[i] = (1 - fi*fi) * r
			q += r * r
		}
		h.Q[b] = 0.5 * q
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, h.delta, h.whh, 1, blas64.General{Rows: B, Cols: N, Stride: N, Data: h.Grad})
}

func handRNNSetup(B int) (*cells.Vanilla, []float64) {
	c := cells.NewVanilla(16, 3, cells.Tanh)
	c.InitUniform(1)
	r := rand.New(rand.NewPCG(1, 1))
	return c, randVec(r, B*16)
}

// The hand loop computes what the graph computes: F, q and dq/dX agree to
// 1e-14 at 1024 random states of a 16-unit tanh RNN.
func TestHandLoopMatchesObjective(t *testing.T) {
	const B = 1024
	c, x := handRNNSetup(B)
	o, err := NewObjective(c, B, Float64)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetStates(x); err != nil {
		t.Fatal(err)
	}
	if err := o.SetInputs(make([]float64, 3)); err != nil {
		t.Fatal(err)
	}
	if err := o.Eval(); err != nil {
		t.Fatal(err)
	}
	h := newHandRNN(c, B)
	copy(h.X, x)
	h.eval()
	for _, v := range []struct {
		name      string
		got, want []float64
	}{{"F", o.F, h.F}, {"q", o.Q, h.Q}, {"grad", o.Grad, h.Grad}} {
		worst := 0.0
		for i := range v.got {
			worst = math.Max(worst, math.Abs(v.got[i]-v.want[i]))
		}
		if worst > 1e-14 {
			t.Errorf("%s: graph and hand loop differ by up to %g", v.name, worst)
		}
	}
}

// BenchmarkHandLoop is the hand-written objective of a 16-unit tanh RNN at
// B = 1024, to set beside BenchmarkObjective/rnn/N=16/B=1024.
func BenchmarkHandLoop(b *testing.B) {
	const B = 1024
	c, x := handRNNSetup(B)
	h := newHandRNN(c, B)
	copy(h.X, x)
	b.ReportAllocs()
	for b.Loop() {
		h.eval()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iters/s")
}
