// Package cells defines recurrent cells as one step F(X, U) of gorgonia nodes
// over a batch: X is B x N states, U is B x M inputs.
//
// The built-in cells (Vanilla, GRU, LSTM) follow PyTorch's equations and
// weight layouts exactly, and load and save PyTorch state_dicts saved as
// safetensors or .npz. A user cell is any type that implements Cell.
//
// Cells know RNN equations and weight files; they know nothing of fixed
// points. Graphs and machines are built by package graph.
package cells
