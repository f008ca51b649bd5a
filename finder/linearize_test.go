package finder

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// tanhRoot solves a = tanh(beta*a), a > 0, by Newton to machine precision.
func tanhRoot(beta float64) float64 {
	a := 1.0
	for range 100 {
		t := math.Tanh(beta * a)
		next := a - (a-t)/(1-beta*(1-t*t))
		if next == a {
			break
		}
		a = next
	}
	return a
}

// vanillaTanh is tanh(W x) with no input. (cells.NewVanilla(N, 0, Tanh)
// would be the natural choice, but its Step panics on the nil node graph
// gives its empty input weights.)
func vanillaTanh(N int, w []float64) cells.Cell {
	return newTanhCell(N, 0, w, nil, nil)
}

// The idealized 3-bit flip-flop F(x) = tanh(2x): 27 fixed points with
// coordinates in {-a, 0, a}; J = diag(2(1 - x_i^2)).
func TestLinearizeFlipFlop(t *testing.T) {
	const N = 3
	a := tanhRoot(2)
	if math.Abs(a-0.957504) > 1e-6 || a != math.Tanh(2*a) && math.Abs(a-math.Tanh(2*a)) > 1e-16 {
		t.Fatalf("a = %v, tanh(2a) = %v", a, math.Tanh(2*a))
	}
	w := make([]float64, N*N)
	for i := 0; i < N; i++ {
		w[i*N+i] = 2
	}
	cell := vanillaTanh(N, w)
	var xs [][]float64
	coord := []float64{-a, 0, a}
	for i := 0; i < 27; i++ {
		xs = append(xs, []float64{coord[i%3], coord[i/3%3], coord[i/9]})
	}
	fp := pointsAt(N, 0, xs, nil)
	if err := Linearize(cell, fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	stableVal := 2 * (1 - a*a)
	if math.Abs(stableVal-0.166372) > 1e-6 {
		t.Fatalf("2(1-a^2) = %v", stableVal)
	}
	bySaddle := map[int]int{}
	nStable := 0
	for k, p := range fp.Points {
		if p.InputJacobian != nil {
			t.Errorf("point %d: input Jacobian %v for a cell without input", k, p.InputJacobian)
		}
		// Want: eigenvalue 2 for each zero coordinate, first; then 2(1-a^2).
		zeros := 0
		for _, x := range p.X {
			if x == 0 {
				zeros++
			}
		}
		for i, m := range p.Modes {
			want := stableVal
			if i < zeros {
				want = 2
			}
			if cmplx.Abs(m.Value-complex(want, 0)) > 1e-10 {
				t.Errorf("point %d %v: mode %d = %v, want %v", k, p.X, i, m.Value, want)
			}
			// J is diagonal: the eigenvectors are unit axes, phase-fixed to +1.
			axis := -1
			for c := range m.Right {
				if cmplx.Abs(m.Right[c]) > 0.5 {
					axis = c
				}
			}
			if axis < 0 || (want == 2) != (p.X[axis] == 0) {
				t.Errorf("point %d: mode %d right vector %v not on a matching axis", k, i, m.Right)
			} else if m.Right[axis] != 1 || m.Left[axis] != 1 {
				t.Errorf("point %d: mode %d vectors %v, %v, want unit axis %d with +1", k, i, m.Right, m.Left, axis)
			}
		}
		st := p.Stability
		if !st.Analyzed || st.Continuous || st.NUnstable != zeros || st.Stable != (zeros == 0) || st.Marginal || st.Flip || st.Oscillatory {
			t.Errorf("point %d %v: stability %+v, want %d unstable", k, p.X, st, zeros)
		}
		wantMax := stableVal
		if zeros > 0 {
			wantMax = 2
		}
		if math.Abs(st.MaxAbs-wantMax) > 1e-10 {
			t.Errorf("point %d: MaxAbs %v, want %v", k, st.MaxAbs, wantMax)
		}
		bySaddle[st.NUnstable]++
		if st.Stable {
			nStable++
		}
	}
	if bySaddle[0] != 8 || bySaddle[1] != 12 || bySaddle[2] != 6 || bySaddle[3] != 1 || nStable != 8 {
		t.Errorf("saddle indices %v, %d stable; want 8/12/6/1 and 8 stable", bySaddle, nStable)
	}
}

// One stored pattern of a Hopfield-like network, x' = tanh(beta xi xi^T x / N):
// the origin has one unstable mode (eigenvalue beta); +-a xi are stable with
// top eigenvalue beta(1 - a^2) and the rest 0.
func TestLinearizeHopfield(t *testing.T) {
	const N, beta = 200, 2.0
	r := rand.New(rand.NewPCG(7, 8))
	xi := make([]float64, N)
	for i := range xi {
		xi[i] = float64(2*r.IntN(2) - 1)
	}
	w := make([]float64, N*N)
	for i := range N {
		for k := range N {
			w[i*N+k] = beta / N * xi[i] * xi[k]
		}
	}
	a := tanhRoot(beta)
	plus, minus := make([]float64, N), make([]float64, N)
	for i := range xi {
		plus[i], minus[i] = a*xi[i], -a*xi[i]
	}
	fp := pointsAt(N, 0, [][]float64{make([]float64, N), plus, minus}, nil)
	if err := Linearize(vanillaTanh(N, w), fp, Settings{}); err != nil {
		t.Fatal(err)
	}
	for k, p := range fp.Points {
		top := beta
		if k > 0 {
			top = beta * (1 - a*a)
		}
		if d := cmplx.Abs(p.Modes[0].Value - complex(top, 0)); d > 1e-10 {
			t.Errorf("point %d: top eigenvalue %v, want %v", k, p.Modes[0].Value, top)
		}
		for i, m := range p.Modes[1:] {
			if cmplx.Abs(m.Value) > 1e-10 {
				t.Errorf("point %d: mode %d = %v, want 0", k, i+1, m.Value)
				break
			}
		}
		// The top mode lies along xi: |<r, xi>| / sqrt(N) = 1.
		var dot complex128
		for i, v := range p.Modes[0].Right {
			dot += v * complex(xi[i], 0)
		}
		if d := math.Abs(cmplx.Abs(dot)/math.Sqrt(N) - 1); d > 1e-10 {
			t.Errorf("point %d: top right eigenvector off xi by %g", k, d)
		}
		wantUnstable := 0
		if k == 0 {
			wantUnstable = 1
		}
		if st := p.Stability; st.NUnstable != wantUnstable || st.Stable != (k > 0) || st.Marginal {
			t.Errorf("point %d: stability %+v", k, st)
		}
	}
}

// centralJacobians returns dF/dx and dF/du at (x, u) by central differences.
func centralJacobians(t *testing.T, cell cells.Cell, x, u []float64, h float64) (jx, ju []float64) {
	t.Helper()
	N, M := cell.StateSize(), cell.InputSize()
	st, err := graph.NewStepper(cell, 2, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	diff := func(k int, onU bool) []float64 {
		xs := append(append([]float64(nil), x...), x...)
		us := append(append([]float64(nil), u...), u...)
		v, w := xs, N
		if onU {
			v, w = us, M
		}
		v[k] += h
		v[w+k] -= h
		out := make([]float64, 2*N)
		if err := st.Step(xs, us, out); err != nil {
			t.Fatal(err)
		}
		col := make([]float64, N)
		for i := range col {
			col[i] = (out[i] - out[N+i]) / (2 * h)
		}
		return col
	}
	jx, ju = make([]float64, N*N), make([]float64, N*M)
	for k := 0; k < N; k++ {
		for i, v := range diff(k, false) {
			jx[i*N+k] = v
		}
	}
	for k := 0; k < M; k++ {
		for i, v := range diff(k, true) {
			ju[i*M+k] = v
		}
	}
	return jx, ju
}

func randomCells() map[string]cells.Cell {
	g := cells.NewGRU(5, 3)
	l := cells.NewLSTM(4, 3)
	g.InitUniform(11)
	l.InitUniform(12)
	for _, c := range []cells.Cell{g, l} {
		for _, p := range c.Params() {
			for k := range p.Data {
				p.Data[k] *= 3 // exercise the nonlinearities
			}
		}
	}
	return map[string]cells.Cell{"gru": g, "lstm": l}
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

func TestJacobiansMatchFiniteDifferences(t *testing.T) {
	const h = 1e-6
	for name, cell := range randomCells() {
		r := rand.New(rand.NewPCG(3, 4))
		N, M := cell.StateSize(), cell.InputSize()
		var xs [][]float64
		for range 3 {
			xs = append(xs, randVec(r, N))
		}
		fp := pointsAt(N, M, xs, nil)
		for k := range fp.Points {
			fp.Points[k].U = randVec(r, M) // one input per point
		}
		if err := EvalJacobians(cell, fp, Settings{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		worst := 0.0
		for k, p := range fp.Points {
			jx, ju := centralJacobians(t, cell, p.X, p.U, h)
			if len(p.InputJacobian) != N*M {
				t.Fatalf("%s: point %d: %d input Jacobian values", name, k, len(p.InputJacobian))
			}
			for i := range jx {
				worst = max(worst, math.Abs(p.Jacobian[i]-jx[i]))
			}
			for i := range ju {
				worst = max(worst, math.Abs(p.InputJacobian[i]-ju[i]))
			}
		}
		if worst > 1e-8 {
			t.Errorf("%s: Jacobians differ from central differences by %g", name, worst)
		}
		t.Logf("%s: max |J - FD| = %.2g", name, worst)
	}
}

// A tiny budget forces chunks of 2 with a ragged last chunk of 1; the
// Jacobians must equal those of one batch exactly.
func TestJacobiansChunked(t *testing.T) {
	cell := randomCells()["gru"]
	N, M := cell.StateSize(), cell.InputSize()
	r := rand.New(rand.NewPCG(5, 6))
	var xs [][]float64
	for range 5 {
		xs = append(xs, randVec(r, N))
	}
	u := randVec(r, M)
	big, small := pointsAt(N, M, xs, u), pointsAt(N, M, xs, u)
	budget := 2 * 8 * (N*N + N*M)
	if got := jacobianBatch(5, N, M, budget); got != 2 {
		t.Fatalf("batch %d for budget %d, want 2", got, budget)
	}
	// Each chunk is evaluated at the points and at their Newton-corrected
	// states (for JacobianError).
	if got := jacobianEvals(5, N, M, Settings{JacobianBudget: budget}); got != 6 {
		t.Errorf("jacobianEvals = %d, want 2 x 3", got)
	}
	if got := jacobianEvals(5, N, M, Settings{}); got != 2 {
		t.Errorf("jacobianEvals with the default budget = %d, want 2 x 1", got)
	}
	if err := EvalJacobians(cell, big, Settings{}); err != nil {
		t.Fatal(err)
	}
	if err := EvalJacobians(cell, small, Settings{JacobianBudget: budget}); err != nil {
		t.Fatal(err)
	}
	for k := range big.Points {
		b, s := big.Points[k], small.Points[k]
		for i := range b.Jacobian {
			if b.Jacobian[i] != s.Jacobian[i] {
				t.Fatalf("point %d: J[%d] = %v chunked, %v in one batch", k, i, s.Jacobian[i], b.Jacobian[i])
			}
		}
		for i := range b.InputJacobian {
			if b.InputJacobian[i] != s.InputJacobian[i] {
				t.Fatalf("point %d: B[%d] = %v chunked, %v in one batch", k, i, s.InputJacobian[i], b.InputJacobian[i])
			}
		}
	}
}

func TestLinearizeSkips(t *testing.T) {
	cell := newAffineCell(2, 0, []float64{0.5, 0, 0, 0.25}, nil, nil)
	fp := pointsAt(2, 0, [][]float64{{0, 0}}, nil)
	if err := Linearize(cell, fp, Settings{NoJacobians: true}); err != nil || fp.Points[0].Jacobian != nil {
		t.Fatalf("NoJacobians: err %v, Jacobian %v", err, fp.Points[0].Jacobian)
	}
	if err := Linearize(cell, fp, Settings{NoDecompose: true}); err != nil {
		t.Fatal(err)
	}
	if p := fp.Points[0]; len(p.Jacobian) != 4 || p.Modes != nil || p.Stability.Analyzed {
		t.Fatalf("NoDecompose: Jacobian %v, modes %v, stability %+v", p.Jacobian, p.Modes, p.Stability)
	}
	if got := jacobianEvals(1, 2, 0, Settings{NoJacobians: true}); got != 0 {
		t.Errorf("jacobianEvals with NoJacobians = %d", got)
	}
}

func TestLinearizeErrorsNamePoint(t *testing.T) {
	cell := vanillaTanh(2, []float64{1, 0, 0, 1})
	fp := pointsAt(2, 0, [][]float64{{0, 0}, {0.1, 0.2}, {math.NaN(), 0}}, nil)
	err := EvalJacobians(cell, fp, Settings{JacobianBudget: 1})
	if err == nil || !strings.Contains(err.Error(), "point 2") {
		t.Fatalf("NaN state: err %v, want one naming point 2", err)
	}
	if fp.Points[0].Jacobian != nil {
		t.Errorf("a failed Jacobians left point 0 changed")
	}
	fp.Points[2].X[0] = 0.3
	fp.Points[1].Jacobian = []float64{1, math.Inf(1), 0, 1}
	fp.Points[0].Jacobian = []float64{1, 0, 0, 1}
	fp.Points[2].Jacobian = []float64{1, 0, 0, 1}
	if err := Decompose(fp, Settings{}); err == nil || !strings.Contains(err.Error(), "point 1") {
		t.Fatalf("Inf Jacobian: err %v, want one naming point 1", err)
	}
	if fp.Points[0].Stability.Analyzed {
		t.Errorf("a failed Decompose left point 0 changed")
	}
	fp.Points[1].Jacobian = []float64{1}
	if err := Decompose(fp, Settings{}); err == nil || !strings.Contains(err.Error(), "point 1") {
		t.Fatalf("short Jacobian: err %v, want one naming point 1", err)
	}
	wrong := pointsAt(3, 0, [][]float64{{0, 0, 0}}, nil)
	if err := EvalJacobians(cell, wrong, Settings{}); err == nil {
		t.Fatalf("N mismatch: no error")
	}
	short := pointsAt(2, 0, [][]float64{{0}}, nil)
	if err := EvalJacobians(cell, short, Settings{}); err == nil || !strings.Contains(err.Error(), "point 0") {
		t.Fatalf("short state: err %v", err)
	}
}

// Float32 Jacobians agree with float64 ones to float32 precision.
func TestJacobiansFloat32(t *testing.T) {
	cell := randomCells()["lstm"]
	N, M := cell.StateSize(), cell.InputSize()
	r := rand.New(rand.NewPCG(13, 14))
	xs := [][]float64{randVec(r, N), randVec(r, N)}
	u := randVec(r, M)
	f64, f32 := pointsAt(N, M, xs, u), pointsAt(N, M, xs, u)
	if err := EvalJacobians(cell, f64, Settings{}); err != nil {
		t.Fatal(err)
	}
	if err := EvalJacobians(cell, f32, Settings{Dtype: graph.Float32}); err != nil {
		t.Fatal(err)
	}
	worst, exact := 0.0, true
	for k := range f64.Points {
		a, b := f64.Points[k], f32.Points[k]
		for i := range a.Jacobian {
			worst = max(worst, math.Abs(a.Jacobian[i]-b.Jacobian[i]))
			exact = exact && a.Jacobian[i] == b.Jacobian[i]
		}
		for i := range a.InputJacobian {
			worst = max(worst, math.Abs(a.InputJacobian[i]-b.InputJacobian[i]))
		}
	}
	if worst > 1e-5 || exact {
		t.Errorf("float32 Jacobians differ by %g (identical: %v); want float32 rounding, < 1e-5", worst, exact)
	}
}

// TestLinearizeLeadingProvedOnce: where the stability is proved
// (ProveStabilityMaxN >= N) under LeadingEigen, Linearize decomposes in
// full at once and gives exactly what the leading decomposition followed
// by the proof gives (Decompose, then proveStability): the proved points'
// N modes, and for a point whose proof fails (a state that is no root)
// the leading modes with Stability.Leading and the remainder bound.
// Find's kept (with its linearization ahead) and lean linearizations
// agree with it.
func TestLinearizeLeadingProvedOnce(t *testing.T) {
	// A contracting tanh network of 48 units, x' = tanh(W x + b): its one
	// root is stable, so that the leading modes are a few of the 48.
	N := 48
	r := rand.New(rand.NewPCG(5, 6))
	W := mat64(N, func(i, k int) float64 { return 0.4 * r.NormFloat64() / math.Sqrt(float64(N)) })
	cell := plantedVanilla(N, W)
	b := make([]float64, N)
	for _, q := range cell.Params() {
		if strings.HasPrefix(q.Name, "b_hh") {
			for i := range q.Data {
				q.Data[i] = 0.5 * r.NormFloat64()
				b[i] = q.Data[i]
			}
		}
	}
	x := make([]float64, N)
	for range 400 {
		y := make([]float64, N)
		for i := range y {
			pre := b[i]
			for k := range x {
				pre += W[i*N+k] * x[k]
			}
			y[i] = math.Tanh(pre)
		}
		x = y
	}
	off := slices.Clone(x)
	for i := range off {
		off[i] += 0.2 * math.Sin(float64(i+1))
	}
	fp := &FixedPoints{N: N, Points: []Point{{X: x}, {X: off}}}
	s := Settings{Eigen: LeadingEigen, LeadingModes: 2}
	got, want := fp.Clone(), fp.Clone()
	if err := Linearize(cell, got, s); err != nil {
		t.Fatal(err)
	}
	if err := EvalJacobians(cell, want, s); err != nil {
		t.Fatal(err)
	}
	if err := Decompose(want, s); err != nil {
		t.Fatal(err)
	}
	leading := 0
	for _, q := range want.Points {
		if q.Stability.Leading {
			leading++
		}
	}
	s.fill()
	if err := proveStability(context.Background(), cell, want, s); err != nil {
		t.Fatal(err)
	}
	proved := 0
	for k := range got.Points {
		g, w := &got.Points[k], &want.Points[k]
		if !reflect.DeepEqual(g.Modes, w.Modes) || g.Stability != w.Stability {
			t.Fatalf("point %d: Linearize %d modes %+v, Decompose and the proof %d modes %+v", k, len(g.Modes), g.Stability, len(w.Modes), w.Stability)
		}
		if g.Stability.Proved {
			proved++
			if len(g.Modes) != N || g.Stability.Leading {
				t.Errorf("point %d proved with %d modes (leading %v)", k, len(g.Modes), g.Stability.Leading)
			}
		}
	}
	last := got.Points[len(got.Points)-1]
	if proved != 1 || leading != 2 || len(got.Points[0].Modes) != N || last.Stability.Proved || !last.Stability.Leading || len(last.Modes) >= N || !(last.Stability.RemainderBound > 0) {
		t.Fatalf("%d points proved, %d leading before the proof; the state off the roots: %d modes, %+v", proved, leading, len(last.Modes), last.Stability)
	}

	// Find, keeping the matrices and not, on the flip-flop RNN-16.
	p := flipFlopProblem(t, "rnn")
	N = p.Cell.StateSize()
	kept, lean := s, s
	kept.KeepMatricesMaxN, lean.KeepMatricesMaxN = -1, 2
	a, l := find(t, p, &kept), find(t, p, &lean)
	if a.Fixed.Len() != l.Fixed.Len() || a.Fixed.Len() < 10 {
		t.Fatalf("%d fixed points kept, %d lean; want the same, >= 10", a.Fixed.Len(), l.Fixed.Len())
	}
	proved = 0
	for k := range a.Fixed.Points {
		g, w := &a.Fixed.Points[k], &l.Fixed.Points[k]
		if g.Stability != w.Stability || len(g.Modes) != len(w.Modes) {
			t.Fatalf("point %d: kept %d modes %+v, lean %d modes %+v", k, len(g.Modes), g.Stability, len(w.Modes), w.Stability)
		}
		for i := range g.Modes {
			if g.Modes[i].Value != w.Modes[i].Value || g.Modes[i].Bound != w.Modes[i].Bound || g.Modes[i].Class != w.Modes[i].Class || g.Modes[i].Proved != w.Modes[i].Proved {
				t.Fatalf("point %d mode %d: kept %+v, lean %+v", k, i, g.Modes[i], w.Modes[i])
			}
		}
		if g.Stability.Proved {
			proved++
			if len(g.Modes) != N || g.Stability.Leading {
				t.Fatalf("point %d proved with %d modes (leading %v)", k, len(g.Modes), g.Stability.Leading)
			}
		}
	}
	if proved < a.Fixed.Len()/2 {
		t.Errorf("%d of %d points proved", proved, a.Fixed.Len())
	}
	t.Logf("%d of %d points proved", proved, a.Fixed.Len())
}
