// Package tasks generates the data of small tasks that recurrent networks
// are trained on, and trains a cell with a linear readout on them.
//
// A task (FlipFlop, Integrator) draws a Batch of input sequences and target
// sequences from a seed. Train fits a Model, a cells.Cell followed by the
// readout y = W h + b, by backpropagation through time over the unrolled
// sequence (built once by internal/unroll), with Adam on the mean squared
// error, global gradient-norm clipping and minibatches, and stops at a target
// validation error or an epoch cap. SaveModel and LoadModel keep a trained
// model as safetensors in PyTorch's layout.
//
// The flip-flop task follows the Python FixedPointFinder's example (Golub &
// Sussillo 2018); its trained networks have the memory states as stable
// fixed points. The integrator shows a line attractor.
package tasks
