package finder

// The ground-truth battery: networks whose fixed points, eigenvalues and
// saddle indices are known exactly. Every expected point must be found,
// nothing else may be reported as a fixed point, and every residual must be
// at most 1e-10.

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"gonum.org/v1/gonum/mat"
)

// expected is one known fixed point with its eigenvalues (any order).
type expected struct {
	x      []float64
	u      []float64
	eigs   []complex128
	saddle int
}

// checkFound asserts that fp holds exactly the expected points (each within
// tolX), with residuals <= 1e-10, the expected eigenvalues (within tolEig)
// and saddle indices.
func checkFound(t *testing.T, name string, fp *FixedPoints, want []expected, tolX, tolEig float64) {
	t.Helper()
	if fp.Len() != len(want) {
		t.Errorf("%s: %d fixed points reported, want %d", name, fp.Len(), len(want))
	}
	matched := make([]bool, fp.Len())
	for wi, w := range want {
		if w.u == nil {
			w.u = make([]float64, fp.M)
		}
		idx := fp.Find(w.x, w.u, tolX)
		if len(idx) != 1 {
			t.Errorf("%s: expected point %d %v found %d times", name, wi, short(w.x), len(idx))
			continue
		}
		p := fp.Points[idx[0]]
		matched[idx[0]] = true
		if p.Residual > 1e-10 {
			t.Errorf("%s: point %v residual %g > 1e-10", name, short(w.x), p.Residual)
		}
		if w.eigs != nil {
			got := make([]complex128, len(p.Modes))
			for k, m := range p.Modes {
				got[k] = m.Value
			}
			wantEigs := w.eigs
			if p.Stability.Leading {
				// Leading modes only: the largest expected ones are listed,
				// the others lie below the proven bound.
				wantEigs = append([]complex128(nil), w.eigs...)
				sort.Slice(wantEigs, func(i, j int) bool { return cmplx.Abs(wantEigs[i]) > cmplx.Abs(wantEigs[j]) })
				for _, e := range wantEigs[min(len(got), len(wantEigs)):] {
					if cmplx.Abs(e) > p.Stability.RemainderBound {
						t.Errorf("%s: point %v: unlisted eigenvalue %v above the bound %v", name, short(w.x), e, p.Stability.RemainderBound)
					}
				}
				wantEigs = wantEigs[:min(len(got), len(wantEigs))]
			}
			if d := eigDistance(got, wantEigs); d > tolEig {
				t.Errorf("%s: point %v eigenvalues %v, want %v (distance %g)", name, short(w.x), short(got), short(w.eigs), d)
			}
			if p.Stability.NUnstable != w.saddle {
				t.Errorf("%s: point %v has %d unstable modes, want %d", name, short(w.x), p.Stability.NUnstable, w.saddle)
			}
		}
	}
	for i, ok := range matched {
		if !ok {
			t.Errorf("%s: unexpected fixed point %v (q %g, residual %g)", name, short(fp.Points[i].X), fp.Points[i].Q, fp.Points[i].Residual)
		}
	}
}

func short[T any](v []T) string {
	if len(v) > 6 {
		return fmt.Sprintf("%v...(%d)", v[:6], len(v))
	}
	return fmt.Sprint(v)
}

// eigDistance matches two multisets of eigenvalues greedily by sorting both
// the same way and returns the largest difference.
func eigDistance(a, b []complex128) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	key := func(v []complex128) []complex128 {
		w := append([]complex128(nil), v...)
		sort.Slice(w, func(i, j int) bool {
			if math.Abs(real(w[i])-real(w[j])) > 1e-7 {
				return real(w[i]) < real(w[j])
			}
			return imag(w[i]) < imag(w[j])
		})
		return w
	}
	x, y := key(a), key(b)
	d := 0.0
	for i := range x {
		d = math.Max(d, cmplx.Abs(x[i]-y[i]))
	}
	return d
}

