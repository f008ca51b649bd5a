package manifold

import (
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// correction is where the corrector ended.
type correction struct {
	x     []float64
	r     []float64 // F(x) - x
	q     float64
	iters int  // Jacobian evaluations
	ok    bool // q at rounding level, or a checked local minimum on the hyperplane
}

// correct minimizes q(y) = ½‖F(y) − y‖² over the hyperplane through xp
// orthogonal to the unit vector t, by Levenberg-Marquardt steps confined to
// the hyperplane: with A = J − I, g = Aᵀr and P = I − ttᵀ, each step solves
// (P AᵀA P + μI + c ttᵀ) d = −P g. The right side has no t component and
// the matrix keeps the complement of t, so d stays in the hyperplane; the
// c ttᵀ term (c the largest diagonal) only keeps the solve well conditioned.
//
// It succeeds when q reaches rounding level (an exact manifold) or the
// projected gradient Pg is at rounding level relative to ‖A‖‖r‖ (a local
// minimum of q on the hyperplane: a slow point, the same check finder uses
// to call a candidate slow).
func (e *evaluator) correct(xp, t []float64, maxIter int) (correction, error) {
	N := e.N
	y := append([]float64(nil), xp...)
	r, q, err := e.residual(y)
	if err != nil {
		return correction{}, err
	}
	sc := 1.0
	for _, v := range y {
		sc = max(sc, math.Abs(v))
	}
	const eps = 0x1p-52
	qFloor := float64(N) * (8 * eps * sc) * (8 * eps * sc) / 2
	A := mat.NewDense(N, N, nil)
	H := mat.NewSymDense(N, nil)
	g := make([]float64, N)
	var mu float64
	res := correction{x: y, r: r, q: q}
	for it := 0; it < maxIter; it++ {
		if q <= qFloor {
			res.ok = true
			return res, nil
		}
		if err := e.jacobians(y); err != nil {
			return res, err
		}
		res.iters++
		for i := 0; i < N; i++ {
			for k := 0; k < N; k++ {
				v := e.jx[i*N+k]
				if i == k {
					v--
				}
				A.Set(i, k, v)
			}
		}
		// g = Aᵀ r, projected.
		gv := mat.NewVecDense(N, g)
		gv.MulVec(A.T(), mat.NewVecDense(N, r))
		floats.AddScaled(g, -floats.Dot(t, g), t)
		// r carries rounding of order eps·scale whatever its size, so the
		// gradient Aᵀr is known to about eps·‖A‖·(‖r‖ + scale).
		normA := mat.Norm(A, 2)
		if floats.Norm(g, 2) <= 64*eps*float64(N)*normA*(math.Sqrt(2*q)+sc) {
			res.ok = true
			return res, nil
		}
		// H = P AᵀA P + c ttᵀ.
		H.SymOuterK(1, A.T())
		projectSym(H, t)
		c := 0.0
		for i := 0; i < N; i++ {
			c = max(c, H.At(i, i))
		}
		if c == 0 {
			c = 1
		}
		for i := 0; i < N; i++ {
			for k := i; k < N; k++ {
				H.SetSym(i, k, H.At(i, k)+c*t[i]*t[k])
			}
		}
		if mu == 0 {
			mu = 1e-8 * c
		}
		accepted := false
		for !accepted && mu <= 1e8*c {
			d, solved := dampedSolve(H, g, mu)
			if !solved {
				mu *= 10
				continue
			}
			floats.AddScaled(d, -floats.Dot(t, d), t)
			trial := make([]float64, N)
			floats.AddTo(trial, y, d)
			rt, qt, err := e.residual(trial)
			if err != nil {
				return res, err
			}
			if qt < q {
				step := floats.Norm(d, math.Inf(1))
				y, r, q = trial, rt, qt
				res = correction{x: y, r: r, q: q, iters: res.iters}
				mu = max(mu/10, 1e-16*c)
				accepted = true
				if step <= 4*eps*sc {
					res.ok = true
					return res, nil
				}
			} else {
				mu *= 10
			}
		}
		if !accepted {
			// No damped step lowers q. It is a minimum on the hyperplane as
			// far as rounding can tell when the Gauss-Newton model predicts
			// a decrease below the rounding of q itself.
			pred := predictedDecrease(H, g, 1e-12*c)
			res.ok = q <= qFloor || pred <= 1e3*eps*q
			return res, nil
		}
	}
	return res, nil
}

// projectSym replaces H by P H P with P = I − ttᵀ (t of unit length).
func projectSym(H *mat.SymDense, t []float64) {
	N := H.SymmetricDim()
	ht := make([]float64, N)
	mat.NewVecDense(N, ht).MulVec(H, mat.NewVecDense(N, t))
	tht := floats.Dot(t, ht)
	for i := 0; i < N; i++ {
		for k := i; k < N; k++ {
			H.SetSym(i, k, H.At(i, k)-t[i]*ht[k]-ht[i]*t[k]+t[i]*tht*t[k])
		}
	}
}

// predictedDecrease is the decrease of q that the quadratic model
// ½dᵀHd + gᵀd promises at its (slightly damped) minimizer d: ½ gᵀ(H+μI)⁻¹g.
func predictedDecrease(H *mat.SymDense, g []float64, mu float64) float64 {
	d, ok := dampedSolve(H, g, mu)
	if !ok {
		return math.Inf(1)
	}
	return -floats.Dot(g, d) / 2
}

// dampedSolve solves (H + μI) d = −g by linalg.Cholesky, finder's
// factorization (a factor whose diagonal spans 1e8 or more counts as
// singular, as mat.Cholesky's condition check did).
func dampedSolve(H *mat.SymDense, g []float64, mu float64) ([]float64, bool) {
	N := H.SymmetricDim()
	a := make([]float64, N*N)
	for i := 0; i < N; i++ {
		for k := i; k < N; k++ {
			a[i*N+k] = H.At(i, k)
		}
		a[i*N+i] += mu
	}
	if !linalg.Cholesky(a, N) {
		return nil, false
	}
	d := make([]float64, N)
	for i, v := range g {
		d[i] = -v
	}
	linalg.CholeskySolve(a, N, d, 1)
	for _, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	return d, true
}
