// Package handloop is the fixed-point objective of a tanh RNN written by
// hand with gonum: the floor against which the gorgonia graph's overhead is
// measured (graph's tests check the two agree; examples/bench times both).
package handloop

import (
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// RNN computes, for B states X of a tanh cells.Vanilla,
//
//	F = tanh(X W_hh^T + d),  d = U W_ih^T + b_ih + b_hh (computed once: U is constant),
//	r = F - X,  q_b = 0.5*||r_b||^2,  dq_b/dx_b = ((1 - F^2) * r)_b W_hh - r_b.
type RNN struct {
	B, N    int
	whh     blas64.General // W_hh^T as the cell stores it, N x N
	drive   []float64      // B x N
	X, F, Q []float64
	Grad    []float64
	delta   blas64.General // (1 - F^2) * r, B x N
}

// New returns the objective of c for B states under the inputs u (B x M
// values).
func New(c *cells.Vanilla, B int, u []float64) *RNN {
	p := c.Params()
	N, M := c.StateSize(), c.InputSize()
	h := &RNN{B: B, N: N,
		whh:   blas64.General{Rows: N, Cols: N, Stride: N, Data: p[1].Data},
		drive: make([]float64, B*N), X: make([]float64, B*N), F: make([]float64, B*N),
		Q: make([]float64, B), Grad: make([]float64, B*N),
		delta: blas64.General{Rows: B, Cols: N, Stride: N, Data: make([]float64, B*N)},
	}
	for b := 0; b < B; b++ {
		for i := 0; i < N; i++ {
			h.drive[b*N+i] = p[2].Data[i] + p[3].Data[i]
		}
	}
	if M > 0 {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: B, Cols: M, Stride: M, Data: u},
			blas64.General{Rows: M, Cols: N, Stride: N, Data: p[0].Data},
			1, blas64.General{Rows: B, Cols: N, Stride: N, Data: h.drive})
	}
	return h
}

// Eval computes F, Q and Grad at X.
func (h *RNN) Eval() {
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