func find(t *testing.T, p Problem, s *Settings) *Result {
	t.Helper()
	res, err := Find(context.Background(), p, s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// flipflopExpected lists the 3^N fixed points of tanh(w x) with
// eigenvalues w(1-a^2) on +/-a coordinates and w on zero coordinates.
func flipflopExpected(N int, w float64) []expected {
	a := flipflopA(w)
	var out []expected
	total := int(math.Pow(3, float64(N)))
	for idx := 0; idx < total; idx++ {
		e := expected{x: make([]float64, N), eigs: make([]complex128, N)}
		r := idx
		for i := 0; i < N; i++ {
			switch r % 3 {
			case 0:
				e.eigs[i] = complex(w, 0)
				e.saddle++
			case 1:
				e.x[i] = a
				e.eigs[i] = complex(w*(1-a*a), 0)
			case 2:
				e.x[i] = -a
				e.eigs[i] = complex(w*(1-a*a), 0)
			}
			r /= 3
		}
		out = append(out, e)
	}
	return out
}

func binom(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

// TestBatteryFlipFlop: tanh(w x) for N = 2..5 and w = 2, 3 has 3^N fixed
// points, C(N,k) 2^(N-k) of them with k unstable modes.
func TestBatteryFlipFlop(t *testing.T) {
	for N := 2; N <= 5; N++ {
		for _, w := range []float64{2, 3} {
			name := fmt.Sprintf("N=%d w=%g", N, w)
			res := find(t, Problem{Cell: flipflopCell(N, w), InitialStates: grid(N, 5, -1.5, 1.5)}, nil)
			checkFound(t, name, res.Fixed, flipflopExpected(N, w), 1e-8, 1e-10)
			counts := res.Fixed.CountBySaddleIndex()
			for k := 0; k <= N; k++ {
				if want := binom(N, k) * (1 << (N - k)); counts[k] != want {
					t.Errorf("%s: %d points with %d unstable modes, want %d", name, counts[k], k, want)
				}
			}
		}
	}
}

// solve returns (I - A)^-1 b for a small dense A by Gaussian elimination
// with partial pivoting (independent of the code under test).
func solveIminusA(N int, A, b []float64) []float64 {
	m := make([][]float64, N)
	for i := range m {
		m[i] = make([]float64, N+1)
		for k := 0; k < N; k++ {
			m[i][k] = -A[i*N+k]
		}
		m[i][i]++
		m[i][N] = b[i]
	}
	for c := 0; c < N; c++ {
		p := c
		for r := c + 1; r < N; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < N; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= N; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, N)
	for r := N - 1; r >= 0; r-- {
		s := m[r][N]
		for k := r + 1; k < N; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x
}

// TestBatteryLinear: F(x) = A x + B u + c has the single fixed point
// (I - A)^-1 (B u + c), and its eigenvalues are those of A. One A is normal
// (a symmetric block and a scaled rotation), one is non-normal
// (triangular, with large off-diagonal terms) and one has an unstable mode.
func TestBatteryLinear(t *testing.T) {
	th := 0.7
	cases := []struct {
		name   string
		A      []float64
		eigs   []complex128
		saddle int
	}{
		{"normal", []float64{
			0.3, 0.2, 0, 0,
			0.2, 0.3, 0, 0,
			0, 0, 0.6 * math.Cos(th), -0.6 * math.Sin(th),
			0, 0, 0.6 * math.Sin(th), 0.6 * math.Cos(th),
		}, []complex128{0.5, 0.1, cmplx.Rect(0.6, th), cmplx.Rect(0.6, -th)}, 0},
		{"non-normal", []float64{
			0.5, 3, 0, 1,
			0, -0.7, 2, 0,
			0, 0, 0.2, 5,
			0, 0, 0, 0.9,
		}, []complex128{0.5, -0.7, 0.2, 0.9}, 0},
		{"unstable", []float64{
			1.5, 0, 0, 0,
			0, 0.2, 1, 0,
			0, 0, -0.4, 0,
			0, 0, 0, 0.8,
		}, []complex128{1.5, 0.2, -0.4, 0.8}, 1},
	}
	const N, M = 4, 2
	Bm := []float64{1, 0, 0, 1, 0.5, -0.5, 2, 0}
	u := []float64{0.3, -0.2}
	c := []float64{0.1, -0.3, 0.2, 0.05}
	for _, tc := range cases {
		bu := make([]float64, N)
		for i := 0; i < N; i++ {
			bu[i] = c[i] + Bm[i*M]*u[0] + Bm[i*M+1]*u[1]
		}
		xs := solveIminusA(N, tc.A, bu)
		r := rand.New(rand.NewPCG(1, 1))
		init := make([]float64, 0, 32*N)
		for b := 0; b < 32; b++ {
			for i := 0; i < N; i++ {
				init = append(init, xs[i]+r.NormFloat64())
			}
		}
		res := find(t, Problem{Cell: newAffineCell(N, M, tc.A, Bm, c), InitialStates: init, Inputs: u}, nil)
		checkFound(t, "linear "+tc.name, res.Fixed, []expected{{x: xs, u: u, eigs: tc.eigs, saddle: tc.saddle}}, 1e-10, 1e-10)
	}
}

// hopfieldBlocks is x' = tanh(W x) with P patterns xi_p of +/-1 on disjoint
// blocks of size n (orthogonal patterns), W = beta/n sum_p xi_p xi_p^T. The
// blocks decouple into one-pattern networks, so the fixed points are the
// 3^P products of {-a xi_p, 0, +a xi_p}; the unstable modes are one per
// block at 0, with eigenvalue beta; a block at +/-a has top eigenvalue
// beta(1 - a^2) and the rest 0.
func hopfieldBlocks(P, n int, beta float64, seed uint64) (cells.Cell, [][]float64) {
	N := P * n
	r := rand.New(rand.NewPCG(seed, 7))
	xi := make([][]float64, P)
	for p := range xi {
		xi[p] = make([]float64, N)
		for i := p * n; i < (p+1)*n; i++ {
			xi[p][i] = float64(2*r.IntN(2) - 1)
		}
	}
	A := make([]float64, N*N)
	for _, v := range xi {
		for i := 0; i < N; i++ {
			for k := 0; k < N; k++ {
				A[i*N+k] += beta / float64(n) * v[i] * v[k]
			}
		}
	}
	return newTanhCell(N, 0, A, nil, nil), xi
}

func hopfieldExpected(xi [][]float64, beta float64) []expected {
	P, N := len(xi), len(xi[0])
	n := N / P
	a := flipflopA(beta)
	var out []expected
	total := int(math.Pow(3, float64(P)))
	for idx := 0; idx < total; idx++ {
		e := expected{x: make([]float64, N)}
		r := idx
		for p := 0; p < P; p++ {
			s := float64(r%3) - 1 // -1, 0, +1
			for i := range xi[p] {
				e.x[i] += s * a * xi[p][i]
			}
			top := complex(beta*(1-a*a), 0)
			if s == 0 {
				top = complex(beta, 0)
				e.saddle++
			}
			e.eigs = append(e.eigs, top)
			for k := 1; k < n; k++ {
				e.eigs = append(e.eigs, 0)
			}
			r /= 3
		}
		out = append(out, e)
	}
	return out
}

// hopfieldStarts are starts in the patterns' span, c_p in {-1, -0.5, 0, 0.5, 1},
// plus small noise off it.
func hopfieldStarts(xi [][]float64, seed uint64) []float64 {
	P, N := len(xi), len(xi[0])
	r := rand.New(rand.NewPCG(seed, 9))
	coef := grid(P, 5, -1, 1)
	out := make([]float64, 0, len(coef)*N)
	for s := 0; s < len(coef)/P; s++ {
		for i := 0; i < N; i++ {
			v := 0.05 * r.NormFloat64()
			for p := 0; p < P; p++ {
				v += coef[s*P+p] * xi[p][i]
			}
			out = append(out, v)
		}
	}
	return out
}

// TestBatteryHopfield: one pattern at N = 1000 has exactly three fixed
// points (0 with one unstable mode of eigenvalue 2; +/- 0.957504 xi,
// stable); three orthogonal patterns (disjoint blocks of 40) have 27, with
// saddle indices 8/12/6/1.
func TestBatteryHopfield(t *testing.T) {
	const beta = 2
	if a := flipflopA(beta); math.Abs(a-0.957504) > 1e-6 {
		t.Fatalf("a = %v, want 0.957504", a)
	}
	for _, tc := range []struct{ P, n int }{{1, 1000}, {3, 40}} {
		name := fmt.Sprintf("hopfield P=%d N=%d", tc.P, tc.P*tc.n)
		cell, xi := hopfieldBlocks(tc.P, tc.n, beta, 3)
		init := hopfieldStarts(xi, 4)
		if tc.P == 1 {
			init = init[:3*tc.n*tc.P] // starts near -xi, -xi/2 and 0
			init = append(init, hopfieldStarts(xi, 5)[3*tc.n:]...)
		}
		// At N = 1000 a full eigen-decomposition with vectors takes seconds
		// per point in pure Go: the eigenvalues decide stability.
		res := find(t, Problem{Cell: cell, InitialStates: init}, &Settings{NoEigenvectors: tc.n >= 500})
		checkFound(t, name, res.Fixed, hopfieldExpected(xi, beta), 1e-8, 1e-9)
		counts := res.Fixed.CountBySaddleIndex()
		for k := 0; k <= tc.P; k++ {
			if want := binom(tc.P, k) * (1 << (tc.P - k)); counts[k] != want {
				t.Errorf("%s: %d points with %d unstable modes, want %d", name, counts[k], k, want)
			}
		}
	}
}

// TestBatteryPlanted: with W = atanh(V) V^-1 (atanh elementwise), the
// columns v_k of V, their negatives and 0 are fixed points of tanh(W x):
// W v_k = atanh(V) e_k = atanh(v_k). Starting near each planted point, the
// finder recalls every one of the 2*64 + 1 at N = 64. Such a network has
// other, unplanted fixed points too; any other point reported must be a
// true fixed point, checked here in plain Go.
func TestBatteryPlanted(t *testing.T) {
	const N = 64
	p, W, planted := plantedPoints(t, N, 2, 11)
	res := find(t, p, &Settings{NoDecompose: true})
	for k, x := range planted {
		if idx := res.Fixed.Find(x, nil, 1e-8); len(idx) != 1 {
			t.Errorf("planted point %d found %d times", k, len(idx))
			for _, c := range []int{2 * k, 2*k + 1} {
				p := res.All.Points[c]
				t.Logf("  its candidate %d: q %g residual %g iters %d refines %d, %g from it", c, p.Q, p.Residual, p.Iters, p.Refines, math.Sqrt(dist2(p.X, x)))
			}
		}
	}
	extra := 0
	for _, p := range res.Fixed.Points {
		// Plain-Go residual of tanh(W x) - x.
		rmax := 0.0
		for i := 0; i < N; i++ {
			s := 0.0
			for k := 0; k < N; k++ {
				s += W[i*N+k] * p.X[k]
			}
			rmax = math.Max(rmax, math.Abs(math.Tanh(s)-p.X[i]))
		}
		if rmax > 1e-10 {
			t.Errorf("reported point with plain-Go residual %g", rmax)
		}
		isPlanted := false
		for _, x := range planted {
			if math.Sqrt(dist2(x, p.X)) <= 1e-8 {
				isPlanted = true
			}
		}
		if !isPlanted {
			extra++
		}
	}
	t.Logf("%d fixed points: %d other true fixed points besides the planted", res.Fixed.Len(), extra)
}

// TestBatteryPlantedProved: the same network as the built-in tanh RNN (a
// factored cell, so every fixed point must be proved), without the
// completion (the planted points and what the starts reach): each of the 129
// planted points (known by construction) is reported once, proved by
// Krawczyk's operator with 0 < radius <= uniqueness radius, and no
// candidate ends "unproved". The proofs need G(x̃) enclosed to about its
// rounding: with the plain γ_N|W||x| bound on the point product (~2e-11
// here, against |G| ~ 1e-14 and cond(dG) up to 1e7) most of these roots
// failed with "no contraction".
func TestBatteryPlantedProved(t *testing.T) {
	const N = 64
	p, W, planted := plantedPoints(t, N, 1, 11)
	p.Cell = plantedVanilla(N, W)
	res := find(t, p, &Settings{NoComplete: true, NoConnections: true})
	for k, x := range planted {
		idx := res.Fixed.Find(x, nil, 1e-8)
		if len(idx) != 1 {
			t.Errorf("planted point %d found %d times", k, len(idx))
			continue
		}
		pf := res.Fixed.Points[idx[0]].Proof
		if pf.Method != ProofKrawczyk || !(pf.Radius > 0 && pf.Radius <= pf.UniqueRadius) {
			t.Errorf("planted point %d: proof %+v, want Krawczyk with 0 < r <= R", k, pf)
		}
	}
	for i := range res.All.Points {
		if c := &res.All.Points[i]; c.Outcome == OutcomeUnconverged {
			t.Errorf("candidate %d unconverged (%v, proof: %q), q %g", i, c.Reason, c.ProofReason, c.Q)
		}
	}
	t.Logf("%d proved fixed points (%d planted)", res.Fixed.Len(), len(planted))
}

func mat64(N int, f func(i, k int) float64) []float64 {
	m := make([]float64, N*N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			m[i*N+k] = f(i, k)
		}
	}
	return m
}

// plantWeights returns atanh(V) V^-1, computed by solving W V = atanh(V)
// column by column through V^T W^T = atanh(V)^T.
func plantWeights(t testing.TB, N int, V []float64) []float64 {
	t.Helper()
	vt := mat.NewDense(N, N, nil)
	rhs := mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			vt.Set(k, i, V[i*N+k])
			rhs.Set(k, i, math.Atanh(V[i*N+k]))
		}
	}
	var wt mat.Dense
	if err := wt.Solve(vt, rhs); err != nil {
		t.Fatal(err)
	}
	W := make([]float64, N*N)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			W[i*N+k] = wt.At(k, i)
		}
	}
	return W
}

