package finder

import "github.com/rnnfp/fixedpoints/graph"

// searchDtype is the type the first-order search computes in: float32
// with Settings.SearchFloat32 (the refinement and certification stay in
// Settings.Dtype), else Settings.Dtype.
func searchDtype(s Settings) graph.Dtype {
	if s.SearchFloat32 {
		return graph.Float32
	}
	return s.Dtype
}

// evalFloat64 recomputes F(x) and q in float64 at the candidates idx after
// a float32 search, so that the refinement and the certificate start from
// float64 values: the search's F and q carry float32 rounding (q ~ 1e-14
// at best).
func (f *finder) evalFloat64(idx []int) error {
	N, M := f.N, f.M
	var live []int
	for _, ci := range idx {
		if c := f.cands[ci]; !(c.q != c.q) && c.q < 1e300 {
			live = append(live, ci)
		}
	}
	chunk := max(1, min(len(live), 4096))
	for lo := 0; lo < len(live); lo += chunk {
		part := live[lo:min(lo+chunk, len(live))]
		B := batchRows(len(part), N)
		x, u := make([]float64, B*N), make([]float64, B*M)
		for r, ci := range part {
			copy(x[r*N:], f.cands[ci].x)
			copy(u[r*M:], f.cands[ci].u)
		}
		out := make([]float64, B*N)
		if err := f.stepRows(x, u, out, len(part)); err != nil {
			return err
		}
		for r, ci := range part {
			c := f.cands[ci]
			copy(c.f, out[r*N:(r+1)*N])
			c.q = halfSq(c.f, c.x)
		}
	}
	return nil
}
