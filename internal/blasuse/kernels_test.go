//go:build !openblas

package blasuse

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestKernelsMatchGonum: every Dgemm through kernels, those it hands to
// linalg's kernels (at least kernelMinRows rows; B not transposed, or A
// not transposed with α = 1 and β 0 or 1) and those it leaves to gonum
// (fewer rows, a NaN or Inf in B or in αA), gives gonum's bits, with
// zeros of both signs in A, B and C.
func TestKernelsMatchGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64()
			switch r.IntN(12) {
			case 0, 1:
				v[i] = 0
			case 2:
				v[i] = math.Copysign(0, -1)
			}
		}
		return v
	}
	tr := []blas.Transpose{blas.NoTrans, blas.Trans}
	for _, s := range [][3]int{{8, 8, 8}, {64, 128, 128}, {130, 130, 67}, {4, 16, 16}, {33, 17, 5}, {300, 200, 70}} {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range tr {
			for _, tB := range tr {
				for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-1, 1}, {1, 0.5}, {-1, 0}, {0.3, 0}, {0.3, -1}, {1e300, 1}, {0, 0.5}} {
					for _, bad := range []float64{0, math.Inf(1), math.NaN(), -math.Inf(1)} {
						lda, ldb := k, n
						if tA == blas.Trans {
							lda = m
						}
						if tB == blas.Trans {
							ldb = k
						}
						a, b, c := fill(m*k), fill(k*n), fill(m*n)
						switch {
						case bad > 0 || math.IsNaN(bad):
							b[len(b)/2] = bad
						case bad < 0:
							a[len(a)/3] = bad
						}
						want := append([]float64(nil), c...)
						gonum.Implementation{}.Dgemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], want, n)
						kernels{}.Dgemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, n)
						for i := range c {
							if math.Float64bits(c[i]) != math.Float64bits(want[i]) {
								t.Fatalf("%v %v m, n, k = %d, %d, %d, α, β = %v, %v, B with %v: entry %d = %v, gonum's %v", tA, tB, m, n, k, ab[0], ab[1], bad, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestKernelsTrsmMatchGonum: Dtrsm through kernels, handed to
// linalg.TrsmUpper or left to gonum (lower, unit diagonal, right side, α ≠
// 1, few rows or columns), gives gonum's bits.
func TestKernelsTrsmMatchGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, m := range []int{4, 8, 37, 128} {
		for _, n := range []int{8, 16, 40, 128} {
			for _, s := range []blas.Side{blas.Left, blas.Right} {
				for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
					for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
						for _, d := range []blas.Diag{blas.NonUnit, blas.Unit} {
							for _, alpha := range []float64{1, -0.5} {
								k := m
								if s == blas.Right {
									k = n
								}
								a, b := make([]float64, k*k), make([]float64, m*n)
								for i := range a {
									if r.IntN(4) > 0 {
										a[i] = r.NormFloat64()
									}
								}
								for i := 0; i < k; i++ {
									a[i*k+i] = 1 + r.Float64()
								}
								for i := range b {
									b[i] = r.NormFloat64()
								}
								want := append([]float64(nil), b...)
								gonum.Implementation{}.Dtrsm(s, ul, tA, d, m, n, alpha, a, k, want, n)
								kernels{}.Dtrsm(s, ul, tA, d, m, n, alpha, a, k, b, n)
								for i := range b {
									if math.Float64bits(b[i]) != math.Float64bits(want[i]) {
										t.Fatalf("%v %v %v %v α %v m, n = %d, %d: entry %d = %v, gonum's %v", s, ul, tA, d, alpha, m, n, i, b[i], want[i])
									}
								}
							}
						}
					}
				}
			}
		}
	}
}
