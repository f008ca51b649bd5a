package finder

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/mat"
)

// ghost is the 1-D map x -> tanh(w x + b), w > 1, whose fold has passed:
// F'(x) = w sech^2(w x + b) = 1 at u = w x + b = +-acosh(sqrt(w)). At the
// extremum of r = F(x) - x on the side of b's sign opposite to the root
// (u = -sign(b) acosh(sqrt(w))), r keeps the sign of b and does not vanish:
// q = r^2/2 has a local minimum q > 0 there (q' = (F' - 1) r = 0, and
// q” = (F' - 1)^2 + r F” = r F” > 0 since F” = -2 w^2 sech^2(u) tanh(u)
// has the sign of b too). At the other extremum q has a local maximum.
type ghost struct{ w, b float64 }

// min is the slow point, its q and q”.
func (g ghost) min() (x, q, h float64) {
	u := -math.Copysign(math.Acosh(math.Sqrt(g.w)), g.b)
	x = (u - g.b) / g.w
	r := math.Tanh(u) - x
	fpp := -2 * g.w * g.w * (1 / g.w) * math.Tanh(u) // sech^2(u) = 1/w there
	return x, r * r / 2, r * fpp
}

// max is the local maximum of q.
func (g ghost) max() float64 {
	u := math.Copysign(math.Acosh(math.Sqrt(g.w)), g.b)
	return (u - g.b) / g.w
}

// root is the one root of tanh(w x + b) = x, by bisection on [-2, 2] (r
// changes sign once there; see the test's check).
func (g ghost) root() float64 {
	return bisect(func(x float64) float64 { return math.Tanh(g.w*x+g.b) - x }, -2, 2)
}

// bisect finds a sign change of f in [a, b] to the last bit.
func bisect(f func(float64) float64, a, b float64) float64 {
	fa := f(a)
	for {
		m := a + (b-a)/2
		if m <= a || m >= b {
			return m
		}
		if fm := f(m); (fm > 0) == (fa > 0) {
			a, fa = m, fm
		} else {
			b = m
		}
	}
}

// The 1-D ghost x' = tanh(2x + 0.6): its slow point at
// x = (-acosh(sqrt 2) - 0.6)/2 with q = 5.64e-4 and q” = 0.0950 is found
// and labelled slow, to 1e-10; its root is fixed; nothing sits at the
// maximum of q, which checkSlow refuses.
func TestGhost1D(t *testing.T) { bothDescents(t, testGhost1D) }

func testGhost1D(t *testing.T, settings *Settings) {
	g := ghost{2, 0.6}
	xs, qs, hs := g.min()
	if want := (-math.Acosh(math.Sqrt2) - 0.6) / 2; math.Abs(xs-want) > 1e-15 {
		t.Fatalf("ghost helper: %v, issue's formula %v", xs, want)
	}
	cell := newTanhCell(1, 0, []float64{2}, nil, []float64{0.6})
	var x0 []float64
	for i := 0; i < 32; i++ {
		x0 = append(x0, -2+4*float64(i)/31)
	}
	res := find(t, Problem{Cell: cell, InitialStates: x0}, settings)
	st := res.Stats
	t.Logf("fixed %d, slow %d, slow regions %d, unconverged %d %v", st.Certified, st.Slow, st.SlowRegions, st.Unconverged, st.UnconvergedByReason)
	if res.Slow.Len() != 1 || res.Fixed.Len() != 1 {
		t.Fatalf("%d slow and %d fixed points, want 1 and 1", res.Slow.Len(), res.Fixed.Len())
	}
	p := res.Slow.Points[0]
	t.Logf("slow point x = %.17g (analytic %.17g), q = %.6g (%.6g), Hessian min %.6g (%.6g) +- %.2g, gradient/floor %.2g",
		p.X[0], xs, p.Q, qs, p.HessianMin, hs, p.HessianError, p.Gradient)
	if math.Abs(p.X[0]-xs) > 1e-10 || math.Abs(p.Q-qs) > 1e-12*qs || math.Abs(p.HessianMin-hs) > 1e-6*hs {
		t.Errorf("slow point x %v q %v h %v, want %v %v %v", p.X[0], p.Q, p.HessianMin, xs, qs, hs)
	}
	if math.Abs(p.Speed()-math.Sqrt(2*qs)) > 1e-12 {
		t.Errorf("speed %v, want %v", p.Speed(), math.Sqrt(2*qs))
	}
	if r := g.root(); math.Abs(res.Fixed.Points[0].X[0]-r) > 1e-10 {
		t.Errorf("fixed point %v, root %v", res.Fixed.Points[0].X[0], r)
	}
	if st.Unconverged != 0 || st.Slow+st.Certified != 32 {
		t.Errorf("outcomes: %d fixed, %d slow, %d slow regions, %d unconverged, want 32 fixed or slow", st.Certified, st.Slow, st.SlowRegions, st.Unconverged)
	}
	// The maximum of q and the root: not slow.
	if slow := slowAt(t, cell, [][]float64{{g.max()}, {g.root()}, {xs}}); slow[0] || slow[1] || !slow[2] {
		t.Errorf("checkSlow at the maximum, the root and the minimum: %v, want false false true", slow)
	}
}

