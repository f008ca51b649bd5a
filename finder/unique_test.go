package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// pt makes a point with state x, input u and speed q.
func pt(x, u []float64, q float64) Point {
	return Point{X: x, U: u, Q: q}
}

func TestUniqueKnownDuplicates(t *testing.T) {
	nan := math.NaN()
	fp := &FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []Point{
		pt([]float64{0, 0}, []float64{0}, 3),         // 0: group {0, 1}
		pt([]float64{0.0005, 0}, []float64{0}, 1),    // 1: within 5e-4 of 0, lower q: kept
		pt([]float64{1, 1}, []float64{0}, 2),         // 2: group {2, 3}, kept
		pt([]float64{1, 1.0009}, []float64{0}, 5),    // 3: within 9e-4 of 2
		pt([]float64{0, 0}, []float64{1}, 7),         // 4: same x as 0, other input
		pt([]float64{0, 0.0015}, []float64{0}, 0.5),  // 5: 1.5e-3 from 0: own group
		pt([]float64{nan, 0}, []float64{0}, 0),       // 6: NaN: alone
		pt([]float64{1, 1.0001}, []float64{0}, nan),  // 7: in group of 2, NaN q loses
		pt([]float64{0.0005, 0}, []float64{0}, 1),    // 8: equal to 1 with equal q: 1 wins
		pt([]float64{0, 0.0015}, []float64{0}, 0.25), // 9: equal to 5, lower q: kept
	}}
	got := fp.uniqueIndices(1e-3)
	want := []int{1, 2, 4, 6, 9}
	if !slices.Equal(got, want) {
		t.Fatalf("unique indices %v, want %v", got, want)
	}
	u := fp.Unique(1e-3)
	if u.Len() != len(want) || u.N != 2 || u.M != 1 || u.Dtype != "float64" {
		t.Fatalf("unique set of %d points N=%d M=%d %q", u.Len(), u.N, u.M, u.Dtype)
	}
	for k, i := range want {
		if u.Points[k].Q != fp.Points[i].Q {
			t.Errorf("kept point %d has q %v, want %v", k, u.Points[k].Q, fp.Points[i].Q)
		}
	}
	u.Points[0].X[0] = 42
	if fp.Points[1].X[0] != 0.0005 {
		t.Errorf("Unique aliases the original's vectors")
	}
	// Exact duplicates only.
	if got := fp.uniqueIndices(0); !slices.Equal(got, []int{0, 1, 2, 3, 4, 6, 7, 9}) {
		t.Errorf("tol 0: %v", got)
	}
}

// A chain a - b - c with steps of 0.8 tol: b joins a's group, c is left for a
// group of its own although it lies within tol of the kept b.
func TestUniqueGreedyChain(t *testing.T) {
	fp := &FixedPoints{N: 1, Points: []Point{
		pt([]float64{0}, nil, 2), pt([]float64{0.8}, nil, 1), pt([]float64{1.6}, nil, 3),
	}}
	if got := fp.uniqueIndices(1); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("chain: %v, want [1 2]", got)
	}
}

