package proof

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// NewtonSettings tune Newton. The zero value is usable.
type NewtonSettings struct {
	// MaxIter bounds the iterations. Default 12.
	MaxIter int
	// MaxStep bounds a step in max-norm relative to max(1, ‖x‖∞) (a trust
	// region that keeps Newton out of far saturated regions). Default 0.5.
	MaxStep float64
}

// Newton refines x toward a root of G by Newton's method, G and dG taken
// in float64 at points (a CellSystem's cells.PointFactors, else the
// midpoints of the point enclosures), each step
// halved until max|G| decreases (at most 6 times), then polished with the
// point enclosure's more accurate G (polish). It returns the refined point
// and max|G| there; it stops at the rounding floor, after MaxIter
// iterations, or when dG is singular. x is not modified.
func Newton(sys System, x []float64, s *NewtonSettings) ([]float64, float64, error) {
	maxIter, maxStep := 12, 0.5
	if s != nil && s.MaxIter > 0 {
		maxIter = s.MaxIter
	}
	if s != nil && s.MaxStep > 0 {
		maxStep = s.MaxStep
	}
	n := sys.Size()
	x = append([]float64(nil), x...)
	g, j, err := evalMid(sys, x, true)
	if err != nil {
		return x, math.Inf(1), err
	}
	gn := maxAbs(g)
	a := mat.NewDense(n, n, nil)
	var lu mat.LU
	d := mat.NewVecDense(n, nil)
	factored := false // lu holds a usable dG at a recent iterate
	for it := 0; it < maxIter && gn > 0; it++ {
		copy(a.RawMatrix().Data, j)
		lu.Factorize(a)
		if c := lu.Cond(); math.IsInf(c, 0) || math.IsNaN(c) || c > 1e16 {
			factored = false
			break
		}
		factored = true
		if err := lu.SolveVecTo(d, false, mat.NewVecDense(n, append([]float64(nil), g...))); err != nil {
			var ce mat.Condition
			if !errors.As(err, &ce) {
				break
			}
		}
		step := d.RawVector().Data
		sc, dm := 1.0, 0.0
		for i, v := range x {
			sc = math.Max(sc, math.Abs(v))
			dm = math.Max(dm, math.Abs(step[i]))
		}
		if !(dm < math.Inf(1)) {
			break
		}
		t := 1.0
		if lim := maxStep * sc; dm > lim {
			t = lim / dm
		}
		accepted := false
		for try := 0; try < 7; try++ {
			xt := make([]float64, n)
			for i := range xt {
				xt[i] = x[i] - t*step[i]
			}
			gt, _, err := evalMid(sys, xt, false)
			if err == nil {
				if gtn := maxAbs(gt); gtn < gn {
					x, g, gn, accepted = xt, gt, gtn, true
					break
				}
			}
			t /= 2
		}
		if !accepted || t*dm <= 2*0x1p-52*sc {
			break
		}
		if _, j, err = evalMid(sys, x, true); err != nil {
			break
		}
	}
	if factored && gn > 0 {
		x, gn = polish(sys, &lu, x, gn)
	}
	return x, gn, nil
}

// polish takes Newton past the float64 evaluation's noise floor. Where G
// sums products of large weights, its float64 value carries rounding errors
// of ~u·|W||x| (1e-14 on a 512-unit network); Newton stalls there, which
// on an ill-conditioned dG leaves x̃ up to ‖dG⁻¹‖·1e-14 from the root, and
// Krawczyk's box must hold that step. The point enclosure of G (compensated
// products, directed rounding) is accurate to a few ulps of its terms:
// iterative refinement with its midpoint and the last factorization of dG
// (x ← x − dG⁻¹·mid G) brings x̃ to that floor. A step is kept only when
// the enclosure's bound on max|G| decreases; at most 4 steps. It returns
// the point and max|mid G| there.
func polish(sys System, lu *mat.LU, x []float64, gn float64) ([]float64, float64) {
	encl := func(x []float64) ([]float64, float64, bool) {
		ge, _, err := sys.Enclose(pointBox(x), false)
		if err != nil || !finite(ge) {
			return nil, 0, false
		}
		g, mag := make([]float64, len(ge)), 0.0
		for i, v := range ge {
			g[i], mag = v.Mid(), math.Max(mag, v.Mag())
		}
		return g, mag, true
	}
	g, mag, ok := encl(x)
	if !ok {
		return x, gn
	}
	n := len(x)
	d := mat.NewVecDense(n, nil)
	for range 4 {
		if err := lu.SolveVecTo(d, false, mat.NewVecDense(n, g)); err != nil {
			var ce mat.Condition
			if !errors.As(err, &ce) {
				break
			}
		}
		xt := make([]float64, n)
		for i, v := range x {
			xt[i] = v - d.AtVec(i)
		}
		gt, magt, ok := encl(xt)
		if !ok || !(magt < mag) {
			break
		}
		x, g, mag = xt, gt, magt
	}
	return x, maxAbs(g)
}

// pointSystem is a System that evaluates G and dG at a point in float64
// (CellSystem), faster than an enclosure on the degenerate box.
type pointSystem interface {
	Point(x []float64, jac bool) (g, j []float64, err error)
}

// evalMid returns G (and dG) at the point x: the system's float64
// evaluation, or the midpoints of its enclosures; an overflow is an error.
func evalMid(sys System, x []float64, jac bool) ([]float64, []float64, error) {
	if ps, ok := sys.(pointSystem); ok {
		g, j, err := ps.Point(x, jac)
		if err != nil {
			return nil, nil, err
		}
		if !allFinite(g) || jac && !allFinite(j) {
			return nil, nil, errOverflow
		}
		return g, j, nil
	}
	ge, je, err := sys.Enclose(pointBox(x), jac)
	if err != nil {
		return nil, nil, err
	}
	if !finite(ge) || jac && !je.IsFinite() {
		return nil, nil, errOverflow
	}
	g := make([]float64, len(ge))
	for i, v := range ge {
		g[i] = v.Mid()
	}
	var j []float64
	if jac {
		j = append([]float64(nil), je.Mid...)
	}
	return g, j, nil
}

var errOverflow = errors.New("proof: enclosure overflows")

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
