// Package orbits finds the periodic orbits of a recurrent network's map
// x -> F(x, u) at a constant input, and their Floquet multipliers.
//
// A period-k orbit is a cycle x_0 -> x_1 -> ... -> x_{k-1} -> x_0 of F
// whose points are distinct (minimal period k). Find looks for them for
// k = 2..Settings.MaxPeriod from the same candidate states a fixed-point
// search uses:
//
//   - a first-order search on q_k = 0.5*||F^k(x) - x||^2, the k-step map
//     built as one gorgonia graph over the batch (graph.NewObjectiveSteps),
//     with Adam kept per candidate, brings candidates near a zero of q_k;
//   - Newton's method on the multiple-shooting system
//     R_j = F(x_j) - x_{j+1 mod k} = 0 (k N unknowns) refines them. Its
//     matrix is block-cyclic (J_j on the diagonal, -I beside it) and far
//     better conditioned than that of F^k(x) - x, whose Jacobian is the
//     product of the k Jacobians and under- or overflows with k;
//   - an orbit is kept only when its residual max_j |R_j| is at most
//     Settings.TolResidual; its minimal period d is checked (a solution
//     of period k that repeats after d | k steps is the orbit of period d,
//     kept as such when d >= 2 and dropped as a fixed point when d = 1),
//     and orbits are deduplicated: cyclic shifts of one orbit are one orbit.
//
// Floquet multipliers are the eigenvalues of the monodromy matrix
// M = J_{k-1} ... J_0 (J_j = dF/dx at x_j), formed as a product of factors
// renormalized at each step, with the log of the scale carried apart, so
// that long or strongly expanding orbits neither over- nor underflow. Each
// multiplier gets an error bound (the rounding of the Jacobians and of the
// product, and the distance to the true orbit that the final Newton
// correction implies, as for fixed points) and is classified with the same
// ClassifyMode as a fixed point's eigenvalue: stable, unstable or
// undecided. An orbit is stable when every multiplier certainly lies inside
// the unit circle; NUnstable is its saddle index.
//
// Package finder follows each unstable orbit's unstable directions (the
// eigenvectors of the monodromy matrix at Points[0], Multiplier.Right)
// under the map to where they end, by the rules of its fixed points'
// connections, into Orbit.Connections.
//
// Limit cycles of the flow dx/dt = F(x, u) - x (the continuous-time reading
// of a cell) are found by FindCycles: trajectories that do not settle seed
// a cycle (their first return to a hyperplane through their state), and
// RefineCycle solves the shooting system Phi_T(x) = x with a phase
// condition and the period T unknown, on an RK4 flow map whose derivative
// (the monodromy matrix) is carried exactly through every stage. The
// multiplier along the flow (1) is set apart as Cycle.Trivial; the others
// are classified as for orbits of the map, with an error estimated from
// halving the step.
//
// A map may also run on an invariant circle that it turns by an angle
// whose ratio to 2 pi is irrational (the oscillation of a network that
// generates sin(omega t)): no periodic orbit exists there. RefineCircle
// finds such a circle from a trajectory on or near it, as a Fourier series
// K(theta) with F(K(theta)) = K(theta + Rotation), by Newton's method on
// collocation equations with a phase condition; FindCircles simulates
// candidate states and refines a circle from each trajectory that does not
// settle.
//
// Each orbit of a cell whose residual factors (cells.Factored: vanilla
// RNNs, D = 1; continuous-time RNNs' Euler steps, D = alpha; gated cells,
// see below) is proved by Krawczyk's operator (package proof) on the
// multiple-shooting system: a true orbit lies within Proof.Radius of the
// points and is the only solution within Proof.UniqueRadius, and
// Proof.MinimalPeriod says the points are far enough apart to rule out a
// shorter period. The multipliers of a proved orbit are then proved where
// they can be: the Jacobians enclosed over the proof's boxes, their
// product in interval arithmetic (which holds the true monodromy matrix),
// and stability.Enclose's discs around its eigenvalues decide the classes
// of the multipliers they separate from the unit circle
// (Multiplier.Proved). Gated cells (GRU, LSTM, their stacks), whose D
// varies, are proved the same way: their factors also enclose dD/dx
// (cells.Factors.DJ), and dF/dx = I + diag(D) dG/dx + diag(G) dD/dx.
package orbits
