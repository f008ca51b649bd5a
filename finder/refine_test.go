package finder

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// normalMatrix's upper triangle is Syrk's bit for bit, and A becomes A^T, at the refinement's
// sizes and others, for Jacobians with exact zeros (an LSTM's dF/dc block
// is diagonal) and entries of every scale.
func TestNormalMatrixMatchesSyrk(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 8, 13, 16, 32, 37} {
		for trial := 0; trial < 20; trial++ {
			A := make([]float64, n*n)
			for i := range A {
				switch r.IntN(4) {
				case 0: // zero
				case 1:
					A[i] = r.NormFloat64() * math.Exp2(float64(r.IntN(80)-40))
				default:
					A[i] = r.NormFloat64()
				}
			}
			want := make([]float64, n*n)
			blas64.Syrk(blas.Trans, 1, blas64.General{Rows: n, Cols: n, Stride: n, Data: A},
				0, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: want})
			got := make([]float64, n*n)
			for i := range got {
				got[i] = math.NaN() // what the buffer held before changes nothing
			}
			At := slices.Clone(A)
			normalMatrix(At, got, make([]float64, n*n), n)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					if At[j*n+i] != A[i*n+j] {
						t.Fatalf("n = %d: A^T[%d][%d] = %v, A[%d][%d] = %v", n, j, i, At[j*n+i], i, j, A[i*n+j])
					}
				}
			}
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					if g, w := got[i*n+j], want[i*n+j]; math.Float64bits(g) != math.Float64bits(w) {
						t.Fatalf("n = %d (kernels %v): H[%d][%d] = %v, Syrk's %v", n, linalg.KernelsInUse(), i, j, g, w)
					}
				}
			}
		}
	}
}

// The step matrix is (H + lambda (diag H + tiny))^-1 A^T, H = A^T A, as a
// dense solve gives it; a singular A gives the short gradient step.
func TestStepMatrix(t *testing.T) {
	const n = 8
	r := rand.New(rand.NewPCG(1, 2))
	A := randVec(r, n*n)
	Am := mat.NewDense(n, n, A)
	var Hm mat.Dense
	Hm.Mul(Am.T(), Am)
	H := slices.Clone(Hm.RawMatrix().Data)
	const lambda = 1e-3
	P, work := make([]float64, n*n), make([]float64, n*n)
	At := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			At[j*n+i] = A[i*n+j]
		}
	}
	if !stepMatrix(H, At, lambda, work, P) {
		t.Fatal("a regular A was not solved")
	}
	tr := mat.Trace(&Hm)
	tiny := 1e-12 * tr / n
	D := mat.DenseCopyOf(&Hm)
	for i := 0; i < n; i++ {
		D.Set(i, i, Hm.At(i, i)+lambda*(Hm.At(i, i)+tiny)+tiny*1e-4)
	}
	var want mat.Dense
	if err := want.Solve(D, Am.T()); err != nil {
		t.Fatal(err)
	}
	if got := mat.NewDense(n, n, P); !mat.EqualApprox(got, &want, 1e-12) {
		t.Errorf("step matrix\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(&want))
	}

	// A = e_1 e_1^T is singular; with little damping the factor's
	// diagonal spans more than 1e8.
	const small = 1e-5
	Z := make([]float64, n*n)
	Z[0] = 1
	HZ := slices.Clone(Z)
	if stepMatrix(HZ, Z, small, work, P) {
		t.Fatal("a singular A was solved")
	}
	for i, v := range P {
		if want := Z[i] * (1 / (small * (1.0/n + 1))); v != want {
			t.Fatalf("gradient step matrix [%d] = %g, want %g", i, v, want)
		}
	}
}

// Broyden's good update makes P y = s (the secant condition) and leaves P w
// unchanged for every w with s^T P w = 0.
func TestBroydenUpdate(t *testing.T) {
	const n = 6
	r := rand.New(rand.NewPCG(3, 4))
	P := randVec(r, n*n)
	old := mat.NewDense(n, n, slices.Clone(P))
	s, y := randVec(r, n), randVec(r, n)
	broydenUpdate(P, s, y, make([]float64, n), make([]float64, n))
	Pm := mat.NewDense(n, n, P)
	var py mat.VecDense
	py.MulVec(Pm, mat.NewVecDense(n, y))
	if !mat.EqualApprox(&py, mat.NewVecDense(n, s), 1e-12) {
		t.Errorf("P y = %v, want s = %v", mat.Formatted(py.T()), s)
	}
	// w orthogonal to P_old^T s.
	var pts mat.VecDense
	pts.MulVec(old.T(), mat.NewVecDense(n, s))
	w := mat.NewVecDense(n, randVec(r, n))
	w.AddScaledVec(w, -mat.Dot(w, &pts)/mat.Dot(&pts, &pts), &pts)
	var got, want mat.VecDense
	got.MulVec(Pm, w)
	want.MulVec(old, w)
	if !mat.EqualApprox(&got, &want, 1e-12) {
		t.Errorf("P w changed off the update's direction: %v, was %v", mat.Formatted(got.T()), mat.Formatted(want.T()))
	}

	// A degenerate update (s^T P y = 0) leaves P alone.
	before := slices.Clone(P)
	broydenUpdate(P, make([]float64, n), y, make([]float64, n), make([]float64, n))
	if !slices.Equal(P, before) {
		t.Error("an update with s = 0 changed P")
	}
}

