package stability

import (
	"fmt"
	"math"
	"math/cmplx"

	lapackgonum "gonum.org/v1/gonum/lapack/gonum"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
)

const (
	leadingTol       = 1e-12 // Krylov-Schur's locking tolerance, relative to max(1, |lambda_1|)
	leadingRestarts  = 60
	leadingSquarings = 6 // up to ||B^64||^(1/64) for the remainder bound
)

// LeadingModes returns the leading modes of the N x N row-major J with unit
// right and left eigenvectors (as Decompose's), and a bound beta on |lambda|
// of every mode not returned. ok is false when the modes with |lambda| >=
// cut could not be separated from the rest with beta < cut.
//
// What is proven: let Q (k x N) be the converged Schur vectors and
// E = J Q^T - Q^T T (||E||_F is the Schur residual, about 1e-13). Then
// J' = J - E Q is within ||E||_2 of J, has Q as an exact invariant
// subspace with the listed eigenvalues, and every other eigenvalue of J'
// has |lambda| <= beta (remainderBound). The listed modes are then
// certain up to their own error bounds, which the Schur residual enters.
func LeadingModes(N int, J []float64, want int, cut float64, vectors bool) (modes []Mode, beta, res float64, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("leading modes panicked: %v", r)
		}
	}()
	gJ := blas64.General{Rows: N, Cols: N, Stride: N, Data: J}
	right := func(x, y []float64) {
		blas64.Gemv(blas.NoTrans, 1, gJ, blas64.Vector{N: N, Inc: 1, Data: x}, 0, blas64.Vector{N: N, Inc: 1, Data: y})
	}
	left := func(x, y []float64) {
		blas64.Gemv(blas.Trans, 1, gJ, blas64.Vector{N: N, Inc: 1, Data: x}, 0, blas64.Vector{N: N, Inc: 1, Data: y})
	}
	for ; ; want *= 2 {
		want = min(want, N)
		p := min(N, max(2*want+10, 30))
		sp, err := linalg.KrylovSchur(N, right, want, p, leadingRestarts, leadingTol, 1)
		if err != nil {
			return nil, 0, 0, false, err
		}
		vals := linalg.SchurValues(sp.T, sp.K)
		// Every mode at or above the cut must be among the converged, with
		// the smallest converged below it (else seek more).
		smallest := math.Inf(1)
		for _, v := range vals {
			smallest = math.Min(smallest, cmplx.Abs(v))
		}
		if sp.K >= want && smallest < cut {
			beta = remainderBound(N, sp.K, J, sp.Q, cut*(1-1e-9), leadingSquarings)
			if beta < cut {
				res = schurResidual(N, sp.K, J, sp.Q, sp.T)
				// Vectors always: their condition numbers give each mode's
				// error bound (see SetBounds); without vectors only Cond
				// is kept.
				modes, err = schurModes(N, sp, vals, true, left)
				if err == nil && !vectors {
					for i := range modes {
						modes[i].Cond = EigenvalueCond(modes[i].Right, modes[i].Left)
						modes[i].Right, modes[i].Left = nil, nil
					}
				}
				return modes, beta, res, err == nil, err
			}
		}
		if want >= N/4 || sp.K == N {
			return nil, 0, 0, false, nil
		}
	}
}

// schurResidual is ||J Q^T - Q^T T||_F.
func schurResidual(N, k int, J, Q, T []float64) float64 {
	if k == 0 {
		return 0
	}
	D := blas64.General{Rows: N, Cols: k, Stride: k, Data: make([]float64, N*k)}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, blas64.General{Rows: N, Cols: N, Stride: N, Data: J},
		blas64.General{Rows: k, Cols: N, Stride: N, Data: Q}, 0, D)
	blas64.Gemm(blas.Trans, blas.NoTrans, -1, blas64.General{Rows: k, Cols: N, Stride: N, Data: Q},
		blas64.General{Rows: k, Cols: k, Stride: k, Data: T}, 1, D)
	return linalg.Nrm2(D.Data)
}

// schurModes turns the partial Schur form into modes: right eigenvectors
// Q^T y from T's, left ones from a Krylov-Schur run on J^T (whose
// eigenvalues are J's), matched by value; a left vector l satisfies
// l^H J = lambda l^H.
func schurModes(N int, sp linalg.SchurPart, vals []complex128, vectors bool, left func(x, y []float64)) ([]Mode, error) {
	k := sp.K
	modes := make([]Mode, k)
	for i := range modes {
		modes[i].Value = vals[i]
	}
	if !vectors {
		return modes, nil
	}
	rv := schurVectors(N, k, sp.Q, sp.T)
	spL, err := linalg.KrylovSchur(N, left, k, min(N, max(2*k+10, 30)), leadingRestarts, leadingTol, 2)
	if err != nil {
		return nil, err
	}
	lvals := linalg.SchurValues(spL.T, spL.K)
	lv := schurVectors(N, spL.K, spL.Q, spL.T)
	used := make([]bool, len(lvals))
	for i := range modes {
		modes[i].Right = rv[i]
		if err := normalize(modes[i].Right); err != nil {
			return nil, fmt.Errorf("right eigenvector %d: %w", i, err)
		}
		// J^T z = lambda z gives l = conj(z): z^T J = lambda z^T.
		best, bj := math.Inf(1), -1
		for j, mu := range lvals {
			if d := cmplx.Abs(mu - vals[i]); !used[j] && d < best {
				best, bj = d, j
			}
		}
		if bj < 0 || best > 1e-8*math.Max(1, cmplx.Abs(vals[i])) {
			return nil, fmt.Errorf("no left eigenvector for eigenvalue %v (nearest %v away)", vals[i], best)
		}
		used[bj] = true
		l := make([]complex128, N)
		for t, z := range lv[bj] {
			l[t] = cmplx.Conj(z)
		}
		modes[i].Left = l
		if err := normalize(modes[i].Left); err != nil {
			return nil, fmt.Errorf("left eigenvector %d: %w", i, err)
		}
	}
	return modes, nil
}

