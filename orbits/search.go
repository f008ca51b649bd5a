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
// steps, or after s.MaxIters iterations; a rise of q_k halves the row's
// rate and takes the row back to its best point. The batch shrinks (a
// graph of a quarter the rows) as rows stop. It returns the iterations of
// the batch and the best q_k of each row.
func firstOrder(ctx context.Context, cell cells.Cell, k int, x, u []float64, s *Settings) (int, []float64, error) {
	N := cell.StateSize()
	B := len(x) / N
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	m, v := make([]float64, B*N), make([]float64, B*N)
	t := make([]int, B)
	lr := make([]float64, B)
	best := make([]float64, B)
	bestX := append([]float64(nil), x...)
	check := make([]float64, B) // q at the last stall check
	for b := range lr {
		lr[b], best[b], check[b] = s.LearningRate, math.Inf(1), math.Inf(1)
	}
	active := make([]int, B) // the rows in the graph's batch, in order
	for b := range active {
		active[b] = b
	}
	var ob *graph.Objective
	it := 0
	for ; it < s.MaxIters; it++ {
		if err := ctx.Err(); err != nil {
			return it, nil, err
		}
		if ob == nil || len(active)*4 <= ob.B() && ob.B() > 16 {
			var err error
			if ob, err = graph.NewObjectiveSteps(cell, padded(len(active)), k, graph.Float64); err != nil {
				return it, nil, err
			}
			if err := ob.SetInputs(u); err != nil {
				return it, nil, err
			}
		}
		P := ob.B()
		xs := make([]float64, P*N)
		for r := 0; r < P; r++ {
			b := active[min(r, len(active)-1)]
			copy(xs[r*N:], x[b*N:(b+1)*N])
		}
		if err := ob.SetStates(xs); err != nil {
			return it, nil, err
		}
		if err := ob.Eval(); err != nil {
			return it, nil, err
		}
		q, g := ob.Q(), ob.Grad()
		var still []int
		for r, b := range active {
			row := x[b*N : (b+1)*N]
			if !(q[r] <= best[b]) { // a rise, or NaN: back to the best point, slower
				copy(row, bestX[b*N:(b+1)*N])
				lr[b] *= 0.5
				if lr[b] >= 1e-12*s.LearningRate {
					still = append(still, b)
				}
				continue
			}
			best[b] = q[r]
			copy(bestX[b*N:], row)
			if q[r] < s.HandoffQ {
				continue
			}
			if t[b] > 0 && t[b]%stallIters == 0 {
				// Less than halved over stallIters steps: Newton (with its
				// line search) takes it from here, or finds nothing.
				if q[r] > 0.5*check[b] {
					continue
				}
				check[b] = q[r]
			}
			still = append(still, b)
			t[b]++
			c1 := 1 - math.Pow(beta1, float64(t[b]))
			c2 := 1 - math.Pow(beta2, float64(t[b]))
			gr := g[r*N : (r+1)*N]
			for i := 0; i < N; i++ {
				j := b*N + i
				m[j] = beta1*m[j] + (1-beta1)*gr[i]
				v[j] = beta2*v[j] + (1-beta2)*gr[i]*gr[i]
				x[j] -= lr[b] * (m[j] / c1) / (math.Sqrt(v[j]/c2) + eps)
			}
		}
		active = still
		if len(active) == 0 {
			break
		}
	}
	copy(x, bestX)
	return it, best, nil
}