// TestBatteryFold: x' = tanh(2x + u) has three fixed points for |u| below
// u_c = sqrt(2) - atanh(1/sqrt(2)) = 0.5328 and one above: a fold. One
// search with one input row per candidate covers u = 0.3 and u = 0.8.
func TestBatteryFold(t *testing.T) {
	uc := math.Sqrt2 - math.Atanh(1/math.Sqrt2)
	if math.Abs(uc-0.532840) > 1e-6 {
		t.Fatalf("u_c = %v", uc)
	}
	cell := newTanhCell(1, 1, []float64{2}, []float64{1}, nil)
	var starts, inputs []float64
	for _, u := range []float64{0.3, 0.8} {
		for k := 0; k <= 30; k++ {
			starts = append(starts, -1.5+0.1*float64(k))
			inputs = append(inputs, u)
		}
	}
	res := find(t, Problem{Cell: cell, InitialStates: starts, Inputs: inputs}, nil)
	var want []expected
	for _, u := range []float64{0.3, 0.8} {
		// Bracket every root of g(x) = tanh(2x + u) - x on a fine grid.
		g := func(x float64) float64 { return math.Tanh(2*x+u) - x }
		for x := -1.5; x < 1.5; x += 1e-3 {
			if g(x)*g(x+1e-3) < 0 {
				lo, hi := x, x+1e-3
				for i := 0; i < 200; i++ {
					mid := 0.5 * (lo + hi)
					if g(lo)*g(mid) <= 0 {
						hi = mid
					} else {
						lo = mid
					}
				}
				xs := 0.5 * (lo + hi)
				d := 2 * (1 - math.Pow(math.Tanh(2*xs+u), 2))
				e := expected{x: []float64{xs}, u: []float64{u}, eigs: []complex128{complex(d, 0)}}
				if d > 1 {
					e.saddle = 1
				}
				want = append(want, e)
			}
		}
	}
	if len(want) != 4 {
		t.Fatalf("analytic roots: %d, want 3 + 1", len(want))
	}
	checkFound(t, "fold", res.Fixed, want, 1e-9, 1e-9)
}

