package orbits

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/stability"
)

// ring is the 3-unit network on a cycle: h1' = tanh(w1 h3 + b1),
// h2' = tanh(w2 h1 + b2), h3' = tanh(w3 h2 + b3).
var ringW, ringB = [3]float64{2, 2.5, 3}, [3]float64{0.1, -0.2, 0.05}

// ringSrc[i] is the unit that drives unit i.
var ringSrc = [3]int{2, 0, 1}

func ringCell() *cells.Vanilla {
	c := cells.NewVanilla(3, 0, cells.Tanh)
	whhT, bhh := c.Params()[1], c.Params()[3]
	for i := 0; i < 3; i++ {
		whhT.Set(ringSrc[i], i, ringW[i]) // W[i][src] stored transposed
		bhh.Data[i] = ringB[i]
	}
	return c
}

// ringStep is the ring's map in plain Go, with its Jacobian's nonzero
// entries d[i] = dF_i/dh_src(i).
func ringStep(h [3]float64) (f, d [3]float64) {
	for i := 0; i < 3; i++ {
		f[i] = math.Tanh(ringW[i]*h[ringSrc[i]] + ringB[i])
		d[i] = ringW[i] * (1 - f[i]*f[i])
	}
	return f, d
}

// ringOrbits solves F^3(h) = h by Newton's method in plain Go from an
// 11^3 grid on [-1.2, 1.2]^3 and returns the orbits of minimal period 3,
// each as its three points with its Floquet multipliers. The monodromy
// matrix of the ring is diagonal (the Jacobians are a diagonal times the
// cyclic permutation P, and P^3 = I): its diagonal entries are the
// multipliers, each the product of the three derivatives met going once
// around the ring.
func ringOrbits() (orbits [][][3]float64, mults [][]float64) {
	var roots [][3]float64
	const n = 11
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			for c := 0; c < n; c++ {
				h := [3]float64{-1.2 + 2.4*float64(a)/(n-1), -1.2 + 2.4*float64(b)/(n-1), -1.2 + 2.4*float64(c)/(n-1)}
				for it := 0; it < 100; it++ {
					// F^3 and its Jacobian, a product of three (dense 3x3).
					x, jac := h, [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
					for s := 0; s < 3; s++ {
						f, d := ringStep(x)
						var nj [3][3]float64
						for i := 0; i < 3; i++ {
							for k := 0; k < 3; k++ {
								nj[i][k] = d[i] * jac[ringSrc[i]][k]
							}
						}
						x, jac = f, nj
					}
					var g [3]float64
					for i := range g {
						g[i] = x[i] - h[i]
						jac[i][i] -= 1
					}
					step, ok := solve3(jac, g)
					if !ok {
						break
					}
					for i := range h {
						h[i] -= step[i]
					}
					if math.Abs(step[0])+math.Abs(step[1])+math.Abs(step[2]) < 1e-15 {
						break
					}
				}
				x := h
				for s := 0; s < 3; s++ {
					x, _ = ringStep(x)
				}
				if math.Abs(x[0]-h[0])+math.Abs(x[1]-h[1])+math.Abs(x[2]-h[2]) > 1e-13 {
					continue
				}
				if !slices.ContainsFunc(roots, func(r [3]float64) bool { return dist3(r, h) < 1e-8 }) {
					roots = append(roots, h)
				}
			}
		}
	}
	used := make([]bool, len(roots))
	for i, r := range roots {
		if used[i] {
			continue
		}
		used[i] = true
		p1, d0 := ringStep(r)
		if dist3(p1, r) < 1e-8 {
			continue // a fixed point
		}
		p2, d1 := ringStep(p1)
		_, d2 := ringStep(p2)
		for j, q := range roots {
			if dist3(q, p1) < 1e-8 || dist3(q, p2) < 1e-8 {
				used[j] = true
			}
		}
		// Multiplier of unit i: d2[i] * d1[src(i)] * d0[src(src(i))].
		var m []float64
		for i := 0; i < 3; i++ {
			m = append(m, d2[i]*d1[ringSrc[i]]*d0[ringSrc[ringSrc[i]]])
		}
		orbits = append(orbits, [][3]float64{r, p1, p2})
		mults = append(mults, m)
	}
	return orbits, mults
}

func dist3(a, b [3]float64) float64 {
	return max(math.Abs(a[0]-b[0]), math.Abs(a[1]-b[1]), math.Abs(a[2]-b[2]))
}

// solve3 solves a x = b by Cramer's rule.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(a)
	if d == 0 || math.IsNaN(d) {
		return [3]float64{}, false
	}
	var x [3]float64
	for c := 0; c < 3; c++ {
		m := a
		for r := 0; r < 3; r++ {
			m[r][c] = b[r]
		}
		x[c] = det(m) / d
	}
	return x, true
}

