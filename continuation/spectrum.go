package continuation

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// spectrum is what a point's eigenvalues say: the eigenvalues of J (not
// shifted in continuous time) and the counts the detectors compare.
type spectrum struct {
	vals       []complex128
	nUnstable  int // modes surely growing
	nUndecided int // modes within the marginal band
	realPlus   int // real eigenvalues > 1
	realMinus  int // real eigenvalues < -1
	complexOut int // complex eigenvalues outside the unit circle (map) or right of Re = 1 (flow)
	partial    bool
}

// growth is the signed distance of an eigenvalue of J past the stability
// boundary: |lambda| - 1 for a map, Re(lambda) - 1 for the flow.
func growth(z complex128, continuous bool) float64 {
	if continuous {
		return real(z) - 1
	}
	return cmplx.Abs(z) - 1
}

// classify counts vals (eigenvalues of J) with stability.ClassifyMode,
// finder's rule, taking as each mode's bound the larger of tol and its
// error bound tols[i] (when given): a mode whose growth is within it of
// zero is undecided.
func classify(vals []complex128, tol float64, continuous bool, tols ...float64) spectrum {
	sp := spectrum{vals: vals}
	for i, z := range vals {
		g := growth(z, continuous)
		t := tol
		if i < len(tols) {
			t = math.Max(t, tols[i])
		}
		v := z
		if continuous {
			v = z - 1 // ClassifyMode judges the flow by mu = lambda - 1
		}
		switch stability.ClassifyMode(v, t, continuous) {
		case stability.ModeUndecided:
			sp.nUndecided++
		case stability.ModeUnstable:
			sp.nUnstable++
		}
		if stability.IsReal(z) {
			if real(z) > 1 {
				sp.realPlus++
			}
			if real(z) < -1 {
				sp.realMinus++
			}
		} else if g > 0 {
			sp.complexOut++
		}
	}
	return sp
}

// eigenvalues of the N x N row-major J: all of them (LAPACK, through
// finder.Decompose) up to denseMax, else the Ritz values of an Arnoldi
// factorization of dimension 30 (partial true).
func eigenvalues(N int, jx []float64, denseMax int, stats *Stats) ([]complex128, bool, error) {
	vals, _, partial, err := eigenBounds(N, jx, denseMax, stats)
	return vals, partial, err
}

// boundVectorsMax is the largest N for which every point's eigenvectors
// are computed to bound its eigenvalues' errors.
const boundVectorsMax = 128

// eigenBounds is eigenvalues with, up to boundVectorsMax, a first-order
// error bound per eigenvalue (stability.EigenvalueBound, capped at 1):
// kappa_i (eps_J + 1e-9) where kappa_i is its condition number, eps_J =
// N u ||J||_F the rounding of J and its decomposition, and 1e-9 a
// perturbation of J by the point's own inaccuracy. (finder's bound,
// stability.SetBounds, takes 8 N u max(||J||_F, 1) plus the point's
// JacobianError instead.) Above boundVectorsMax the bounds are nil.
func eigenBounds(N int, jx []float64, denseMax int, stats *Stats) ([]complex128, []float64, bool, error) {
	stats.Eigen++
	if N > denseMax {
		v, err := ritzValues(N, jx, min(N, 30))
		return v, nil, true, err
	}
	vectors := N <= boundVectorsMax
	modes, err := decompose(N, jx, vectors)
	if err != nil {
		return nil, nil, false, err
	}
	vals := make([]complex128, len(modes))
	for i, m := range modes {
		vals[i] = m.Value
	}
	if !vectors {
		return vals, nil, false, nil
	}
	fro := 0.0
	for _, v := range jx {
		fro = math.Hypot(fro, v)
	}
	base := float64(N)*2.220446049250313e-16*fro + 1e-9
	bounds := make([]float64, len(modes))
	for i, m := range modes {
		_, b := stability.EigenvalueBound(m.Right, m.Left, base)
		bounds[i] = math.Min(b, 1)
	}
	return vals, bounds, false, nil
}

// decompose eigen-decomposes J with finder's LAPACK path (see finder.Decompose).
func decompose(N int, jx []float64, vectors bool) ([]finder.Mode, error) {
	fp := &finder.FixedPoints{N: N, M: 0, Dtype: "float64", Points: []finder.Point{{X: make([]float64, N), Jacobian: jx}}}
	if err := finder.Decompose(fp, finder.Settings{NoEigenvectors: !vectors}); err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	return fp.Points[0].Modes, nil
}

// ritzValues returns the m Ritz values of J from linalg's Arnoldi
// factorization (fixed pseudo-random start): approximations of the
// eigenvalues of largest modulus.
func ritzValues(N int, jx []float64, m int) (vals []complex128, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("continuation: ritz values panicked: %v", r)
		}
	}()
	gJ := blas64.General{Rows: N, Cols: N, Stride: N, Data: jx}
	apply := func(x, y []float64) {
		blas64.Gemv(blas.NoTrans, 1, gJ, blas64.Vector{N: N, Inc: 1, Data: x}, 0, blas64.Vector{N: N, Inc: 1, Data: y})
	}
	vals, err = linalg.RitzValues(N, apply, m, 1)
	if err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	return vals, nil
}