// On the trained 16-unit RNN flip-flop the quasi-Newton steps certify all
// 1024 candidates with a handful of Jacobian evaluations (one batched
// evaluation each): Levenberg-Marquardt alone took 9, plus one to
// linearize. The answer does not depend on the number of cores, since the
// split of the batch and of the per-candidate algebra changes no value.
func TestRefinementFewJacobiansAnyCores(t *testing.T) {
	if testing.Short() {
		t.Skip("trains nothing, but runs Find twice (about a second)")
	}
	p := flipFlopProblem(t, "rnn")
	run := func(procs int) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		// The refinement of the search's candidates alone: completion
		// refines seeds of its own (TestCompleteTrainedRNN).
		res, err := Find(context.Background(), p, &Settings{Seed: benchSeed, NoComplete: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(2)
	st := res.Stats
	t.Logf("stats %+v", st)
	if st.Certified != 1024 || res.Fixed.Len() != 26 {
		t.Errorf("%d certified and %d unique fixed points, want 1024 and 26", st.Certified, res.Fixed.Len())
	}
	if st.JacobianEvals > 6 || st.RefineIters > 5 {
		t.Errorf("%d Jacobian evaluations in %d refinement iterations, want <= 6 in <= 5", st.JacobianEvals, st.RefineIters)
	}
	one := run(1)
	for i, pt := range res.All.Points {
		if q := one.All.Points[i]; !slices.Equal(pt.X, q.X) || pt.Q != q.Q && !(math.IsNaN(pt.Q) && math.IsNaN(q.Q)) {
			t.Fatalf("candidate %d: %v (q %g) on 2 cores, %v (q %g) on 1", i, pt.X, pt.Q, q.X, q.Q)
		}
	}
}

// A small JacobianBudget refines the candidates in chunks within it and
// finds the same 27 certified points. A part is padded to the next power
// of two rows (the compiled batch sizes), so a budget of 10 candidates'
// matrices gives parts of 8 (10 would be padded to 16, over the budget);
// when every candidate fits, one part holds them all.
func TestRefineInChunks(t *testing.T) {
	const n = 3
	per := 8 * 3 * n * n
	for _, c := range []struct{ budget, cands, want int }{
		{10 * per, 125, 8}, {16 * per, 125, 16}, {682 * per, 1013, 512}, {1 * per, 125, 1}, {200 * per, 125, 125}, {200 * per, 0, 1},
	} {
		f := &finder{N: n, s: Settings{JacobianBudget: c.budget}, cands: make([]*candidate, c.cands)}
		got := f.jacobianChunk()
		if got != c.want {
			t.Errorf("budget of %d candidates, %d candidates: parts of %d, want %d", c.budget/per, c.cands, got, c.want)
		}
		if c.cands > got && nextPow2(got)*per > c.budget {
			t.Errorf("budget of %d candidates: parts of %d pad to %d rows, over the budget", c.budget/per, got, nextPow2(got))
		}
	}
	budget := 10 * per
	s := &Settings{JacobianBudget: budget}
	res, err := Find(context.Background(), Problem{Cell: flipflopCell(n, 2), InitialStates: grid(n, 5, -1.5, 1.5)}, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed.Len() != 27 || res.Stats.Certified != 125 {
		t.Errorf("%d fixed points from %d certified candidates, want 27 from 125", res.Fixed.Len(), res.Stats.Certified)
	}
}

// Small batches share one compiled size of about 1024 values; wide states
// are not padded.
func TestBatchRows(t *testing.T) {
	for _, c := range []struct{ n, N, want int }{
		{1, 16, 64}, {64, 16, 64}, {65, 16, 128}, {1000, 16, 1024},
		{5, 64, 16}, {1, 1000, 1}, {3, 300, 4}, {3, 2000, 4},
	} {
		if got := batchRows(c.n, c.N); got != c.want {
			t.Errorf("batchRows(%d, %d) = %d, want %d", c.n, c.N, got, c.want)
		}
	}
}

// rowChunks cuts a batch only where the padding it saves outweighs the
// extra runs; every chunk is a compiled size and all but the last are
// full.
func TestRowChunks(t *testing.T) {
	for _, c := range []struct {
		n, N int
		want []int
	}{
		{552, 16, []int{512, 64}},
		{1000, 16, []int{1024}}, // 512+256+128+64+64 saves nothing
		{600, 16, []int{512, 64, 64}},
		{530, 16, []int{512, 64}},
		{45, 128, []int{32, 8, 8}},
		{64, 128, []int{64}},
		{3, 16, []int{64}},
	} {
		got := rowChunks(c.n, c.N)
		if !slices.Equal(got, c.want) {
			t.Errorf("rowChunks(%d, %d) = %v, want %v", c.n, c.N, got, c.want)
		}
	}
	for _, N := range []int{1, 16, 32, 128, 1000} {
		m := batchRows(1, N)
		for n := 1; n <= 2100; n++ {
			ch := rowChunks(n, N)
			lo, total := 0, 0
			for i, b := range ch {
				if b < m || b&(b-1) != 0 {
					t.Fatalf("rowChunks(%d, %d) = %v: %d is not a compiled size", n, N, ch, b)
				}
				if i < len(ch)-1 && lo+b > n {
					t.Fatalf("rowChunks(%d, %d) = %v: chunk %d is not full", n, N, ch, i)
				}
				lo += min(b, n-lo)
				total += b
			}
			if lo != n || total > batchRows(n, N) {
				t.Fatalf("rowChunks(%d, %d) = %v: covers %d rows in %d", n, N, ch, lo, total)
			}
		}
	}
}

// stepRows and jvpRows give, cut into chunks, what one padded batch gives,
// bit for bit.
func TestChunkedRowsMatchOneBatch(t *testing.T) {
	cell := cells.NewGRU(16, 3)
	cell.InitUniform(4)
	s := Settings{}
	s.fill()
	f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 16)}, s)
	if err != nil {
		t.Fatal(err)
	}
	const n = 552
	N, M := 16, 3
	if len(rowChunks(n, N)) < 2 {
		t.Fatal("the test does not cut the batch")
	}
	r := rand.New(rand.NewPCG(7, 7))
	B := batchRows(n, N)
	x, u, v := randVec(r, B*N), randVec(r, B*M), randVec(r, B*N)
	fx := make([]float64, B*N)
	if err := f.stepRows(append([]float64(nil), x...), append([]float64(nil), u...), fx, n); err != nil {
		t.Fatal(err)
	}
	one, err := f.steps.get(B)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, B*N)
	if err := one.Step(x, u, want); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n*N; i++ {
		if fx[i] != want[i] {
			t.Fatalf("F[%d] = %v in chunks, %v in one batch", i, fx[i], want[i])
		}
	}
	got := make([]float64, n*N)
	if err := f.jvpRows(n, x, u, v, fx, got); err != nil {
		t.Fatal(err)
	}
	jv, err := f.jvps.get(B)
	if err != nil {
		t.Fatal(err)
	}
	jwant := make([]float64, n*N)
	if err := jv.Apply(n, x, u[:n*M], v, fx, jwant); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != jwant[i] {
			t.Fatalf("Jv[%d] = %v in chunks, %v in one batch", i, got[i], jwant[i])
		}
	}
}

