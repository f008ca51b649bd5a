package stability

import (
	"testing"
)

// TestBigEigenvaluesExact checks the reference solver on a matrix that is
// exactly V D V^-1 in float64 (integer V and V^-1, dyadic D): its roots
// are D's eigenvalues to far beyond float64.
func TestBigEigenvaluesExact(t *testing.T) {
	blocks := []block{realBlock("1/2"), pairBlock("3/4", "1/4"), realBlock("-5/4"), realBlock("1/8"), pairBlock("-1/2", "3/8")}
	d, want := diag(blocks)
	v, vinv := unimodular(len(d), 0.2, 5)
	a := ratMul(ratMul(v, d), vinv)
	N := len(d)
	flat := make([]float64, N*N)
	for i := range a {
		for j := range a[i] {
			f, exact := a[i][j].Float64()
			if !exact {
				t.Fatalf("entry %d,%d not exact", i, j)
			}
			flat[i*N+j] = f
		}
	}
	roots, _ := bigEigenvalues(N, flat, want)
	for _, w := range want {
		best := 1.0
		for _, r := range roots {
			best = min(best, cmplxAbs(r.c128()-w))
		}
		if best > 1e-15 {
			t.Errorf("eigenvalue %v: nearest reference root %.3g away", w, best)
		}
	}
	e := enclose(t, N, flat, make([]float64, N*N))
	pu, ru, dec := checkAgainstBig(t, N, flat, e)
	if pu != 1 || ru != 1 || dec != N {
		t.Errorf("proved unstable %d, reference %d, decided %d of %d; want 1, 1, all", pu, ru, dec, N)
	}
}
