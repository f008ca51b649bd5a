package finder

import (
	"math"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// remainderBound bounds the spectral radius of the part of J (N x N,
// row-major) outside the span of the orthonormal rows of Q (k x N): with
// P = I - Q^T Q and B = P J P, every eigenvalue of J not among those of
// Q J Q^T is an eigenvalue of B, for J with Q exactly invariant (see
// leadingModes for the residual). rho(B) <= ||B^(2^s)||_F^(1/2^s) for every
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
