package manifold

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// affineCell is F(x, u) = A x + B u: a map whose fixed points, modes and
// input Jacobian are known in closed form.
type affineCell struct {
	n, m   int
	params []*cells.Param // Aᵀ (N x N), Bᵀ (M x N)
}

func newAffineCell(N, M int, A, B []float64) *affineCell {
	at := cells.NewParam("a_T", N, N)
	bt := cells.NewParam("b_T", M, N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			at.Set(k, i, A[i*N+k])
		}
		for k := 0; k < M; k++ {
			bt.Set(k, i, B[i*M+k])
		}
	}
	return &affineCell{n: N, m: M, params: []*cells.Param{at, bt}}
}

func (c *affineCell) StateSize() int         { return c.n }
func (c *affineCell) InputSize() int         { return c.m }
func (c *affineCell) Params() []*cells.Param { return c.params }

func (c *affineCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	f, err := G.Mul(x, p[0])
	if err != nil || c.m == 0 {
		return f, err
	}
	bu, err := G.Mul(u, p[1])
	if err != nil {
		return nil, err
	}
	return G.Add(f, bu)
}

// ringCell is the radial map on the first two coordinates
//
//	(x1, x2) -> (x1, x2) (1 + a (r* - r)),  r = sqrt(x1² + x2²),
//	x3 -> x3 / 2,
//
// whose fixed points other than 0 form the circle r = r*, x3 = 0: a ring
// attractor with tangential eigenvalue 1 and radial eigenvalue 1 - a r*.
type ringCell struct {
	params []*cells.Param // mask (3 x 3), shift (1 x 3), offset (1 x 3), gain (1 x 3)
}

func newRingCell(a, rStar float64) *ringCell {
	mask := cells.NewParam("mask", 3, 3)
	for k := 0; k < 2; k++ {
		for i := 0; i < 2; i++ {
			mask.Set(k, i, 1)
		}
	}
	shift := cells.NewParam("shift", 1, 3) // keeps sqrt away from 0 on x3
	shift.Data[2] = 1
	offset := cells.NewParam("offset", 1, 3)
	offset.Data[0], offset.Data[1], offset.Data[2] = 1+a*rStar, 1+a*rStar, 0.5
	gain := cells.NewParam("gain", 1, 3)
	gain.Data[0], gain.Data[1] = -a, -a
	return &ringCell{params: []*cells.Param{mask, shift, offset, gain}}
}

func (c *ringCell) StateSize() int         { return 3 }
func (c *ringCell) InputSize() int         { return 0 }
func (c *ringCell) Params() []*cells.Param { return c.params }

func (c *ringCell) Step(x, _ *G.Node, p []*G.Node) (*G.Node, error) {
	if len(p) != 4 {
		return nil, fmt.Errorf("ring cell: %d params, want 4", len(p))
	}
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	s, err := G.Mul(sq, p[0])
	if err != nil {
		return nil, err
	}
	if s, err = G.BroadcastAdd(s, p[1], nil, []byte{0}); err != nil {
		return nil, err
	}
	r, err := G.Sqrt(s)
	if err != nil {
		return nil, err
	}
	gr, err := G.BroadcastHadamardProd(r, p[3], nil, []byte{0})
	if err != nil {
		return nil, err
	}
	g, err := G.BroadcastAdd(gr, p[2], nil, []byte{0})
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, g)
}