// slowAt runs checkSlow at the states xs (zero input), as decideOutcomes
// would on candidates that ended there.
func slowAt(t *testing.T, cell *affineCell, xs [][]float64) []bool {
	t.Helper()
	var flat []float64
	for _, x := range xs {
		flat = append(flat, x...)
	}
	s := DefaultSettings()
	s.fill()
	f, err := newFinder(Problem{Cell: cell, InitialStates: flat}, s)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	cv, err := f.curvatures(f.newRowEval(), idx, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range f.cands {
		copy(c.f, cv[i].f)
		c.q = cv[i].q
	}
	if err := f.checkSlow(context.Background(), idx); err != nil {
		t.Fatal(err)
	}
	out := make([]bool, len(xs))
	for i, c := range f.cands {
		out[i] = c.slow
		t.Logf("x %v: q %.3g, gradient/floor %.3g, Hessian min %.4g +- %.2g: slow %v", c.x, c.q, c.grad, c.hessMin, c.hessErr, c.slow)
	}
	return out
}

// chainGhost is N units: unit 0 the ghost g, each unit k >= 1 contracting,
// x_k' = tanh(0.5 x_k + eps x_0 + eps x_{k-1} + 0.1 k), weakly driven by the
// ghost and its neighbour. The ghost does not see the others, so q has a
// local minimum where x_0 is at the ghost's and each x_k at the root of its
// own equation given x_0 and x_{k-1}: r_k = 0 there, grad q = 0, and the
// Hessian (J - I)^T (J - I) + r_0 F_0” e_0 e_0^T is positive definite.
// Replacing x_0 by the ghost's maximum gives a saddle of q.
func chainGhost(N int, g ghost, eps float64) (*affineCell, func(x0 float64) []float64) {
	A := make([]float64, N*N)
	c := make([]float64, N)
	A[0], c[0] = g.w, g.b
	for k := 1; k < N; k++ {
		A[k*N+k], A[k*N], c[k] = 0.5, eps, 0.1*float64(k)
		A[k*N+k-1] += eps
	}
	at := func(x0 float64) []float64 {
		x := []float64{x0}
		for k := 1; k < N; k++ {
			prev, k := x[k-1], k
			x = append(x, bisect(func(v float64) float64 {
				return math.Tanh(0.5*v+eps*x0+eps*prev+0.1*float64(k)) - v
			}, -2, 2))
		}
		return x
	}
	return newTanhCell(N, 0, A, nil, c), at
}

// The ghost in 4-D with three contracting, weakly coupled units: the one
// local minimum of q is found and labelled slow at its location to 1e-10,
// with its q; the root is fixed; the saddle of q is not slow.
func TestGhostND(t *testing.T) { bothDescents(t, testGhostND) }

func testGhostND(t *testing.T, settings *Settings) {
	g := ghost{2, 0.6}
	const N = 4
	cell, at := chainGhost(N, g, 0.05)
	xg, qg, _ := g.min()
	want := at(xg)
	var x0 []float64
	for i := 0; i < 64; i++ { // a spread of starts along the ghost unit, the others at varied values
		x0 = append(x0, -2+4*float64(i)/63)
		for k := 1; k < N; k++ {
			x0 = append(x0, math.Sin(float64(3*i+k)))
		}
	}
	res := find(t, Problem{Cell: cell, InitialStates: x0}, settings)
	st := res.Stats
	t.Logf("fixed %d, slow %d, slow regions %d, unconverged %d %v", st.Certified, st.Slow, st.SlowRegions, st.Unconverged, st.UnconvergedByReason)
	if res.Slow.Len() != 1 || res.Fixed.Len() != 1 {
		t.Fatalf("%d slow and %d fixed points, want 1 and 1", res.Slow.Len(), res.Fixed.Len())
	}
	p := res.Slow.Points[0]
	assertLocalMin(t, cell, &p)
	d := 0.0
	for i := range want {
		d = max(d, math.Abs(p.X[i]-want[i]))
	}
	t.Logf("slow point %v, truth %v: max error %.2g; q %.6g (ghost's %.6g), Hessian min %.4g +- %.2g", p.X, want, d, p.Q, qg, p.HessianMin, p.HessianError)
	if d > 1e-10 || math.Abs(p.Q-qg) > 1e-9*qg {
		t.Errorf("slow point off by %g, q %v want %v", d, p.Q, qg)
	}
	if r := at(g.root()); maxDiff(res.Fixed.Points[0].X, r) > 1e-10 {
		t.Errorf("fixed point %v, root %v", res.Fixed.Points[0].X, r)
	}
	if st.Unconverged != 0 || st.SlowRegions != 0 {
		t.Errorf("%d unconverged, %d slow regions; want none", st.Unconverged, st.SlowRegions)
	}
	if slow := slowAt(t, cell, [][]float64{at(g.max()), want}); slow[0] || !slow[1] {
		t.Errorf("checkSlow at the saddle and the minimum: %v, want false true", slow)
	}
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// A planted network of three independent ghosts (tanh(w_i x_i + b_i)): q is
// the sum of the units' q_i, so its local minima with q > 0 are the 2^3 - 1
// choices of ghost minimum or root per unit other than all roots, in closed
// form (roots by bisection). All seven are found and labelled slow, and the
// one root is fixed.
func TestPlantedGhosts(t *testing.T) { bothDescents(t, testPlantedGhosts) }

func testPlantedGhosts(t *testing.T, settings *Settings) {
	gs := []ghost{{2, 0.6}, {2, -0.6}, {1.5, 0.35}}
	N := len(gs)
	A, c := make([]float64, N*N), make([]float64, N)
	for i, g := range gs {
		A[i*N+i], c[i] = g.w, g.b
		if xs, _, _ := g.min(); !(math.Tanh(g.w*xs+g.b)-xs != 0) {
			t.Fatalf("unit %d: no ghost", i)
		}
	}
	cell := newTanhCell(N, 0, A, nil, c)
	var x0 []float64
	const K = 6
	for a := 0; a < K; a++ {
		for b := 0; b < K; b++ {
			for d := 0; d < K; d++ {
				x0 = append(x0, -1.5+3*float64(a)/(K-1), -1.5+3*float64(b)/(K-1), -1.5+3*float64(d)/(K-1))
			}
		}
	}
	res := find(t, Problem{Cell: cell, InitialStates: x0}, settings)
	st := res.Stats
	t.Logf("fixed %d, slow %d, slow regions %d, unconverged %d %v", st.Certified, st.Slow, st.SlowRegions, st.Unconverged, st.UnconvergedByReason)
	if res.Fixed.Len() != 1 {
		t.Errorf("%d fixed points, want 1", res.Fixed.Len())
	}
	found := 0
	for m := 1; m < 1<<N; m++ { // bit i: unit i at its ghost's minimum
		want, q := make([]float64, N), 0.0
		for i, g := range gs {
			if m>>i&1 == 1 {
				x, qi, _ := g.min()
				want[i], q = x, q+qi
			} else {
				want[i] = g.root()
			}
		}
		hit := -1
		for j, p := range res.Slow.Points {
			if maxDiff(p.X, want) <= 1e-10 && math.Abs(p.Q-q) <= 1e-9*q {
				hit = j
			}
		}
		if hit >= 0 {
			found++
			assertLocalMin(t, cell, &res.Slow.Points[hit])
		} else {
			t.Errorf("slow point %v (q %.6g) not found", want, q)
		}
	}
	if found != 7 || res.Slow.Len() != 7 {
		t.Errorf("%d of 7 planted slow points found; %d slow points in all", found, res.Slow.Len())
	}
}

// assertLocalMin checks, independently of the Hessian that labelled it,
// that q rises from the slow point p in every one of 2N axis directions and
// 2N random ones, at a step of 1e-4 (a rise of about 5e-9 times the
// curvature, far above the rounding of q), by plain steps of the map.
func assertLocalMin(t *testing.T, cell cells.Cell, p *Point) {
	t.Helper()
	N, M := len(p.X), len(p.U)
	r := rand.New(rand.NewPCG(7, 11))
	var dirs [][]float64
	for i := 0; i < N; i++ {
		for _, s := range []float64{1, -1} {
			d := make([]float64, N)
			d[i] = s
			dirs = append(dirs, d)
		}
	}
	for k := 0; k < 2*N; k++ {
		d := make([]float64, N)
		for i := range d {
			d[i] = r.NormFloat64()
		}
		n := linalg.Nrm2(d)
		for i := range d {
			d[i] /= n
		}
		dirs = append(dirs, d)
	}
	B := len(dirs) + 1
	st, err := graph.NewStepper(cell, B, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	x, u, out := make([]float64, B*N), make([]float64, B*M), make([]float64, B*N)
	for b := 0; b < B; b++ {
		copy(x[b*N:], p.X)
		copy(u[b*M:], p.U)
		if b > 0 {
			for i := 0; i < N; i++ {
				x[b*N+i] += 1e-4 * dirs[b-1][i]
			}
		}
	}
	if err := st.Step(x, u, out); err != nil {
		t.Fatal(err)
	}
	q0 := halfSq(out[:N], x[:N])
	for b := 1; b < B; b++ {
		if q := halfSq(out[b*N:(b+1)*N], x[b*N:(b+1)*N]); !(q > q0) {
			t.Errorf("slow point %v: q %.17g along direction %d does not rise from %.17g", p.X, q, b-1, q0)
			return
		}
	}
}

// bothDescents runs test with the dense descent (DenseLM, as below
// KrylovMinN) and the matrix-free one (NewtonKrylov, as from KrylovMinN).
func bothDescents(t *testing.T, test func(*testing.T, *Settings)) {
	for _, r := range []struct {
		name string
		r    Refiner
	}{{"dense", DenseLM}, {"krylov", NewtonKrylov}} {
		t.Run(r.name, func(t *testing.T) { test(t, &Settings{Refiner: r.r}) })
	}
}

// analyticCritical refines x to a critical point of q for the cell
// F(x) = tanh(A x + c) by Newton's method on grad q with closed-form
// derivatives (J = diag(1 - F^2) A, d2F_i/dx2 = -2 F_i (1 - F_i^2) a_i a_i^T,
// a_i row i of A), independent of the graph and of finite differences, and
// returns it with q and the smallest eigenvalue of the Hessian there.
func analyticCritical(A, c, x []float64) (xs []float64, q, hmin float64) {
	n := len(x)
	x = append([]float64(nil), x...)
	eval := func(x []float64) (F, r, g, H []float64) {
		F, r, g, H = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n*n)
		for i := 0; i < n; i++ {
			s := c[i]
			for k := 0; k < n; k++ {
				s += A[i*n+k] * x[k]
			}
			F[i] = math.Tanh(s)
			r[i] = F[i] - x[i]
		}
		B := make([]float64, n*n) // J - I
		for i := 0; i < n; i++ {
			for k := 0; k < n; k++ {
				B[i*n+k] = (1 - F[i]*F[i]) * A[i*n+k]
				if i == k {
					B[i*n+k]--
				}
			}
		}
		for k := 0; k < n; k++ {
			for i := 0; i < n; i++ {
				g[k] += B[i*n+k] * r[i]
			}
		}
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				for i := 0; i < n; i++ {
					H[j*n+k] += B[i*n+j]*B[i*n+k] - 2*r[i]*F[i]*(1-F[i]*F[i])*A[i*n+j]*A[i*n+k]
				}
			}
		}
		return F, r, g, H
	}
	for it := 0; it < 50; it++ {
		_, _, g, H := eval(x)
		d := mat.NewVecDense(n, nil)
		if err := d.SolveVec(mat.NewDense(n, n, H), mat.NewVecDense(n, g)); err != nil {
			break
		}
		for i := range x {
			x[i] -= d.AtVec(i)
		}
	}
	_, r, _, H := eval(x)
	for _, v := range r {
		q += v * v / 2
	}
	return x, q, minEigenSym(H, n)
}