// saturatedGRU has r = 1 and z = 0 exactly in float64 (gate biases of
// +/-40), so that h' = tanh(W_hn h) with W_hn = w I: the flip-flop again,
// with 3^H fixed points.
func saturatedGRU(H int, w float64) *cells.GRU {
	c := cells.NewGRU(H, 1)
	p := c.Params() // per gate r, z, n: w_ih_T, w_hh_T, b_ih, b_hh
	for i := 0; i < H; i++ {
		p[2].Data[i] = 40  // b_ir
		p[6].Data[i] = -40 // b_iz
		p[9].Set(i, i, w)  // w_hn
	}
	return c
}

// saturatedLSTM has i = o = 1 and f = 0 (biases +/-40) and W_hg = w I, so
// c' = tanh(w h) and h' = tanh(c'): per unit h = tanh(tanh(w h)) with roots
// 0 and +/-h*. The Jacobian in [h; c] has per unit the eigenvalues
// w sech^2(w h) sech^2(c') and 0.
func saturatedLSTM(H int, w float64) *cells.LSTM {
	c := cells.NewLSTM(H, 1)
	p := c.Params() // per gate i, f, g, o: w_ih_T, w_hh_T, b_ih, b_hh
	for i := 0; i < H; i++ {
		p[2].Data[i] = 40  // b_ii
		p[6].Data[i] = -40 // b_if
		p[9].Set(i, i, w)  // w_hg
		p[14].Data[i] = 40 // b_io
	}
	return c
}

