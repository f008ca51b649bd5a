package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/handloop"
)

// randomCell is a cell of kind ("rnn", "gru" or "lstm") with hidden units,
// 3 inputs and PyTorch's default initialisation from seed 1.
func randomCell(kind string, hidden int) (cells.TorchCell, error) {
	c, err := cells.NewTorchCell(kind, hidden, 3)
	if err != nil {
		return nil, err
	}
	c.(interface{ InitUniform(uint64) }).InitUniform(1)
	return c, nil
}

// objectiveAt is a compiled objective of c for B random states, zero input.
func objectiveAt(c cells.Cell, B int) (*graph.Objective, []float64, error) {
	o, err := graph.NewObjective(c, B, graph.Float64)
	if err != nil {
		return nil, nil, err
	}
	x := randVec(rand.New(rand.NewPCG(1, 1)), B*c.StateSize())
	if err := o.SetStates(x); err != nil {
		return nil, nil, err
	}
	if err := o.SetInputs(make([]float64, c.InputSize())); err != nil {
		return nil, nil, err
	}
	return o, x, nil
}

// objectiveTable prints the cost of one evaluation of F, q and dq/dX.
func objectiveTable(w io.Writer, o options) error {
	tableHead(w, "Objective and gradient (F, q and dq/dX for a batch)", "",
		"cell", "hidden:", "batch:", "ms / evaluation:", "evaluations / s:", "KB allocated:", "allocations:")
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		for _, hb := range [][2]int{{16, 1024}, {64, 256}, {256, 256}} {
			h, B := hb[0], hb[1]
			c, err := randomCell(kind, h)
			if err != nil {
				return err
			}
			ob, _, err := objectiveAt(c, B)
			if err != nil {
				return err
			}
			s, err := measure(o.count, o.minTime, ob.Eval)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "| %s | %d | %d | %s | %.0f | %.0f | %.0f |\n", kind, h, B, ms(s.Op), float64(time.Second)/float64(s.Op), s.Bytes/1024, s.Allocs)
		}
	}
	fmt.Fprintln(w)
	return nil
}

// handLoopTable sets the graph's tanh RNN objective beside a hand-written
// gonum loop computing the same numbers, measured in alternate rounds so
// that both see the same load, and returns graph/hand.
func handLoopTable(w io.Writer, o options) (float64, error) {
	const B = 1024
	c, err := randomCell("rnn", 16)
	if err != nil {
		return 0, err
	}
	ob, x, err := objectiveAt(c, B)
	if err != nil {
		return 0, err
	}
	if err := ob.Eval(); err != nil {
		return 0, err
	}
	h := handloop.New(c.(*cells.Vanilla), B, make([]float64, B*c.InputSize()))
	copy(h.X, x)
	h.Eval()
	diff := max(maxDiff(ob.F(), h.F), maxDiff(ob.Q(), h.Q), maxDiff(ob.Grad(), h.Grad))
	if diff > 1e-14 {
		return 0, fmt.Errorf("hand loop and graph differ by %g: they must compute the same numbers to be compared", diff)
	}
	var tg, th []time.Duration
	for range o.count {
		sg, err := measure(1, o.minTime, ob.Eval)
		if err != nil {
			return 0, err
		}
		sh, err := measure(1, o.minTime, func() error { h.Eval(); return nil })
		if err != nil {
			return 0, err
		}
		tg, th = append(tg, sg.Op), append(th, sh.Op)
	}
	g, hand := median(tg), median(th)
	ratio := float64(g) / float64(hand)
	tableHead(w, "The graph beside a hand-written loop (tanh RNN, hidden 16, batch 1024)", "", "implementation", "ms / evaluation:", "ratio:")
	fmt.Fprintf(w, "| gonum loop by hand (Gemm, tanh, Gemm) | %s | 1 |\n", ms(hand))
	fmt.Fprintf(w, "| graph.Objective (gorgonia) | %s | %.2f |\n\n", ms(g), ratio)
	fmt.Fprintf(w, "The two agree to %.1e on F, q and dq/dX.\n\n", diff)
	return ratio, nil
}