// maxAbsFrom, scale and residual, which compare bits as integers, give
// what the float64 loops they replaced gave (max with abs; residual's
// NaN-keeping test; a NaN's sign and payload aside), on random vectors with zeros of both signs,
// infinities and NaNs mixed in, of odd and even lengths.
func TestMaxAbsMatchesFloatLoops(t *testing.T) {
	floatAbs := func(v float64) float64 {
		if v < 0 {
			return -v
		}
		return v
	}
	wantMax := func(m float64, x []float64) float64 {
		for _, v := range x {
			m = max(m, floatAbs(v))
		}
		return m
	}
	wantRes := func(f, x []float64) float64 {
		r := 0.0
		for i := range x {
			if d := floatAbs(f[i] - x[i]); d > r || d != d {
				r = d
			}
		}
		return r
	}
	same := func(a, b float64) bool { return a == b || a != a && b != b }
	r := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 1e-300, -5e-324}
	draw := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(4) {
			case 0:
				x[i] = special[r.IntN(len(special))]
			default:
				x[i] = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(9)-4))
			}
		}
		return x
	}
	for trial := 0; trial < 20000; trial++ {
		n := r.IntN(20)
		x, f := draw(n), draw(n)
		if trial%3 == 0 { // mostly finite, as in the refinement
			for i := range x {
				if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
					x[i] = 0.5
				}
			}
		}
		for _, m := range []float64{0, 1} {
			if got, want := maxAbsFrom(m, x), wantMax(m, x); !same(got, want) || got == 0 && math.Signbit(got) {
				t.Fatalf("maxAbsFrom(%v, %v) = %v, want %v", m, x, got, want)
			}
		}
		if got, want := scale(x), wantMax(1, x); !same(got, want) {
			t.Fatalf("scale(%v) = %v, want %v", x, got, want)
		}
		if got, want := residual(f, x), wantRes(f, x); !same(got, want) || got == want && math.Signbit(got) != math.Signbit(want) {
			t.Fatalf("residual(%v, %v) = %v, want %v", f, x, got, want)
		}
	}
}

