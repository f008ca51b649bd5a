package proof

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
)

// RootJacobianRadius returns radii rad (N x N, row-major) such that
// center +- rad holds dF/dx at every root of G(., u) in the box x +- r (in
// particular at the root a Krawczyk proof of radius r found), for a
// Factored cell, F(x, u) - x = D(x, u) ⊙ G(x, u), and any N x N center
// (the floating Jacobian of F at x, so that its eigen-decomposition is the
// one the stability labels describe).
//
// Where G = 0 the product rule leaves dF/dx = I + diag(D) dG/dx: the term
// diag(G) dD/dx vanishes. So dF/dx at the root lies in
// I + diag([D]) [dG/dx] with [D], [dG/dx] the cell's enclosures over the
// box, and the radius around center is the larger distance to either end
// of each entry's interval, rounded up. An enclosure that overflows is an
// error wrapping cells.ErrOverflow, never a finite guess.
func RootJacobianRadius(c cells.Factored, x, u []float64, r float64, center []float64) ([]float64, error) {
	n := c.StateSize()
	if len(x) != n || len(center) != n*n || !(r >= 0) || math.IsInf(r, 0) {
		return nil, fmt.Errorf("%w: root Jacobian: %d values, %d center values for N = %d, radius %g", ErrInput, len(x), len(center), n, r)
	}
	box := make([]interval.I, n)
	for i, v := range x {
		box[i] = interval.New(interval.Down(v-r), interval.Up(v+r))
	}
	d, jac, err := rootFactors(c, box, u)
	if err != nil {
		return nil, fmt.Errorf("proof: root Jacobian: %w", err)
	}
	if len(d) != n || jac.Rows != n || jac.Cols != n {
		return nil, fmt.Errorf("%w: root Jacobian: factors of the wrong size", ErrInput)
	}
	rad := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			e := interval.Mul(d[i], jac.At(i, j))
			if i == j {
				e = interval.AddScalar(e, 1)
			}
			if !e.IsFinite() {
				return nil, fmt.Errorf("proof: root Jacobian: entry %d,%d: %w", i, j, cells.ErrOverflow)
			}
			k := i*n + j
			hi := interval.Up(e.Hi - center[k])
			lo := interval.Up(center[k] - e.Lo)
			rad[k] = max(hi, lo, 0)
			if math.IsNaN(rad[k]) || math.IsInf(rad[k], 0) {
				return nil, fmt.Errorf("proof: root Jacobian: entry %d,%d: %w", i, j, cells.ErrOverflow)
			}
		}
	}
	return rad, nil
}

// rootFactors returns Factor's D and J over the box, or its error. The
// vanilla RNN's D is 1 on every box (cells.Vanilla.Factor), and its
// FactorJacobian is Factor's J bit for bit and fails exactly when Factor
// fails (cells.JacobianFactored): it spares Factor's G, the tanh of every
// pre-activation, which the Jacobian at a root does not use.
func rootFactors(c cells.Factored, box []interval.I, u []float64) ([]interval.I, interval.Mat, error) {
	if v, ok := c.(*cells.Vanilla); ok {
		j, err := v.FactorJacobian(box, u)
		if err != nil {
			return nil, interval.Mat{}, err
		}
		d := make([]interval.I, v.StateSize())
		for i := range d {
			d[i] = interval.Point(1)
		}
		return d, j, nil
	}
	f, err := c.Factor(box, u, true)
	if err != nil {
		return nil, interval.Mat{}, err
	}
	return f.D, f.J, nil
}
