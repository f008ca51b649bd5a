package finder

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	G "gorgonia.org/gorgonia"
)

// TestBadInputErrors: every bad input gives an error that wraps a sentinel
// and names the problem.
func TestBadInputErrors(t *testing.T) {
	good := func() Problem {
		c := cells.NewGRU(4, 2)
		c.InitUniform(1)
		return Problem{Cell: c, InitialStates: make([]float64, 3*4), Inputs: []float64{0.1, 0.2}}
	}
	nanCell := cells.NewGRU(4, 2)
	nanCell.Params()[5].Data[3] = math.NaN()
	cases := []struct {
		name     string
		p        Problem
		s        *Settings
		sentinel error
		words    []string
	}{
		{"no cell", Problem{InitialStates: []float64{1}}, nil, nil, []string{"no cell"}},
		{"empty states", func() Problem { p := good(); p.InitialStates = nil; return p }(), nil, ErrEmpty, []string{"no initial states"}},
		{"ragged states", func() Problem { p := good(); p.InitialStates = make([]float64, 7); return p }(), nil, cells.ErrShape, []string{"7 values", "state size 4"}},
		{"wrong inputs", func() Problem { p := good(); p.Inputs = []float64{1, 2, 3}; return p }(), nil, cells.ErrShape, []string{"inputs have 3 values", "want 2"}},
		{"NaN state", func() Problem { p := good(); p.InitialStates[6] = math.NaN(); return p }(), nil, cells.ErrNotFinite, []string{"initial state row 1, column 2 is NaN"}},
		{"Inf input", func() Problem { p := good(); p.Inputs[1] = math.Inf(1); return p }(), nil, cells.ErrNotFinite, []string{"input row 0, column 1 is +Inf"}},
		{"NaN weight", func() Problem { p := good(); p.Cell = nanCell; return p }(), nil, cells.ErrNotFinite, []string{"w_hh_z_T", "NaN"}},
		{"conditions", func() Problem { p := good(); p.Conditions = []int{1}; return p }(), nil, cells.ErrShape, []string{"1 condition ids for 3 initial states"}},
		{"negative tolerance", good(), &Settings{TolQ: -1}, ErrSettings, []string{"TolQ = -1"}},
		{"negative iterations", good(), &Settings{MaxIters: -5}, ErrSettings, []string{"MaxIters = -5"}},
		{"NaN setting", good(), &Settings{TolResidual: math.NaN()}, ErrSettings, []string{"TolResidual = NaN"}},
		{"unknown method", good(), &Settings{Batching: 7}, ErrSettings, []string{"unknown Batching 7"}},
	}
	for _, tc := range cases {
		_, err := Find(context.Background(), tc.p, tc.s)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: %v does not wrap %v", tc.name, err, tc.sentinel)
		}
		for _, w := range tc.words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
	if _, err := cells.NewTorchCell("lsmt", 4, 2); !errors.Is(err, cells.ErrUnknownCell) || !strings.Contains(err.Error(), `"lsmt"`) {
		t.Errorf("unknown cell kind: %v", err)
	}
}

// panicCell panics while building its step, as a buggy user cell might.
type panicCell struct{ cells.Cell }

func (panicCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) { panic("user cell exploded") }

// TestNoPanicEscapes: a panicking cell becomes an error naming the cause.
func TestNoPanicEscapes(t *testing.T) {
	_, err := Find(context.Background(), Problem{Cell: panicCell{flipflopCell(3, 2)}, InitialStates: make([]float64, 6)}, nil)
	if err == nil || !strings.Contains(err.Error(), "user cell exploded") {
		t.Fatalf("error %v, want one naming the panic", err)
	}
}

// TestCancelReturnsPartialResults: canceling mid-search returns promptly
// with every candidate as it stood and Status Canceled.
func TestCancelReturnsPartialResults(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	s := &Settings{NoRefine: true, TolQ: 1e-300, TolDQ: 1e-300, MaxIters: 1000000, Progress: func(p Progress) {
		if calls++; calls == 20 {
			cancel()
		}
	}}
	start := time.Now()
	res, err := Find(ctx, Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v after cancel", d)
	}
	if res.Status != Canceled {
		t.Errorf("status %v, want Canceled", res.Status)
	}
	if res.All.Len() != 125 {
		t.Fatalf("%d candidates in the partial result, want 125", res.All.Len())
	}
	for _, p := range res.All.Points {
		if p.Q == 0 {
			continue // started exactly on a fixed point (the origin)
		}
		if p.Iters < 15 || p.Iters > 25 || math.IsInf(p.Q, 0) {
			t.Fatalf("candidate after cancel: %d iterations, q %g", p.Iters, p.Q)
		}
	}
}

// TestFloat32WarnsAndWorks: float32 finds the 27 points to its own
// precision and says in Stats that float64 tolerances are out of reach.
func TestFloat32WarnsAndWorks(t *testing.T) {
	res, err := Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}, &Settings{Dtype: graph.Float32})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 27 {
		t.Errorf("float32: %d fixed points, want 27", res.Fixed.Len())
	}
	for _, p := range res.Fixed.Points {
		if p.Residual > 1e-5 {
			t.Errorf("float32 residual %g > 1e-5", p.Residual)
		}
	}
	if res.Fixed.Dtype != "float32" {
		t.Errorf("dtype %q", res.Fixed.Dtype)
	}
	// Asking float32 for float64 tolerances is warned about.
	res, err = Find(context.Background(), Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 3, -1, 1)}, &Settings{Dtype: graph.Float32, TolResidual: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stats.Warnings) == 0 || !strings.Contains(res.Stats.Warnings[0], "float32") {
		t.Errorf("no float32 warning: %v", res.Stats.Warnings)
	}
}
