package cli

import "github.com/rnnfp/fixedpoints/manifold"

// Curves are the traced curves of an analysis's manifolds, in order, for
// viz.Report.Manifolds (manifolds that were not traced have none).
func Curves(an *manifold.Analysis) []*manifold.Curve {
	var cs []*manifold.Curve
	for _, m := range an.Manifolds {
		if m.Curve != nil {
			cs = append(cs, m.Curve)
		}
	}
	return cs
}
