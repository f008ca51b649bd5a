package finder

import (
	"fmt"
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
