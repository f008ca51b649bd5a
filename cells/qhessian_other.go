//go:build !amd64 || purego

package cells

// useQHessianKernels is false: QHessianInto and addMatTVec run their
// loops in Go.
var useQHessianKernels = false

func gruRank4(h int, S, t, s, p, w, a *float64) { panic("unreachable") }

func gruGram(h int, A, S, hess *float64) { panic("unreachable") }

func matTVecAdd(h, m int, a, wT, v *float64) { panic("unreachable") }
