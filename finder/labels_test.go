package finder

import (
	"context"
	"testing"

	"github.com/rnnfp/fixedpoints/graph"
)

// A default that depends on another setting is resolved when Find runs:
// DefaultSettings() followed by a change of Optimizer or Dtype behaves as
// setting those first, and Result.Settings shows what ran.
func TestSettingsResolveAtFind(t *testing.T) {
	s := DefaultSettings()
	s.Optimizer = ReferenceAdam
	if e := s.Effective(); e.AdamEpsilon != 0.01 || e.TolResidual != 1e-10 {
		t.Errorf("ReferenceAdam: AdamEpsilon %g, TolResidual %g; want 0.01, 1e-10", e.AdamEpsilon, e.TolResidual)
	}
	s.Dtype = graph.Float32
	if e := s.Effective(); e.AdamEpsilon != 0.01 || e.TolResidual != 1e-5 {
		t.Errorf("then Float32: AdamEpsilon %g, TolResidual %g; want 0.01, 1e-5", e.AdamEpsilon, e.TolResidual)
	}
	if e := DefaultSettings().Effective(); e.AdamEpsilon != 1e-8 || e.TolResidual != 1e-10 || e.SlowRegionSpeed != 1e-2 {
		t.Errorf("defaults: %+v", e)
	}
	// An explicit value is kept.
	s.AdamEpsilon, s.TolResidual = 1e-3, 1e-4
	if e := s.Effective(); e.AdamEpsilon != 1e-3 || e.TolResidual != 1e-4 {
		t.Errorf("explicit values changed: %g, %g", e.AdamEpsilon, e.TolResidual)
	}
	// Find runs with, and reports, the resolved settings.
	s = DefaultSettings()
	s.Optimizer, s.Dtype = ReferenceAdam, graph.Float32
	res, err := Find(context.Background(), Problem{Cell: flipflopCell(2, 2), InitialStates: []float64{0.9, 0.8, -0.7, 0.9}}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Settings; e.AdamEpsilon != 0.01 || e.TolResidual != 1e-5 || e.Optimizer != ReferenceAdam || e.MaxIters != 5000 {
		t.Errorf("Result.Settings %+v", e)
	}
}

// Status is not Converged when MaxRefineIters = 1 stops the refinement of
// the flip-flop LSTM: IterationLimit, with the candidates it stopped counted
// by that reason, and each of them labelled so.
func TestStatusRefineLimit(t *testing.T) {
	p := flipFlopProblem(t, "lstm")
	res, err := Find(context.Background(), p, &Settings{Seed: benchSeed, MaxRefineIters: 1})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats
	if res.Status != IterationLimit || st.UnconvergedByReason[ReasonRefineLimit] == 0 {
		t.Fatalf("status %v, unconverged by reason %v: want IterationLimit with refine-limit candidates", res.Status, st.UnconvergedByReason)
	}
	n := 0
	for _, pt := range res.All.Points {
		if pt.Reason == ReasonRefineLimit {
			n++
			if pt.Outcome != OutcomeUnconverged || pt.Residual <= 1e-10 {
				t.Errorf("refine-limit candidate with outcome %v, residual %g", pt.Outcome, pt.Residual)
			}
		}
	}
	if n != st.UnconvergedByReason[ReasonRefineLimit] || st.Certified+st.Slow+st.SlowRegions+st.Unconverged != st.Candidates {
		t.Errorf("%d refine-limit points, stats %+v", n, st)
	}
}

// The default flip-flop GRU-16 and LSTM-16 (1024 candidates each): at most
// 5% end unconverged, each with a reason; each slow point is a local
// minimum of q by plain evaluations around it (assertLocalMin; the planted
// ghosts of TestPlantedGhosts are a network sure to have them); each slow
// region is slower than SlowRegionSpeed times the network's speed; the
// groups pass Validate, as package fpjson requires to write them.
func TestFlipFlopOutcomes(t *testing.T) {
	for _, kind := range []string{"gru", "lstm"} {
		t.Run(kind, func(t *testing.T) {
			p := flipFlopProblem(t, kind)
			res, err := Find(context.Background(), p, &Settings{Seed: benchSeed})
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stats
			t.Logf("status %v: %d fixed, %d slow, %d slow regions, %d unconverged %v; network speed %.3g (%s); reference view %+v; %v (slow descent %v, check %v)",
				res.Status, st.Certified, st.Slow, st.SlowRegions, st.Unconverged, st.UnconvergedByReason, st.NetworkSpeed, st.SpeedFrom, st.Reference,
				st.Runtime, st.SlowTime, st.CheckTime)
			if st.Certified+st.Slow+st.SlowRegions+st.Unconverged != 1024 {
				t.Fatalf("outcomes %d + %d + %d + %d, want 1024", st.Certified, st.Slow, st.SlowRegions, st.Unconverged)
			}
			if st.Unconverged > 1024*5/100 {
				t.Errorf("%d candidates unconverged, want at most 5%% (51)", st.Unconverged)
			}
			// The reference's view, recounted from the candidates.
			ref := 0
			for _, pt := range res.All.Points[:st.Candidates] {
				if pt.Q < 1e-12 {
					ref++
				}
			}
			if st.Reference.Candidates != ref || st.Reference.TolQ != 1e-12 || st.Reference.Of != 1024 || st.Reference.Certified > st.Certified {
				t.Errorf("reference view %+v, recounted %d of 1024 with q < 1e-12", st.Reference, ref)
			}
			if st.SpeedFrom != "trajectories" {
				t.Errorf("network speed from %q, want the trajectories", st.SpeedFrom)
			}
			for i := range res.Slow.Points {
				assertLocalMin(t, p.Cell, &res.Slow.Points[i])
			}
			n := 0
			for _, pt := range res.All.Points {
				switch pt.Outcome {
				case OutcomeUnconverged:
					n++
					if pt.Reason == ReasonNone {
						t.Errorf("unconverged candidate without a reason: q %g", pt.Q)
					}
				case OutcomeSlowRegion:
					if !(pt.Speed() < res.Settings.SlowRegionSpeed*st.NetworkSpeed) || pt.Residual <= res.Settings.TolResidual {
						t.Errorf("slow region at speed %g (network %g), residual %g", pt.Speed(), st.NetworkSpeed, pt.Residual)
					}
				case OutcomeFixed:
					if !(pt.Residual <= 1e-10) {
						t.Errorf("fixed candidate with residual %g", pt.Residual)
					}
				case OutcomeUnknown:
					t.Errorf("candidate without an outcome")
				}
			}
			if n != st.Unconverged {
				t.Errorf("%d unconverged points, stats say %d", n, st.Unconverged)
			}
			for _, g := range []*FixedPoints{res.Fixed, res.Slow, res.SlowRegions, res.Unconverged} {
				if err := g.Validate(); err != nil { // what fpjson writes
					t.Error(err)
				}
			}
		})
	}
}

// TestStatusZeroValue: a Result no search filled claims no status (gonum's
// NotTerminated); Find always decides one.
func TestStatusZeroValue(t *testing.T) {
	var r Result
	if r.Status != NotTerminated || r.Status.String() != "NotTerminated" {
		t.Errorf("zero Status is %v", r.Status)
	}
	res := find(t, Problem{Cell: flipflopCell(1, 2), InitialStates: []float64{-1, 0.2, 1}}, nil)
	if res.Status != Converged {
		t.Errorf("Find on tanh(2x) from 3 starts: status %v, want Converged", res.Status)
	}
}
