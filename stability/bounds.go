package stability

import (
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/mat"
)

// EigenvalueCond returns the condition number of a simple eigenvalue with
// right eigenvector r and left eigenvector l (J r = lambda r,
// l^H J = lambda l^H):
//
//	kappa = ||l||_2 ||r||_2 / |l^H r|,
//
// which is 1 for a normal matrix and grows without bound as the matrix
// nears a defective one (two eigenvectors merging). It returns +Inf when
// either vector is missing, their lengths differ, or l^H r = 0 (a defective
// eigenvalue: no first-order bound exists).
func EigenvalueCond(right, left []complex128) float64 {
	if len(right) == 0 || len(right) != len(left) {
		return math.Inf(1)
	}
	var dot complex128
	var nr, nl float64
	for i := range right {
		dot += cmplx.Conj(left[i]) * right[i]
		nr = math.Hypot(nr, cmplx.Abs(right[i]))
		nl = math.Hypot(nl, cmplx.Abs(left[i]))
	}
	d := cmplx.Abs(dot)
	if d == 0 || math.IsNaN(d) || nr == 0 || nl == 0 {
		return math.Inf(1)
	}
	return max(1, nr*nl/d)
}

// EigenvalueBound returns the condition number kappa of the eigenvalue with
// right and left eigenvectors right and left (see EigenvalueCond) and the
// first-order bound kappa * normE on how far it can lie from the
// corresponding eigenvalue of J + E, for any perturbation with
// ||E||_2 <= normE.
//
// The bound is first-order perturbation theory (Wilkinson; Golub and Van
// Loan, section 7.2.2): it assumes the eigenvalue is simple and normE small
// enough that the terms of order normE^2 are negligible, i.e. normE well
// below the distance from lambda to the rest of the spectrum divided by
// kappa. Nearly defective eigenvalues break that assumption, and they are
// exactly those with a huge kappa, whose bound is then huge: they end up
// undecided, which is the honest label. It works for any eigenvalue of any
// matrix, so a leading-mode (Arnoldi) path can call it with the vectors it
// has.
func EigenvalueBound(right, left []complex128, normE float64) (kappa, bound float64) {
	kappa = EigenvalueCond(right, left)
	if math.IsInf(kappa, 1) {
		return kappa, math.Inf(1)
	}
	return kappa, kappa * normE
}

// ClassifyMode says whether a mode with eigenvalue value (mu = lambda - 1
// when continuous) and error bound bound certainly grows, certainly decays,
// or is undecided: growth rate g = |lambda| - 1 for a map, Re(mu) for a flow;
// unstable when g - bound > 0, stable when g + bound < 0. (|lambda| moves by
// at most |delta lambda|, and so does Re(mu).) A NaN value or bound is
// undecided.
func ClassifyMode(value complex128, bound float64, continuous bool) ModeClass {
	g := cmplx.Abs(value) - 1
	if continuous {
		g = real(value)
	}
	switch {
	case g-bound > 0:
		return ModeUnstable
	case g+bound < 0:
		return ModeStable
	}
	return ModeUndecided
}

// roundingFactor is the multiple of eps * N * ||J||_F taken as the rounding
// error of a Jacobian evaluated in floating point and of its
// eigen-decomposition. Each entry of a Jacobian from vector-Jacobian passes
// is a sum of products whose error is of order N eps times the size of its
// terms; LAPACK's dgeev returns the exact eigenvalues of J + E with
// ||E||_F of order N eps ||J||_F. The factor 8 leaves room for the terms'
// size exceeding the entries' (cancellation) by a small multiple.
const roundingFactor = 8

// JacobianRoundingError is roundingFactor * eps * N * max(||J||_F, 1): a
// bound on the 2-norm of the error of the N x N Jacobian j evaluated with
// machine epsilon eps. The floor 1 covers the identity-like parts of gated
// cells' Jacobians (z I in a GRU), whose rounding is relative to 1 even
// when they cancel.
func JacobianRoundingError(j []float64, N int, eps float64) float64 {
	return roundingFactor * eps * float64(N) * max(linalg.Nrm2(j), 1)
}

// float64Eps is the machine epsilon of float64, in which every
// eigen-decomposition runs whatever the search's dtype.
const float64Eps = 0x1p-52

