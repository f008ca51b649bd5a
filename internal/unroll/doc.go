// Package unroll builds and runs the training graph of tasks: a cell with a
// linear readout unrolled over the steps of a minibatch, its mean squared
// error and the gradients of every weight (gorgonia's reverse mode).
//
// It is graph's training counterpart, kept out of graph's public API: graph
// runs the fixed-point machinery, unroll runs only training, and nothing
// outside the module uses it. It follows graph's rules (values read through
// G.Read, every node named, only the needed outputs compiled, gorgonia
// panics returned as errors, one Graph per goroutine).
package unroll
