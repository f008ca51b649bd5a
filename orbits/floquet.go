package orbits

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/mat"
)

// eps64 is float64's machine epsilon.
const eps64 = 0x1p-52

// roundingError bounds the 2-norm of the rounding error of an N x N matrix
// evaluated in float64 (the fixed points' rule, stability.JacobianRoundingError).
func roundingError(j []float64, N int) float64 {
	return stability.JacobianRoundingError(j, N, eps64)
}

// frobenius is the Frobenius norm of a.
func frobenius(a []float64) float64 {
	s := 0.0
	for _, v := range a {
		s = math.Hypot(s, v)
	}
	return s
}

// monodromy returns the product J_{k-1} ... J_0 of the k Jacobians jx
// (k x N x N, J_0 first) as P * exp(logScale), with P renormalized to unit
// Frobenius norm after each factor so that no entry over- or underflows,
// and errP, a bound on the 2-norm of the error of P: the product of the
// factors' errors errs[j] (each a bound on ||J_j - true J_j||_2) and the
// rounding of the k - 1 products, relative to the scale.
func monodromy(jx []float64, errs []float64, k, N int) (p []float64, logScale, errP float64) {
	p = append([]float64(nil), jx[:N*N]...)
	nrm := frobenius(p)
	// With n_j = ||J_j|| and e_j its error, ||prod (J_j + E_j) - prod J_j||
	// <= prod (n_j + e_j) - prod n_j = prod n_j * (prod (1 + e_j/n_j) - 1).
	logRel := 0.0 // log prod (1 + e_j/n_j)
	addFactor := func(n, e float64) {
		if n > 0 {
			logRel += math.Log1p(e / n)
		} else if e > 0 {
			logRel = math.Inf(1)
		}
	}
	addFactor(nrm, errs[0])
	logNorms := 0.0 // log prod n_j - logScale, the bound's scale relative to P's
	if nrm > 0 {
		for i := range p {
			p[i] /= nrm
		}
		logScale = math.Log(nrm)
	}
	var c mat.Dense
	for j := 1; j < k; j++ {
		jj := jx[j*N*N : (j+1)*N*N]
		nj := frobenius(jj)
		addFactor(nj, errs[j])
		c.Mul(mat.NewDense(N, N, append([]float64(nil), jj...)), mat.NewDense(N, N, p))
		p = append(p[:0], c.RawMatrix().Data...)
		nrm := frobenius(p)
		if nrm == 0 {
			return p, math.Inf(-1), 0
		}
		for i := range p {
			p[i] /= nrm
		}
		logScale += math.Log(nrm)
		if nj > 0 {
			logNorms += math.Log(nj) - math.Log(nrm)
		}
	}
	// ||P|| = 1 and prod n_j / scale = exp(logNorms) >= 1; the rounding of
	// each product adds about N eps of the norms' product.
	errP = math.Exp(logNorms) * (math.Expm1(logRel) + 8*float64(k*N)*eps64)
	return p, logScale, errP
}

// multipliers eigen-decomposes the monodromy matrix P*exp(logScale) with
// the error bound errP on P and classifies each multiplier with
// stability.ClassifyMode, largest modulus first.
func multipliers(p []float64, logScale, errP float64, N int) ([]Multiplier, error) {
	vals, right, left, err := eigen(N, p)
	if err != nil {
		return nil, err
	}
	normE := errP + roundingError(p, N)
	scale := math.Exp(logScale)
	out := make([]Multiplier, N)
	for i, v := range vals {
		cond, bound := stability.EigenvalueBound(right[i], left[i], normE)
		m := Multiplier{Cond: cond, LogAbs: math.Log(cmplx.Abs(v)) + logScale, Right: right[i]}
		m.Value = v * complex(scale, 0)
		m.Bound = bound * scale
		if math.IsInf(scale, 1) || scale == 0 {
			// Over- or underflow: the true |multiplier| lies in
			// [|v| - bound, |v| + bound] e^logScale; compare its log with 0.
			rb := bound / cmplx.Abs(v)
			switch {
			case m.LogAbs > 0 && rb < 1 && m.LogAbs+math.Log1p(-rb) > 0:
				m.Class = stability.ModeUnstable
			case m.LogAbs < 0 && m.LogAbs+math.Log1p(rb) < 0:
				m.Class = stability.ModeStable
			}
		} else {
			m.Class = stability.ClassifyMode(m.Value, m.Bound, false)
		}
		out[i] = m
	}
	slices.SortStableFunc(out, func(a, b Multiplier) int {
		if c := cmp.Compare(b.LogAbs, a.LogAbs); c != 0 {
			return c
		}
		if c := cmp.Compare(real(b.Value), real(a.Value)); c != 0 {
			return c
		}
		return cmp.Compare(imag(b.Value), imag(a.Value))
	})
	return out, nil
}

// eigen returns the eigenvalues of the N x N row-major matrix a with unit
// right and left eigenvectors (a r = lambda r, l^H a = lambda l^H), from
// the fixed points' decomposition (stability.FullModes).
func eigen(N int, a []float64) (vals []complex128, right, left [][]complex128, err error) {
	modes, err := stability.FullModes(N, a, true)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("orbits: %w", err)
	}
	for _, m := range modes {
		vals, right, left = append(vals, m.Value), append(right, m.Right), append(left, m.Left)
	}
	return vals, right, left, nil
}
