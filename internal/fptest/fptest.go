// Package fptest holds fixed-point sets that the tests of several packages
// share.
package fptest

import (
	"math"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/finder"
)

// FullSet returns the same set at every call: three points of N = 3, M = 2
// with every field of every kind filled, with awkward floats (the smallest
// subnormal, the largest float, -0, thirds, +-Inf q and residual), a mode
// without its left vector, and a diverged candidate that was not analyzed.
// It is the golden set of package fpjson's format test: changing it changes
// that golden file.
func FullSet() *finder.FixedPoints {
	r := rand.New(rand.NewPCG(2018, 11))
	const N, M = 3, 2
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4))
		}
		return v
	}
	cvec := func(n int) []complex128 {
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		return v
	}
	full := func(q float64, nUnstable int) finder.Point {
		p := finder.Point{X: vec(N), XInit: vec(N), U: vec(M), F: vec(N), Q: q, Residual: math.Sqrt(2 * q),
			DQ: 1e-22, Iters: 4999, Refines: 3, Condition: new(2),
			Jacobian: vec(N * N), InputJacobian: vec(N * M)}
		for k := range N {
			p.Modes = append(p.Modes, finder.Mode{Value: complex(1.5-0.5*float64(k), 0.25*float64(k)), Right: cvec(N), Left: cvec(N)})
		}
		p.Stability = finder.Stability{Analyzed: true, Stable: nUnstable == 0, NUnstable: nUnstable, MaxAbs: 1.5,
			Marginal: true, NMarginal: 1, Flip: true, Oscillatory: true, Continuous: false}
		return p
	}
	a := full(1.0/3, 2)
	a.X = []float64{5e-324, math.MaxFloat64, math.Copysign(0, -1)}
	a.Jacobian[4] = 1e-7
	a.Jacobian[5] = 1e21
	b := full(1e-30, 0)
	b.Stability.Continuous = true
	b.Modes[1].Left = nil // a mode whose left vector was not computed
	// A diverged candidate, not analyzed: only the search fields.
	c := finder.Point{X: vec(N), U: vec(M), Q: math.Inf(1), Residual: math.Inf(-1), DQ: 0, Iters: 5000}
	return &finder.FixedPoints{N: N, M: M, Dtype: "float64", Points: []finder.Point{a, b, c}}
}
