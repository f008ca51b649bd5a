// Package finder finds, certifies and analyses the fixed points of a
// recurrent cell: the states x* with F(x*, u) = x* under a constant input u.
//
// Find runs a first-order search over a batch of candidates in one batched
// gorgonia objective (CandidateAdam, a per-candidate solver that freezes
// converged candidates; any gorgonia.Solver through Settings.NewSolver, with
// the same freezing; or Adam as in the Python FixedPointFinder), polishes every
// candidate with batched Levenberg-Marquardt steps on F(x) - x = 0 and
// Broyden's quasi-Newton steps between Jacobians, drives those left short of
// a root to a critical point of q by Newton's steps on grad q with its full
// Hessian (dense, or truncated CG at large N), then, for a cell whose
// residual factors as F - x = D ⊙ G with D > 0 (cells.Factored: the built-in
// cells), refines on the real equation G = 0 and proves each root with
// Krawczyk's operator in interval arithmetic (package proof; Point.Proof: a
// unique root within Radius, no other within UniqueRadius), so that a GRU
// whose update gate sits at 1 - 1e-13 cannot pass a slab of non-roots off as
// fixed points (a user cell without enclosures is certified by its residual
// max|F(x*) - x*|, labelled "residual"), gives every candidate a checked outcome (fixed; slow: a
// local minimum of q > 0, its gradient at rounding level and its Hessian
// positive definite beyond its error; slow region: slow against the
// network's own speed but neither; or unconverged with the reason it
// stopped; see Outcome and Status), counts what the reference would call
// fixed points (ReferenceView), and then removes duplicates (proved points:
// the same proved root) and distance outliers (a proved point is kept and
// marked Far instead) and linearizes the dynamics around each fixed point (Jacobians,
// eigen-decomposition, per-mode error bounds, stability, saddle index),
// which package stability computes (finder.Mode is stability.Mode); the
// shared numerical kernels (GMRES, Krylov-Schur) are internal/linalg's.
//
// Around it: SampleStates draws initial states from trajectories, and a
// FixedPoints set has set operations (Unique, Subset, Concat, Find,
// Contains), a Summary and Validate. Package fpjson saves and loads results
// in the versioned JSON format fixedpoints/v1.
//
// The API follows gonum's optimize package: a Settings struct whose zero
// fields take documented defaults, and a Result with a Status and Stats.
package finder
