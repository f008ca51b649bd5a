package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/internal/torchref"
	G "gorgonia.org/gorgonia"
)

// Every machine built here runs by its tapePlan from its second run on
// (newPlan reads every instruction of every kind of program: objective of
// F and F^3, float32, stepper, closed-form and seeded Jacobians, JVP), and
// what it computes is what gorgonia's own loop computes, bit for bit, run
// after run (TestRewoundMachinesMatchFresh also compares the plans' runs
// with fresh machines).
func TestPlanMatchesGorgonia(t *testing.T) {
	const B = 6
	for name, c := range rewindTestCells(t) {
		N, M := c.StateSize(), c.InputSize()
		r := rand.New(rand.NewPCG(8, 9))
		xs := [][]float64{torchref.RandVec(r, B*N), torchref.RandVec(r, B*N), torchref.RandVec(r, B*N)}
		for i := range xs[1] {
			xs[1][i] *= 3
		}
		u := torchref.RandVec(r, B*M)
		// eval runs every program at xs[0], xs[1], xs[2], xs[0] and returns
		// all outputs, and whether every machine had a plan at the end.
		eval := func(plans bool) (outs [][]float64, allPlanned bool) {
			planOn = plans
			defer func() { planOn = true }()
			o, err := NewObjective(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			o3, err := NewObjectiveSteps(c, B, 3, Float32)
			if err != nil {
				t.Fatal(err)
			}
			st, err := NewStepper(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			jc, err := NewJacobians(c, B, Float64)
			if err != nil {
				t.Fatal(err)
			}
			js, err := NewJacobiansLanes(c, B, DefaultLanes(B, N), Float64)
			if err != nil {
				t.Fatal(err)
			}
			jv, err := NewJVP(c, B, true, Float64)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range [][]float64{xs[0], xs[1], xs[2], xs[0]} {
				for _, ob := range []*Objective{o, o3} {
					if err := ob.SetInputs(u); err != nil {
						t.Fatal(err)
					}
					if err := ob.SetStates(x); err != nil {
						t.Fatal(err)
					}
					if err := ob.Eval(); err != nil {
						t.Fatal(err)
					}
					outs = append(outs, append([]float64(nil), ob.F()...), append([]float64(nil), ob.Q()...), append([]float64(nil), ob.Grad()...))
				}
				f := make([]float64, B*N)
				if err := st.Step(x, u, f); err != nil {
					t.Fatal(err)
				}
				outs = append(outs, f)
				for _, j := range []*Jacobians{jc, js} {
					jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
					if err := j.Eval(x, u, jx, ju); err != nil {
						t.Fatal(err)
					}
					outs = append(outs, jx, ju)
				}
				jvo := make([]float64, B*N)
				if err := jv.Apply(B, x, u, xs[2], nil, jvo); err != nil {
					t.Fatal(err)
				}
				outs = append(outs, jvo)
			}
			var ms []G.VM
			ms = append(ms, o.machines...)
			ms = append(ms, o3.machines...)
			ms = append(ms, st.ms...)
			ms = append(ms, js.ms...)
			if jc.closed != nil {
				ms = append(ms, jc.closed.ms...)
			} else {
				ms = append(ms, jc.ms...)
			}
			ms = append(ms, jv.st.ms...)
			allPlanned = true
			for _, m := range ms {
				if pm, ok := m.(*planned); !ok || pm.plan == nil {
					allPlanned = false
				}
			}
			return outs, allPlanned
		}
		want, planned := eval(false)
		if planned {
			t.Fatalf("%s: machines have plans with planOn false", name)
		}
		got, planned := eval(true)
		if !planned {
			t.Fatalf("%s: a machine has no plan after its runs", name)
		}
		for k := range want {
			for i := range want[k] {
				if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) {
					t.Fatalf("%s: output %d[%d] = %v by the plan, %v by gorgonia's loop", name, k, i, got[k][i], want[k][i])
				}
			}
		}
	}
}
