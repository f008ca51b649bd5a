package continuation

import (
	"context"
	"errors"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// Problems and settings that make no sense are refused with ErrSettings,
// before any graph is built.
func TestErrSettings(t *testing.T) {
	cell := newTanhCell(1, 1, []float64{2}, []float64{1}, nil, false)
	seed := &finder.FixedPoints{N: 1, M: 1, Points: []finder.Point{{X: []float64{0}, U: []float64{0}}}}
	path := Segment([]float64{0}, []float64{1})
	for name, c := range map[string]struct {
		p Problem
		s Settings
	}{
		"nil cell":        {Problem{Start: seed, Path: path}, Settings{}},
		"no seeds":        {Problem{Cell: cell, Path: path}, Settings{}},
		"short path":      {Problem{Cell: cell, Start: seed, Path: Path{{0}}}, Settings{}},
		"path size":       {Problem{Cell: cell, Start: seed, Path: Segment([]float64{0, 0}, []float64{1, 0})}, Settings{}},
		"repeated vertex": {Problem{Cell: cell, Start: seed, Path: Path{{0}, {0}, {1}}}, Settings{}},
		"seed off path":   {Problem{Cell: cell, Start: seed, Path: Segment([]float64{0.5}, []float64{1})}, Settings{}},
		"negative step":   {Problem{Cell: cell, Start: seed, Path: path}, Settings{MaxStep: -1}},
		"min over max":    {Problem{Cell: cell, Start: seed, Path: path}, Settings{MaxStep: 0.1, MinStep: 0.2}},
	} {
		if _, err := Continue(context.Background(), c.p, c.s); !errors.Is(err, ErrSettings) {
			t.Errorf("%s: err %v, want ErrSettings", name, err)
		}
	}
}

// A canceled context stops every branch with End Canceled and returns the
// context's error with what was done.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := Problem{Cell: rotationCell(2, 1), Start: originSeed(), Path: Segment([]float64{0}, []float64{2})}
	res, err := Continue(ctx, p, Settings{})
	if !errors.Is(err, context.Canceled) || res == nil || len(res.Branches) != 1 || res.Branches[0].End != Canceled {
		t.Fatalf("err %v, result %+v; want context.Canceled and one canceled branch", err, res)
	}
	if len(res.Branches[0].Points) != 1 {
		t.Errorf("%d points, want the seed alone", len(res.Branches[0].Points))
	}
}
