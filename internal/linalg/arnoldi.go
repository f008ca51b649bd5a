package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"

	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// startVector fills v with a unit pseudo-random vector from seed and
// returns the generator, which arnoldi draws fresh directions from.
func startVector(v []float64, seed uint64) *rand.Rand {
	r := rand.New(rand.NewPCG(seed, 0x5c4e))
	for i := range v {
		v[i] = r.NormFloat64()
	}
	Scal(v, 1/Nrm2(v))
	return r
}

// arnoldi extends an Arnoldi factorization J V_k = V_{k+1} H_k of the
// operator apply (y = J x, N x N) from k to p steps: V holds p+1 rows of N
// orthonormal basis vectors, H (p+1) x p the Hessenberg matrix (row stride
// p), c is scratch of p+1. Each new vector is orthogonalized by classical
// Gram-Schmidt applied twice. On an invariant subspace (breakdown) the
// factorization continues from a fresh direction drawn from r, with a zero
// subdiagonal entry, so the Ritz values found so far stay exact
// eigenvalues. It returns the number of products taken.
func arnoldi(N int, apply func(x, y []float64), V, H []float64, p, k int, r *rand.Rand, c []float64) (matvecs int) {
	for j := k; j < p; j++ {
		w := V[(j+1)*N : (j+2)*N]
		apply(V[j*N:(j+1)*N], w)
		matvecs++
		hn := Orthogonalize(V[:(j+1)*N], j+1, N, w, c)
		for i := 0; i <= j; i++ {
			H[i*p+j] = c[i]
		}
		if hn <= 1e-14*math.Max(1, math.Abs(H[j*p+j])) {
			// An invariant subspace: continue from a fresh direction.
			for i := range w {
				w[i] = r.NormFloat64()
			}
			Orthogonalize(V[:(j+1)*N], j+1, N, w, make([]float64, p+1))
			Scal(w, 1/Nrm2(w))
			hn = 0
		} else {
			Scal(w, 1/hn)
		}
		H[(j+1)*p+j] = hn
	}
	return matvecs
}

// RitzValues returns the m Ritz values of the operator apply (y = J x,
// N x N, m <= N) from one Arnoldi factorization of dimension m started at
// a pseudo-random vector from seed: the eigenvalues of its Hessenberg
// matrix. Without restarts they approximate the eigenvalues of largest
// modulus (for certified leading modes use KrylovSchur).
func RitzValues(N int, apply func(x, y []float64), m int, seed uint64) ([]complex128, error) {
	m = max(1, min(m, N))
	V := make([]float64, (m+1)*N)
	H := make([]float64, (m+1)*m)
	r := startVector(V[:N], seed)
	arnoldi(N, apply, V, H, m, 0, r, make([]float64, m+1))
	a := H[:m*m]
	impl := lapackgonum.Implementation{}
	wr, wi := make([]float64, m), make([]float64, m)
	work := []float64{0}
	impl.Dgeev('N', 'N', m, a, m, wr, wi, nil, 1, nil, 1, work, -1)
	work = make([]float64, int(work[0]))
	if bad := impl.Dgeev('N', 'N', m, a, m, wr, wi, nil, 1, nil, 1, work, len(work)); bad > 0 {
		return nil, fmt.Errorf("ritz values: eigenvalues of the %d x %d projection did not converge", m, m)
	}
	vals := make([]complex128, m)
	for i := range vals {
		vals[i] = complex(wr[i], wi[i])
	}
	return vals, nil
}
