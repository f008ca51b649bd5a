package manifold

import (
	"cmp"
	"math"
	"math/cmplx"
	"slices"

	"github.com/rnnfp/fixedpoints/finder"
	"gonum.org/v1/gonum/floats"
)

// Group is a set of points detected on one slow manifold.
type Group struct {
	// Members are indices into the points given to Detect, ascending.
	Members []int
	// Dim is the manifold's dimension, taken as the fewest in-band modes
	// (counting a complex pair twice) of any member: a k-dimensional
	// manifold of fixed or slow points has at least k slow modes at each of
	// its points, while a member may have more, transverse to it. 1 for
	// lines and rings.
	Dim int
}

// Detect groups the points of fp (linearized: Point.Modes set, with
// eigenvectors; a point without them is left out: Find drops them above
// finder.Settings.KeepMatricesMaxN, and finder.LinearizePoints, which
// Analyze calls, fills them again) that lie on common slow manifolds. A point is slow when its
// leading mode (largest |lambda|) lies within s.Band of |lambda| = 1; two
// slow points under the same input are joined when one is among the other's
// s.Neighbours nearest slow points and the direction between them lies, to
// the cosine s.AlignTol, in the span of both points' in-band right
// eigenvectors (real and imaginary parts). Points with q above s.QMax are
// left out: they are not on a slow manifold but stopped short of one. Groups are the connected
// components with at least s.MinMembers points, largest first. A nil
// settings means DefaultSettings.
func Detect(fp *finder.FixedPoints, settings *Settings) ([]Group, error) {
	return detect(fp, settings, nil)
}

// detect is Detect over the points for which keep (if not nil) is true.
func detect(fp *finder.FixedPoints, settings *Settings, keep func(i int) bool) ([]Group, error) {
	s, err := resolve(settings)
	if err != nil {
		return nil, err
	}
	if fp == nil {
		return nil, nil
	}
	type slowPoint struct {
		i     int
		basis [][]float64 // orthonormal span of the in-band right vectors
	}
	var sp []slowPoint
	for i := range fp.Points {
		p := &fp.Points[i]
		if keep != nil && !keep(i) {
			continue
		}
		if !(p.Q <= s.QMax) || len(p.Modes) == 0 || p.Modes[0].Right == nil || math.Abs(cmplx.Abs(p.Modes[0].Value)-1) > s.Band {
			continue
		}
		var basis [][]float64
		for _, m := range p.Modes {
			if math.Abs(cmplx.Abs(m.Value)-1) > s.Band {
				continue
			}
			re, im := make([]float64, fp.N), make([]float64, fp.N)
			for k, v := range m.Right {
				re[k], im[k] = real(v), imag(v)
			}
			basis = orthoAppend(basis, re)
			basis = orthoAppend(basis, im)
		}
		if len(basis) > 0 {
			sp = append(sp, slowPoint{i: i, basis: basis})
		}
	}
	n := len(sp)
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
	near := make([][]int, n) // each slow point's nearest slow neighbours under the same input
	for a := 0; a < n; a++ {
		pa := &fp.Points[sp[a].i]
		type nd struct {
			b int
			d float64
		}
		var cand []nd
		for b := 0; b < n; b++ {
			pb := &fp.Points[sp[b].i]
			if b != a && slices.Equal(pa.U, pb.U) {
				cand = append(cand, nd{b, floats.Distance(pa.X, pb.X, 2)})
			}
		}
		slices.SortFunc(cand, func(x, y nd) int { return cmp.Compare(x.d, y.d) })
		for k := 0; k < len(cand) && k < s.Neighbours; k++ {
			near[a] = append(near[a], cand[k].b)
		}
	}
	d := make([]float64, fp.N)
	for a := 0; a < n; a++ {
		for _, b := range near[a] {
			if b < a && slices.Contains(near[b], a) {
				continue // this pair was seen from b
			}
			floats.SubTo(d, fp.Points[sp[b].i].X, fp.Points[sp[a].i].X)
			if alignment(sp[a].basis, d) >= s.AlignTol && alignment(sp[b].basis, d) >= s.AlignTol {
				parent[find(a)] = find(b)
			}
		}
	}
	comps := map[int][]int{}
	for a := 0; a < n; a++ {
		r := find(a)
		comps[r] = append(comps[r], a)
	}
	var groups []Group
	for _, c := range comps {
		if len(c) < s.MinMembers {
			continue
		}
		g := Group{}
		dims := make([]int, 0, len(c))
		for _, a := range c {
			g.Members = append(g.Members, sp[a].i)
			dims = append(dims, len(sp[a].basis))
		}
		slices.Sort(g.Members)
		g.Dim = slices.Min(dims)
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b Group) int {
		if c := cmp.Compare(len(b.Members), len(a.Members)); c != 0 {
			return c
		}
		return cmp.Compare(a.Members[0], b.Members[0])
	})
	return groups, nil
}

// orthoAppend adds v to the orthonormal basis unless it lies (nearly) in
// its span (Gram-Schmidt, twice for stability).
func orthoAppend(basis [][]float64, v []float64) [][]float64 {
	nv := floats.Norm(v, 2)
	if nv == 0 {
		return basis
	}
	w := append([]float64(nil), v...)
	for pass := 0; pass < 2; pass++ {
		for _, b := range basis {
			floats.AddScaled(w, -floats.Dot(b, w), b)
		}
	}
	nw := floats.Norm(w, 2)
	if nw <= 1e-8*nv {
		return basis
	}
	floats.Scale(1/nw, w)
	return append(basis, w)
}

// alignment is ‖Qᵀd‖ / ‖d‖ for the orthonormal basis Q: the cosine of the
// angle between d and the span.
func alignment(basis [][]float64, d []float64) float64 {
	nd := floats.Norm(d, 2)
	if nd == 0 {
		return 1
	}
	s := 0.0
	for _, b := range basis {
		c := floats.Dot(b, d)
		s += c * c
	}
	return math.Sqrt(s) / nd
}
