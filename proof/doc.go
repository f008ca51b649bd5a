// Package proof proves that a point is near a root of a map G: R^N → R^N,
// with Krawczyk's operator in outward-rounded interval arithmetic: a
// computer-assisted proof of existence and local uniqueness.
//
// For a point x̃, C ≈ dG(x̃)⁻¹ and the box X = x̃ + [−r, r]^N,
//
//	K(X) = x̃ − C·G(x̃) + (I − C·dG(X))·(X − x̃).
//
// If K(X) lies in the interior of X, G has exactly one root in X, and it lies
// in K(X) (Krawczyk 1969, Moore 1977). Krawczyk returns Radius, a bound of
// the distance (max-norm) from x̃ to that root, and UniqueRadius R ≥ r: the
// box is grown (by bisection on its log radius) while ‖I − C·dG(Y)‖∞ < 1,
// which makes every matrix of dG(Y)
// nonsingular, so G is one-to-one on Y and no other root lies within R.
//
// Everything that can go wrong says so: an enclosure that overflows
// (Reason "overflow"), a Jacobian without a usable inverse ("singular"), no
// box up to Settings.MaxRadius where K contracts ("no contraction": a point
// too far from a root, a double root, a root that is not isolated). A proof
// is never claimed on a failure, and nothing panics on bad values.
//
// A System is any map with enclosures; CellSystem adapts a cells.Factored
// cell (G of its factorization F − x = D ⊙ G at a fixed input), and the
// multiple-shooting system of periodic orbits can implement System too.
package proof
