// Package interval is interval arithmetic with outward rounding, in plain Go,
// for computer-assisted proofs (Krawczyk's operator on a cell's residual).
//
// An I is a closed interval [Lo, Hi] that contains the exact real result of
// the operation that made it. Go has no directed rounding modes, so each
// elementary operation is computed in round-to-nearest and rounded outward
// by hand: for +, −, ×, ÷ and √ the sign of the exact error is known (TwoSum,
// or a fused multiply-add for the others), and the result moves one float64
// outward only when it lies on the inner side of the exact value, which is
// true directed rounding (directed.go; the plain step where an error term
// could underflow); two steps for math.Expm1 (documented below 1 ulp; exp,
// tanh and σ are built on it, never on math.Exp, whose amd64 assembly has
// no stated error bound).
//
// Overflow is never hidden: an operation whose exact result may exceed the
// float64 range gets an infinite end (Hi = +Inf or Lo = −Inf), and anything
// undefined (NaN, division by an interval holding 0) gives Entire. A proof
// must check IsFinite before it trusts a box.
//
// Vec and Mat are midpoint–radius vectors and matrices (Rump's form): the
// products MatVec and MatMul cost one or two float64 products plus the radius
// terms, with the rounding error of the midpoint product bounded by
// γ_k = k·u/(1−k·u) (Higham, Accuracy and Stability, §3.1; it holds for any
// summation order, so a BLAS may compute it) and an underflow term. A point
// matrix times a point vector (MatTVec of a point: G at a candidate root) is
// summed compensated instead (compensated.go), to about the rounding of its
// result.
//
// 1 − σ(a) is σ(−a): call Sigmoid on Neg(a), never subtract.
package interval
