package vmath

import "math"

// The kernels' constants, each 4 times (one vector), at the offsets
// vmath_amd64.s names (32 bytes apart, in this order).
const (
	cAbs = iota
	cSign
	cLog2e
	cLn2U
	cLn2L
	cSixteenth
	cE8 // exp's Taylor coefficients, 1/8! down to 1/3!
	cE7
	cE6
	cE5
	cE4
	cE3
	cHalf
	cOne
	cTwo
	cBias // the int64 1023
	cP0   // math.tanh's tanhP and tanhQ
	cP1
	cP2
	cQ0
	cQ1
	cQ2
	cTanhLo  // 0.625
	cTanhSat // 0.5 * MAXLOG
	cExpLo   // -700
	cExpHi   // 700
	nConsts
)

// consts holds each constant's bits 4 times. The values are math's:
// exp_amd64.s's (its #defines and exprodata) and tanh.go's.
var consts = func() (c [nConsts][4]uint64) {
	set := func(k int, bits uint64) { c[k] = [4]uint64{bits, bits, bits, bits} }
	f := func(k int, v float64) { set(k, math.Float64bits(v)) }
	set(cAbs, 1<<63-1)
	set(cSign, 1<<63)
	f(cLog2e, 1.4426950408889634073599246810018920)
	f(cLn2U, 0.69314718055966295651160180568695068359375)
	f(cLn2L, 0.28235290563031577122588448175013436025525412068e-12)
	f(cSixteenth, 0.0625)
	f(cE8, 2.4801587301587301587e-5)
	f(cE7, 1.9841269841269841270e-4)
	f(cE6, 1.3888888888888888889e-3)
	f(cE5, 8.3333333333333333333e-3)
	f(cE4, 4.1666666666666666667e-2)
	f(cE3, 1.6666666666666666667e-1)
	f(cHalf, 0.5)
	f(cOne, 1)
	f(cTwo, 2)
	set(cBias, 1023)
	f(cP0, -9.64399179425052238628e-1)
	f(cP1, -9.92877231001918586564e1)
	f(cP2, -1.61468768441708447952e3)
	f(cQ0, 1.12811678491632931402e2)
	f(cQ1, 2.23548839060100448583e3)
	f(cQ2, 4.84406305325125486048e3)
	f(cTanhLo, 0.625)
	const maxLog = 8.8029691931113054295988e+01 // math.tanh's MAXLOG
	f(cTanhSat, 0.5*maxLog)
	f(cExpLo, -700)
	f(cExpHi, 700)
	return c
}()
