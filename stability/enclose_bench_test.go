package stability

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomJacobian is an N x N Gaussian matrix scaled to spectral radius
// about 0.9 (circular law), the midpoint of a box of radius w.
func randomJacobian(N int, w float64, seed uint64) (mid, rad []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	mid, rad = make([]float64, N*N), make([]float64, N*N)
	s := 0.9 / sqrtF(float64(N))
	for i := range mid {
		mid[i] = s * rng.NormFloat64()
		rad[i] = w
	}
	return mid, rad
}

func sqrtF(x float64) float64 {
	r := x
	for range 60 {
		r = (r + x/r) / 2
	}
	return r
}

// BenchmarkEnclose512 times the proof of every eigenvalue's class of a
// random 512 x 512 Jacobian in a box of radius 1e-12 (go test -bench
// Enclose512 -benchtime 3x ./stability).
func BenchmarkEnclose512(b *testing.B) {
	benchEnclose(b, 512)
}

// BenchmarkEnclose128 is BenchmarkEnclose512 at N = 128.
func BenchmarkEnclose128(b *testing.B) {
	benchEnclose(b, 128)
}

func benchEnclose(b *testing.B, N int) {
	mid, rad := randomJacobian(N, 1e-12, 1)
	var decided int
	for b.Loop() {
		e, err := Enclose(N, mid, rad)
		if err != nil || !e.Proved {
			b.Fatalf("not proved: %v %s", err, e.Reason)
		}
		decided = 0
		for _, c := range e.Classes(false) {
			if c != ModeUndecided {
				decided++
			}
		}
	}
	b.ReportMetric(float64(decided), "decided")
}

// batteryJacobian is the Jacobian of a planted tanh network (finder's
// plantedBattery: V uniform in +/-0.9, W = atanh(V) V^-1) at its planted
// fixed point h = column 0 of V: diag(1 - h^2) W, whose spectrum
// surrounds 1.
func batteryJacobian(tb testing.TB, N int, seed uint64) []float64 {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	V := mat.NewDense(N, N, nil)
	A := mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			v := 0.9 * (2*rng.Float64() - 1)
			V.Set(i, k, v)
			A.Set(i, k, math.Atanh(v))
		}
	}
	var Vinv, W mat.Dense
	if err := Vinv.Inverse(V); err != nil {
		tb.Fatal(err)
	}
	W.Mul(A, &Vinv)
	J := make([]float64, N*N)
	for i := 0; i < N; i++ {
		d := 1 - V.At(i, 0)*V.At(i, 0)
		for k := 0; k < N; k++ {
			J[i*N+k] = d * W.At(i, k)
		}
	}
	return J
}

// BenchmarkFullModes times the eigen-decomposition with vectors of a
// planted network's Jacobian (go test -bench FullModes ./stability).
func BenchmarkFullModes(b *testing.B) {
	for _, N := range []int{256, 512, 1024} {
		b.Run(strconv.Itoa(N), func(b *testing.B) {
			J := batteryJacobian(b, N, 7)
			for b.Loop() {
				if _, err := FullModes(N, J, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
