package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// hardSchur returns an n×n quasi-triangular T in standard Schur form whose
// back substitutions take every branch of Dtrevc3: repeated and nearly equal
// eigenvalues (smin's perturbation), 2×2 blocks next to real ones, and, with
// big > 1, entries of big above a diagonal with gaps of 1/big (Dlaln2's
// scale and the overflow rescalings).
func hardSchur(n int, seed uint64, big float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 5))
	T := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			T[i*n+j] = r.NormFloat64()
			if big > 1 && r.IntN(8) == 0 {
				T[i*n+j] *= big
			}
		}
	}
	for i := 0; i < n; {
		switch k := r.IntN(5); {
		case k == 0 && i+1 < n: // a 2×2 block [a b; c a], b c < 0
			a, b, c := r.NormFloat64(), 0.1+r.Float64(), -(0.1 + r.Float64())
			T[i*n+i], T[i*n+i+1], T[(i+1)*n+i], T[(i+1)*n+i+1] = a, b, c, a
			i += 2
		case k == 1 && i > 0: // repeated
			T[i*n+i] = T[(i-1)*n+i-1]
			i++
		case k == 2 && i > 0: // nearly equal
			T[i*n+i] = T[(i-1)*n+i-1] * (1 + 1e-15)
			if big > 1 {
				T[i*n+i] = T[(i-1)*n+i-1] + 1/big
			}
			i++
		default:
			T[i*n+i] = r.NormFloat64()
			i++
		}
	}
	return T
}

// Dtrevc3 gives gonum's Dtrevc3's vectors (its unblocked path) bit for bit,
// with and without the back-transformation, on Schur forms of random
// matrices and of known spectra with complex pairs, and on hardSchur's.
func TestDtrevc3IsGonums(t *testing.T) {
	type tc struct {
		name string
		n    int
		T, Z []float64
	}
	var cases []tc
	for _, n := range []int{1, 2, 5, 40, 75, 76, 100, 200} {
		r := rand.New(rand.NewPCG(uint64(n), 1))
		for _, big := range []float64{1, 1e150, 1e300} {
			T := hardSchur(n, uint64(n), big)
			Z := make([]float64, n*n)
			for i := range Z {
				Z[i] = r.NormFloat64()
			}
			cases = append(cases, tc{"hard" + strconv.Itoa(n) + "/" + strconv.FormatFloat(big, 'g', -1, 64), n, T, Z})
		}
		if n == 1 {
			continue // schur's Dgehrd wants 2 rows
		}
		A, _ := knownSpectrum(n, n/3, uint64(n))
		T, Z, _, _ := schur(n, A, Dhseqr)
		cases = append(cases, tc{"known" + strconv.Itoa(n), n, T, Z})
		A = make([]float64, n*n)
		for i := range A {
			A[i] = r.NormFloat64()
		}
		T, Z, _, _ = schur(n, A, Dhseqr)
		cases = append(cases, tc{"gauss" + strconv.Itoa(n), n, T, Z})
	}
	// Left vector 0: Dlaln2 scales (by about 1e-295) at row 3, where
	// T[3,3] equals T[0,0], while row 4's sum is under way (T[3,4] = 0
	// leaves that sum to the scaled entries).
	const n6 = 6
	T6 := make([]float64, n6*n6)
	for i := 0; i < n6; i++ {
		T6[i*n6+i] = float64(i + 1)
		for j := i + 1; j < n6; j++ {
			T6[i*n6+j] = 1 / float64(i+j+1)
		}
	}
	T6[3*n6+3], T6[0*n6+3], T6[3*n6+4] = 1, 1e295, 0
	cases = append(cases, tc{"scaledLeft", n6, T6, slices.Clone(cases[len(cases)-1].Z[:n6*n6])})
	impl := lapackgonum.Implementation{}
	for _, c := range cases {
		for _, how := range []lapack.EVHowMany{lapack.EVAll, lapack.EVAllMulQ} {
			n := c.n
			wantL, wantR := slices.Clone(c.Z), slices.Clone(c.Z)
			impl.Dtrevc3(lapack.EVBoth, how, nil, n, c.T, n, wantL, n, wantR, n, n, make([]float64, 3*n), 3*n)
			gotL, gotR := slices.Clone(c.Z), slices.Clone(c.Z)
			Dtrevc3(lapack.EVBoth, how, n, c.T, n, gotL, n, gotR, n, make([]float64, TrevcWork(n, how)))
			if how == lapack.EVAllMulQ && n > TrevcMulMin {
				// Q X in another order: each entry within n eps (|Q| |X|)_ij
				// of gonum's, over the vector's normalizing magnitude.
				for _, side := range []lapack.EVSide{lapack.EVRight, lapack.EVLeft} {
					x := slices.Clone(c.Z)
					if side == lapack.EVRight {
						impl.Dtrevc3(side, lapack.EVAll, nil, n, c.T, n, nil, 1, x, n, n, make([]float64, 3*n), 3*n)
					} else {
						impl.Dtrevc3(side, lapack.EVAll, nil, n, c.T, n, x, n, nil, 1, n, make([]float64, 3*n), 3*n)
					}
					got, want := gotR, wantR
					if side == lapack.EVLeft {
						got, want = gotL, wantL
					}
					if err := closeProducts(n, c.T, c.Z, x, got, want); err != "" {
						t.Errorf("%s %c: %s", c.name, side, err)
					}
				}
				continue
			}
			for i := range wantL {
				if math.Float64bits(gotL[i]) != math.Float64bits(wantL[i]) || math.Float64bits(gotR[i]) != math.Float64bits(wantR[i]) {
					t.Errorf("%s howmny %c: entry %d: left %v right %v, gonum's %v %v", c.name, how, i, gotL[i], gotR[i], wantL[i], wantR[i])
					break
				}
			}
		}
	}
}

