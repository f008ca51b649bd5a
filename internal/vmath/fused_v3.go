//go:build amd64 && !purego && amd64.v3

package vmath

// tanhFused: at GOAMD64 v3 and above the compiler fuses multiply-adds in
// math.tanh's rational branch (how depends on the compiler), which the
// kernel does not copy: Tanh is a loop over math.Tanh.
const tanhFused = true
