//go:build !amd64 || purego

package vmath

// Neither kernel: Tanh and Exp are loops over math.
var useTanh, useExp, expFMA, useArith = false, false, false, false

func tanhKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) { panic("unreachable") }

func expKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) int {
	panic("unreachable")
}

func addKern(dst, x, y *float64, n int) { panic("unreachable") }

func subKern(dst, x, y *float64, n int) { panic("unreachable") }

func mulKern(dst, x, y *float64, n int) { panic("unreachable") }
