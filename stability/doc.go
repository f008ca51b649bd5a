// Package stability turns a Jacobian into labelled modes: its
// eigen-decomposition (the full one through LAPACK's dgeev steps, spelled
// out to avoid a gonum panic on rank-deficient matrices, or the leading
// modes by Krylov-Schur with a proof that every mode left out decays), a
// first-order error bound per eigenvalue (condition number times the
// Jacobian's error), the class each bound allows (certainly growing,
// certainly decaying, undecided: ClassifyMode) and the summary of a fixed
// point (Classify: saddle index, undecided and marginal modes).
//
// Those first-order bounds are estimates. Enclose proves: given an interval
// matrix that holds the Jacobian at the true root (from a Krawczyk proof
// box), it encloses every eigenvalue of every matrix in it in Gershgorin
// discs of a verified similarity transform, with exact counts per connected
// component (EncloseModes reuses a decomposition's own eigenvectors);
// Prove gives the modes the classes those discs decide, marked Mode.Proved,
// and Classify says whether the whole point's stability is proved
// (Stability.Proved) or rests in part on the estimates. ProveRoot is the
// whole chain for a fixed point of a cells.Factored cell: Krawczyk's proof
// of the root (package proof), the enclosure of the Jacobian there, the
// discs and the classes.
//
// finder, continuation, manifold and orbits classify modes with the same
// ClassifyMode. finder re-exports the types (finder.Mode is Mode) so that
// its callers and JSON format do not change.
package stability
