// Package onnxstep translates an ONNX graph of one recurrent step,
// F(u, h), operator by operator into gorgonia nodes over a batch: the
// graph's state and input are bound to the batch nodes X (B x N) and
// U (B x M), and its output is F.
//
// Tensors that do not depend on X or U (initializers, Constant nodes,
// shapes and the integer arithmetic on them that exports compute for
// reshapes and chunks) are evaluated here while translating; only the
// computation on the state and input becomes gorgonia nodes. Those keep
// the batch on axis 0: an operator that would move or cut it is refused.
// Operators outside the list Supported are refused by name with the node.
package onnxstep
