package continuation

import (
	"context"
	"math"
	"testing"
)

// continueOne continues p under s, logs the result and returns it with its
// bifurcation, failing the test at once unless there is exactly one and it
// is of kind k.
func continueOne(t *testing.T, p Problem, s Settings, k Kind) (*Result, Bifurcation) {
	t.Helper()
	res, err := Continue(context.Background(), p, s)
	if err != nil {
		t.Fatal(err)
	}
	logResult(t, res)
	if len(res.Bifurcations) != 1 || res.Bifurcations[0].Kind != k {
		t.Fatalf("bifurcations %+v, want one %v", res.Bifurcations, k)
	}
	return res, res.Bifurcations[0]
}

// checkU reports an error unless bifurcation e lies at u[0] = want within
// 1e-8.
func checkU(t *testing.T, e Bifurcation, want float64) {
	t.Helper()
	if d := math.Abs(e.U[0] - want); d > 1e-8 {
		t.Errorf("%v at u = %.12f, want %.12f (off by %.2g)", e.Kind, e.U[0], want, d)
	}
}
