// Package linalg holds the numerical kernels that finder, stability,
// continuation and manifold share, each written once: restarted GMRES for
// a batch of systems (GMRES), Arnoldi factorizations and Stewart's
// Krylov-Schur method for leading partial Schur forms (KrylovSchur,
// RitzValues), the real Schur form helpers they need, gonum's Hessenberg
// QR with LAPACK's shift and deflation-window parameters (Dhseqr), the
// Cholesky factorization of damped symmetric systems with its singularity
// rule (Cholesky, CholeskySolve), small dense helpers (Nrm2, Dot, Scal), a
// matrix product with gonum's bits, faster in the default build on amd64
// (MulNN: an AVX2 kernel in assembly) and a parallel loop over independent
// rows (Parallel).
//
// Matrices are row-major float64 slices; operators are functions so that
// callers can supply batched or matrix-free products.
package linalg
