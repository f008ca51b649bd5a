// Package vmath evaluates math.Tanh and math.Exp over slices, with their
// bits: Tanh(dst, src) sets dst[i] to math.Tanh(src[i]) and Exp(dst, src)
// to math.Exp(src[i]), bit for bit on every input (±0, ±Inf, NaN,
// subnormals and every branch).
//
// In the default build on amd64 with AVX2 they run a kernel in assembly
// (vmath_amd64.s) on 4 values at once, each value through the same IEEE
// operations, in the same order, as math's code: math.tanh (pure Go, with
// its rational branch below 0.625, its exponential branch and its
// saturation above 44.01) and math.Exp's amd64 assembly (archExp), with
// fused multiply-adds when math.Exp uses them (AVX and FMA) and without
// otherwise. Exp's kernel takes 4 values whose exponentials are normal
// (|x| <= 700); any other 4 go through math.Exp. The tanh kernel is used
// only where math.tanh is compiled without fused multiply-adds (GOAMD64 v1
// or v2, the default): at v3 the compiler fuses some of its rational
// branch. At start each kernel is checked against math on a few hundred
// values across the branches and turned off on any difference. Elsewhere
// (other architectures, the purego tag, no AVX2) both are loops over math.
//
// Add, Sub and Mul are the elementwise operations with Go's loops' bits,
// 4 at once where the kernels run.
package vmath

import "math"

// Tanh sets dst[i] = math.Tanh(src[i]) for i < len(dst); src must be at
// least as long. dst and src may be the same slice (not otherwise
// overlapping).
func Tanh(dst, src []float64) {
	src = src[:len(dst)]
	n := 0
	if useTanh {
		n = len(dst) &^ 3
		if n > 0 {
			tanhKern(&dst[0], &src[0], n/4, &consts, expFMA)
		}
	}
	for i := n; i < len(dst); i++ {
		dst[i] = math.Tanh(src[i])
	}
}

// Exp sets dst[i] = math.Exp(src[i]) for i < len(dst); src must be at
// least as long. dst and src may be the same slice (not otherwise
// overlapping).
func Exp(dst, src []float64) {
	src = src[:len(dst)]
	i := 0
	if useExp {
		for i+4 <= len(dst) {
			k := 4 * expKern(&dst[i], &src[i], (len(dst)-i)/4, &consts, expFMA)
			i += k
			if i+4 > len(dst) {
				break
			}
			// A block the kernel left: one value at least outside ±700.
			for j := i; j < i+4; j++ {
				dst[j] = math.Exp(src[j])
			}
			i += 4
		}
	}
	for ; i < len(dst); i++ {
		dst[i] = math.Exp(src[i])
	}
}
