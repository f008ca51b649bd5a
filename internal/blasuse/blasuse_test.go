package blasuse

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestBLASInUse checks that gonum and gorgonia both run the BLAS Name
// reports, and that a product through each is right.
func TestBLASInUse(t *testing.T) {
	n := Name()
	t.Logf("BLAS: %s", n)
	open := strings.Contains(n, "OpenBLAS")
	kern := !open && linalg.KernelsInUse() // the default build's AVX2 products
	if !open && !kern && n != "gonum (pure Go)" || kern && !strings.Contains(n, "AVX2") {
		t.Fatalf("Name() = %q", n)
	}
	for what, v := range map[string]any{"blas64": blas64.Implementation(), "gorgonia": gorgonia.WhichBLAS()} {
		got := strings.ToLower(fmt.Sprintf("%T", v))
		want := map[bool]string{true: "blasuse.mixed", false: "gonum.implementation"}[open]
		if kern {
			want = "blasuse.kernels"
		}
		if got != want {
			t.Errorf("%s uses %s with Name() %q, want %s", what, got, n, want)
		}
	}
	// A small product (gonum's in either build) and a Large one (OpenBLAS's
	// with the tag), each against a plain loop.
	for _, n := range []int{3, MinDim + 8} {
		m, k := 5, n
		a := blas64.General{Rows: m, Cols: k, Stride: k, Data: make([]float64, m*k)}
		b := blas64.General{Rows: k, Cols: n, Stride: n, Data: make([]float64, k*n)}
		for i := range a.Data {
			a.Data[i] = float64(i%7) - 3
		}
		for i := range b.Data {
			b.Data[i] = float64(i%5) - 2
		}
		c := blas64.General{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
		ta := tensor.New(tensor.WithShape(m, k), tensor.WithBacking(a.Data))
		tb := tensor.New(tensor.WithShape(k, n), tensor.WithBacking(b.Data))
		tc, err := tensor.MatMul(ta, tb)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for l := 0; l < k; l++ {
					s += a.Data[i*k+l] * b.Data[l*n+j]
				}
				// Small integers: every order of the sum is exact.
				if c.Data[i*n+j] != s || tc.Data().([]float64)[i*n+j] != s {
					t.Fatalf("n = %d: product (%d, %d) = %v (blas64), %v (tensor), want %v", n, i, j, c.Data[i*n+j], tc.Data().([]float64)[i*n+j], s)
				}
			}
		}
	}
}

// A Large triangular solve and rank-k update (OpenBLAS's with the tag)
// agree with gonum's pure Go to rounding.
func TestLargeSolveAndUpdate(t *testing.T) {
	n := MinDim + 6
	a := make([]float64, n*n)
	b := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b[i*n+j] = float64((i*7+j*3)%11) - 5
			if j >= i {
				a[i*n+j] = float64((i+2*j)%5) / 10
			}
		}
		a[i*n+i] = 2 + float64(i%3)
	}
	for _, impl := range []struct {
		name string
		trsm func(x []float64)
		syrk func(c []float64)
	}{
		{"in use", func(x []float64) {
			blas64.Trsm(blas.Left, blas.NoTrans, 1, blas64.Triangular{N: n, Stride: n, Uplo: blas.Upper, Diag: blas.NonUnit, Data: a}, blas64.General{Rows: n, Cols: n, Stride: n, Data: x})
		}, func(c []float64) {
			blas64.Syrk(blas.Trans, 1, blas64.General{Rows: n, Cols: n, Stride: n, Data: b}, 0, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: c})
		}},
	} {
		x := append([]float64(nil), b...)
		impl.trsm(x)
		c := make([]float64, n*n)
		impl.syrk(c)
		want := append([]float64(nil), b...)
		gonum.Implementation{}.Dtrsm(blas.Left, blas.Upper, blas.NoTrans, blas.NonUnit, n, n, 1, a, n, want, n)
		wc := make([]float64, n*n)
		gonum.Implementation{}.Dsyrk(blas.Upper, blas.Trans, n, n, 1, b, n, 0, wc, n)
		for i := range x {
			if math.Abs(x[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
				t.Fatalf("%s: trsm element %d = %v, gonum's %v", impl.name, i, x[i], want[i])
			}
			if r, col := i/n, i%n; col >= r && math.Abs(c[i]-wc[i]) > 1e-12*(1+math.Abs(wc[i])) {
				t.Fatalf("%s: syrk element %d = %v, gonum's %v", impl.name, i, c[i], wc[i])
			}
		}
	}
}

// TestLarge: the products of the 16-unit networks stay in Go, those of
// the 128-unit ones go to OpenBLAS.
func TestLarge(t *testing.T) {
	for _, c := range []struct {
		m, n, k int
		want    bool
	}{
		{1024, 48, 16, false}, {1024, 16, 48, false}, {1024, 64, 16, false}, {1024, 16, 64, false}, {16, 16, 16, false},
		{32, 32, 32, false}, {1024, 128, 32, false},
		{64, 384, 128, true}, {1024, 128, 384, true}, {1, 384, 128, true}, {1024, 63, 1 << 20, false}, {64, 64, 64, true},
	} {
		if got := Large(c.m, c.n, c.k); got != c.want {
			t.Errorf("Large(%d, %d, %d) = %v, want %v", c.m, c.n, c.k, got, c.want)
		}
	}
}
