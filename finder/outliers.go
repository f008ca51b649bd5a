package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ExcludeDistanceOutliers drops the points far from where the search started,
// by the reference's rule: with c the centroid of the initial states (B x N,
// row-major) and r their mean distance to c, a point is kept when
// ||x* - c|| / r < scale and dropped otherwise (so a ratio equal to scale is
// dropped, as in the reference, and so is a point whose distance is NaN).
//
// When r is 0 (one initial state, or all equal) no scale exists and every
// point is kept. Initial states of the wrong shape or with a NaN or Inf are an
// error. The kept points are deep copies in their original order.
func (fp *FixedPoints) ExcludeDistanceOutliers(initialStates []float64, scale float64) (kept *FixedPoints, dropped int, err error) {
	N := fp.N
	if N <= 0 || len(initialStates) == 0 || len(initialStates)%N != 0 {
		return nil, 0, fmt.Errorf("finder: distance outliers: %d initial state values, want a positive multiple of N=%d",
			len(initialStates), N)
	}
	for k, v := range initialStates {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("finder: distance outliers: initial state %d, unit %d is %v", k/N, k%N, v)
		}
	}
	B := len(initialStates) / N
	c := make([]float64, N)
	for b := 0; b < B; b++ {
		for i, v := range initialStates[b*N : (b+1)*N] {
			c[i] += v
		}
	}
	for i := range c {
		c[i] /= float64(B)
	}
	r := 0.0
	for b := 0; b < B; b++ {
		r += euclidean(initialStates[b*N:(b+1)*N], c)
	}
	r /= float64(B)
	if r == 0 {
		return fp.Clone(), 0, nil
	}
	kept = fp.Filter(func(p *Point) bool {
		return len(p.X) == N && euclidean(p.X, c)/r < scale
	})
	return kept, fp.Len() - kept.Len(), nil
}

// euclidean is ||a - b||_2 for vectors of equal length.
func euclidean(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// QOutliers returns the indices, ascending, of the points whose q exceeds
// scale times the median q, the candidates the reference optimizes again.
// The median (the mean of the two middle values for an even count) is taken
// over the q that are not NaN; a NaN q is always an outlier. An empty set has
// none.
func (fp *FixedPoints) QOutliers(scale float64) []int {
	qs := make([]float64, 0, len(fp.Points))
	for i := range fp.Points {
		if q := fp.Points[i].Q; !math.IsNaN(q) {
			qs = append(qs, q)
		}
	}
	med := math.NaN()
	if len(qs) > 0 {
		slices.Sort(qs)
		h := len(qs) / 2
		if len(qs)%2 == 1 {
			med = qs[h]
		} else {
			med = qs[h-1]/2 + qs[h]/2
		}
	}
	limit := scale * med
	var idx []int
	for i := range fp.Points {
		if q := fp.Points[i].Q; math.IsNaN(q) || q > limit {
			idx = append(idx, i)
		}
	}
	return idx
}

// RandomSubset returns deep copies of n points chosen uniformly at random
// without replacement, in their original order; the same seed gives the same
// subset. With n >= Len every point is kept; with n <= 0 none is.
func (fp *FixedPoints) RandomSubset(n int, seed uint64) *FixedPoints {
	total := len(fp.Points)
	if n >= total {
		return fp.Clone()
	}
	n = max(n, 0)
	r := rand.New(rand.NewPCG(seed, 0x5ab5e7))
	perm := make([]int, total)
	for i := range perm {
		perm[i] = i
	}
	// Partial Fisher-Yates: the first n entries become a uniform sample.
	for i := 0; i < n; i++ {
		j := i + r.IntN(total-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	idx := perm[:n]
	slices.Sort(idx)
	return fp.subset(idx)
}
