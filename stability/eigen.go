package stability

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"sync"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// FullModes eigen-decomposes the N x N row-major matrix j into modes with
// normalized right and left eigenvectors, in LAPACK's order.
// Without vectors only the eigenvalues are computed (several times faster
// for large N) and Right and Left stay nil.
func FullModes(N int, j []float64, vectors bool) (modes []Mode, err error) {
	if N == 0 {
		return nil, nil
	}
	// gonum panics on shape errors; none are expected, but no panic leaves.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("eigen-decomposition panicked: %v", r)
		}
	}()
	if !vectors {
		vals, conds, err := eigCond(N, j)
		if err != nil {
			return nil, err
		}
		modes = make([]Mode, N)
		for c := range modes {
			modes[c].Value, modes[c].Cond = vals[c], conds[c]
		}
		return modes, nil
	}
	vals, vl, vr, err := geev(N, j, vectors)
	if err != nil {
		return nil, err
	}
	modes = make([]Mode, N)
	for c := 0; c < N; c++ {
		modes[c].Value = vals[c]
		if imag(vals[c]) == 0 {
			modes[c].Right, modes[c].Left = realColumn(vr, N, c), realColumn(vl, N, c)
			continue
		}
		// A complex pair (+imag first) is stored as the real and imaginary
		// parts in columns c and c+1; the second vector is the conjugate.
		modes[c].Right, modes[c+1].Right = complexColumns(vr, N, c)
		modes[c].Left, modes[c+1].Left = complexColumns(vl, N, c)
		modes[c+1].Value = vals[c+1]
		c++
	}
	for c := range modes {
		if err := normalize(modes[c].Right); err != nil {
			return nil, fmt.Errorf("right eigenvector %d: %w", c, err)
		}
		if err := normalize(modes[c].Left); err != nil {
			return nil, fmt.Errorf("left eigenvector %d: %w", c, err)
		}
	}
	return modes, nil
}

// geev is LAPACK's dgeev (balance, Hessenberg, Schur, eigenvectors, back
// transformation) with the eigenvalues and the real left and right
// eigenvector matrices (N x N, row-major, in dgeev's column layout).
//
// It is spelled out rather than taken from mat.Eigen because gonum v0.17's
// blocked eigenvector back-transformation (Dtrevc3 with a large workspace)
// panics with an index out of range in Dlaln2, which uses the stride of B
// for X on a near-singular complex 2x2 block. That happens on rank-deficient
// Jacobians (e.g. a rank-one Hopfield matrix at N = 500), which are common
// here (low-rank networks, saturated or dead units). linalg.Dtrevc3 is
// Dtrevc3's unblocked path, where the two strides are equal, with gonum's
// bits, reading T's columns from a transposed copy (0.9 s faster at N =
// 1024); every other step keeps its optimal workspace. The Schur form is linalg.Dhseqr's
// (gonum's with LAPACK's parameters: about 4 times faster at N = 1024).
func geev(N int, j []float64, vectors bool) (vals []complex128, vl, vr []float64, err error) {
	impl := lapackgonum.Implementation{}
	a, anrm, scaled := scaledCopy(impl, N, j)
	scale := make([]float64, N)
	ilo, ihi := impl.Dgebal(lapack.PermuteScale, N, a, N, scale)
	tau := make([]float64, max(N-1, 0))
	query := []float64{0}
	lwork := 3 * N
	impl.Dgehrd(N, ilo, ihi, a, N, tau, query, -1)
	lwork = max(lwork, int(query[0]))
	impl.Dorghr(N, ilo, ihi, a, N, tau, query, -1)
	lwork = max(lwork, int(query[0]))
	linalg.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, N, ilo, ihi, a, N, nil, nil, nil, N, query, -1)
	lwork = max(lwork, int(query[0]))
	wp, work := takeWork(max(lwork, linalg.TrevcWork(N, lapack.EVAllMulQ)))
	defer lapackWork.Put(wp)

	impl.Dgehrd(N, ilo, ihi, a, N, tau, work, lwork)
	wr, wi := make([]float64, N), make([]float64, N)
	if !vectors {
		if bad := linalg.Dhseqr(lapack.EigenvaluesOnly, lapack.SchurNone, N, ilo, ihi, a, N, wr, wi, nil, 1, work, lwork); bad > 0 {
			return nil, nil, nil, fmt.Errorf("eigen-decomposition did not converge (%d eigenvalues left)", bad)
		}
		return unscaled(wr, wi, anrm, scaled), nil, nil, nil
	}
	vl = make([]float64, N*N)
	impl.Dlacpy(blas.Lower, N, N, a, N, vl, N)
	impl.Dorghr(N, ilo, ihi, vl, N, tau, work, lwork)
	if bad := linalg.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, N, ilo, ihi, a, N, wr, wi, vl, N, work, lwork); bad > 0 {
		return nil, nil, nil, fmt.Errorf("eigen-decomposition did not converge (%d eigenvalues left)", bad)
	}
	vr = append([]float64(nil), vl...)
	linalg.Dtrevc3(lapack.EVBoth, lapack.EVAllMulQ, N, a, N, vl, N, vr, N, work)
	impl.Dgebak(lapack.PermuteScale, lapack.EVLeft, N, ilo, ihi, scale, N, vl, N)
	impl.Dgebak(lapack.PermuteScale, lapack.EVRight, N, ilo, ihi, scale, N, vr, N)
	return unscaled(wr, wi, anrm, scaled), vl, vr, nil
}

