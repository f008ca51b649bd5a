package finder

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
)

// TestFindAnyCoresGRU128: a Find of the torch-trained GRU-128 from 128 of
// its initial states gives bit for bit the same result at GOMAXPROCS 1, 2
// and 4: every candidate's state, F, q, outcome, reason and proof, the
// unique points of each kind and every count. Above batchFreeN states
// gonum's blocked products round a row according to the rows of the
// product it is in, so that a batch split into one row block per CPU (as
// graph's partBounds did) ended candidates in other last bits on another
// number of cores; 128 starts make batches of 128 rows, split into parts
// of 64 or 128 rows by the CPU count then.
func TestFindAnyCoresGRU128(t *testing.T) {
	if testing.Short() {
		t.Skip("three Finds of a GRU-128 from 128 starts (a few seconds each)")
	}
	full := gru128Problem(t)
	N := full.Cell.StateSize()
	const starts = 128
	p := full
	p.InitialStates = full.InitialStates[:starts*N] // two of them end at its proved fixed point
	one := findOnCores(t, p, 1)
	st := one.Stats
	t.Logf("one core: %d fixed, %d slow, %d slow regions, %d unconverged; %d certified, %v", one.Fixed.Len(), one.Slow.Len(), one.SlowRegions.Len(), one.Unconverged.Len(), st.Certified, st.UnconvergedByReason)
	if one.Fixed.Len() < 1 || one.Fixed.Points[0].Proof.Method != ProofKrawczyk {
		t.Errorf("%d fixed points, want its proved one", one.Fixed.Len())
	}
	if len(one.All.Points) < starts || st.Candidates != starts {
		t.Fatalf("%d points for %d candidates, want at least %d for %d", len(one.All.Points), st.Candidates, starts, starts)
	}
	for _, procs := range []int{2, 4} {
		other := findOnCores(t, p, procs)
		if msg := sameResult(one, other); msg != "" {
			t.Errorf("GOMAXPROCS %d differs from 1: %s", procs, msg)
		}
	}
}

// findOnCores runs Find with default settings (Seed benchSeed) at
// GOMAXPROCS procs, restored after.
func findOnCores(t *testing.T, p Problem, procs int) *Result {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	res, err := Find(context.Background(), p, &Settings{Seed: benchSeed})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameResult is "" when a and b agree bit for bit (points, outcomes,
// proofs, counts), else the first difference.
func sameResult(a, b *Result) string {
	sa, sb := a.Stats, b.Stats
	ca := []int{sa.Candidates, sa.Iters, sa.GradEvals, sa.JacobianEvals, sa.RefineIters, sa.KrylovIters, sa.JVPPasses, sa.DenseFallbacks, sa.Certified, sa.Slow, sa.SlowRegions, sa.Unconverged, sa.DistanceOutliers, sa.Far, sa.ResidualOnly, sa.QOutliersRerun, sa.Retried, sa.GradientChecks}
	cb := []int{sb.Candidates, sb.Iters, sb.GradEvals, sb.JacobianEvals, sb.RefineIters, sb.KrylovIters, sb.JVPPasses, sb.DenseFallbacks, sb.Certified, sb.Slow, sb.SlowRegions, sb.Unconverged, sb.DistanceOutliers, sb.Far, sb.ResidualOnly, sb.QOutliersRerun, sb.Retried, sb.GradientChecks}
	if fmt.Sprint(ca) != fmt.Sprint(cb) || fmt.Sprint(sa.UnconvergedByReason) != fmt.Sprint(sb.UnconvergedByReason) {
		return fmt.Sprintf("counts %v %v, want %v %v", cb, sb.UnconvergedByReason, ca, sa.UnconvergedByReason)
	}
	for _, set := range []struct {
		name string
		a, b *FixedPoints
	}{{"all", a.All, b.All}, {"fixed", a.Fixed, b.Fixed}, {"slow", a.Slow, b.Slow}, {"slow regions", a.SlowRegions, b.SlowRegions}, {"unconverged", a.Unconverged, b.Unconverged}} {
		if len(set.a.Points) != len(set.b.Points) {
			return fmt.Sprintf("%d %s points, want %d", len(set.b.Points), set.name, len(set.a.Points))
		}
		for i, p := range set.a.Points {
			q := set.b.Points[i]
			if !sameBits(p.X, q.X) || !sameBits(p.F, q.F) || !sameBits([]float64{p.Q, p.Residual}, []float64{q.Q, q.Residual}) {
				return fmt.Sprintf("%s point %d: state or F in other bits (q %g, %g)", set.name, i, q.Q, p.Q)
			}
			if p.Outcome != q.Outcome || p.Reason != q.Reason || p.Proof != q.Proof || p.ProofReason != q.ProofReason {
				return fmt.Sprintf("%s point %d: %v %v %+v %q, want %v %v %+v %q", set.name, i, q.Outcome, q.Reason, q.Proof, q.ProofReason, p.Outcome, p.Reason, p.Proof, p.ProofReason)
			}
		}
	}
	return ""
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestFindAnyCores16: the trained flip-flop GRU-16 and LSTM-16 from 1024
// initial states give bit for bit the same result at GOMAXPROCS 1 and 2
// (sameResult). At these sizes the work spread over the cores (the
// per-candidate algebra, batches halved into row chunks run at once) is
// split by the number of CPUs, which may change no value.
func TestFindAnyCores16(t *testing.T) {
	if testing.Short() {
		t.Skip("four Finds of 16-unit networks (about half a second each)")
	}
	for _, kind := range []string{"gru", "lstm"} {
		p := flipFlopProblem(t, kind)
		one := findOnCores(t, p, 1)
		if one.Fixed.Len() == 0 {
			t.Fatalf("%s16: no fixed points", kind)
		}
		if msg := sameResult(one, findOnCores(t, p, 2)); msg != "" {
			t.Errorf("%s16: GOMAXPROCS 2 differs from 1: %s", kind, msg)
		}
	}
}