func TestBatteryGatedCells(t *testing.T) {
	const H, w = 3, 2.0
	// GRU: exactly the flip-flop tanh(w h).
	gru := saturatedGRU(H, w)
	res := find(t, Problem{Cell: gru, InitialStates: grid(H, 5, -1.5, 1.5)}, nil)
	checkFound(t, "saturated GRU", res.Fixed, flipflopExpected(H, w), 1e-8, 1e-10)

	// LSTM: roots of h = tanh(tanh(w h)).
	hs := 1.0
	for i := 0; i < 200; i++ {
		c := math.Tanh(w * hs)
		g := hs - math.Tanh(c)
		dg := 1 - (1-math.Pow(math.Tanh(c), 2))*w*(1-c*c)
		hs -= g / dg
	}
	lstm := saturatedLSTM(H, w)
	var want []expected
	total := int(math.Pow(3, H))
	for idx := 0; idx < total; idx++ {
		e := expected{x: make([]float64, 2*H)}
		r := idx
		for i := 0; i < H; i++ {
			h := []float64{0, hs, -hs}[r%3]
			c := math.Tanh(w * h)
			e.x[i], e.x[H+i] = h, c
			lam := w * (1 - math.Pow(math.Tanh(w*h), 2)) * (1 - math.Pow(math.Tanh(c), 2))
			e.eigs = append(e.eigs, complex(lam, 0), 0)
			if lam > 1 {
				e.saddle++
			}
			r /= 3
		}
		want = append(want, e)
	}
	var starts []float64
	g := grid(H, 5, -1.5, 1.5)
	for b := 0; b < len(g)/H; b++ {
		starts = append(starts, g[b*H:(b+1)*H]...)
		starts = append(starts, make([]float64, H)...) // c = 0
	}
	res = find(t, Problem{Cell: lstm, InitialStates: starts}, nil)
	checkFound(t, "saturated LSTM", res.Fixed, want, 1e-8, 1e-9)
}
