package manifold

import (
	"math"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/floats"
)

// slowMode is the real mode a 1-D manifold runs along.
type slowMode struct {
	lambda      float64
	right, left []float64 // unit 2-norm
}

// realMode returns the mode as real vectors, or false when it is complex.
func realMode(m finder.Mode) (slowMode, bool) {
	if !stability.IsReal(m.Value) || m.Right == nil || m.Left == nil {
		return slowMode{}, false
	}
	sm := slowMode{lambda: real(m.Value), right: make([]float64, len(m.Right)), left: make([]float64, len(m.Left))}
	for i, v := range m.Right {
		sm.right[i] = real(v)
	}
	for i, v := range m.Left {
		sm.left[i] = real(v)
	}
	floats.Scale(1/floats.Norm(sm.right, 2), sm.right)
	floats.Scale(1/floats.Norm(sm.left, 2), sm.left)
	return sm, true
}

// pickMode returns the real mode the manifold runs along: with a previous
// tangent, the in-band real mode whose right vector is most aligned with it;
// otherwise (or when no real mode is in the band) the real mode with the
// eigenvalue nearest 1.
func pickMode(modes []finder.Mode, tangent []float64, band float64) (slowMode, bool) {
	best, found := slowMode{}, false
	bestScore := math.Inf(-1)
	if tangent != nil {
		for _, m := range modes {
			sm, ok := realMode(m)
			if !ok || math.Abs(math.Abs(sm.lambda)-1) > band {
				continue
			}
			if s := math.Abs(floats.Dot(sm.right, tangent)); s > bestScore {
				best, bestScore, found = sm, s, true
			}
		}
		if found {
			return best, true
		}
	}
	for _, m := range modes {
		sm, ok := realMode(m)
		if !ok {
			continue
		}
		if s := -math.Abs(sm.lambda - 1); s > bestScore {
			best, bestScore, found = sm, s, true
		}
	}
	return best, found
}

// selection returns yᵀB_j / yᵀv for every input j: the drift along v per
// unit of input j, for the left vector y, right vector v and the N x M
// input Jacobian B (row-major).
func selection(m slowMode, B []float64, N, M int) []float64 {
	yv := floats.Dot(m.left, m.right)
	out := make([]float64, M)
	for j := 0; j < M; j++ {
		s := 0.0
		for i := 0; i < N; i++ {
			s += m.left[i] * B[i*M+j]
		}
		out[j] = s / yv
	}
	return out
}
