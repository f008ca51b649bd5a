//go:build !noasm && !gccgo && !safe

package linalg

// dotIncPaired: gonum's DotInc is its amd64 assembly, with two lanes (see
// dotLanes). The build constraint is gonum's for its assembly.
const dotIncPaired = true