// tanhJacobians, from the F the candidates hold as evalAt set it, gives
// graph's closed-form Jacobians bit for bit, at states from moderate to
// saturating (where 1 − F² is 0 and a product can be −0), on a tanh RNN
// with and without inputs; GRU and relu cells take the graph pass.
func TestTanhJacobiansMatchGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		cell := cells.NewVanilla(16, M, cells.Tanh)
		cell.InitUniform(9)
		const B = 300
		r := rand.New(rand.NewPCG(9, uint64(M)))
		x := make([]float64, B*16)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-1))
		}
		s := Settings{}
		s.fill()
		f, err := newFinder(Problem{Cell: cell, InitialStates: x, Inputs: randVec(r, M)}, s)
		if err != nil {
			t.Fatal(err)
		}
		reps := make([]int, B)
		for i := range reps {
			reps[i] = i
		}
		if err := f.evalAt(reps); err != nil {
			t.Fatal(err)
		}
		ts := f.tanhStepper()
		if ts == nil {
			t.Fatal("no closed form for a one-layer tanh RNN")
		}
		w := ts.jw
		N := 16
		Bg := batchRows(B, N)
		want, err := f.jacobiansGraph(reps, Bg)
		if err != nil {
			t.Fatal(err)
		}
		want = slices.Clone(want[:B*N*N])
		got := make([]float64, B*N*N)
		tanhJacobians(f.cands, reps, w, N, got)
		zeros := 0
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("M %d: entry %d = %v, graph gives %v", M, i, got[i], want[i])
			}
			if got[i] == 0 {
				zeros++
			}
		}
		if zeros == 0 {
			t.Errorf("M %d: no saturated unit among the states", M)
		}
	}
	for _, cell := range []cells.Cell{cells.NewGRU(16, 3), cells.NewVanilla(16, 3, cells.ReLU)} {
		s := Settings{}
		s.fill()
		f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 16)}, s)
		if err != nil {
			t.Fatal(err)
		}
		if f.tanhStepper() != nil {
			t.Errorf("%T: closed-form tanh Jacobians taken", cell)
		}
	}
}

// tanhStep gives the graph's Stepper's F bit for bit, on a tanh RNN with
// and without inputs, at states from moderate to saturating, with inputs
// shared by runs of rows and changing between them; GRU and relu cells
// keep the graph.
func TestTanhStepMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		cell := cells.NewVanilla(16, M, cells.Tanh)
		cell.InitUniform(10)
		const N, n = 16, 300
		s := Settings{}
		s.fill()
		f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, N)}, s)
		if err != nil {
			t.Fatal(err)
		}
		ts := f.tanhStepper()
		if ts == nil {
			t.Fatal("no tanh step for a one-layer tanh RNN")
		}
		r := rand.New(rand.NewPCG(10, uint64(M)))
		B := batchRows(n, N)
		x := make([]float64, B*N)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-1))
		}
		u := make([]float64, B*M)
		for row := 0; row < B; row++ {
			if row%7 == 0 || row == 0 {
				for j := 0; j < M; j++ {
					u[row*M+j] = r.NormFloat64()
				}
				continue
			}
			copy(u[row*M:(row+1)*M], u[(row-1)*M:row*M])
		}
		st, err := f.steps.get(B)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, B*N)
		if err := st.Step(x, u, want); err != nil {
			t.Fatal(err)
		}
		got := make([]float64, B*N)
		ts.rows(x, u, got, n)
		for i := range got[:n*N] {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("M %d: F[%d] = %v, graph gives %v", M, i, got[i], want[i])
			}
		}
	}
	for _, cell := range []cells.Cell{cells.NewGRU(16, 3), cells.NewVanilla(16, 3, cells.ReLU)} {
		s := Settings{}
		s.fill()
		f, err := newFinder(Problem{Cell: cell, InitialStates: make([]float64, 16)}, s)
		if err != nil {
			t.Fatal(err)
		}
		if f.tanhStepper() != nil {
			t.Errorf("%T: tanh step taken", cell)
		}
	}
}

