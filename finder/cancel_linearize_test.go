package finder

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// afterCtx is a context whose Err turns to context.Canceled after n calls:
// a cancellation that arrives at a known point of a computation.
type afterCtx struct {
	context.Context
	n atomic.Int64
}

func (c *afterCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// Cancellation reaches the Jacobians' seeded passes and the loop of
// eigen-decompositions: a context canceled partway stops each and returns
// an error wrapping context.Canceled, leaving the points unchanged.
func TestCancelReachesLinearize(t *testing.T) {
	const N = 24
	A := make([]float64, N*N)
	for i := range A {
		A[i] = float64((i*7)%11-5) / 20
	}
	cell := newTanhCell(N, 0, A, nil, nil)
	xs := make([][]float64, 6)
	for k := range xs {
		xs[k] = make([]float64, N)
	}
	// The first check passes (the evaluation at the points), the next one,
	// in the evaluation at the Newton-corrected points, is canceled.
	fp := pointsAt(N, 0, xs, nil)
	for k := range fp.Points {
		fp.Points[k].X[k] = 0.3 // off the fixed point 0: a correction to evaluate
	}
	ctx := &afterCtx{Context: context.Background()}
	ctx.n.Store(1)
	if err := EvalJacobiansContext(ctx, cell, fp, Settings{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Jacobians: error %v, want context.Canceled", err)
	}
	if fp.Points[0].Jacobian != nil {
		t.Error("Jacobians filled points although canceled")
	}
	if err := EvalJacobians(cell, fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	ctx.n.Store(3) // three points decomposed, then canceled
	if err := DecomposeContext(ctx, fp, Settings{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Decompose: error %v, want context.Canceled", err)
	}
	for k, p := range fp.Points {
		if p.Modes != nil || p.Stability.Analyzed {
			t.Errorf("point %d decomposed although canceled", k)
		}
	}
	// Find canceled during the linearization returns its work, Canceled.
	ctx2, cancel := context.WithCancel(context.Background())
	s := &Settings{Progress: func(p Progress) {
		if p.Stage == "linearize" {
			cancel()
		}
	}}
	res, err := Find(ctx2, Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 3, -1, 1)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Canceled || res.Fixed.Len() == 0 || res.Fixed.Points[0].Stability.Analyzed {
		t.Errorf("status %v, %d fixed, first analyzed %v: want Canceled, unanalyzed points", res.Status, res.Fixed.Len(), res.Fixed.Len() > 0 && res.Fixed.Points[0].Stability.Analyzed)
	}
}
