package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// BenchmarkJacobians: 64 points of a 64-unit GRU with 3 inputs, one batch.
func BenchmarkJacobians(b *testing.B) {
	cell := cells.NewGRU(64, 3)
	cell.InitUniform(1)
	r := rand.New(rand.NewPCG(1, 2))
	var xs [][]float64
	for range 64 {
		xs = append(xs, randVec(r, 64))
	}
	fp := pointsAt(64, 3, xs, randVec(r, 3))
	for b.Loop() {
		if err := EvalJacobians(cell, fp, Settings{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecompose: one random dense N x N Jacobian.
func BenchmarkDecompose(b *testing.B) {
	for _, N := range []int{64, 256} {
		b.Run(fmt.Sprint(N), func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			fp := &FixedPoints{N: N, Points: []Point{{Jacobian: randVec(r, N*N)}}}
			for b.Loop() {
				if err := Decompose(fp, Settings{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecomposePoints: 8 random dense 128 x 128 Jacobians, the
// points of one set (decomposed in parallel, one point per worker at a time).
func BenchmarkDecomposePoints(b *testing.B) {
	const N, n = 128, 8
	r := rand.New(rand.NewPCG(5, 6))
	fp := &FixedPoints{N: N, Points: make([]Point, n)}
	for k := range fp.Points {
		fp.Points[k].Jacobian = randVec(r, N*N)
	}
	for b.Loop() {
		if err := Decompose(fp, Settings{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinearizeProved: one fixed point (0) of an N-unit tanh RNN with
// a random recurrent matrix of spectral radius about 1.2 (some modes
// unstable), linearized with the stability proof (proved) and without it
// (estimated): the difference is the proof's cost (Krawczyk, the root
// Jacobian's enclosure, stability.Enclose).
func BenchmarkLinearizeProved(b *testing.B) {
	for _, N := range []int{128, 512} {
		r := rand.New(rand.NewPCG(5, 6))
		cell := cells.NewVanilla(N, 0, cells.Tanh)
		w := cell.Params()[1].Data
		for i := range w {
			w[i] = 1.2 * r.NormFloat64() / math.Sqrt(float64(N))
		}
		for _, c := range []struct {
			name string
			maxN int
		}{{"proved", 0}, {"estimated", -1}} {
			b.Run(fmt.Sprintf("%d/%s", N, c.name), func(b *testing.B) {
				var st Stability
				for b.Loop() {
					fp := pointsAt(N, 0, [][]float64{make([]float64, N)}, nil)
					if err := Linearize(cell, fp, Settings{ProveStabilityMaxN: c.maxN}); err != nil {
						b.Fatal(err)
					}
					st = fp.Points[0].Stability
				}
				if st.Proved != (c.maxN == 0) {
					b.Fatalf("stability %+v", st)
				}
				b.ReportMetric(float64(st.NUnstable), "unstable")
			})
		}
	}
}
