package linalg

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// SchurPart is a partial real Schur form J Q^T ~ Q^T T of an N x N matrix:
// k orthonormal Schur vectors (the rows of Q, k x N) spanning the invariant
// subspace of the k eigenvalues of largest modulus, and T (k x k, upper
// quasi-triangular).
type SchurPart struct {
	K       int       // number of Schur vectors
	Q, T    []float64 // k x N and k x k
	Matvecs int       // products by the operator taken
}

// KrylovSchur computes the leading partial Schur form of the operator
// apply (y = J x, N x N) by Stewart's Krylov-Schur method: Arnoldi
// factorizations of dimension p, each restarted by keeping the Schur vectors
// of the want+ largest Ritz values (ordered by |lambda|) and locking those
// whose residual is below tol * max(1, |lambda_1|). It returns the leading
// converged Schur vectors, at least want of them unless maxRestarts ran out
// (a 2 x 2 block is never split).
func KrylovSchur(N int, apply func(x, y []float64), want, p, maxRestarts int, tol float64, seed uint64) (SchurPart, error) {
	impl := lapackgonum.Implementation{}
	p = min(p, N)
	want = min(want, p)
	V := make([]float64, (p+1)*N)
	H := make([]float64, (p+1)*p)
	r := startVector(V[:N], seed)
	out := SchurPart{}
	k := 0
	S, Z := make([]float64, p*p), make([]float64, p*p)
	wr, wi := make([]float64, p), make([]float64, p)
	tau := make([]float64, max(p-1, 0))
	work := make([]float64, 64*p+64)
	c := make([]float64, p+1)
	for restart := 0; ; restart++ {
		out.Matvecs += arnoldi(N, apply, V, H, p, k, r, c)
		// Real Schur form of H_p = Z S Z^T, ordered by |lambda| descending.
		copy(S, H[:p*p])
		impl.Dgehrd(p, 0, p-1, S, p, tau, work, len(work))
		copy(Z, S)
		impl.Dorghr(p, 0, p-1, Z, p, tau, work, len(work))
		for i := 0; i < p; i++ {
			for jj := 0; jj < i-1; jj++ {
				S[i*p+jj] = 0
			}
		}
		if bad := Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, p, 0, p-1, S, p, wr, wi, Z, p, work, len(work)); bad > 0 {
			return out, fmt.Errorf("krylov-schur: Schur form of the %d x %d projection did not converge", p, p)
		}
		sortSchur(impl, p, S, Z, work)
		// Residual row: b^T = h_{p,p-1} e_{p-1}^T Z.
		hp := H[p*p+p-1]
		b := make([]float64, p)
		for j := 0; j < p; j++ {
			b[j] = hp * Z[(p-1)*p+j]
		}
		scale := math.Max(1, cmplx.Abs(SchurEig(S, p, 0)))
		nconv := 0
		for nconv < p {
			sz := BlockSize(S, p, nconv)
			ok := true
			for t := nconv; t < nconv+sz; t++ {
				ok = ok && math.Abs(b[t]) <= tol*scale
			}
			if !ok {
				break
			}
			nconv += sz
		}
		if nconv >= want || restart >= maxRestarts {
			kc := nconv
			out.K = kc
			out.Q = make([]float64, kc*N)
			if kc > 0 {
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: kc, Stride: p, Data: Z},
					blas64.General{Rows: p, Cols: N, Stride: N, Data: V[:p*N]}, 0, blas64.General{Rows: kc, Cols: N, Stride: N, Data: out.Q})
			}
			out.T = make([]float64, kc*kc)
			for i := 0; i < kc; i++ {
				copy(out.T[i*kc:(i+1)*kc], S[i*p:i*p+kc])
			}
			return out, nil
		}
		// Keep the want + half the rest leading Schur vectors.
		k = min(p-2, max(want+(p-want)/2, nconv+1))
		if k > 0 && k < p && S[k*p+k-1] != 0 {
			k++ // do not split a 2 x 2 block
		}
		Vk := make([]float64, k*N)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: k, Stride: p, Data: Z},
			blas64.General{Rows: p, Cols: N, Stride: N, Data: V[:p*N]}, 0, blas64.General{Rows: k, Cols: N, Stride: N, Data: Vk})
		copy(V[k*N:(k+1)*N], V[p*N:(p+1)*N])
		copy(V[:k*N], Vk)
		clear(H)
		for i := 0; i < k; i++ {
			copy(H[i*p:i*p+k], S[i*p:i*p+k])
		}
		copy(H[k*p:k*p+k], b[:k])
	}
}

// Orthogonalize makes w (N) orthogonal to the first j rows of V by
// classical Gram-Schmidt applied twice, accumulates the coefficients into
// c[:j] and returns |w|.
func Orthogonalize(V []float64, j, N int, w, c []float64) float64 {
	return orthogonalize(V, j, N, w, c, make([]float64, j))
}

// orthogonalize is Orthogonalize with scratch t of at least j.
func orthogonalize(V []float64, j, N int, w, c, t []float64) float64 {
	clear(c[:j])
	Vj := blas64.General{Rows: j, Cols: N, Stride: N, Data: V[:j*N]}
	wv := blas64.Vector{N: N, Inc: 1, Data: w}
	t = t[:j]
	clear(t) // as a fresh t: a BLAS may scale the old contents by beta = 0
	for pass := 0; pass < 2; pass++ {
		tv := blas64.Vector{N: j, Inc: 1, Data: t}
		blas64.Gemv(blas.NoTrans, 1, Vj, wv, 0, tv)
		blas64.Gemv(blas.Trans, -1, Vj, tv, 1, wv)
		for i := range t {
			c[i] += t[i]
		}
	}
	return Nrm2(w)
}

// BlockSize is 2 when row i of the Schur form S (n x n) starts a 2 x 2 block.
func BlockSize(S []float64, n, i int) int {
	if i+1 < n && S[(i+1)*n+i] != 0 {
		return 2
	}
	return 1
}

// SchurEig is the eigenvalue of the block starting at row i (the one with
// positive imaginary part for a 2 x 2 block).
func SchurEig(S []float64, n, i int) complex128 {
	a := S[i*n+i]
	if BlockSize(S, n, i) == 1 {
		return complex(a, 0)
	}
	return complex(a, math.Sqrt(math.Abs(S[i*n+i+1]*S[(i+1)*n+i])))
}

// sortSchur reorders the real Schur form S = Z^T H Z (n x n) so that the
// eigenvalues come by |lambda| descending (selection sort by Dtrexc),
// updating Z.
func sortSchur(impl lapackgonum.Implementation, n int, S, Z, work []float64) {
	for t := 0; t < n; {
		best, bi := -1.0, t
		for i := t; i < n; i += BlockSize(S, n, i) {
			if a := cmplx.Abs(SchurEig(S, n, i)); a > best*(1+1e-14) {
				best, bi = a, i
			}
		}
		if bi != t {
			_, ilst, ok := impl.Dtrexc(lapack.UpdateSchur, n, S, n, Z, n, bi, t, work)
			if !ok {
				t = ilst
			}
		}
		t += BlockSize(S, n, t)
	}
}

// SchurValues lists the eigenvalues of the quasi-triangular T (k x k),
// a complex pair as +imag then -imag.
func SchurValues(T []float64, k int) []complex128 {
	var out []complex128
	for i := 0; i < k; {
		z := SchurEig(T, k, i)
		out = append(out, z)
		if BlockSize(T, k, i) == 2 {
			out = append(out, cmplx.Conj(z))
			i += 2
			continue
		}
		i++
	}
	return out
}
