package finder

import (
	"cmp"
	"math"
	"slices"
)

// Unique returns a new set with one point of each group of near-identical
// points, as the reference's uniqueness step but without its ambiguity.
//
// Points are grouped greedily in index order: the first point not yet in a
// group leads a new group, which takes every later point not yet in a group
// whose [x; u] lies within tol (2-norm) of the leader's. Of each group the
// point with the lowest q is kept (NaN q counts as +Inf; ties keep the lower
// index). The kept points are returned in ascending order of their index in
// fp, as the reference returns them. A point with a NaN or Inf coordinate, or
// whose lengths are not N and M, is never the same as another point.
//
// Only candidates whose largest-spread coordinate lies within tol of the
// leader's are compared, so sets of well-separated points cost about
// n log n distance evaluations rather than n^2.
func (fp *FixedPoints) Unique(tol float64) *FixedPoints {
	return fp.subset(fp.uniqueIndices(tol))
}

// uniqueIndices returns the ascending indices of the points that Unique keeps.
func (fp *FixedPoints) uniqueIndices(tol float64) []int {
	pts := fp.Points
	return uniqueOf(len(pts), fp.N, fp.M, func(i int) ([]float64, []float64, float64) {
		return pts[i].X, pts[i].U, pts[i].Q
	}, tol)
}

// uniqueOf is Unique's grouping of n points of N states and M inputs,
// point i at [x; u] with speed q (at(i)): the ascending indices of the
// points it keeps. The reference's view counts its candidates' groups
// with it, without making them Points.
func uniqueOf(n, N, M int, at func(i int) (x, u []float64, q float64), tol float64) []int {
	regular := make([]bool, n)
	for i := range regular {
		x, u, _ := at(i)
		regular[i] = regularPoint(N, M, x, u)
	}

	// Sort the regular points by the coordinate with the largest range: two
	// points whose key differs by more than tol are farther apart than tol,
	// in floating point too (a sum of squares is at least each of its terms).
	axis := spreadAxis(n, N, M, at, regular)
	key := func(i int) float64 {
		if axis < 0 {
			return 0
		}
		x, u, _ := at(i)
		if axis < N {
			return x[axis]
		}
		return u[axis-N]
	}
	var order []int
	for i := range regular {
		if regular[i] {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a, b))
	})
	pos := make([]int, n)
	for p, i := range order {
		pos[i] = p
	}

	grouped := make([]bool, n)
	var keep []int
	for i := range grouped {
		if grouped[i] {
			continue
		}
		grouped[i] = true
		best := i
		if !regular[i] {
			keep = append(keep, best)
			continue
		}
		ki := key(i)
		xi, ui, _ := at(i)
		_, _, qBest := at(best)
		visit := func(j int) {
			xj, uj, qj := at(j)
			if grouped[j] || !(pairDistance(xi, ui, xj, uj) <= tol) {
				return
			}
			grouped[j] = true
			if lowerQ(qj, j, qBest, best) {
				best, qBest = j, qj
			}
		}
		for p := pos[i] - 1; p >= 0 && !(ki-key(order[p]) > tol); p-- {
			visit(order[p])
		}
		for p := pos[i] + 1; p < len(order) && !(key(order[p])-ki > tol); p++ {
			visit(order[p])
		}
		keep = append(keep, best)
	}
	slices.Sort(keep)
	return keep
}

// regularPoint reports whether [x; u] has lengths N and M and finite
// coordinates.
func regularPoint(N, M int, x, u []float64) bool {
	if len(x) != N || len(u) != M {
		return false
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	for _, v := range u {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// spreadAxis returns the coordinate of [x; u] with the largest range over the
// regular points (lowest on ties), or -1 when there is no coordinate.
func spreadAxis(n, N, M int, at func(i int) (x, u []float64, q float64), regular []bool) int {
	D := N + M
	if D == 0 {
		return -1
	}
	lo := make([]float64, D)
	hi := make([]float64, D)
	for d := range lo {
		lo[d], hi[d] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < n; i++ {
		if !regular[i] {
			continue
		}
		x, u, _ := at(i)
		for d := 0; d < D; d++ {
			v := 0.0
			if d < N {
				v = x[d]
			} else {
				v = u[d-N]
			}
			lo[d], hi[d] = min(lo[d], v), max(hi[d], v)
		}
	}
	axis, best := 0, math.Inf(-1)
	for d := 0; d < D; d++ {
		if r := hi[d] - lo[d]; r > best {
			axis, best = d, r
		}
	}
	return axis
}

// lowerQ reports whether point a (speed qa) should be kept over point b: a
// lower q, NaN counting as +Inf, and the lower index on ties.
func lowerQ(qa float64, a int, qb float64, b int) bool {
	if math.IsNaN(qa) {
		qa = math.Inf(1)
	}
	if math.IsNaN(qb) {
		qb = math.Inf(1)
	}
	if qa != qb {
		return qa < qb
	}
	return a < b
}