// Two-way weak coupling: a ghost unit and two contracting units, each
// seeing the others with weight 0.05. The slow point has no closed form; its
// truth comes from Newton's method on grad q with closed-form derivatives
// (analyticCritical), from the uncoupled ghost. Every candidate labelled
// slow lies within 1e-10 of that point, with its q, and the analytic
// Hessian there is positive definite; the root is fixed.
func TestGhostTwoWayCoupling(t *testing.T) { bothDescents(t, testGhostTwoWayCoupling) }

func testGhostTwoWayCoupling(t *testing.T, settings *Settings) {
	const N, eps = 3, 0.05
	A := []float64{2, eps, eps, eps, 0.5, eps, eps, eps, 0.3}
	c := []float64{0.6, 0.1, -0.2}
	xg, _, _ := ghost{2, 0.6}.min()
	want, qWant, hWant := analyticCritical(A, c, []float64{xg, 0.2, -0.3})
	if !(hWant > 0) || !(qWant > 1e-6) {
		t.Fatalf("analytic critical point %v: q %g, Hessian min %g: not a slow point", want, qWant, hWant)
	}
	cell := newTanhCell(N, 0, A, nil, c)
	var x0 []float64
	for i := 0; i < 64; i++ {
		x0 = append(x0, -2+4*float64(i)/63, math.Sin(float64(3*i+1)), math.Cos(float64(5*i+2)))
	}
	res := find(t, Problem{Cell: cell, InitialStates: x0}, settings)
	st := res.Stats
	t.Logf("fixed %d, slow %d, slow regions %d, unconverged %d %v; truth %v q %.6g Hessian min %.4g",
		st.Certified, st.Slow, st.SlowRegions, st.Unconverged, st.UnconvergedByReason, want, qWant, hWant)
	if res.Slow.Len() != 1 || res.Fixed.Len() != 1 {
		t.Fatalf("%d slow and %d fixed points, want 1 and 1", res.Slow.Len(), res.Fixed.Len())
	}
	for _, p := range res.All.Points {
		if p.Outcome != OutcomeSlow {
			continue
		}
		if d := maxDiff(p.X, want); d > 1e-10 || math.Abs(p.Q-qWant) > 1e-9*qWant || math.Abs(p.HessianMin-hWant) > 1e-6*hWant {
			t.Errorf("slow point %v (q %.10g, Hessian min %.6g) is %g from the analytic %v (q %.10g, %.6g)", p.X, p.Q, p.HessianMin, d, want, qWant, hWant)
		}
	}
	if _, _, h := analyticCritical(A, c, res.Fixed.Points[0].X); !(h > 0) || res.Fixed.Points[0].Q > 1e-25 {
		t.Errorf("fixed point %v: q %g", res.Fixed.Points[0].X, res.Fixed.Points[0].Q)
	}
}
