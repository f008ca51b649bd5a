package orbits

import (
	"context"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// stallIters: a candidate whose q_k has not halved over this many steps
// leaves the first-order search.
const stallIters = 100

// firstOrder runs Adam on q_k = 0.5*||F^k(x) - x||^2 for every row of x
// (B x N, updated in place), with moments and a learning rate per row: a
// row stops when q_k < s.HandoffQ, when its rate has been halved below
// 1e-12 of the initial one, when q_k has not halved over stallIters
// steps, or after s.MaxIters iterations; a rise of q_k
// halves the row's rate and takes the row back to its best point. It
// returns the iterations of the batch.
func firstOrder(ctx context.Context, cell cells.Cell, k int, x, u []float64, s *Settings) (int, error) {
	N := cell.StateSize()
	B := len(x) / N
	ob, err := graph.NewObjectiveSteps(cell, B, k, graph.Float64)
	if err != nil {
		return 0, err
	}
	if err := ob.SetInputs(u); err != nil {
		return 0, err
	}
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	m, v := make([]float64, B*N), make([]float64, B*N)
	t := make([]int, B)
	lr := make([]float64, B)
	best := make([]float64, B)
	bestX := append([]float64(nil), x...)
	done := make([]bool, B)
	check := make([]float64, B) // q at the last stall check
	for b := range lr {
		lr[b], best[b], check[b] = s.LearningRate, math.Inf(1), math.Inf(1)
	}
	it := 0
	for ; it < s.MaxIters; it++ {
		if err := ctx.Err(); err != nil {
			return it, err
		}
		if err := ob.SetStates(x); err != nil {
			return it, err
		}
		if err := ob.Eval(); err != nil {
			return it, err
		}
		q, g := ob.Q(), ob.Grad()
		active := 0
		for b := 0; b < B; b++ {
			if done[b] {
				continue
			}
			row := x[b*N : (b+1)*N]
			switch {
			case !(q[b] <= best[b]): // a rise, or NaN: back to the best point, slower
				copy(row, bestX[b*N:(b+1)*N])
				lr[b] *= 0.5
				if lr[b] < 1e-12*s.LearningRate {
					done[b] = true
				}
				continue
			default:
				best[b] = q[b]
				copy(bestX[b*N:], row)
			}
			if q[b] < s.HandoffQ {
				done[b] = true
				continue
			}
			if t[b] > 0 && t[b]%stallIters == 0 {
				// Less than halved over stallIters steps: Newton (with its
				// line search) takes it from here, or finds nothing.
				if q[b] > 0.5*check[b] {
					done[b] = true
					continue
				}
				check[b] = q[b]
			}
			active++
			t[b]++
			c1 := 1 - math.Pow(beta1, float64(t[b]))
			c2 := 1 - math.Pow(beta2, float64(t[b]))
			for i := b * N; i < (b+1)*N; i++ {
				m[i] = beta1*m[i] + (1-beta1)*g[i]
				v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
				x[i] -= lr[b] * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
			}
		}
		if active == 0 {
			break
		}
	}
	copy(x, bestX)
	return it, nil
}
