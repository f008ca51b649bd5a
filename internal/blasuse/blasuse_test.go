package blasuse

import (
	"fmt"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestBLASInUse checks that gonum and gorgonia both run the BLAS Name
// reports, and that a product through each is right.
func TestBLASInUse(t *testing.T) {
	n := Name()
	t.Logf("BLAS: %s", n)
	open := strings.Contains(n, "OpenBLAS")
	if !open && n != "gonum (pure Go)" {
		t.Fatalf("Name() = %q", n)
	}
	for what, v := range map[string]any{"blas64": blas64.Implementation(), "gorgonia": gorgonia.WhichBLAS()} {
		got := strings.ToLower(fmt.Sprintf("%T", v))
		if want := map[bool]string{true: "blasuse.mixed", false: "gonum.implementation"}[open]; got != want {
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

// TestLarge: the products of the 16-unit networks stay in Go, those of
// the 128-unit ones go to OpenBLAS.
func TestLarge(t *testing.T) {
	for _, c := range []struct {
		m, n, k int
		want    bool
	}{
		{1024, 48, 16, false}, {1024, 16, 48, false}, {1024, 64, 16, false}, {1024, 16, 64, false}, {16, 16, 16, false},
		{64, 384, 128, true}, {1024, 128, 384, true}, {1, 384, 128, true}, {1024, 31, 1 << 20, false}, {32, 32, 32, true},
	} {
		if got := Large(c.m, c.n, c.k); got != c.want {
			t.Errorf("Large(%d, %d, %d) = %v, want %v", c.m, c.n, c.k, got, c.want)
		}
	}
}