// SetBounds sets Cond, Bound and Class of every mode of a point whose N x N
// Jacobian is j, with the Jacobian's own error bound jacErr (0: only the
// rounding of its evaluation with epsilon eps is counted). The perturbation
// is jacErr plus the rounding of the eigen-decomposition (in float64) plus
// schurRes, the Schur residual ||J Q^T - Q^T T||_F of a leading-mode
// decomposition (0 for the full one): its modes are exact for a matrix that
// far from J (see LeadingModes).
func SetBounds(modes []Mode, j []float64, N int, jacErr, schurRes, eps float64, continuous bool) {
	normE := jacErr
	if normE == 0 {
		normE = JacobianRoundingError(j, N, eps)
	}
	normE += JacobianRoundingError(j, N, float64Eps) + schurRes
	r := radiusBound(j, N, normE)
	for k := range modes {
		m := &modes[k]
		if m.Right == nil && m.Cond >= 1 {
			// Eigenvalues only: the condition number came from the Schur
			// form (see eigCond).
			m.Bound = m.Cond * normE
		} else {
			m.Cond, m.Bound = EigenvalueBound(m.Right, m.Left, normE)
		}
		m.Class = ClassifyMode(m.Value, m.Bound, continuous)
		if r < 1 {
			// Every eigenvalue of J + E lies in the disk |z| <= r < 1,
			// whatever the eigenvectors: the mode certainly decays, for
			// the map and for the flow (Re(z) - 1 < 0). The mode's own
			// bound may be useless here (a multiple eigenvalue, say 0 of
			// a low-rank Jacobian, has no well-conditioned eigenvectors).
			m.Bound = min(m.Bound, r+cmplx.Abs(m.Value+complex(boolTo(continuous), 0)))
			m.Class = ModeStable
		}
	}
}

// boolTo is 1 for true: the shift back from mu = lambda - 1 to lambda.
func boolTo(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// radiusBound bounds the spectral radius of J + E for every ||E||_2 <=
// normE, from norms of powers of J: rho(A) <= ||A^k||^(1/k) for every k,
// and ||(J+E)^k|| <= ||J^k|| + (||J|| + ||E||)^k - ||J||^k (expand the
// product and bound each term with at least one E). Frobenius norms bound
// the 2-norms. k runs over 1, 2, 4, ..., 64 (repeated squaring); the least
// bound is returned (+Inf when J is not finite).
func radiusBound(j []float64, N int, normE float64) float64 {
	if N == 0 {
		return 0
	}
	// a and sq trade places after each product, where a copy of sq into
	// a allocated a matrix each time.
	a, sq := mat.NewDense(N, N, append([]float64(nil), j...)), mat.NewDense(N, N, nil)
	nJ := linalg.Nrm2(j)
	best := nJ + normE
	for k := 2; k <= 64; k *= 2 {
		sq.Mul(a, a)
		a, sq = sq, a
		// ||J^k|| as computed, inflated for the rounding of the products;
		// (nJ + e)^k - nJ^k without cancellation.
		nk := linalg.Nrm2(a.RawMatrix().Data) * (1 + 2*float64(k*N)*float64Eps)
		grow := math.Pow(normE, float64(k))
		if nJ > 0 {
			grow = math.Pow(nJ, float64(k)) * math.Expm1(float64(k)*math.Log1p(normE/nJ))
		}
		b := math.Pow(nk+grow, 1/float64(k))
		if !(b >= 0) {
			break
		}
		best = min(best, b)
	}
	if math.IsNaN(best) {
		return math.Inf(1)
	}
	return best
}

// JacobianErrorBound is the bound on ||J(x*) - J||_2 that Jacobians stores
// in Point.JacobianError, for a Jacobian j (n x n, row-major) evaluated with
// machine epsilon eps at a state x whose Newton correction d led to the
// Jacobian jd at x + d:
//
//	JacobianRoundingError(j, n, eps) + 2 ||jd - j||_F.
//
// The first term is the rounding of the evaluation. The second is what the
// residual implies: x is not the fixed point x* but, to first order in the
// residual, x* = x + d with d = -(J - I)^+ (F(x) - x) (the minimum-norm
// Newton step, which for a singular J - I, as on a line attractor, reaches
// the nearest point of the fixed-point set to first order). Then
// J(x*) - J(x) = (jd - j) up to terms of second order in ||d||, which the
// factor 2 covers as long as ||d|| is small compared to the distance over
// which J changes by its own size: the assumption of the bound. At a
// certified point ||d|| is about TolResidual / sigma_min(J - I). When jd is
// nil (no correction was needed: d = 0), the second term is 0.
func JacobianErrorBound(j, jd []float64, n int, eps float64) float64 {
	e := JacobianRoundingError(j, n, eps)
	if jd == nil {
		return e
	}
	diff := make([]float64, len(j))
	for i := range diff {
		diff[i] = jd[i] - j[i]
	}
	return e + 2*linalg.Nrm2(diff)
}
