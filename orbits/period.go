package orbits

import "math"

// distMax is the max-norm distance between a and b.
func distMax(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		if v := math.Abs(a[i] - b[i]); !(v <= d) {
			d = v
		}
	}
	return d
}

// minimalPeriod returns the least d dividing k such that the points repeat
// after d steps: |x_{j+d} - x_j| <= tol (max norm) for every j.
func minimalPeriod(pts [][]float64, tol float64) int {
	k := len(pts)
	for d := 1; d < k; d++ {
		if k%d != 0 {
			continue
		}
		same := true
		for j := 0; j+d < k && same; j++ {
			same = distMax(pts[j], pts[j+d]) <= tol
		}
		if same {
			return d
		}
	}
	return k
}

// less orders points lexicographically.
func less(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// canonical rotates pts so that the lexicographically least point is first.
func canonical(pts [][]float64) [][]float64 {
	first := 0
	for j := range pts {
		if less(pts[j], pts[first]) {
			first = j
		}
	}
	out := make([][]float64, len(pts))
	for j := range pts {
		out[j] = pts[(first+j)%len(pts)]
	}
	return out
}

// sameOrbit reports whether the orbits a and b (same period) match point by
// point, within tol in the max norm, under some cyclic shift.
func sameOrbit(a, b [][]float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	k := len(a)
	for shift := 0; shift < k; shift++ {
		ok := true
		for j := 0; j < k && ok; j++ {
			ok = distMax(a[j], b[(j+shift)%k]) <= tol
		}
		if ok {
			return true
		}
	}
	return false
}
