// Package blasuse chooses the BLAS behind gonum (blas64, and so mat and
// lapack) and gorgonia (its ops and tensor's matrix products) for the whole
// process. The default is gonum's pure-Go BLAS. Built with the tag openblas
// (`go build -tags openblas`, with cgo and OpenBLAS installed: Debian's
// libopenblas-dev), the matrix products (Dgemm, Sgemm), triangular solves
// and products (Dtrsm, Dtrmm) and rank-k updates (Dsyrk) whose sizes are at
// least MinDim (Large) are OpenBLAS's,
// through gonum.org/v1/netlib, set to one thread, so that its results do not
// depend on thread scheduling and the toolkit's own goroutines keep the
// cores; every other routine stays gonum's.
//
// Importing the package makes the choice (package graph imports it, so
// every Find does); Name says which was made.
package blasuse

// name is the BLAS in use, set by the build's init.
var name = "gonum (pure Go)"

// Name returns the BLAS that gonum and gorgonia use in this build: "gonum
// (pure Go)" or OpenBLAS with its build configuration.
func Name() string { return name }

// MinDim is the size from which the openblas build hands a matrix product
// to OpenBLAS: a product m x k times k x n goes there when k and n are at
// least MinDim, whatever m (the batch of a graph's product X W, whose k and
// n are the weights'); a triangular solve or product with B m x n when m
// and n are; a rank-k update of n x n when n and k are. The others stay in
// Go: every product of a network of fewer than MinDim units (whose size is
// k or n of each) and the dense refinement of fewer than MinDim states (an
// LSTM-16 has 32), so that their bits are those of the default build: the
// labels of a few candidates stopped at a slow point's rounding floor
// depend on them (docs/performance.md).
const MinDim = 64

// Large reports whether the openblas build hands an m x k times k x n
// product to OpenBLAS.
func Large(m, n, k int) bool {
	return k >= MinDim && n >= MinDim
}
