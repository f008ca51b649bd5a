//go:build !amd64 || purego

package vmath

// Neither kernel: Tanh and Exp are loops over math.
var useTanh, useExp, expFMA = false, false, false

func tanhKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) { panic("unreachable") }

func expKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) int {
	panic("unreachable")
}
