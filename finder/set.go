package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Clone returns a deep copy of fp: no slice of the copy aliases fp.
func (fp *FixedPoints) Clone() *FixedPoints {
	out := &FixedPoints{N: fp.N, M: fp.M, Dtype: fp.Dtype, Alpha: fp.Alpha}
	if fp.Points != nil {
		out.Points = make([]Point, len(fp.Points))
		for i := range fp.Points {
			out.Points[i] = fp.Points[i].Clone()
		}
	}
	if fp.Coverage != nil {
		c := *fp.Coverage
		c.Hits = slices.Clone(c.Hits)
		out.Coverage = &c
	}
	out.Connections = slices.Clone(fp.Connections)
	return out
}

// Clone returns a deep copy of p.
func (p *Point) Clone() Point {
	q := *p
	q.X = cloneFloats(p.X)
	q.XInit = cloneFloats(p.XInit)
	q.U = cloneFloats(p.U)
	q.F = cloneFloats(p.F)
	q.Jacobian = cloneFloats(p.Jacobian)
	q.InputJacobian = cloneFloats(p.InputJacobian)
	if p.Condition != nil {
		id := *p.Condition
		q.Condition = &id
	}
	if p.Modes != nil {
		q.Modes = make([]Mode, len(p.Modes))
		for k, m := range p.Modes {
			m.Right, m.Left = cloneComplex(m.Right), cloneComplex(m.Left)
			q.Modes[k] = m
		}
	}
	return q
}

func cloneFloats(v []float64) []float64 {
	if v == nil {
		return nil
	}
	return append(make([]float64, 0, len(v)), v...)
}

func cloneComplex(v []complex128) []complex128 {
	if v == nil {
		return nil
	}
	return append(make([]complex128, 0, len(v)), v...)
}

// Subset returns a new set holding deep copies of the points at idx, in the
// order of idx (an index may repeat). An index out of range is an error.
func (fp *FixedPoints) Subset(idx []int) (*FixedPoints, error) {
	for _, i := range idx {
		if i < 0 || i >= len(fp.Points) {
			return nil, fmt.Errorf("finder: subset: index %d out of range [0, %d)", i, len(fp.Points))
		}
	}
	return fp.subset(idx), nil
}

// subset is Subset for indices known to be in range.
func (fp *FixedPoints) subset(idx []int) *FixedPoints {
	out := &FixedPoints{N: fp.N, M: fp.M, Dtype: fp.Dtype, Alpha: fp.Alpha, Points: make([]Point, len(idx))}
	for k, i := range idx {
		out.Points[k] = fp.Points[i].Clone()
	}
	return out
}

// Filter returns a new set with deep copies of the points for which keep
// returns true, in their original order.
func (fp *FixedPoints) Filter(keep func(p *Point) bool) *FixedPoints {
	var idx []int
	for i := range fp.Points {
		if keep(&fp.Points[i]) {
			idx = append(idx, i)
		}
	}
	return fp.subset(idx)
}

// Stable returns the analyzed points that are stable.
func (fp *FixedPoints) Stable() *FixedPoints {
	return fp.Filter(func(p *Point) bool { return p.Stability.Analyzed && p.Stability.Stable })
}

// Unstable returns the analyzed points that are not stable (saddles and
// repellers).
func (fp *FixedPoints) Unstable() *FixedPoints {
	return fp.Filter(func(p *Point) bool { return p.Stability.Analyzed && !p.Stability.Stable })
}

// Certified returns the points whose residual max|F(x*) - x*| is at most
// tolResidual (a NaN residual is never certified).
func (fp *FixedPoints) Certified(tolResidual float64) *FixedPoints {
	return fp.Filter(func(p *Point) bool { return p.Residual <= tolResidual })
}

