//go:build amd64 && !purego

package vmath

import (
	"math"

	"golang.org/x/sys/cpu"
)

// expFMA is whether math.Exp fuses (math's useFMA: AVX and FMA, which
// x/sys/cpu checks as internal/cpu does, with the OS's YMM state); the
// kernel does what math.Exp does. useExp and useTanh are whether the
// kernels run: AVX2, and the start-up check against math (agrees).
var expFMA, useExp, useTanh bool

// useArith is whether Add, Sub and Mul run their kernels: AVX2.
var useArith = cpu.X86.HasAVX2

func init() {
	if !cpu.X86.HasAVX2 {
		return
	}
	// math's choice as x/sys/cpu sees it, then the other one should the
	// two disagree (GODEBUG=cpu.fma=off reaches internal/cpu only).
	for _, fma := range []bool{cpu.X86.HasFMA, !cpu.X86.HasFMA} {
		if fma && !cpu.X86.HasFMA {
			continue
		}
		expFMA = fma
		if agrees(Exp, math.Exp) {
			useExp = true
			break
		}
	}
	useTanh = useExp && !tanhFused && agrees(Tanh, math.Tanh)
}

// tanhKern sets the 4·blocks values at dst to math.Tanh of those at src;
// fma is whether math.Exp fuses.
//
//go:noescape
func tanhKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool)

// expKern sets the values at dst to math.Exp of those at src, 4 at a time,
// for up to blocks 4s, and returns how many it did: it stops at the first
// 4 with a value outside [−700, 700] (or NaN). fma is whether math.Exp
// fuses.
//
//go:noescape
func expKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) int

// agrees reports whether batch, run with its kernel on, gives the bits of
// scalar on probe values: each branch of math.tanh and math.Exp, at
// several exponents, with both signs, the special values and NaNs.
func agrees(batch func(dst, src []float64), scalar func(float64) float64) bool {
	var xs []float64
	for e := -1075; e <= 1024; e += 7 {
		for _, m := range []float64{1, 1.1, 1.7, 1.9999} {
			x := math.Ldexp(m, e)
			xs = append(xs, x, -x)
		}
	}
	for x := -800.0; x <= 800; x += 0.37 {
		xs = append(xs, x)
	}
	for x := -3.0; x <= 3; x += 0.0123 {
		xs = append(xs, x, x*1e-3)
	}
	xs = append(xs, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff8000000000123),
		0.625, math.Nextafter(0.625, 0), 44.01484596555653, 709.78, 708, -708, -745.2)
	for len(xs)%4 != 0 {
		xs = append(xs, 0.5)
	}
	old := [2]bool{useExp, useTanh}
	useExp, useTanh = true, true
	defer func() { useExp, useTanh = old[0], old[1] }()
	got := make([]float64, len(xs))
	batch(got, xs)
	for i, x := range xs {
		if math.Float64bits(got[i]) != math.Float64bits(scalar(x)) {
			return false
		}
	}
	return true
}

// addKern, subKern and mulKern set dst[i] = x[i] + y[i] (−, ×) for the n
// values at dst, x and y, n a multiple of 4.
//
//go:noescape
func addKern(dst, x, y *float64, n int)

//go:noescape
func subKern(dst, x, y *float64, n int)

//go:noescape
func mulKern(dst, x, y *float64, n int)