// lapackWork holds LAPACK's workspaces (geev, eigCond) between
// eigen-decompositions: their optimal size is about 4700 values at N = 16
// (Dgehrd's blocked workspace, although below 128 states it takes the
// unblocked path), 18 times the matrix, and a fresh one per point was most
// of the bytes an eigen-decomposition allocated. LAPACK writes a workspace
// before it reads it, so what it held before changes nothing.
var lapackWork = sync.Pool{New: func() any { return new([]float64) }}

// takeWork returns a workspace of n values from lapackWork and its handle,
// to be put back when done.
func takeWork(n int) (*[]float64, []float64) {
	p := lapackWork.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	return p, (*p)[:n]
}

// realColumn returns column c of the N x N row-major v as a complex vector.
func realColumn(v []float64, N, c int) []complex128 {
	out := make([]complex128, N)
	for i := range out {
		out[i] = complex(v[i*N+c], 0)
	}
	return out
}

// complexColumns returns v[:,c] + i v[:,c+1] and its conjugate.
func complexColumns(v []float64, N, c int) (z, zbar []complex128) {
	z, zbar = make([]complex128, N), make([]complex128, N)
	for i := range z {
		z[i] = complex(v[i*N+c], v[i*N+c+1])
		zbar[i] = complex(v[i*N+c], -v[i*N+c+1])
	}
	return z, zbar
}

// normalize scales v to unit 2-norm and rotates its phase so that its
// largest component is real and positive. "Largest" is the first component
// within a relative 1e-9 of the maximum magnitude, so that rounding between
// nearly equal components cannot change the choice.
func normalize(v []complex128) error {
	var norm, big float64
	for _, z := range v {
		a := cmplx.Abs(z)
		norm = math.Hypot(norm, a)
		big = max(big, a)
	}
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return fmt.Errorf("eigenvector has norm %v", norm)
	}
	var pivot complex128
	at := 0
	for i, z := range v {
		if cmplx.Abs(z) >= big*(1-1e-9) {
			pivot, at = z, i
			break
		}
	}
	// Multiply by conj(pivot)/|pivot|/norm: the pivot becomes |pivot|/norm,
	// set exactly so that rounding leaves it no imaginary part.
	scale := cmplx.Conj(pivot) / complex(cmplx.Abs(pivot)*norm, 0)
	for i := range v {
		v[i] *= scale
	}
	v[at] = complex(cmplx.Abs(pivot)/norm, 0)
	return nil
}

// SortModes orders modes by growth, fastest first: |lambda| for a map,
// Re(mu) for a flow; ties by real part, then imaginary part, descending.
func SortModes(m []Mode, continuous bool) {
	key := func(z complex128) float64 {
		if continuous {
			return real(z)
		}
		return cmplx.Abs(z)
	}
	slices.SortStableFunc(m, func(a, b Mode) int {
		if c := cmp.Compare(key(b.Value), key(a.Value)); c != 0 {
			return c
		}
		if c := cmp.Compare(real(b.Value), real(a.Value)); c != 0 {
			return c
		}
		return cmp.Compare(imag(b.Value), imag(a.Value))
	})
}

