package stability

import (
	"math/rand/v2"
	"testing"
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
