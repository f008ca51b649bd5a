// Package fixedpoints is a toolkit that finds and analyzes the fixed points
// of recurrent neural networks: the states x* that one step of the network
// maps to themselves under a constant input u, the Jacobians of the
// linearized dynamics around them, and their stability.
//
// It is a Go port of the Python FixedPointFinder (Golub & Sussillo 2018)
// built on gorgonia, in float64 by default, with second-order refinement to
// machine precision and certified residuals. The packages:
//
//   - cells: vanilla RNN, GRU and LSTM steps as gorgonia graphs (PyTorch's
//     equations and weights), or any user cell; weight import and export.
//   - graph: the batched objective graph, gradients and Jacobians (the
//     only public package that runs gorgonia machines).
//   - finder: the search, refinement, post-processing and linearization.
//   - tasks: the 3-bit flip-flop and integrator tasks, and training.
//   - viz: self-contained interactive HTML reports.
//   - manifold: slow manifolds (line and ring attractors) traced from the
//     fixed points.
//   - continuation: fixed points followed as the constant input changes,
//     and their bifurcations.
//   - sweep: searches over many networks and inputs, gathered into tables.
//
// The end-to-end golden test lives in this package (finder_test.go).
package fixedpoints
