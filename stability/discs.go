package stability

import (
	"math"
	"math/cmplx"
)

// discRadii turns the weighted row sums s of F (see rowSums) into the
// Gershgorin radii of U^H (D + F) U, where U is block diagonal: 1 for a
// real eigenvalue, (1/sqrt 2) [1 1; i -i] for a pair's two columns, which
// diagonalizes D's block [a b; -b a] into a + ib, a - ib. Entry by entry
// |(U^H F U)_pq| <= sum_kl |U_kp| |F_kl| |U_lq|, and summing over q gives
// radius_p <= sum_k |U_kp| s_k: s_k for a real row, (s_k1 + s_k2)/sqrt 2
// for both rows of a pair. The diagonal of U^H F U is counted in the
// radius, so each center is exactly D's eigenvalue.
func discRadii(s []float64, pairs []int) []float64 {
	radius := make([]float64, len(s))
	half := up(math.Sqrt2 / 2)
	for k, p := range pairs {
		switch {
		case p < 0:
			radius[k] = s[k]
		case p > k:
			radius[k] = up(half * up(s[k]+s[p]))
			radius[p] = radius[k]
		}
	}
	return radius
}

// distUp is an upper bound on |a - b|: the two differences and the hypot
// each round by at most a few units of their last place.
func distUp(a, b complex128) float64 {
	d := cmplx.Abs(a - b)
	return up(up(d * (1 + 8*unitRoundoff)))
}

// components groups the discs (centers vals, radii radius) into the
// connected components of their union, numbered in the order of their
// first disc, and returns per disc the largest distance from its center
// to a point of its component. Two discs are joined when they might touch:
// rounding only ever joins more, which keeps the counting theorem true
// (a union of components disjoint from the rest is still disjoint).
func components(vals []complex128, radius []float64) (comp []int, bound []float64) {
	n := len(vals)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := cmplx.Abs(vals[i]-vals[j]) * (1 - 8*unitRoundoff)
			if d <= up(radius[i]+radius[j]) {
				if a, b := find(i), find(j); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	comp = make([]int, n)
	ids := map[int]int{}
	members := map[int][]int{}
	for i := range comp {
		r := find(i)
		id, ok := ids[r]
		if !ok {
			id = len(ids)
			ids[r] = id
		}
		comp[i] = id
		members[id] = append(members[id], i)
	}
	bound = make([]float64, n)
	for i := range bound {
		for _, j := range members[comp[i]] {
			b := radius[j]
			if j != i {
				b = up(distUp(vals[i], vals[j]) + radius[j])
			}
			bound[i] = max(bound[i], b)
		}
	}
	return comp, bound
}

// Classes returns the class of every disc's mode for a map x -> F(x)
// (continuous false: stable when the whole component lies inside the unit
// circle, unstable when wholly outside) or for the flow dx/dt = F(x) - x
// (continuous true: the eigenvalues mu = lambda - 1 of J - I, stable when
// the component lies in Re(mu) < 0, unstable in Re(mu) > 0). Every
// eigenvalue of the component lies within Bound of the disc's center, so
// ClassifyMode of the center and Bound decides, with Bound widened by the
// rounding of |lambda| - 1 or of the shift. Without a proof every mode is
// undecided.
func (e Enclosure) Classes(continuous bool) []ModeClass {
	out := make([]ModeClass, len(e.Values))
	if !e.Proved {
		return out
	}
	for i := range e.Values {
		v, b := e.ModeBound(i, continuous)
		out[i] = ClassifyMode(v, b, continuous)
	}
	return out
}

// ModeBound returns disc i's center as a mode value (lambda for a map,
// mu = lambda - 1 for a flow) and a bound on the distance from it to each
// eigenvalue of its component that also covers the rounding of the shift
// and of the growth rate ClassifyMode computes from it.
func (e Enclosure) ModeBound(i int, continuous bool) (value complex128, bound float64) {
	z := e.Values[i]
	if continuous {
		z = complex(real(z)-1, imag(z))
	}
	slack := up(8 * unitRoundoff * up(cmplx.Abs(e.Values[i])+2))
	return z, up(up(e.Bound[i]+slack) + tinyUnderflow)
}
