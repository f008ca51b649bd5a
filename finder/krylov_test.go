package finder

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// batteryCase is a battery network and its starts, for running one search
// under several settings.
type batteryCase struct {
	name string
	p    Problem
}

// batteryCases rebuilds the battery's networks (battery_test.go), whose
// fixed points are known, at sizes that keep the test short.
func batteryCases(t *testing.T) []batteryCase {
	var cs []batteryCase
	for _, N := range []int{3, 4} {
		for _, w := range []float64{2, 3} {
			cs = append(cs, batteryCase{fmt.Sprintf("flipflop N=%d w=%g", N, w), Problem{Cell: flipflopCell(N, w), InitialStates: grid(N, 5, -1.5, 1.5)}})
		}
	}
	cell, xi := hopfieldBlocks(3, 40, 2, 3)
	cs = append(cs, batteryCase{"hopfield P=3 N=120", Problem{Cell: cell, InitialStates: hopfieldStarts(xi, 4)}})
	cs = append(cs, batteryCase{"planted N=64", plantedProblem(t, 64, 1, 11)})
	starts, inputs := []float64{}, []float64{}
	for _, u := range []float64{0.3, 0.8} {
		for k := 0; k <= 30; k++ {
			starts = append(starts, -1.5+0.1*float64(k))
			inputs = append(inputs, u)
		}
	}
	cs = append(cs, batteryCase{"fold", Problem{Cell: newTanhCell(1, 1, []float64{2}, []float64{1}, nil), InitialStates: starts, Inputs: inputs}})
	cs = append(cs, batteryCase{"saturated GRU", Problem{Cell: saturatedGRU(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}})
	return cs
}

// plantedProblem is TestBatteryPlanted's network at size N (V uniform in
// +/-0.9, W = atanh(V) V^-1) with reps starts within 1e-4 of each of its
// 2N + 1 planted points.
func plantedProblem(t *testing.T, N, reps int, seed uint64) Problem {
	p, _, _ := plantedPoints(t, N, reps, seed)
	return p
}

// plantedPoints is plantedProblem with its weights W (N x N, row-major)
// and its planted points: 0, then each column v_k of V and its negative.
func plantedPoints(t *testing.T, N, reps int, seed uint64) (p Problem, W []float64, planted [][]float64) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	V := mat64(N, func(i, k int) float64 { return 0.9 * (2*r.Float64() - 1) })
	W = plantWeights(t, N, V)
	var starts []float64
	add := func(x []float64) {
		planted = append(planted, x)
		for rep := 0; rep < reps; rep++ {
			for i := range x {
				starts = append(starts, x[i]+1e-4*r.NormFloat64())
			}
		}
	}
	add(make([]float64, N))
	for k := 0; k < N; k++ {
		v, nv := make([]float64, N), make([]float64, N)
		for i := 0; i < N; i++ {
			v[i], nv[i] = V[i*N+k], -V[i*N+k]
		}
		add(v)
		add(nv)
	}
	return Problem{Cell: newTanhCell(N, 0, W, nil, nil), InitialStates: starts}, W, planted
}

// TestKrylovCertifiesAsDense: on the battery networks, Newton-Krylov
// refinement certifies the same unique fixed points as dense
// Levenberg-Marquardt (each within 1e-8 of one of the other's), and every
// point either reports has a residual <= 1e-10.
func TestKrylovCertifiesAsDense(t *testing.T) {
	for _, bc := range batteryCases(t) {
		dense := find(t, bc.p, &Settings{Refiner: DenseLM, NoJacobians: true, NoComplete: true})
		nk := find(t, bc.p, &Settings{Refiner: NewtonKrylov, NoJacobians: true, NoComplete: true})
		if nk.Stats.JVPPasses == 0 || (nk.Stats.DenseFallbacks == 0) != (nk.Stats.JacobianEvals == 0) {
			t.Errorf("%s: Newton-Krylov took %d product passes and %d Jacobians for %d fallbacks", bc.name, nk.Stats.JVPPasses, nk.Stats.JacobianEvals, nk.Stats.DenseFallbacks)
		}
		if dense.Fixed.Len() != nk.Fixed.Len() {
			t.Errorf("%s: dense LM certified %d points, Newton-Krylov %d", bc.name, dense.Fixed.Len(), nk.Fixed.Len())
		}
		for _, pair := range [][2]*FixedPoints{{dense.Fixed, nk.Fixed}, {nk.Fixed, dense.Fixed}} {
			for _, p := range pair[0].Points {
				if p.Residual > 1e-10 {
					t.Errorf("%s: certified point with residual %g", bc.name, p.Residual)
				}
				if idx := pair[1].Find(p.X, p.U, 1e-8); len(idx) != 1 {
					t.Errorf("%s: point at %v found %d times by the other refiner", bc.name, short(p.X), len(idx))
				}
			}
		}
		t.Logf("%s: %d points; dense %d Jacobians, %d certified; Newton-Krylov %d passes, %d GMRES steps, %d certified, %d handed to dense LM",
			bc.name, nk.Fixed.Len(), dense.Stats.JacobianEvals, dense.Stats.Certified, nk.Stats.JVPPasses, nk.Stats.KrylovIters, nk.Stats.Certified, nk.Stats.DenseFallbacks)
	}
}
