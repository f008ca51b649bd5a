package linalg

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// matvec is y = A x for the N x N row-major A.
func matvec(A []float64, N int) func(x, y []float64) {
	return func(x, y []float64) {
		for i := 0; i < N; i++ {
			y[i] = Dot(A[i*N:(i+1)*N], x)
		}
	}
}

// GMRES solves two systems of one batch to their tolerances: the
// solutions are checked against the right-hand sides by their residuals.
func TestGMRESBatchSolves(t *testing.T) {
	const N, n = 40, 2
	r := rand.New(rand.NewPCG(3, 4))
	A := make([][]float64, n)
	for k := range A {
		A[k] = make([]float64, N*N)
		for i := range A[k] {
			A[k][i] = r.NormFloat64() / math.Sqrt(N)
		}
		for i := 0; i < N; i++ {
			A[k][i*N+i] += 3 // well conditioned: converges in a few steps
		}
	}
	b := make([]float64, n*N)
	for i := range b {
		b[i] = r.NormFloat64()
	}
	d := make([]float64, n*N)
	g := NewGMRES(n, N, 20)
	apply := func(rows []int, vs, out []float64) error {
		for i, k := range rows {
			matvec(A[k], N)(vs[i*N:(i+1)*N], out[i*N:(i+1)*N])
		}
		return nil
	}
	if _, err := g.Solve(n, b, []float64{1e-10, 1e-10}, d, 5, apply); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < n; k++ {
		ad := make([]float64, N)
		matvec(A[k], N)(d[k*N:(k+1)*N], ad)
		for i := range ad {
			ad[i] -= b[k*N+i]
		}
		if rel := Nrm2(ad) / Nrm2(b[k*N:(k+1)*N]); rel > 1e-9 || g.RelResidual(k) > 1e-10 {
			t.Errorf("system %d: true relative residual %.3g, estimate %.3g; want <= 1e-9, 1e-10", k, rel, g.RelResidual(k))
		}
		if g.Iters(k) < 1 || g.Iters(k) > 20 {
			t.Errorf("system %d: %d steps, want 1..20", k, g.Iters(k))
		}
	}
}

// KrylovSchur finds the leading eigenvalues of a diagonal matrix (known
// exactly) and RitzValues' largest agrees with them.
func TestKrylovSchurDiagonal(t *testing.T) {
	const N = 60
	A := make([]float64, N*N)
	for i := 0; i < N; i++ {
		A[i*N+i] = 0.5 * math.Pow(0.9, float64(i)) * float64(1-2*(i%2)) // 0.5, -0.45, ...
	}
	A[0] = 2
	sp, err := KrylovSchur(N, matvec(A, N), 4, 20, 60, 1e-12, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sp.K < 4 {
		t.Fatalf("%d converged Schur vectors, want >= 4", sp.K)
	}
	got := SchurValues(sp.T, sp.K)
	want := []float64{2, -0.45, 0.405, -0.3645}
	for i, w := range want {
		if math.Abs(real(got[i])-w) > 1e-10 || imag(got[i]) != 0 {
			t.Errorf("eigenvalue %d = %v, want %v", i, got[i], w)
		}
	}
	ritz, err := RitzValues(N, matvec(A, N), 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(ritz, func(a, b complex128) int {
		if cmplx.Abs(a) > cmplx.Abs(b) {
			return -1
		}
		return 1
	})
	if len(ritz) != 20 || math.Abs(real(ritz[0])-2) > 1e-10 {
		t.Errorf("%d Ritz values, largest %v; want 20, 2", len(ritz), ritz[0])
	}
}

// TestCholeskySolveOneColumn checks CholeskySolve's one-column path against
// gonum's Dpotrs (which it replaces there) bit for bit, on factors with
// zeros among their entries (Dtrsm skips those) and one with a NaN (not
// skipped), right-hand sides with −0 and −∞, and at sizes on both sides
// of the openblas build's threshold.
func TestCholeskySolveOneColumn(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 3, 7, 16, 32, 33, 64, 70} {
		for trial := 0; trial < 20; trial++ {
			a := make([]float64, n*n)
			for i := range a {
				if r.IntN(5) > 0 {
					a[i] = r.NormFloat64()
				}
			}
			h := make([]float64, n*n) // a^T a + n I
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					s := 0.0
					for k := 0; k < n; k++ {
						s += a[k*n+i] * a[k*n+j]
					}
					h[i*n+j] = s
				}
				h[i*n+i] += float64(n)
			}
			if !Cholesky(h, n) {
				t.Fatalf("n %d: not positive definite", n)
			}
			if trial%2 == 1 { // zeros in the factor itself
				for i := 0; i < n; i++ {
					for j := i + 1; j < n; j++ {
						if r.IntN(3) == 0 {
							h[i*n+j] = 0
						}
					}
				}
			}
			if trial == 19 && n > 1 {
				h[r.IntN(n-1)*n+n-1] = math.NaN() // a term with a NaN factor is not skipped
			}
			b := make([]float64, n)
			for i := range b {
				b[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3))
				if trial%4 == 3 {
					switch r.IntN(8) {
					case 0:
						b[i] = math.Copysign(0, -1) // kept where every term is skipped
					case 1:
						b[i] = math.Inf(-1)
					}
				}
			}
			want := slices.Clone(b)
			lapack64.Potrs(blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: h},
				blas64.General{Rows: n, Cols: 1, Stride: 1, Data: want})
			got := slices.Clone(b)
			CholeskySolve(h, n, got, 1)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n %d trial %d: x[%d] = %v, Dpotrs gives %v", n, trial, i, got[i], want[i])
				}
			}
		}
	}
}