// jacobianTable prints the time for all Jacobians at 1024 points and
// returns the LSTM's.
func jacobianTable(w io.Writer, o options) (time.Duration, error) {
	const B = 1024
	tableHead(w, "All Jacobians (dF/dx and dF/du) at 1024 points, hidden 16", "",
		"cell", "state size:", "lanes:", "ms:", "MB allocated:", "allocations:")
	var lstm time.Duration
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		c, err := randomCell(kind, 16)
		if err != nil {
			return 0, err
		}
		N, M := c.StateSize(), c.InputSize()
		j, err := graph.NewJacobians(c, B, graph.Float64)
		if err != nil {
			return 0, err
		}
		x := randVec(rand.New(rand.NewPCG(1, 1)), B*N)
		u := make([]float64, M)
		jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
		s, err := measure(o.count, o.minTime, func() error { return j.Eval(x, u, jx, ju) })
		if err != nil {
			return 0, err
		}
		if kind == "lstm" {
			lstm = s.Op
		}
		lanes := "closed form" // one forward pass, no seeded lanes
		if !j.ClosedForm() {
			lanes = fmt.Sprint(j.Lanes())
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.1f | %.0f |\n", kind, N, lanes, ms(s.Op), s.Bytes/(1<<20), s.Allocs)
	}
	fmt.Fprintln(w)
	return lstm, nil
}

// lanesTable prints the Jacobian time as the rows per pass (points x
// lanes) vary, for many small points and for few large ones.
func lanesTable(w io.Writer, o options) error {
	cases := []struct {
		kind      string
		hidden, B int
		lanes     []int
	}{
		{"lstm", 16, 1024, []int{1, 2, 4, 8}},
	}
	if o.large {
		cases = append(cases, struct {
			kind      string
			hidden, B int
			lanes     []int
		}{"rnn", 1000, 3, []int{170, 341, 500, 682, 1000}})
	}
	tableHead(w, "Rows per Jacobian pass (graph.DefaultLanes aims at 4096, spread evenly over the passes)", "",
		"cell", "hidden:", "points:", "lanes:", "rows per pass:", "passes:", "ms:")
	for _, cs := range cases {
		c, err := randomCell(cs.kind, cs.hidden)
		if err != nil {
			return err
		}
		N, M := c.StateSize(), c.InputSize()
		x := randVec(rand.New(rand.NewPCG(1, 1)), cs.B*N)
		u := make([]float64, M)
		jx, ju := make([]float64, cs.B*N*N), make([]float64, cs.B*N*M)
		for _, L := range cs.lanes {
			j, err := graph.NewJacobiansLanes(c, cs.B, L, graph.Float64)
			if err != nil {
				return err
			}
			s, err := measure(o.count, o.minTime, func() error { return j.Eval(x, u, jx, ju) })
			if err != nil {
				return err
			}
			def := ""
			if L == graph.DefaultLanes(cs.B, N) {
				def = " (default)"
			}
			fmt.Fprintf(w, "| %s | %d | %d | %d%s | %d | %d | %s |\n", cs.kind, cs.hidden, cs.B, L, def, cs.B*L, (N+L-1)/L, ms(s.Op))
		}
	}
	fmt.Fprintln(w)
	return nil
}

// buildTable prints the cost of building and compiling the graphs.
func buildTable(w io.Writer, o options) error {
	tableHead(w, "Building and compiling a graph (hidden 16, batch 1024)", "", "cell", "objective ms:", "Jacobians ms:")
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		c, err := randomCell(kind, 16)
		if err != nil {
			return err
		}
		so, err := measure(o.count, o.minTime/3, func() error { _, err := graph.NewObjective(c, 1024, graph.Float64); return err })
		if err != nil {
			return err
		}
		sj, err := measure(o.count, o.minTime/3, func() error { _, err := graph.NewJacobians(c, 1024, graph.Float64); return err })
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", kind, ms(so.Op), ms(sj.Op))
	}
	fmt.Fprintln(w)
	return nil
}

// gcTable shows how the collector's setting moves the objective: every
// gorgonia run allocates its intermediate values, so with a small live heap
// the collector runs every few evaluations. The library sets nothing
// global; a program may (GOGC, debug.SetGCPercent).
func gcTable(w io.Writer, o options) error {
	tableHead(w, "The garbage collector's setting (objective, hidden 16, batch 1024)", "", "cell", "GOGC=100 ms:", "GOGC=400 ms:")
	for _, kind := range []string{"rnn", "lstm"} {
		c, err := randomCell(kind, 16)
		if err != nil {
			return err
		}
		ob, _, err := objectiveAt(c, 1024)
		if err != nil {
			return err
		}
		var t [2]time.Duration
		for i, pct := range []int{100, 400} {
			prev := debug.SetGCPercent(pct)
			s, err := measure(o.count, o.minTime, ob.Eval)
			debug.SetGCPercent(prev)
			if err != nil {
				return err
			}
			t[i] = s.Op
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", kind, ms(t[0]), ms(t[1]))
	}
	fmt.Fprintln(w)
	return nil
}

// maxDiff is max_i |a_i - b_i|.
func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
