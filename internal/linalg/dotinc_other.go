//go:build !amd64 || noasm || gccgo || safe

package linalg

// dotIncPaired: gonum's DotInc is its Go loop, one sum in order.
const dotIncPaired = false