// Concat returns a new set with deep copies of the points of every set, in
// order. The sets must agree on N, M and Dtype; at least one set is needed.
func Concat(sets ...*FixedPoints) (*FixedPoints, error) {
	if len(sets) == 0 {
		return nil, fmt.Errorf("finder: concat: no sets")
	}
	for i, s := range sets {
		if s == nil {
			return nil, fmt.Errorf("finder: concat: set %d is nil", i)
		}
	}
	first := sets[0]
	total := 0
	for i, s := range sets {
		if s.N != first.N || s.M != first.M || s.Dtype != first.Dtype {
			return nil, fmt.Errorf("finder: concat: set %d has N=%d M=%d dtype %q, set 0 has N=%d M=%d dtype %q",
				i, s.N, s.M, s.Dtype, first.N, first.M, first.Dtype)
		}
		if s.Alpha != first.Alpha {
			return nil, fmt.Errorf("finder: concat: set %d has alpha = dt/tau %g, set 0 %g: the flows differ", i, s.Alpha, first.Alpha)
		}
		total += len(s.Points)
	}
	out := &FixedPoints{N: first.N, M: first.M, Dtype: first.Dtype, Alpha: first.Alpha, Points: make([]Point, 0, total)}
	for _, s := range sets {
		for i := range s.Points {
			out.Points = append(out.Points, s.Points[i].Clone())
		}
	}
	return out, nil
}

// Find returns the indices, ascending, of the points whose [x; u] lies within
// tol (2-norm) of the given [x; u]. A query whose lengths are not N and M
// matches nothing.
func (fp *FixedPoints) Find(x, u []float64, tol float64) []int {
	if len(x) != fp.N || len(u) != fp.M {
		return nil
	}
	var idx []int
	for i := range fp.Points {
		p := &fp.Points[i]
		if pairDistance(p.X, p.U, x, u) <= tol {
			idx = append(idx, i)
		}
	}
	return idx
}

// Contains reports whether some point lies within tol of [x; u] (see Find).
func (fp *FixedPoints) Contains(x, u []float64, tol float64) bool {
	return len(fp.Find(x, u, tol)) > 0
}

// CountBySaddleIndex counts the analyzed points by their number of
// certainly unstable modes, Stability.NUnstable (0 for stable points, and
// for points whose only non-decaying modes are undecided: see
// Stability.NUndecided). Points not analyzed are not counted.
func (fp *FixedPoints) CountBySaddleIndex() map[int]int {
	c := make(map[int]int)
	for i := range fp.Points {
		if s := fp.Points[i].Stability; s.Analyzed {
			c[s.NUnstable]++
		}
	}
	return c
}

// pairDistance is the 2-norm of [xa; ua] - [xb; ub], or +Inf when the lengths
// differ. A NaN coordinate gives NaN, which is never within any tolerance.
func pairDistance(xa, ua, xb, ub []float64) float64 {
	if len(xa) != len(xb) || len(ua) != len(ub) {
		return math.Inf(1)
	}
	s := 0.0
	for i, v := range xa {
		d := v - xb[i]
		s += d * d
	}
	for i, v := range ua {
		d := v - ub[i]
		s += d * d
	}
	return math.Sqrt(s)
}

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
	c, r, err := initialSpread(initialStates, N)
	if err != nil {
		return nil, 0, err
	}
	if r == 0 {
		return fp.Clone(), 0, nil
	}
	kept = fp.Filter(func(p *Point) bool {
		return len(p.X) == N && euclidean(p.X, c)/r < scale
	})
	return kept, fp.Len() - kept.Len(), nil
}

// initialSpread returns the distance rule's centre c, the centroid of the
// initial states (B x N, row-major), and r, their mean distance to c; initial
// states of the wrong shape or with a NaN or Inf are an error.
func initialSpread(initialStates []float64, N int) (c []float64, r float64, err error) {
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
	c = make([]float64, N)
	for b := 0; b < B; b++ {
		for i, v := range initialStates[b*N : (b+1)*N] {
			c[i] += v
		}
	}
	for i := range c {
		c[i] /= float64(B)
	}
	for b := 0; b < B; b++ {
		r += euclidean(initialStates[b*N:(b+1)*N], c)
	}
	return c, r / float64(B), nil
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
