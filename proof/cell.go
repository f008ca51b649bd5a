package proof

import (
	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
)

// CellSystem is the System G of a Factored cell's factorization
// F(x, u) − x = D ⊙ G(x, u) at the fixed input u: its roots are the cell's
// fixed points at u.
func CellSystem(c cells.Factored, u []float64) System { return cellSystem{c, u} }

type cellSystem struct {
	c cells.Factored
	u []float64
}

func (s cellSystem) Size() int { return s.c.StateSize() }

func (s cellSystem) Enclose(x []interval.I, jac bool) ([]interval.I, interval.Mat, error) {
	f, err := s.c.Factor(x, s.u, jac)
	if err != nil {
		return nil, interval.Mat{}, err
	}
	return f.G, f.J, nil
}

// encloseJacobian encloses dG/dx alone (cells.JacobianFactored), or takes
// Factor's J.
func (s cellSystem) encloseJacobian(x []interval.I) (interval.Mat, error) {
	if jc, ok := s.c.(cells.JacobianFactored); ok {
		return jc.FactorJacobian(x, s.u)
	}
	_, j, err := s.Enclose(x, true)
	return j, err
}

// encloseJacobianTo is encloseJacobian in dst's storage where the cell can
// write it there (cells.JacobianFactoredTo), the same matrix bit for bit.
func (s cellSystem) encloseJacobianTo(dst interval.Mat, x []interval.I) (interval.Mat, error) {
	if jc, ok := s.c.(cells.JacobianFactoredTo); ok {
		return jc.FactorJacobianTo(dst, x, s.u)
	}
	return s.encloseJacobian(x)
}

// Point evaluates G and dG at x in float64 (cells.PointFactors): Newton's
// steps need no enclosure.
func (s cellSystem) Point(x []float64, jac bool) ([]float64, []float64, error) {
	g, _, j, err := cells.PointFactors(s.c, x, s.u, jac)
	return g, j, err
}
