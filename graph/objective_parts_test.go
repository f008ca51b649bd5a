package graph

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
	"gorgonia.org/tensor"
)

// partBounds depends on the sizes only, not on the number of CPUs (above
// 64 states a row's bits depend on the rows of its block).
func TestPartBounds(t *testing.T) {
	for _, c := range []struct {
		B, N, procs int
		want        []int
	}{
		{1, 16, 4, []int{0, 1}},
		{256, 16, 4, []int{0, 256}},          // 4096 values: one part
		{512, 16, 1, []int{0, 256, 512}},     // two parts of 4096, on one CPU too
		{1000, 16, 4, []int{0, 500, 1000}},   // 16000 values: at most maxParts
		{4096, 16, 1, []int{0, 2048, 4096}},  // whatever the CPUs
		{4096, 16, 8, []int{0, 2048, 4096}},  //
		{128, 128, 1, []int{0, 64, 128}},     // the GRU-128's batches
		{128, 128, 4, []int{0, 64, 128}},     //
		{31, 128, 4, []int{0, 31}},           // 3968 values: one part
		{1024, 1024, 8, []int{0, 512, 1024}}, //
	} {
		prev := runtime.GOMAXPROCS(c.procs)
		got := partBounds(c.B, c.N)
		runtime.GOMAXPROCS(prev)
		if len(got) != len(c.want) {
			t.Errorf("partBounds(%d, %d) = %v, want %v", c.B, c.N, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("partBounds(%d, %d) = %v, want %v", c.B, c.N, got, c.want)
				break
			}
		}
	}
}

// An objective cut into concurrent parts gives the same bits as one graph,
// and sees states stepped in place through Candidates.
func TestObjectivePartsAgree(t *testing.T) {
	const B = 1000
	defer func(m int) { maxParts = m }(maxParts)
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		for _, d := range []Dtype{Float64, Float32} {
			c := benchCell(kind, 16)
			N := c.StateSize()
			maxParts = 1
			one, err := NewObjective(c, B, d)
			maxParts = 2
			many, err2 := NewObjective(c, B, d)
			if err != nil || err2 != nil {
				t.Fatal(err, err2)
			}
			if len(one.parts) != 1 || len(many.parts) != 2 {
				t.Fatalf("%d and %d parts, want 1 and 2", len(one.parts), len(many.parts))
			}
			r := rand.New(rand.NewPCG(3, 4))
			x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*c.InputSize())
			for _, o := range []*Objective{one, many} {
				if err := o.SetStates(x); err != nil {
					t.Fatal(err)
				}
				if err := o.SetInputs(u); err != nil {
					t.Fatal(err)
				}
			}
			for step := 0; step < 2; step++ {
				if step == 1 {
					// Move X in place, as a solver does.
					for _, o := range []*Objective{one, many} {
						switch b := o.Candidates().Value().(*tensor.Dense).Data().(type) {
						case []float64:
							b[7] += 0.25
						case []float32:
							b[7] += 0.25
						}
					}
				}
				for _, o := range []*Objective{one, many} {
					if err := o.Eval(); err != nil {
						t.Fatal(err)
					}
				}
				for _, v := range []struct {
					name string
					a, b []float64
				}{{"F", one.F(), many.F()}, {"Q", one.Q(), many.Q()}, {"Grad", one.Grad(), many.Grad()}} {
					for i := range v.a {
						if v.a[i] != v.b[i] {
							t.Fatalf("%s %v step %d: %s[%d] = %v in one graph, %v in parts", kind, d, step, v.name, i, v.a[i], v.b[i])
						}
					}
				}
			}
			if one.Q()[0] == many.Q()[0] && one.Q()[0] == 0 {
				t.Fatalf("%s: q is zero: nothing was compared", kind)
			}
		}
	}
}

// BenchmarkObjectiveParts sets one graph (built with maxParts 1) beside
// the concurrent parts NewObjective chooses, at hidden 16 and batch 1024.
func BenchmarkObjectiveParts(b *testing.B) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		for _, hb := range [][2]int{{16, 1024}, {64, 256}, {256, 256}} {
			for _, split := range []bool{false, true} {
				h, B := hb[0], hb[1]
				name := fmt.Sprintf("%s/N=%d/B=%d/one-graph", kind, h, B)
				if split {
					name = fmt.Sprintf("%s/N=%d/B=%d/parts", kind, h, B)
				}
				b.Run(name, func(b *testing.B) {
					c := benchCell(kind, h)
					if !split {
						defer func(m int) { maxParts = m }(maxParts)
						maxParts = 1
					}
					o, err := NewObjective(c, B, Float64)
					if err != nil {
						b.Fatal(err)
					}
					o.SetStates(torchref.RandVec(rand.New(rand.NewPCG(1, 1)), B*c.StateSize()))
					o.SetInputs(make([]float64, c.InputSize()))
					b.ReportMetric(float64(len(o.parts)), "parts")
					b.ResetTimer()
					for b.Loop() {
						if err := o.Eval(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
