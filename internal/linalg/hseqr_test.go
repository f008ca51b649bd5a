package linalg

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// iparmq's shifts, windows and kacc22 are LAPACK's iparmq's, worked by
// hand from iparmq.f (NS: >= 30: 4, >= 60: 10, >= 150: max(10, NH /
// NINT(LOG2 NH)), >= 590: 64, >= 3000: 128, >= 6000: 256, made even;
// window NS up to NH = 500, 3 NS / 2 above; kacc22 2 from 14 shifts).
func TestIparmqIsLAPACKs(t *testing.T) {
	for _, c := range []struct{ nh, ns, nw, acc int }{
		{10, 2, 2, 0}, {29, 2, 2, 0}, {30, 4, 4, 0}, {59, 4, 4, 0}, {60, 10, 10, 0},
		{128, 10, 10, 0}, {149, 10, 10, 0},
		{150, 20, 20, 2}, // 150 / 7 = 21
		{181, 24, 24, 2}, // log2 181 = 7.4998: 181 / 7 = 25
		{182, 22, 22, 2}, // log2 182 = 7.508: 182 / 8 = 22
		{200, 24, 24, 2}, {256, 32, 32, 2}, {500, 54, 54, 2},
		{501, 54, 81, 2}, // 501 / 9 = 55; window 3 * 54 / 2
		{512, 56, 84, 2}, {589, 64, 96, 2}, {590, 64, 96, 2}, {1024, 64, 96, 2},
		{2999, 64, 96, 2}, {3000, 128, 192, 2}, {6000, 256, 384, 2},
	} {
		ns, nw, acc := iparmq(hqrShifts, c.nh), iparmq(hqrWindow, c.nh), iparmq(hqrAcc22, c.nh)
		if ns != c.ns || nw != c.nw || acc != c.acc {
			t.Errorf("nh %d: shifts %d window %d kacc22 %d, want LAPACK's %d %d %d", c.nh, ns, nw, acc, c.ns, c.nw, c.acc)
		}
	}
	if iparmq(hqrNmin, 1024) != 75 || iparmq(hqrNibble, 1024) != 14 {
		t.Errorf("nmin %d nibble %d, want 75 and 14", iparmq(hqrNmin, 1024), iparmq(hqrNibble, 1024))
	}
}

// knownSpectrum returns a random orthogonal similarity Q D Q^T (N x N,
// row-major) of a block-diagonal D with n2 standard 2 x 2 blocks [a b; -b
// a] (eigenvalues a +/- i b) and real eigenvalues after, and the
// eigenvalues. D is normal, so the eigenvalues are perfectly conditioned.
func knownSpectrum(N, n2 int, seed uint64) (A []float64, want []complex128) {
	r := rand.New(rand.NewPCG(seed, 9))
	D := make([]float64, N*N)
	for k := 0; k < n2; k++ {
		i := 2 * k
		a, b := 2*r.Float64()-1, 0.05+r.Float64()
		D[i*N+i], D[i*N+i+1], D[(i+1)*N+i], D[(i+1)*N+i+1] = a, b, -b, a
		want = append(want, complex(a, b), complex(a, -b))
	}
	for i := 2 * n2; i < N; i++ {
		D[i*N+i] = 3*r.Float64() - 1.5
		want = append(want, complex(D[i*N+i], 0))
	}
	// Q from the QR factorization of a Gaussian matrix.
	impl := lapackgonum.Implementation{}
	Q := make([]float64, N*N)
	for i := range Q {
		Q[i] = r.NormFloat64()
	}
	tau := make([]float64, N)
	work := make([]float64, 64*N)
	impl.Dgeqrf(N, N, Q, N, tau, work, len(work))
	impl.Dorgqr(N, N, N, Q, N, tau, work, len(work))
	QD := make([]float64, N*N)
	A = make([]float64, N*N)
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, N, N, N, 1, Q, N, D, N, 0, QD, N)
	blas64.Implementation().Dgemm(blas.NoTrans, blas.Trans, N, N, N, 1, QD, N, Q, N, 0, A, N)
	return A, want
}

// schur runs Dgehrd, Dorghr and fn (Dhseqr's or gonum's) on a copy of A:
// T, Z (A = Z T Z^T), the eigenvalues and the return value.
func schur(N int, A []float64, fn func(lapack.SchurJob, lapack.SchurComp, int, int, int, []float64, int, []float64, []float64, []float64, int, []float64, int) int) (T, Z []float64, vals []complex128, bad int) {
	impl := lapackgonum.Implementation{}
	T = slices.Clone(A)
	tau := make([]float64, max(N-1, 1))
	q := []float64{0}
	fn(lapack.EigenvaluesAndSchur, lapack.SchurOrig, N, 0, N-1, T, N, nil, nil, nil, N, q, -1)
	work := make([]float64, max(64*N, int(q[0])))
	impl.Dgehrd(N, 0, N-1, T, N, tau, work, len(work))
	Z = slices.Clone(T)
	impl.Dorghr(N, 0, N-1, Z, N, tau, work, len(work))
	for i := 2; i < N; i++ {
		clear(T[i*N : i*N+i-1])
	}
	wr, wi := make([]float64, N), make([]float64, N)
	bad = fn(lapack.EigenvaluesAndSchur, lapack.SchurOrig, N, 0, N-1, T, N, wr, wi, Z, N, work, len(work))
	for i := range wr {
		vals = append(vals, complex(wr[i], wi[i]))
	}
	return T, Z, vals, bad
}

// frob is the Frobenius norm.
func frob(a []float64) float64 {
	var s float64
	for _, v := range a {
		s = math.Hypot(s, v)
	}
	return s
}

