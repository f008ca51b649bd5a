// Package manifold finds and traces slow manifolds of a recurrent cell:
// line and ring attractors and the approximate ones trained networks use to
// hold a continuous variable (Mante et al. 2013; Maheswaranathan et al.
// 2019). Where finder reports such a network as hundreds of slow points with
// one eigenvalue near 1, this package gives the answer those points are the
// raw material for:
//
//   - Detect groups linearized fixed and slow points that lie on a common
//     low-dimensional manifold: points whose leading eigenvalue lies within
//     Settings.Band of |lambda| = 1 and whose in-band right eigenvectors span
//     the directions to their neighbours.
//   - Trace follows a 1-D slow manifold from one of its points by
//     continuation in state space: a step along the marginal right
//     eigenvector, then a corrector that minimizes q(x) = ½‖F(x) − x‖² on the
//     hyperplane orthogonal to that step (Levenberg-Marquardt on the graph's
//     Jacobians), with an adaptive step. It stops where the manifold ends
//     (q above Settings.QMax, or the mode leaves the slow band) or when the
//     curve closes into a ring.
//   - Along the curve, the left eigenvector y and the right eigenvector v of
//     the marginal mode and the input Jacobian B = dF/du give the selection
//     vector: the drift along the manifold per step and per unit of input j,
//     yᵀB_j / yᵀv. With a readout, each point's encoded value W x + b tells
//     what the manifold holds.
//   - Analyze does all of it for a finder.Result; Save writes the result in
//     the JSON format FormatV1 ("manifolds/v1").
//
// F, its Jacobians and the input Jacobians come from the graph package (one
// point at a time: a curve is sequential by nature); eigen-decompositions
// and mode classes are finder.Decompose's (package stability), and the
// corrector's damped solves use linalg.Cholesky as finder's
// Levenberg-Marquardt steps do.
package manifold
