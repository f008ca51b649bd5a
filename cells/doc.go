// Package cells defines recurrent cells as one step F(X, U) of gorgonia nodes
// over a batch: X is B x N states, U is B x M inputs.
//
// The built-in cells (Vanilla, GRU, LSTM, and Stack for several layers)
// follow PyTorch's equations and weight layouts exactly. LoadModel reads a
// model from where it was trained, the format told by the file's content:
// PyTorch state_dicts saved as safetensors, .npz or torch.save (zip or
// legacy, possibly inside a checkpoint dict; read with gopickle, which
// executes nothing), and ONNX models with RNN, GRU or LSTM nodes (one node,
// or stacked nodes as one multi-layer cell). CTRNN is the leaky
// continuous-time RNN of computational neuroscience in its three written
// forms (rate, post, voltage), read from nn.Linear pairs, nn.RNN names,
// PsychRNN's npz (masks applied), one kernel over [u; h] or low-rank m, n
// (Options.Kind "ctrnn" with CTRNNOptions). ONNXStep is any one-step
// function F(u, h) exported to ONNX, translated operator by operator
// (package internal/onnxstep). A user cell is any type that
// implements Cell.
//
// Cells know RNN equations and weight files; they know nothing of fixed
// points. Graphs and machines are built by package graph.
package cells
