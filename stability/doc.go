// Package stability turns a Jacobian into labelled modes: its
// eigen-decomposition (the full one through LAPACK's dgeev steps, spelled
// out to avoid a gonum panic on rank-deficient matrices, or the leading
// modes by Krylov-Schur with a proof that every mode left out decays), a
// first-order error bound per eigenvalue (condition number times the
// Jacobian's error), the class each bound allows (certainly growing,
// certainly decaying, undecided: ClassifyMode) and the summary of a fixed
// point (Classify: saddle index, undecided and marginal modes).
//
// finder, continuation, manifold and orbits classify modes with the same
// ClassifyMode. finder re-exports the types (finder.Mode is Mode) so that
// its callers and JSON format do not change.
package stability
