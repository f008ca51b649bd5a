package finder

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// affineCell is the linear map F(x, u) = A x + B u + c, or with tanh set
// F(x, u) = tanh(A x + B u + c): user cells whose Jacobians, fixed points and
// modes are known in closed form.
type affineCell struct {
	n, m   int
	tanh   bool
	params []*cells.Param // A^T (N x N), B^T (M x N), c (1 x N)
}

// newAffineCell takes A (N x N) and B (N x M) row-major and c (N); B and c
// may be nil (zero).
func newAffineCell(N, M int, A, B, c []float64) *affineCell {
	at := cells.NewParam("a_T", N, N)
	bt := cells.NewParam("b_T", M, N)
	cp := cells.NewParam("c", 1, N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			at.Set(k, i, A[i*N+k])
		}
		for k := 0; k < M && B != nil; k++ {
			bt.Set(k, i, B[i*M+k])
		}
		if c != nil {
			cp.Data[i] = c[i]
		}
	}
	return &affineCell{n: N, m: M, params: []*cells.Param{at, bt, cp}}
}

func (c *affineCell) StateSize() int         { return c.n }
func (c *affineCell) InputSize() int         { return c.m }
func (c *affineCell) Params() []*cells.Param { return c.params }

func (c *affineCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	if len(p) != 3 {
		return nil, fmt.Errorf("affine cell: %d params, want 3", len(p))
	}
	f, err := G.Mul(x, p[0])
	if err != nil {
		return nil, err
	}
	if c.m > 0 {
		bu, err := G.Mul(u, p[1])
		if err != nil {
			return nil, err
		}
		if f, err = G.Add(f, bu); err != nil {
			return nil, err
		}
	}
	if f, err = G.BroadcastAdd(f, p[2], nil, []byte{0}); err != nil || !c.tanh {
		return f, err
	}
	return G.Tanh(f)
}

// newTanhCell is tanh(A x + B u + c); see newAffineCell.
func newTanhCell(N, M int, A, B, c []float64) *affineCell {
	cell := newAffineCell(N, M, A, B, c)
	cell.tanh = true
	return cell
}

// pointsAt returns unanalysed points at the given states, all with input u.
func pointsAt(N, M int, xs [][]float64, u []float64) *FixedPoints {
	fp := &FixedPoints{N: N, M: M, Dtype: "float64"}
	for _, x := range xs {
		fp.Points = append(fp.Points, Point{X: append([]float64(nil), x...), U: append([]float64(nil), u...)})
	}
	return fp
}