// The back-transformed vectors of a Schur form of A (a known spectrum with
// complex pairs) are A's: ||A v - λ v|| / (||A|| ||v||) and
// ||uᴴ A - λ uᴴ|| / (||A|| ||u||) at LAPACK's level (a small multiple of
// N eps), at sizes above Dhseqr's 75 rows.
func TestDtrevc3Residuals(t *testing.T) {
	sizes := []int{200, 512, 1024}
	if testing.Short() {
		sizes = sizes[:1]
	}
	eps := math.Nextafter(1, 2) - 1
	for _, N := range sizes {
		t.Run(strconv.Itoa(N), func(t *testing.T) {
			A, _ := knownSpectrum(N, N/3, uint64(N)+7)
			T, Z, vals, _ := schur(N, A, Dhseqr)
			vl, vr := slices.Clone(Z), slices.Clone(Z)
			Dtrevc3(lapack.EVBoth, lapack.EVAllMulQ, N, T, N, vl, N, vr, N, make([]float64, TrevcWork(N, lapack.EVAllMulQ)))
			nA := frob(A)
			// A VR and VLᵀ A by gonum's Dgemm; a complex pair's columns
			// are the real and imaginary parts (the second vector the
			// conjugate of the first).
			bi := blas64.Implementation()
			AV, VA := make([]float64, N*N), make([]float64, N*N)
			bi.Dgemm(blas.NoTrans, blas.NoTrans, N, N, N, 1, A, N, vr, N, 0, AV, N)
			bi.Dgemm(blas.Trans, blas.NoTrans, N, N, N, 1, vl, N, A, N, 0, VA, N)
			worst := 0.0
			for c := 0; c < N; c++ {
				lam := vals[c]
				re, im, sgn := c, -1, 1.0
				switch {
				case imag(lam) > 0:
					im = c + 1
				case imag(lam) < 0:
					re, im, sgn = c-1, c, -1
				}
				var rr, rl, nr, nl float64
				for i := 0; i < N; i++ {
					// v = vr[:,re] + i sgn vr[:,im]; A v - λ v.
					v := complex(vr[i*N+re], 0)
					av := complex(AV[i*N+re], 0)
					u := complex(vl[i*N+re], 0)
					ua := complex(VA[re*N+i], 0) // (vl[:,re]ᵀ A)_i
					if im >= 0 {
						v += complex(0, sgn*vr[i*N+im])
						av += complex(0, sgn*AV[i*N+im])
						u += complex(0, sgn*vl[i*N+im])
						ua += complex(0, sgn*VA[im*N+i])
					}
					// uᴴ A - λ uᴴ: conj(u)ᵀ A = conj(uᵀ A) for real A.
					d := av - lam*v
					e := complex(real(ua), -imag(ua)) - lam*complex(real(u), -imag(u))
					rr = math.Hypot(rr, math.Hypot(real(d), imag(d)))
					rl = math.Hypot(rl, math.Hypot(real(e), imag(e)))
					nr = math.Hypot(nr, math.Hypot(real(v), imag(v)))
					nl = math.Hypot(nl, math.Hypot(real(u), imag(u)))
				}
				worst = max(worst, rr/(nA*nr), rl/(nA*nl))
			}
			if bound := float64(N) * eps; !(worst <= bound) {
				t.Errorf("worst residual %.3g, want at most N eps = %.3g", worst, bound)
			}
			t.Logf("worst residual %.3g (N eps %.3g)", worst, float64(N)*eps)
		})
	}
}

// closeProducts reports an entry of got, Dtrevc3's Q X normalized, farther
// from want, gonum's, than 2 n eps (|Q| |X|)_ij / m + 2 eps |want_ij|, m
// the normalizing magnitude (largest |x| of a real vector, |re| + |im| of
// a pair: complex pairs found from T's subdiagonal), X = xs normalized as
// Dtrevc3 without back-transformation normalizes it.
func closeProducts(n int, T, Q, xs, got, want []float64) string {
	eps := math.Nextafter(1, 2) - 1
	for c := 0; c < n; c++ {
		cols := []int{c}
		if c+1 < n && T[(c+1)*n+c] != 0 {
			cols = append(cols, c+1)
		}
		// m: Q x's normalizing magnitude, from Q x in plain sums.
		var m float64
		qx := make([][]float64, len(cols))
		bound := make([][]float64, len(cols))
		for k, cc := range cols {
			qx[k], bound[k] = make([]float64, n), make([]float64, n)
			for i := 0; i < n; i++ {
				for l := 0; l < n; l++ {
					qx[k][i] += Q[i*n+l] * xs[l*n+cc]
					bound[k][i] += math.Abs(Q[i*n+l] * xs[l*n+cc])
				}
			}
		}
		for i := 0; i < n; i++ {
			var a float64
			for k := range cols {
				a += math.Abs(qx[k][i])
			}
			m = max(m, a)
		}
		for k, cc := range cols {
			for i := 0; i < n; i++ {
				g, w := got[i*n+cc], want[i*n+cc]
				if d := math.Abs(g - w); !(d <= 2*float64(n)*eps*bound[k][i]/m+2*eps*math.Abs(w)) {
					return fmt.Sprintf("column %d row %d: %v, gonum's %v (bound %.3g)", cc, i, g, w, 2*float64(n)*eps*bound[k][i]/m)
				}
			}
		}
		c += len(cols) - 1
	}
	return ""
}