// TestCholeskyMatchesPotrf checks Cholesky's own unblocked factorization
// (potf2Upper) against gonum's Dpotrf bit for bit: the factor, the
// verdict, and on failure the entries written up to it, on positive
// definite matrices with zeros among their entries, on ones that are
// nearly singular or not positive definite, and on one with a NaN, at
// sizes up to the blocked threshold.
func TestCholeskyMatchesPotrf(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64} {
		for trial := 0; trial < 40; trial++ {
			a := make([]float64, n*n)
			for i := range a {
				if r.IntN(5) > 0 {
					a[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-2))
				}
			}
			h := make([]float64, n*n) // a^T a + shift I
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					s := 0.0
					for k := 0; k < n; k++ {
						s += a[k*n+i] * a[k*n+j]
					}
					h[i*n+j] = s
				}
			}
			shift := []float64{float64(n), 1e-12, 0, -0.5}[trial%4]
			for i := 0; i < n; i++ {
				h[i*n+i] += shift
			}
			switch trial {
			case 38: // an infinite diagonal entry: Dscal zeroes its row (1/∞ = 0)
				h[r.IntN(n)*(n+1)] = math.Inf(1)
			case 39:
				h[r.IntN(n)*n+r.IntN(n)] = math.NaN()
			}
			want := slices.Clone(h)
			_, wantOK := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: want})
			got := slices.Clone(h)
			gotOK := potf2Upper(got, n)
			if gotOK != wantOK {
				t.Fatalf("n %d trial %d: ok %v, Dpotrf %v", n, trial, gotOK, wantOK)
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Fatalf("n %d trial %d: a[%d] = %v, Dpotrf gives %v", n, trial, i, got[i], want[i])
				}
			}
		}
	}
}

// TestCholeskySolveSixteenColumns checks CholeskySolve of 16 columns,
// both solves in one kernel call where linalg's kernels run, against
// LAPACK's potrs (gonum's Dtrsm twice) bit for bit: zeros in the factor
// (skipped terms) and a NaN (not skipped), NaN, Inf and −0 in the
// right-hand sides.
func TestCholeskySolveSixteenColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 2, 3, 7, 16, 17, 32, 33} {
		for trial := 0; trial < 10; trial++ {
			u := make([]float64, n*n)
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					if r.IntN(4) > 0 {
						u[i*n+j] = r.NormFloat64()
					}
				}
				u[i*n+i] = 0.5 + r.Float64()
			}
			if trial == 9 && n > 1 {
				u[r.IntN(n-1)*n+n-1] = math.NaN() // a term with a NaN factor is not skipped
			}
			b := make([]float64, n*16)
			for i := range b {
				b[i] = r.NormFloat64()
				switch r.IntN(60) {
				case 0:
					b[i] = math.Copysign(0, -1)
				case 1:
					b[i] = math.NaN()
				case 2:
					b[i] = math.Inf(1)
				}
			}
			want := slices.Clone(b)
			lapack64.Potrs(blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: u},
				blas64.General{Rows: n, Cols: 16, Stride: 16, Data: want})
			CholeskySolve(u, n, b, 16)
			for i := range b {
				if math.Float64bits(b[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n %d trial %d: entry %d (row %d, column %d) %v, Potrs %v", n, trial, i, i/16, i%16, b[i], want[i])
				}
			}
		}
	}
}
