package stability

import "math/cmplx"

// Prove sets the class of each mode that the enclosure e decides and marks
// it Proved, for the modes of a matrix in e's interval matrix (its
// floating eigen-decomposition, Values lambda for a map or mu = lambda - 1
// for a flow, as continuous says). It returns how many modes it proved.
//
// Each mode is assigned the component of the disc whose center is nearest
// its value; unless every component receives exactly as many modes as it
// has discs (the number of eigenvalues it holds), nothing is changed and 0
// is returned. A mode of a component that ClassifyMode decides from the
// mode's value and the largest distance from it to any point of the
// component gets that class, that distance as its Bound and Proved set;
// the other modes keep the class and bound they had (the first-order
// estimate of SetBounds), unproved.
func Prove(modes []Mode, e Enclosure, continuous bool) int {
	if !e.Proved || len(modes) != len(e.Values) {
		return 0
	}
	centers := make([]complex128, len(e.Values))
	for i := range centers {
		centers[i], _ = e.ModeBound(i, continuous)
	}
	size := map[int]int{}
	for _, c := range e.Component {
		size[c]++
	}
	comp := make([]int, len(modes))
	for k, m := range modes {
		best := 0
		for i, c := range centers {
			if cmplx.Abs(m.Value-c) < cmplx.Abs(m.Value-centers[best]) {
				best = i
			}
		}
		comp[k] = e.Component[best]
		size[comp[k]]--
	}
	for _, left := range size {
		if left != 0 {
			return 0
		}
	}
	proved := 0
	for k := range modes {
		m := &modes[k]
		bound := 0.0
		for i, c := range centers {
			if e.Component[i] != comp[k] {
				continue
			}
			// The shifted center's rounding and the distance's, then the
			// disc's radius.
			d := up(distUp(m.Value, c) + up(4*unitRoundoff*up(cmplx.Abs(e.Values[i])+2)))
			bound = max(bound, up(d+e.Radius[i]))
		}
		bound = up(bound + up(8*unitRoundoff*up(cmplx.Abs(m.Value)+2)))
		if c := ClassifyMode(m.Value, bound, continuous); c != ModeUndecided {
			m.Class, m.Bound, m.Proved = c, bound, true
			proved++
		}
	}
	return proved
}