// EvalJacobians of a one-layer tanh RNN (tanhStep.jacobians) gives the
// graph's Jacobians, input Jacobians and Jacobian errors bit for bit, at
// points from moderate to saturating, with and without inputs.
func TestTanhLinearizationMatchesGraph(t *testing.T) {
	for _, M := range []int{0, 3} {
		cell := cells.NewVanilla(16, M, cells.Tanh)
		cell.InitUniform(11)
		linearizationMatchesGraph(t, cell, rand.New(rand.NewPCG(11, uint64(M))), 16, M, 40, 6, fmt.Sprintf("M %d", M))
	}
}

// linearizationMatchesGraph checks that EvalJacobians of cell at n random
// points (N states, M inputs, entries of magnitudes 10^-2 to 10^(mags-3))
// gives the graph path's Jacobian, InputJacobian and JacobianError bit for
// bit; what names the case in a failure.
func linearizationMatchesGraph(t *testing.T, cell cells.Cell, r *rand.Rand, N, M, n, mags int, what string) {
	t.Helper()
	fp := &FixedPoints{N: N, M: M}
	for k := 0; k < n; k++ {
		x := make([]float64, N)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(mags)-2))
		}
		fp.Points = append(fp.Points, Point{X: x, U: randVec(r, M)})
	}
	s := Settings{}
	s.fill()
	if err := EvalJacobians(cell, fp, s); err != nil {
		t.Fatal(err)
	}
	xs, us, jac, _, err := jacobianGraph(cell, fp, s)
	if err != nil {
		t.Fatal(err)
	}
	eval := func(xs, us [][]float64) (outX, outU, fs [][]float64, err error) {
		return evalJacobians(context.Background(), jac, xs, us)
	}
	outX, outU, fs, err := eval(xs, us)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := jacobianErrors(context.Background(), eval, xs, us, fs, outX, s.Dtype.Eps())
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range fp.Points {
		if !sameBits(p.Jacobian, outX[k]) || !sameBits(p.InputJacobian, outU[k]) || !sameBits([]float64{p.JacobianError}, []float64{errs[k]}) {
			t.Fatalf("%s point %d: Jacobians or error differ from the graph's (error %v, graph %v)", what, k, p.JacobianError, errs[k])
		}
	}
}

// TestRefineStopsAtRoundingFloor: on the battery-built planted tanh
// network of 256 units (Newton-Krylov, whose GMRES hands every candidate
// to dense LM: the Jacobians' spectra surround 1), candidates started
// 1e-4 from planted points stop where F's rounding noise (above
// floorRes there) decides, not after further Jacobians at the noise
// (lmFloorRatio), and each is proved fixed at its planted point.
func TestRefineStopsAtRoundingFloor(t *testing.T) {
	const N = 256
	p, W, planted := plantedPoints(t, N, 1, 11)
	p.Cell = plantedVanilla(N, W)
	p.InitialStates = p.InitialStates[:4*N] // 0, v_1, -v_1, v_2
	res := find(t, p, &Settings{NoJacobians: true, NoComplete: true})
	st := res.Stats
	t.Logf("%d fixed; %d fallbacks, %d Jacobians, %d iterations", res.Fixed.Len(), st.DenseFallbacks, st.JacobianEvals, st.RefineIters)
	if res.Fixed.Len() != 4 || st.DenseFallbacks != 4 {
		t.Fatalf("%d fixed points, %d handed to dense LM; want 4 and 4", res.Fixed.Len(), st.DenseFallbacks)
	}
	for _, x := range planted[:4] {
		if idx := res.Fixed.Find(x, nil, 1e-8); len(idx) != 1 || res.Fixed.Points[idx[0]].Proof.Method != ProofKrawczyk {
			t.Errorf("planted point found %d times", len(idx))
		}
	}
	if st.JacobianEvals > 4 {
		t.Errorf("%d Jacobians", st.JacobianEvals)
	}
}
