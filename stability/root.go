package stability

import (
	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/proof"
)

// ProveRoot proves what it can of the classes of modes, the
// eigen-decomposition of J, the N x N floating Jacobian of F at x (Values
// lambda, or mu = lambda - 1 when continuous), for a fixed point of the
// Factored cell c at input u near x: Krawczyk's proof that G has a unique
// root within r of x (proof.Krawczyk), the enclosure of dF/dx at that root
// around J (proof.RootJacobianRadius), the discs of EncloseModes (from
// the modes' own eigenvectors when they have them) and Prove. It
// returns how many modes it proved and, when none, why: the root not
// proved (with the proof's reason), an enclosure that overflowed, discs not
// established, or no component the discs decide. finder and continuation
// take their proved classes from it.
func ProveRoot(c cells.Factored, x, u, J []float64, modes []Mode, continuous bool) (proved int, why string) {
	// Only the existence radius r is used: the uniqueness search (most of a
	// proof's cost) is skipped.
	res, err := proof.Krawczyk(proof.CellSystem(c, u), x, &proof.Settings{ExistenceOnly: true})
	switch {
	case err != nil:
		return 0, "root not proved: bad input"
	case !res.Proved:
		return 0, "root not proved: " + res.Reason
	}
	return ProveAt(c, x, u, res.Radius, J, modes, continuous)
}

// ProveAt is ProveRoot for a root already proved to lie within r of x
// (a Krawczyk proof's Radius, e.g. a point's stored proof): the same chain
// without proving the root again. r must come from such a proof: nothing
// here checks that a root exists.
func ProveAt(c cells.Factored, x, u []float64, r float64, J []float64, modes []Mode, continuous bool) (proved int, why string) {
	rad, err := proof.RootJacobianRadius(c, x, u, r, J)
	if err != nil {
		return 0, "Jacobian enclosure overflows"
	}
	e, err := EncloseModes(len(x), J, rad, modes, continuous)
	switch {
	case err != nil:
		return 0, "bad Jacobian"
	case !e.Proved:
		return 0, e.Reason
	}
	if n := Prove(modes, e, continuous); n > 0 {
		return n, ""
	}
	return 0, "no mode separated from the stability boundary"
}
