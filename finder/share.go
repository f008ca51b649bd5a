package finder

import "math"

// shareRadius is the distance within which candidates share a Jacobian.
func shareRadius(x []float64) float64 { return 1e-3 * scale(x) }

// cluster picks representatives among part greedily in order: a candidate
// within shareRadius (2-norm) of an existing representative joins it.
// repOf[k] is the index in reps of part[k]'s representative. Representatives
// are filed in a grid on the first two coordinates, with cells as wide as
// the largest radius, so each candidate looks at 9 cells, not all of them.
func (f *finder) cluster(part []int) (reps []int, repOf []int) {
	repOf = make([]int, len(part))
	cell := 0.0
	for _, ci := range part {
		cell = math.Max(cell, shareRadius(f.cands[ci].x))
	}
	type key struct{ a, b int64 }
	at := func(x []float64, i int) float64 {
		if i < len(x) {
			return x[i]
		}
		return 0
	}
	keyOf := func(x []float64) key {
		return key{int64(math.Floor(at(x, 0) / cell)), int64(math.Floor(at(x, 1) / cell))}
	}
	grid := map[key][]int{} // indices into reps
	for k, ci := range part {
		x := f.cands[ci].x
		rad := shareRadius(x)
		found := -1
		c := keyOf(x)
		for da := int64(-1); da <= 1 && found < 0; da++ {
			for db := int64(-1); db <= 1 && found < 0; db++ {
				for _, r := range grid[key{c.a + da, c.b + db}] {
					if dist2(x, f.cands[reps[r]].x) <= rad*rad {
						found = r
						break
					}
				}
			}
		}
		if found < 0 {
			reps = append(reps, ci)
			found = len(reps) - 1
			grid[c] = append(grid[c], found)
		}
		repOf[k] = found
	}
	return reps, repOf
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}
