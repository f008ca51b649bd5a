package finder

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// noPanic runs fn and fails the test if it panics; it also fails when an
// error says a panic was recovered inside (Find's "internal error", graph's
// "panicked"): a property of the public API is that nothing panics at all
// on bad input, not merely that the panic is caught.
func noPanic(t *testing.T, what string, fn func() error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: panic: %v", what, r)
		}
	}()
	if err := fn(); err != nil && (strings.Contains(err.Error(), "internal error") || strings.Contains(err.Error(), "panicked")) {
		t.Fatalf("%s: a recovered panic: %v", what, err)
	}
}

// randomValues returns n values, some of them (with probability pBad) NaN
// or +-Inf, the others normal with the given scale.
func randomValues(r *rand.Rand, n int, scale, pBad float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch x := r.Float64(); {
		case x < pBad/3:
			v[i] = math.NaN()
		case x < 2*pBad/3:
			v[i] = math.Inf(1)
		case x < pBad:
			v[i] = math.Inf(-1)
		default:
			v[i] = scale * r.NormFloat64()
		}
	}
	return v
}

// A property test over the public entry points: random cells (the four
// PyTorch kinds), random and wrong shapes, empty inputs, NaN and Inf in
// weights, states and inputs, random settings (some invalid), and random
// point sets for Linearize, Decompose, Jacobians, Summary, Unique, the JSON
// writer and Score-like helpers. Every call returns (a result or an error);
// none panics, not even a panic recovered inside.
func TestPublicAPINoPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	kinds := []string{"rnn", "rnn_relu", "gru", "lstm"}
	cases := 60
	if testing.Short() {
		cases = 15
	}
	found := 0 // Find calls that returned a result: the property is not vacuous
	for k := 0; k < cases; k++ {
		kind := kinds[r.IntN(len(kinds))]
		H, M := 1+r.IntN(5), r.IntN(3)
		cell, err := cells.NewTorchCell(kind, H, M)
		if err != nil {
			t.Fatal(err)
		}
		pBad := 0.0
		if r.IntN(4) == 0 {
			pBad = 0.05
		}
		for _, p := range cell.Params() {
			copy(p.Data, randomValues(r, len(p.Data), 1.5, pBad))
		}
		N := cell.StateSize()
		B := r.IntN(6)
		states := randomValues(r, B*N+r.IntN(2)*r.IntN(3), 1, pBad)
		var inputs []float64
		switch r.IntN(4) {
		case 0:
			inputs = randomValues(r, M, 1, pBad)
		case 1:
			inputs = randomValues(r, B*M, 1, pBad)
		case 2:
			inputs = randomValues(r, r.IntN(7), 1, pBad)
		}
		s := &Settings{
			MaxIters: 1 + r.IntN(50), MaxRefineIters: r.IntN(5), Seed: uint64(k),
			NoRefine: r.IntN(4) == 0, NoEigenvectors: r.IntN(3) == 0, ContinuousTime: r.IntN(3) == 0,
			KeepDistanceOutliers: r.IntN(2) == 0, MaxUnique: r.IntN(3),
		}
		if r.IntN(5) == 0 {
			s.TolQ = []float64{-1, math.NaN(), math.Inf(1), 0}[r.IntN(4)]
		}
		if r.IntN(5) == 0 {
			s.Dtype = graph.Float32
		}
		if r.IntN(6) == 0 {
			s.Optimizer = ReferenceAdam
		}
		name := fmt.Sprintf("case %d: %s H=%d M=%d B=%d states %d inputs %d", k, kind, H, M, B, len(states), len(inputs))
		var res *Result
		noPanic(t, name+": Find", func() error {
			var err error
			res, err = Find(context.Background(), Problem{Cell: cell, InitialStates: states, Inputs: inputs}, s)
			return err
		})
		if res != nil {
			found++
			noPanic(t, name+": summaries and validation", func() error {
				_ = res.Fixed.Summary()
				_ = res.All.Unique(1e-3).Summary()
				// What package fpjson checks before it writes a result.
				for _, g := range []*FixedPoints{res.Fixed, res.Slow, res.Unconverged, res.All} {
					if err := g.Validate(); err != nil {
						t.Errorf("%s: a found set fails Validate: %v", name, err)
					}
				}
				return nil
			})
		}
		// Hand-made point sets with the wrong lengths, NaN Jacobians.
		fp := &FixedPoints{N: N, M: M, Dtype: "float64"}
		for i := 0; i < r.IntN(4); i++ {
			p := Point{X: randomValues(r, N+r.IntN(2)-r.IntN(2), 1, pBad), U: randomValues(r, M, 1, 0)}
			if r.IntN(2) == 0 {
				p.Jacobian = randomValues(r, N*N+r.IntN(2), 1, pBad)
			}
			fp.Points = append(fp.Points, p)
		}
		noPanic(t, name+": Linearize", func() error { return Linearize(cell, fp.Clone(), *s) })
		noPanic(t, name+": Decompose", func() error { return Decompose(fp.Clone(), *s) })
		noPanic(t, name+": Jacobians", func() error { return EvalJacobians(cell, fp.Clone(), *s) })
		noPanic(t, name+": SampleStates", func() error {
			T := r.IntN(4)
			_, err := SampleStates(Trajectories{States: randomValues(r, B*T*N+r.IntN(2), 1, pBad), Trials: B, Time: T, N: N}, r.IntN(5), 0.5, 1)
			return err
		})
		noPanic(t, name+": point helpers", func() error {
			_ = fp.Unique(1e-3)
			_ = fp.QOutliers(10)
			_, _, _ = fp.ExcludeDistanceOutliers(states, 10)
			for i := range fp.Points {
				_, _ = fp.Points[i].Predict(randomValues(r, N, 1, 0), randomValues(r, M, 1, 0))
			}
			return nil
		})
	}
	if found < cases/4 {
		t.Errorf("only %d of %d random problems ran to a result", found, cases)
	}
	t.Logf("%d of %d random problems ran to a result", found, cases)
	// Nil and empty arguments.
	noPanic(t, "nil problem", func() error { _, err := Find(context.Background(), Problem{}, nil); return err })
	noPanic(t, "nil points", func() error { return Linearize(cells.NewGRU(2, 1), nil, Settings{}) })
	noPanic(t, "nil cell", func() error { return EvalJacobians(nil, &FixedPoints{N: 1, Dtype: "float64"}, Settings{}) })
	noPanic(t, "nil decompose", func() error { return Decompose(nil, Settings{}) })
}
