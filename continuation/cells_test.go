package continuation

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// tanhCell is F(x, u) = tanh(A x + B u) - O tanh(B u) then multiplied by P:
//
//	F = P (tanh(A x + B u) - off * tanh(B u))
//
// With off = 0 and P = I it is the plain tanh(A x + B u); with off = 1 the
// origin is a fixed point for every u.
type tanhCell struct {
	n, m   int
	off    bool
	params []*cells.Param // A^T (N x N), B^T (M x N), P^T (N x N)
}

func newTanhCell(N, M int, A, B, P []float64, off bool) *tanhCell {
	at := cells.NewParam("a_T", N, N)
	bt := cells.NewParam("b_T", M, N)
	pt := cells.NewParam("p_T", N, N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			at.Set(k, i, A[i*N+k])
			if P != nil {
				pt.Set(k, i, P[i*N+k])
			} else if i == k {
				pt.Set(k, i, 1)
			}
		}
		for k := 0; k < M; k++ {
			bt.Set(k, i, B[i*M+k])
		}
	}
	return &tanhCell{n: N, m: M, off: off, params: []*cells.Param{at, bt, pt}}
}

func (c *tanhCell) StateSize() int         { return c.n }
func (c *tanhCell) InputSize() int         { return c.m }
func (c *tanhCell) Params() []*cells.Param { return c.params }

func (c *tanhCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if len(p) != 3 {
		return nil, fmt.Errorf("tanh cell: %d params, want 3", len(p))
	}
	ax, err := G.Mul(x, p[0])
	if err != nil {
		return nil, err
	}
	bu, err := G.Mul(u, p[1])
	if err != nil {
		return nil, err
	}
	pre, err := G.Add(ax, bu)
	if err != nil {
		return nil, err
	}
	f, err := G.Tanh(pre)
	if err != nil {
		return nil, err
	}
	if c.off {
		tb, err := G.Tanh(bu)
		if err != nil {
			return nil, err
		}
		if f, err = G.Sub(f, tb); err != nil {
			return nil, err
		}
	}
	return G.Mul(f, p[2])
}

// hopfieldCell is the one-pattern Hopfield map with the input along the
// pattern, F(x, u) = tanh(W x + u xi), W = (beta/N) xi xi^T, built as
// (beta/N) xi (xi . x) so that a step costs O(N), not O(N^2).
type hopfieldCell struct {
	n      int
	params []*cells.Param // xi as a column (N x 1), (beta/N) xi^T (1 x N), xi^T (1 x N)
}

func newHopfieldCell(xi []float64, beta float64) *hopfieldCell {
	N := len(xi)
	col := cells.NewParam("xi_col", N, 1)
	row := cells.NewParam("xi_row_scaled", 1, N)
	in := cells.NewParam("xi_row", 1, N)
	for i, v := range xi {
		col.Data[i] = v
		row.Data[i] = beta / float64(N) * v
		in.Data[i] = v
	}
	return &hopfieldCell{n: N, params: []*cells.Param{col, row, in}}
}

func (c *hopfieldCell) StateSize() int         { return c.n }
func (c *hopfieldCell) InputSize() int         { return 1 }
func (c *hopfieldCell) Params() []*cells.Param { return c.params }

func (c *hopfieldCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if len(p) != 3 {
		return nil, fmt.Errorf("hopfield cell: %d params, want 3", len(p))
	}
	m, err := G.Mul(x, p[0]) // B x 1: xi . x
	if err != nil {
		return nil, err
	}
	wx, err := G.Mul(m, p[1]) // B x N: (beta/N)(xi . x) xi
	if err != nil {
		return nil, err
	}
	uxi, err := G.Mul(u, p[2]) // B x N: u xi
	if err != nil {
		return nil, err
	}
	pre, err := G.Add(wx, uxi)
	if err != nil {
		return nil, err
	}
	return G.Tanh(pre)
}