// eigCond returns the eigenvalues of the N x N row-major j and their
// condition numbers (see EigenvalueCond), without forming eigenvectors of
// j: it reduces j to real Schur form T = Q^T P j P^T Q (P a permutation from
// balancing without scaling, Q orthogonal, neither formed), whose
// eigenvalues and condition numbers are j's because the similarity is
// orthogonal, and takes the condition numbers from T's eigenvectors, found
// by back substitution. This costs a fraction of geev with vectors. A
// scaling balance would change the condition numbers, so it is not done.
func eigCond(N int, j []float64) (vals []complex128, conds []float64, err error) {
	impl := lapackgonum.Implementation{}
	a, anrm, scaled := scaledCopy(impl, N, j)
	scale := make([]float64, N)
	ilo, ihi := impl.Dgebal(lapack.Permute, N, a, N, scale)
	tau := make([]float64, max(N-1, 0))
	query := []float64{0}
	lwork := 3 * N
	impl.Dgehrd(N, ilo, ihi, a, N, tau, query, -1)
	lwork = max(lwork, int(query[0]))
	linalg.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurNone, N, ilo, ihi, a, N, nil, nil, nil, 1, query, -1)
	lwork = max(lwork, int(query[0]))
	wp, work := takeWork(max(lwork, linalg.TrevcWork(N, lapack.EVAll)))
	defer lapackWork.Put(wp)
	impl.Dgehrd(N, ilo, ihi, a, N, tau, work, lwork)
	// Dhseqr wants the part below the Hessenberg form zero.
	for r := 2; r < N; r++ {
		for c := 0; c < r-1; c++ {
			a[r*N+c] = 0
		}
	}
	wr, wi := make([]float64, N), make([]float64, N)
	if bad := linalg.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurNone, N, ilo, ihi, a, N, wr, wi, nil, 1, work, lwork); bad > 0 {
		return nil, nil, fmt.Errorf("eigen-decomposition did not converge (%d eigenvalues left)", bad)
	}
	vl, vr := make([]float64, N*N), make([]float64, N*N)
	linalg.Dtrevc3(lapack.EVBoth, lapack.EVAll, N, a, N, vl, N, vr, N, work)
	vals, conds = unscaled(wr, wi, anrm, scaled), make([]float64, N)
	for c := 0; c < N; c++ {
		if wi[c] == 0 {
			conds[c] = EigenvalueCond(realColumn(vr, N, c), realColumn(vl, N, c))
			continue
		}
		r, _ := complexColumns(vr, N, c)
		l, _ := complexColumns(vl, N, c)
		conds[c] = EigenvalueCond(r, l)
		conds[c+1] = conds[c]
		c++
	}
	return vals, conds, nil
}

// scaledCopy copies the N x N matrix j and, as dgeev does, divides it by its
// largest magnitude anrm when that lies outside the range where the
// eigenvalue steps neither overflow nor lose precision (scaled reports it).
func scaledCopy(impl lapackgonum.Implementation, N int, j []float64) (a []float64, anrm float64, scaled bool) {
	a = append([]float64(nil), j...)
	small := math.Sqrt(0x1p-1022) / 0x1p-53
	anrm = impl.Dlange(lapack.MaxAbs, N, N, a, N, nil)
	scaled = 0 < anrm && anrm < small || anrm > 1/small
	if scaled {
		for i := range a {
			a[i] /= anrm
		}
	}
	return a, anrm, scaled
}

// unscaled returns the eigenvalues wr + i wi of a matrix scaledCopy made,
// times anrm where it was scaled: the eigenvalues of the original.
func unscaled(wr, wi []float64, anrm float64, scaled bool) []complex128 {
	vals := make([]complex128, len(wr))
	for i := range vals {
		vals[i] = complex(wr[i], wi[i])
		if scaled {
			vals[i] *= complex(anrm, 0)
		}
	}
	return vals
}
