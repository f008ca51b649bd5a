package continuation

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// The one-pattern Hopfield map x' = tanh((beta/N) xi xi^T x + u xi) at
// N = 1000 with beta = 2 reduces, for x = m xi, to m' = tanh(beta m + u):
// its fold is the scalar one, u = 0.532840 at m = -1/sqrt 2.
func TestHopfieldFold(t *testing.T) {
	if testing.Short() {
		t.Skip("N = 1000")
	}
	p, mf, uf := hopfieldProblem()
	res, e := continueOne(t, p, Settings{}, Fold)
	checkHopfield(t, res, e, p, mf, uf)
}

// BenchmarkHopfieldFold times TestHopfieldFold's continuation (graphs
// built, GMRES solves, location of the fold).
func BenchmarkHopfieldFold(b *testing.B) {
	p, _, _ := hopfieldProblem()
	for b.Loop() {
		if _, err := Continue(context.Background(), p, Settings{}); err != nil {
			b.Fatal(err)
		}
	}
}

// hopfieldProblem is the N = 1000, beta = 2 map with its three fixed points
// at u = 0 (m = tanh(2m)), and the scalar fold (m, u).
func hopfieldProblem() (Problem, float64, float64) {
	const N, beta = 1000, 2.0
	rng := rand.New(rand.NewPCG(7, 7))
	xi := make([]float64, N)
	for i := range xi {
		xi[i] = float64(2*rng.IntN(2) - 1)
	}
	mf, uf := scalarCritical(beta, 1, -0.7, 0.5)
	start := &finder.FixedPoints{N: N, M: 1, Dtype: "float64"}
	for _, m0 := range []float64{-1, 0, 1} {
		m := m0
		for it := 0; it < 200; it++ { // m = tanh(beta m) by fixed-point iteration
			m = math.Tanh(beta * m)
		}
		x := make([]float64, N)
		for i := range x {
			x[i] = m * xi[i]
		}
		start.Points = append(start.Points, finder.Point{X: x, U: []float64{0}})
	}
	return Problem{Cell: newHopfieldCell(xi, beta), Start: start, Path: Segment([]float64{0}, []float64{1})}, mf, uf
}

// checkHopfield checks the fold e of res (p's continuation) against the
// scalar fold: its u, its overlap m and its branch.
func checkHopfield(t *testing.T, res *Result, e Bifurcation, p Problem, mf, uf float64) {
	const N = 1000
	xi := p.Cell.Params()[2].Data
	checkU(t, e, uf)
	m := 0.0
	for i := range xi {
		m += xi[i] * e.X[i] / N
	}
	if math.Abs(m-mf) > 1e-6 {
		t.Errorf("fold at overlap m = %.9f, want %.9f", m, mf)
	}
	if math.Abs(real(e.Eigenvalue)-1) > 1e-6 {
		t.Errorf("critical eigenvalue %v, want 1", e.Eigenvalue)
	}
	if len(res.Branches) != 2 || len(res.Branches[e.Branch].Seeds) != 2 {
		t.Fatalf("%d branches, fold branch seeds %v; want 2 branches, the fold's with 2 seeds", len(res.Branches), res.Branches[e.Branch].Seeds)
	}
	// The fold's branch runs from the attractor m = -0.9575 (no unstable
	// Ritz value) to the saddle m = 0 (one, lambda = beta = 2). Above
	// DenseEigenMax only Ritz values are seen, so Stable is never claimed.
	b := res.Branches[e.Branch]
	ends := []Point{b.Points[0], b.Points[len(b.Points)-1]}
	if ends[0].X[0]*xi[0] > ends[1].X[0]*xi[0] {
		ends[0], ends[1] = ends[1], ends[0]
	}
	if ends[0].NUnstable != 0 || ends[1].NUnstable != 1 || ends[0].Stable {
		t.Errorf("fold branch ends with %d and %d unstable modes (stable %v), want 0 and 1 (stable not claimed)", ends[0].NUnstable, ends[1].NUnstable, ends[0].Stable)
	}
}