// Dhseqr finds a known spectrum (every eigenvalue to within N eps
// ||A||_F, matched one to one), with a Schur form A Z = Z T
// and Z^T Z = I at LAPACK's level (residuals a small multiple of N eps),
// T quasi-triangular in standard form with its eigenvalues on the
// diagonal, at sizes where the multishift QR (more than 75 rows) runs.
func TestDhseqrKnownSpectrum(t *testing.T) {
	sizes := []int{200, 512, 1024}
	if testing.Short() {
		sizes = sizes[:1]
	}
	eps := math.Nextafter(1, 2) - 1
	for _, N := range sizes {
		t.Run(strconv.Itoa(N), func(t *testing.T) {
			A, want := knownSpectrum(N, N/3, uint64(N))
			T, Z, got, bad := schur(N, A, Dhseqr)
			if bad != 0 {
				t.Fatalf("unconverged %d", bad)
			}
			nA := frob(A)
			bound := 10 * float64(N) * eps
			// Residuals.
			AZ, ZT, ZZ := make([]float64, N*N), make([]float64, N*N), make([]float64, N*N)
			bi := blas64.Implementation()
			bi.Dgemm(blas.NoTrans, blas.NoTrans, N, N, N, 1, A, N, Z, N, 0, AZ, N)
			bi.Dgemm(blas.NoTrans, blas.NoTrans, N, N, N, 1, Z, N, T, N, 0, ZT, N)
			bi.Dgemm(blas.Trans, blas.NoTrans, N, N, N, 1, Z, N, Z, N, 0, ZZ, N)
			for i := range AZ {
				AZ[i] -= ZT[i]
			}
			for i := 0; i < N; i++ {
				ZZ[i*N+i]--
			}
			res, orth := frob(AZ)/nA, frob(ZZ)
			t.Logf("N %d: ||AZ - ZT|| / ||A|| = %.2g, ||Z^T Z - I|| = %.2g (N eps %.2g)", N, res, orth, float64(N)*eps)
			if res > bound || orth > bound {
				t.Errorf("Schur residual %.3g or orthogonality %.3g above %.3g", res, orth, bound)
			}
			// Quasi-triangular, standard 2 x 2 blocks, eigenvalues on
			// the diagonal.
			for i := 0; i < N; i++ {
				for j := 0; j < i-1; j++ {
					if T[i*N+j] != 0 {
						t.Fatalf("T[%d,%d] = %g below the subdiagonal", i, j, T[i*N+j])
					}
				}
				if i+1 < N && T[(i+1)*N+i] != 0 {
					if i+2 < N && T[(i+2)*N+i+1] != 0 || T[i*N+i] != T[(i+1)*N+i+1] || T[i*N+i+1]*T[(i+1)*N+i] >= 0 {
						t.Fatalf("block at %d not in standard form", i)
					}
					if real(got[i]) != T[i*N+i] || imag(got[i]) <= 0 || imag(got[i+1]) != -imag(got[i]) {
						t.Fatalf("eigenvalues %v %v at block %d", got[i], got[i+1], i)
					}
					i++
				} else if got[i] != complex(T[i*N+i], 0) {
					t.Fatalf("eigenvalue %v at %d, T's diagonal %g", got[i], i, T[i*N+i])
				}
			}
			// Match every computed eigenvalue to the nearest unused
			// known one.
			used := make([]bool, len(want))
			var worst float64
			for _, g := range got {
				best, at := math.Inf(1), -1
				for k, w := range want {
					if d := cmplx.Abs(g - w); !used[k] && d < best {
						best, at = d, k
					}
				}
				used[at] = true
				worst = max(worst, best)
			}
			t.Logf("largest eigenvalue error %.2g (||A|| %.3g)", worst, nA)
			if tol := float64(N) * eps * nA; worst > tol {
				t.Errorf("eigenvalue error %.3g above N eps ||A|| = %.3g", worst, tol)
			}
		})
	}
}

// Up to 75 rows Dhseqr is gonum's Dlahqr, as in gonum's Dhseqr: the same
// bits (every 16-unit network's modes rest on this).
func TestDhseqrSmallIsGonums(t *testing.T) {
	gonum := lapackgonum.Implementation{}.Dhseqr
	for _, N := range []int{5, 16, 32, 75} {
		A, _ := knownSpectrum(N, N/3, uint64(N))
		T1, Z1, v1, _ := schur(N, A, Dhseqr)
		T2, Z2, v2, _ := schur(N, A, gonum)
		if !slices.Equal(T1, T2) || !slices.Equal(Z1, Z2) || !slices.Equal(v1, v2) {
			t.Errorf("N %d: Dhseqr differs from gonum's", N)
		}
	}
}

// BenchmarkDhseqr times the Schur form with Schur vectors of a matrix
// with a known spectrum, the fork against gonum's Dhseqr.
func BenchmarkDhseqr(b *testing.B) {
	for _, N := range []int{256, 512, 1024} {
		A, _ := knownSpectrum(N, N/3, uint64(N))
		for _, c := range []struct {
			name string
			fn   func(lapack.SchurJob, lapack.SchurComp, int, int, int, []float64, int, []float64, []float64, []float64, int, []float64, int) int
		}{{"fork", Dhseqr}, {"gonum", lapackgonum.Implementation{}.Dhseqr}} {
			b.Run(c.name+"/"+strconv.Itoa(N), func(b *testing.B) {
				for b.Loop() {
					schur(N, A, c.fn)
				}
			})
		}
	}
}
