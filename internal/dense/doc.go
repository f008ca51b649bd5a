// Package dense holds the conversions between []float64 and gorgonia's
// tensor values that package graph and the training graph (internal/unroll)
// both need: a float32 or float64 dense made from float64s, and copies into
// and out of one. It is internal so that graph's public API stays as it is.
package dense
