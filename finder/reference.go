package finder

// referenceTolQ is the Python FixedPointFinder's default tol_q.
const referenceTolQ = 1e-12

// ReferenceView counts what the reference (Python FixedPointFinder) would
// call fixed points among the same candidates: those whose q ends below its
// tol_q, whether or not they are roots, so that a user comparing the two
// sees the same number and where it comes from. Slow points and slow
// regions with q below tol_q are among them.
type ReferenceView struct {
	TolQ       float64 // the reference's tol_q, 1e-12
	Candidates int     // initial states' candidates whose final q < TolQ
	Unique     int     // of those, unique within Settings.TolUnique (the reference's tol_unique)
	Of         int     // the initial states' candidates
}

// referenceView counts the initial states' candidates as the reference would.
func (f *finder) referenceView() ReferenceView {
	v := ReferenceView{TolQ: referenceTolQ, Of: f.nInit()}
	fp := &FixedPoints{N: f.N, M: f.M}
	for _, c := range f.cands[:f.nInit()] {
		if c.q < referenceTolQ {
			v.Candidates++
			fp.Points = append(fp.Points, Point{X: c.x, U: c.u, Q: c.q})
		}
	}
	v.Unique = fp.Unique(f.s.TolUnique).Len()
	return v
}