func TestRingPeriodThree(t *testing.T) {
	want, wantMult := ringOrbits()
	if len(want) != 8 {
		t.Fatalf("plain-Go reference found %d period-3 orbits, expected 8 for these gains", len(want))
	}
	r := rand.New(rand.NewPCG(7, 8))
	var x0 []float64
	for i := 0; i < 3*512; i++ {
		x0 = append(x0, 2*r.Float64()-1)
	}
	s := DefaultSettings()
	s.MaxPeriod = 3
	res, err := Find(context.Background(), Problem{Cell: ringCell(), InitialStates: x0}, &s)
	if err != nil {
		t.Fatal(err)
	}
	var got []Orbit
	for _, o := range res.Orbits {
		if o.Period == 3 {
			got = append(got, o)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("found %d period-3 orbits, want %d (stats %+v)", len(got), len(want), res.Stats)
	}
	byIndex := map[int]int{}
	for _, o := range got {
		pts := append([][]float64{}, o.Points...)
		match := -1
		for w, wo := range want {
			ref := [][]float64{wo[0][:], wo[1][:], wo[2][:]}
			if sameOrbit(pts, ref, 1e-12) {
				match = w
			}
		}
		if match < 0 {
			t.Errorf("orbit %v matches no reference orbit", o.Points)
			continue
		}
		wm := append([]float64(nil), wantMult[match]...)
		slices.SortFunc(wm, func(a, b float64) int { return cmpAbsDesc(a, b) })
		index, stable := 0, true
		for i, m := range o.Floquet {
			if math.Abs(imag(m.Value)) > 1e-12 || cmplx.Abs(m.Value-complex(wm[i], 0)) > 1e-12*max(1, math.Abs(wm[i])) {
				t.Errorf("orbit %d: multiplier %d = %v, want %v", match, i, m.Value, wm[i])
			}
			if math.Abs(wm[i]) > 1 {
				index++
			}
			stable = stable && math.Abs(wm[i]) < 1
			wantClass := stability.ModeStable
			if math.Abs(wm[i]) > 1 {
				wantClass = stability.ModeUnstable
			}
			if !m.Proved {
				t.Errorf("orbit %d: multiplier %v (bound %g) not proved", match, m.Value, m.Bound)
			}
			if m.Class != wantClass {
				t.Errorf("orbit %d: multiplier %v (bound %g) classed %v, want %v", match, m.Value, m.Bound, m.Class, wantClass)
			}
		}
		if o.NUnstable != index || o.Stable != stable || o.NUndecided != 0 {
			t.Errorf("orbit %d: index %d stable %v undecided %d, want index %d stable %v", match, o.NUnstable, o.Stable, o.NUndecided, index, stable)
		}
		if o.Proof == nil || !o.Proof.MinimalPeriod || o.Proof.Radius > 1e-12 {
			t.Errorf("orbit %d: proof %+v (%s), want proved with its minimal period", match, o.Proof, o.ProofReason)
		}
		byIndex[index]++
	}
	t.Logf("8 period-3 orbits, all proved, by saddle index: %v; other periods: %d orbits; stats %+v", byIndex, len(res.Orbits)-len(got), res.Stats)
}

func cmpAbsDesc(a, b float64) int {
	switch {
	case math.Abs(a) > math.Abs(b):
		return -1
	case math.Abs(a) < math.Abs(b):
		return 1
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// TestShootingSystemEncloses: the multiple-shooting system's enclosures,
// on which the orbit proofs rest, contain the ring's residuals and
// Jacobians computed in plain Go at points of the box.
func TestShootingSystemEncloses(t *testing.T) {
	const k, n, rad = 3, 3, 1e-3
	sys := shootingSystem{c: ringCell(), k: k, n: n, u: []float64{}}
	r := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 20; trial++ {
		mid := make([]float64, k*n)
		for i := range mid {
			mid[i] = 2*r.Float64() - 1
		}
		box := make([]interval.I, k*n)
		for i, v := range mid {
			box[i] = interval.New(v-rad, v+rad)
		}
		h, jm, err := sys.Enclose(box, true)
		if err != nil {
			t.Fatal(err)
		}
		for s := 0; s < 10; s++ {
			y := make([]float64, k*n)
			for i := range y {
				y[i] = mid[i] + rad*(2*r.Float64()-1)
			}
			for j := 0; j < k; j++ {
				var x [3]float64
				copy(x[:], y[j*n:(j+1)*n])
				f, d := ringStep(x)
				next := (j + 1) % k
				for i := 0; i < n; i++ {
					if v := f[i] - y[next*n+i]; !h[j*n+i].Contains(v) {
						t.Fatalf("H[%d] = %v outside its enclosure %v", j*n+i, v, h[j*n+i])
					}
					for c := 0; c < k*n; c++ {
						want := 0.0
						switch {
						case c == j*n+ringSrc[i]:
							want = d[i]
						case c == next*n+i:
							want = -1
						}
						if !jm.At(j*n+i, c).Contains(want) {
							t.Fatalf("dH[%d][%d] = %v outside its enclosure %v", j*n+i, c, want, jm.At(j*n+i, c))
						}
					}
				}
			}
		}
	}
}
