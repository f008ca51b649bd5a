package interval

import "math"

// compensatedTVec encloses W·x for the point matrix W (rows×n, given by its
// transpose wT as MatTVec takes it) and the point vector x, by Ogita, Rump
// and Oishi's Dot2 ("Accurate sum and dot product", SIAM J. Sci. Comput.
// 26(6), 2005): each product split exactly into p + e by a fused
// multiply-add, each running sum into s + q by TwoSum, and the errors
// e + q summed apart. The midpoint is then as accurate as if computed in
// twice the working precision, and the radius
//
//	2u|m| + γ_{n+1}·Σ(|q_j| + |e_j|)   (+ underflow)
//
// is of the order of u|W·x| + n²u²|W||x|, not the γ_n|W||x| of the plain
// sum. That matters where a proof needs G(x̃) at a root: G is ~1e-14 there,
// and the plain bound on a 64-unit network, ~1e-11, was wider than the
// contraction of a badly conditioned Jacobian could absorb.
//
// The result goes to out (rows values of Mid and Rad, overwritten), the
// sums to work (3·rows values at least, overwritten).
func compensatedTVec(out Vec, work, wT []float64, rows int, x []float64) Vec {
	n := len(x)
	s := work[:rows]           // running sums
	c := work[rows : 2*rows]   // sums of the exact errors e + q
	t := work[2*rows : 3*rows] // sums of |e| + |q|
	clear(work[:3*rows])
	for j, xj := range x {
		for i, a := range wT[j*rows : (j+1)*rows] {
			p := a * xj
			e := math.FMA(a, xj, -p) // a·xj = p + e exactly (barring underflow)
			sum := s[i] + p
			bp := sum - s[i]
			q := (s[i] - (sum - bp)) + (p - bp) // s + p = sum + q exactly (TwoSum)
			s[i] = sum
			c[i] += q + e
			t[i] += math.Abs(q) + math.Abs(e)
		}
	}
	g := gammaBound(n + 1)
	for i := range s {
		m := s[i] + c[i]
		// The error sum c carries at most n+1 roundings per term; its
		// terms' bound t at most n+2; the final s + c one more (2u|m|
		// covers it for any m, u|m| where m is normal).
		errSum := up(g * sumBound(t[i], n+2))
		r := sumBound(up(2*unit*math.Abs(m))+errSum, n+8)
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(r) || math.IsInf(r, 0) {
			m, r = 0, math.Inf(1) // an overflow somewhere in the row
		}
		out.Mid[i], out.Rad[i] = m, r
	}
	return out
}

// isPoint reports whether every radius is zero (a nil rad is a point).
func isPoint(rad []float64) bool {
	for _, r := range rad {
		if r != 0 {
			return false
		}
	}
	return true
}
