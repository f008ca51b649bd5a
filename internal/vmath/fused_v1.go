//go:build amd64 && !purego && !amd64.v3

package vmath

// tanhFused: below GOAMD64 v3 math.tanh is compiled without fused
// multiply-adds, as the kernel computes it.
const tanhFused = false
