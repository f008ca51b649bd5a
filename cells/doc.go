// Package cells defines recurrent cells as one step F(X, U) of gorgonia nodes
// over a batch: X is B x N states, U is B x M inputs.
//
// The built-in cells (Vanilla, GRU, LSTM, and Stack for several layers)
// follow PyTorch's equations and weight layouts exactly. LoadModel reads a
// model from where it was trained, the format told by the file's content:
// PyTorch state_dicts saved as safetensors, .npz or torch.save (zip or
// legacy, possibly inside a checkpoint dict; read with gopickle, which
// executes nothing), and ONNX models with RNN, GRU or LSTM nodes (one node,
// or stacked nodes as one multi-layer cell). A user cell is any type that
// implements Cell.
//
// Cells know RNN equations and weight files; they know nothing of fixed
// points. Graphs and machines are built by package graph.
package cells