// bruteUnique is the definition of Unique, compared pair by pair.
func bruteUnique(fp *FixedPoints, tol float64) []int {
	n := len(fp.Points)
	finite := func(p *Point) bool {
		if len(p.X) != fp.N || len(p.U) != fp.M {
			return false
		}
		for _, v := range append(slices.Clone(p.X), p.U...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
		return true
	}
	q := func(i int) float64 {
		if v := fp.Points[i].Q; !math.IsNaN(v) {
			return v
		}
		return math.Inf(1)
	}
	ok := make([]bool, n)
	for i := range ok {
		ok[i] = finite(&fp.Points[i])
	}
	grouped := make([]bool, n)
	var keep []int
	for i := 0; i < n; i++ {
		if grouped[i] {
			continue
		}
		grouped[i] = true
		best := i
		for j := i + 1; j < n && ok[i]; j++ {
			a, b := &fp.Points[i], &fp.Points[j]
			if grouped[j] || !ok[j] || !(pairDistance(a.X, a.U, b.X, b.U) <= tol) {
				continue
			}
			grouped[j] = true
			if q(j) < q(best) {
				best = j
			}
		}
		keep = append(keep, best)
	}
	slices.Sort(keep)
	return keep
}

// clustered makes n points of N states and M inputs around k random centres,
// each a centre plus Gaussian noise of std spread, with random q; every 50th
// point has a NaN state and every 7th repeats the point before it.
func clustered(seed uint64, n, N, M, k int, spread float64) *FixedPoints {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float64, k)
	for c := range centres {
		centres[c] = randVecT(r, N+M, 1)
	}
	fp := &FixedPoints{N: N, M: M, Dtype: "float64"}
	for i := 0; i < n; i++ {
		c := centres[r.IntN(k)]
		v := make([]float64, N+M)
		for d := range v {
			v[d] = c[d] + spread*r.NormFloat64()
		}
		if i%7 == 6 {
			prev := fp.Points[i-1]
			v = append(slices.Clone(prev.X), prev.U...)
		}
		if i%50 == 49 {
			v[0] = math.NaN()
		}
		p := pt(v[:N], v[N:], math.Pow(10, -20*r.Float64()))
		if M == 0 {
			p.U = nil
		}
		fp.Points = append(fp.Points, p)
	}
	return fp
}

func randVecT(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * r.NormFloat64()
	}
	return v
}

func TestUniqueMatchesBruteForce(t *testing.T) {
	for _, c := range []struct {
		N, M, k int
		spread  float64
	}{{32, 3, 40, 1e-4}, {32, 0, 40, 1e-4}, {4, 1, 10, 3e-3}, {2, 0, 1000, 1e-2}} {
		fp := clustered(7, 1024, c.N, c.M, c.k, c.spread)
		for _, tol := range []float64{0, 1e-4, 1e-3, 1e-2, 0.1, 10, math.Inf(1), -1, math.NaN()} {
			got, want := fp.uniqueIndices(tol), bruteUnique(fp, tol)
			if !slices.Equal(got, want) {
				t.Errorf("N=%d M=%d spread %g tol %g: %d kept, brute force keeps %d",
					c.N, c.M, c.spread, tol, len(got), len(want))
			}
		}
	}
}

// Well separated clusters: exactly one point per cluster plus the NaN points,
// and of each cluster the one with the lowest q.
func TestUniqueClusters(t *testing.T) {
	fp := clustered(3, 1024, 32, 2, 40, 1e-5)
	u := fp.Unique(1e-3)
	nans := 0
	for _, p := range fp.Points {
		if math.IsNaN(p.X[0]) {
			nans++
		}
	}
	if got := u.Len(); got != 40+nans {
		t.Fatalf("%d unique points, want 40 clusters + %d NaN points", got, nans)
	}
	for _, p := range u.Points {
		if math.IsNaN(p.X[0]) {
			continue
		}
		for _, j := range fp.Find(p.X, p.U, 1e-3) {
			if fp.Points[j].Q < p.Q {
				t.Fatalf("kept q %g but its cluster has q %g", p.Q, fp.Points[j].Q)
			}
		}
	}
}

func TestUniqueEmptyAndZeroDims(t *testing.T) {
	if u := (&FixedPoints{N: 3}).Unique(1e-3); u.Len() != 0 {
		t.Errorf("empty set gives %d points", u.Len())
	}
	fp := &FixedPoints{Points: []Point{{Q: 2}, {Q: 1}, {Q: 3}}}
	if got := fp.uniqueIndices(0); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("N=M=0 points are all the same point: got %v, want [1]", got)
	}
}

// The benchmarks take 1024 candidates of 32 states and 3 inputs around 30
// fixed points (a converged search) or 1024 distinct points (a poor one).
func BenchmarkUnique(b *testing.B) {
	for _, k := range []int{30, 1024} {
		fp := clustered(1, 1024, 32, 3, k, 1e-4)
		b.Run(fmt.Sprintf("windowed/%d", k), func(b *testing.B) {
			for b.Loop() {
				fp.uniqueIndices(1e-3)
			}
		})
		b.Run(fmt.Sprintf("brute/%d", k), func(b *testing.B) {
			for b.Loop() {
				bruteUnique(fp, 1e-3)
			}
		})
	}
}