// schurVectors returns the eigenvectors Q^T y of the k x k quasi-triangular
// T (from Dtrevc3), one per eigenvalue in linalg.SchurValues' order.
func schurVectors(N, k int, Q, T []float64) [][]complex128 {
	impl := lapackgonum.Implementation{}
	Tc := append([]float64(nil), T...)
	Y := make([]float64, k*k)
	work := make([]float64, 3*k+1)
	impl.Dtrevc3(lapack.EVRight, lapack.EVAll, nil, k, Tc, k, nil, 1, Y, k, k, work, len(work))
	X := make([]float64, N*k) // Q^T Y, column c = eigenvector c
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: k, Cols: N, Stride: N, Data: Q},
		blas64.General{Rows: k, Cols: k, Stride: k, Data: Y}, 0, blas64.General{Rows: N, Cols: k, Stride: k, Data: X})
	var out [][]complex128
	for c := 0; c < k; {
		if linalg.BlockSize(T, k, c) == 2 {
			z, zbar := complexColumnsK(X, N, k, c)
			out = append(out, z, zbar)
			c += 2
			continue
		}
		v := make([]complex128, N)
		for i := range v {
			v[i] = complex(X[i*k+c], 0)
		}
		out = append(out, v)
		c++
	}
	return out
}

// complexColumnsK is complexColumns for an N x k matrix.
func complexColumnsK(v []float64, N, k, c int) (z, zbar []complex128) {
	z, zbar = make([]complex128, N), make([]complex128, N)
	for i := range z {
		z[i] = complex(v[i*k+c], v[i*k+c+1])
		zbar[i] = complex(v[i*k+c], -v[i*k+c+1])
	}
	return z, zbar
}

// remainderBound bounds the spectral radius of the part of J (N x N,
// row-major) outside the span of the orthonormal rows of Q (k x N): with
// P = I - Q^T Q and B = P J P, every eigenvalue of J not among those of
// Q J Q^T is an eigenvalue of B, for J with Q exactly invariant (see
// LeadingModes for the residual). rho(B) <= ||B^(2^s)||_F^(1/2^s) for every
// s; B is squared until the bound falls below target or after maxSquarings,
// and the bound includes the rounding of each product (Higham's
// |fl(XY) - XY| <= N u |X||Y|, in Frobenius norm). It returns the best
// bound found.
func remainderBound(N, k int, J, Q []float64, target float64, maxSquarings int) float64 {
	B := append([]float64(nil), J...)
	normJ := linalg.Nrm2(J)
	if k > 0 {
		gJ := blas64.General{Rows: N, Cols: N, Stride: N, Data: J}
		gQ := blas64.General{Rows: k, Cols: N, Stride: N, Data: Q}
		C := blas64.General{Rows: k, Cols: N, Stride: N, Data: make([]float64, k*N)} // Q J
		D := blas64.General{Rows: N, Cols: k, Stride: k, Data: make([]float64, N*k)} // J Q^T
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gQ, gJ, 0, C)
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, gJ, gQ, 0, D)
		G := blas64.General{Rows: k, Cols: k, Stride: k, Data: make([]float64, k*k)} // Q J Q^T
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, C, gQ, 0, G)
		GQ := blas64.General{Rows: k, Cols: N, Stride: N, Data: make([]float64, k*N)}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, G, gQ, 0, GQ)
		gB := blas64.General{Rows: N, Cols: N, Stride: N, Data: B}
		// B = J - Q^T (Q J) - (J Q^T) Q + Q^T (Q J Q^T) Q
		blas64.Gemm(blas.Trans, blas.NoTrans, -1, gQ, C, 1, gB)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, -1, D, gQ, 1, gB)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, gQ, GQ, 1, gB)
	}
	const u = 0x1p-53
	e := 8 * float64(k+N) * u * normJ // rounding of forming B
	nb := linalg.Nrm2(B)
	best := nb + e
	if best <= target {
		return best
	}
	X, Y := B, make([]float64, N*N)
	for s := 1; s <= maxSquarings; s++ {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, blas64.General{Rows: N, Cols: N, Stride: N, Data: X},
			blas64.General{Rows: N, Cols: N, Stride: N, Data: X}, 0, blas64.General{Rows: N, Cols: N, Stride: N, Data: Y})
		e = e*(2*nb+e) + float64(N)*u*nb*nb
		X, Y = Y, X
		nb = linalg.Nrm2(X)
		bound := math.Pow(nb+e, 1/math.Pow(2, float64(s)))
		best = math.Min(best, bound)
		if best <= target {
			break
		}
	}
	return best
}
