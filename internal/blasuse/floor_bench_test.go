package blasuse

import (
	"flag"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	gonuml "gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

var floorN = flag.Int("floor-n", 1024, "size of BenchmarkFloor's matrices")

// BenchmarkFloor times, at N = -floor-n with this build's BLAS, the dense
// steps every proved point with a saddle index needs at least once: a
// product (Krawczyk's interval products are two or more of them), an LU
// factorization (its approximate inverse), the Hessenberg reduction and
// the eigenvalues without vectors. Multiplied by the number of points they
// give a floor under a Find's time that no change of the finder can go
// below (docs/performance.md, the planted battery network at N = 1024).
func BenchmarkFloor(b *testing.B) {
	n := *floorN
	r := rand.New(rand.NewPCG(1, 2))
	a := make([]float64, n*n)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	gen := func() blas64.General {
		return blas64.General{Rows: n, Cols: n, Stride: n, Data: append([]float64(nil), a...)}
	}
	flops := func(b *testing.B, f float64) {
		b.ReportMetric(f*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	size := strconv.Itoa(n)
	b.Run("gemm/"+size, func(b *testing.B) {
		A, B, C := gen(), gen(), gen()
		for b.Loop() {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, A, B, 0, C)
		}
		flops(b, 2*float64(n)*float64(n)*float64(n))
	})
	b.Run("lu/"+size, func(b *testing.B) {
		for b.Loop() {
			var lu mat.LU
			lu.Factorize(mat.NewDense(n, n, gen().Data))
		}
		flops(b, 2.0/3*float64(n)*float64(n)*float64(n))
	})
	b.Run("hessenberg/"+size, func(b *testing.B) {
		var impl gonuml.Implementation
		tau := make([]float64, n-1)
		work := make([]float64, 1)
		impl.Dgehrd(n, 0, n-1, a, n, tau, work, -1)
		work = make([]float64, int(work[0]))
		for b.Loop() {
			h := gen()
			impl.Dgehrd(n, 0, n-1, h.Data, n, tau, work, len(work))
		}
		flops(b, 10.0/3*float64(n)*float64(n)*float64(n))
	})
	// The eigenvalues as stability's geev finds them: the Hessenberg
	// reduction, then linalg.Dhseqr (LAPACK's shift counts)...
	b.Run("eigenvalues/"+size, func(b *testing.B) {
		var impl gonuml.Implementation
		tau := make([]float64, n-1)
		wr, wi := make([]float64, n), make([]float64, n)
		work := make([]float64, 1)
		q := gen().Data // the workspace queries' matrix
		impl.Dgehrd(n, 0, n-1, q, n, tau, work, -1)
		lwork := int(work[0])
		linalg.Dhseqr(lapack.EigenvaluesOnly, lapack.SchurNone, n, 0, n-1, q, n, wr, wi, nil, 1, work, -1)
		work = make([]float64, max(lwork, int(work[0])))
		for b.Loop() {
			h := gen()
			impl.Dgehrd(n, 0, n-1, h.Data, n, tau, work, len(work))
			if linalg.Dhseqr(lapack.EigenvaluesOnly, lapack.SchurNone, n, 0, n-1, h.Data, n, wr, wi, nil, 1, work, len(work)) > 0 {
				b.Fatal("eigenvalues did not converge")
			}
		}
	})
	// ... and as gonum's mat.Eigen does, whose Dhseqr (v0.17) takes 4
	// shifts at every size (linalg.Dhseqr's comment).
	b.Run("eigenvalues-gonum/"+size, func(b *testing.B) {
		for b.Loop() {
			var e mat.Eigen
			if !e.Factorize(mat.NewDense(n, n, gen().Data), mat.EigenNone) {
				b.Fatal("eigenvalues did not converge")
			}
		}
	})
}
