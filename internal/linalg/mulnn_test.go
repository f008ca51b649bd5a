package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestMulNNMatchesGemm checks MulNN against blas64.Gemm bit for bit, on
// sizes with and without the kernel's remainders, strides wider than the
// matrices, zeros in A and a C holding garbage beforehand.
func TestMulNNMatchesGemm(t *testing.T) {
	t.Logf("AVX2 kernel in use: %v", useKernelNN)
	r := rand.New(rand.NewPCG(3, 4))
	fill := func(n int, zeros bool) []float64 { return kernelOperand(r, n, zeros) }
	sizes := [][3]int{{1, 1, 1}, {4, 8, 1}, {4, 8, 128}, {64, 128, 128}, {7, 130, 33}, {65, 127, 129}, {3, 5, 2}, {130, 384, 128}}
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, add := range []bool{false, true} {
			beta := 0.0
			if add {
				beta = 1
			}
			for _, pad := range []int{0, 3} {
				lda, ldb, ldc := k+pad, n+pad, n+2*pad
				a, b := fill(max(m*lda, 1), true), fill(max(k*ldb, 1), false)
				want, got := fill(m*ldc, false), fill(m*ldc, false)
				if add && pad > 0 {
					// A's first row all zero under C's −0 entries: Dgemm
					// skips its terms and keeps −0.
					clear(a[:k])
					for j := 0; j < n; j += 2 {
						want[j] = math.Copysign(0, -1)
					}
				}
				copy(got, want) // the padding must stay as it was
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
					blas64.General{Rows: m, Cols: k, Stride: max(lda, 1), Data: a},
					blas64.General{Rows: k, Cols: n, Stride: ldb, Data: b},
					beta, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: want})
				MulNN(m, n, k, a, max(lda, 1), b, ldb, got, ldc, add)
				for i := range want {
					if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
						t.Fatalf("m, n, k = %d, %d, %d, add %v, pad %d: entry %d (row %d, column %d) %v, Gemm %v", m, n, k, add, pad, i, i/ldc, i%ldc, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestMulNNUpperMatchesMulNN: MulNNUpper's upper triangle is MulNN's bit
// for bit, for sizes around the kernel's 4×8 blocks, with row padding.
func TestMulNNUpperMatchesMulNN(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{1, 3, 4, 7, 8, 12, 16, 17, 31, 32, 33, 64} {
		for _, k := range []int{1, 5, 32} {
			for _, pad := range []int{0, 3} {
				lda, ldb, ldc := k+pad, n+pad, n+2*pad
				a, b := kernelOperand(r, n*lda, true), kernelOperand(r, k*ldb, false)
				want, got := make([]float64, n*ldc), make([]float64, n*ldc)
				MulNN(n, n, k, a, lda, b, ldb, want, ldc, false)
				MulNNUpper(n, k, a, lda, b, ldb, got, ldc)
				for i := 0; i < n; i++ {
					for j := i; j < n; j++ {
						if g, w := got[i*ldc+j], want[i*ldc+j]; math.Float64bits(g) != math.Float64bits(w) {
							t.Fatalf("n %d, k %d, pad %d: entry (%d, %d) %v, MulNN's %v", n, k, pad, i, j, g, w)
						}
					}
				}
			}
		}
	}
}

// TestMulNTMatchesGemm checks MulNT against blas64.Gemm(NoTrans, Trans)
// bit for bit, as TestMulNNMatchesGemm does, with sizes whose products
// gonum sums in one piece and in pieces of 64 terms (at least four blocks
// of 64×64), and k with and without a remainder mod 4.
func TestMulNTMatchesGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fill := func(n int, zeros bool) []float64 { return kernelOperand(r, n, zeros) }
	sizes := [][3]int{{1, 1, 1}, {2, 4, 1}, {2, 4, 3}, {64, 128, 128}, {7, 130, 33}, {65, 127, 129}, {3, 5, 2}, {130, 130, 133}, {128, 128, 128}, {200, 64, 70}, {5, 9, 0}}
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, add := range []bool{false, true} {
			beta := 0.0
			if add {
				beta = 1
			}
			for _, pad := range []int{0, 3} {
				lda, ldb, ldc := k+pad, k+2*pad, n+pad
				a, b := fill(m*max(lda, 1), true), fill(n*max(ldb, 1), false)
				want, got := fill(m*ldc, false), fill(m*ldc, false)
				copy(got, want)
				blas64.Gemm(blas.NoTrans, blas.Trans, 1,
					blas64.General{Rows: m, Cols: k, Stride: max(lda, 1), Data: a},
					blas64.General{Rows: n, Cols: k, Stride: max(ldb, 1), Data: b},
					beta, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: want})
				MulNT(m, n, k, a, max(lda, 1), b, max(ldb, 1), got, ldc, add)
				for i := range want {
					if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
						t.Fatalf("m, n, k = %d, %d, %d, add %v, pad %d: entry %d (row %d, column %d) %v, Gemm %v", m, n, k, add, pad, i, i/ldc, i%ldc, got[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkMulNN(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const m, n, k = 64, 128, 128
	x, w, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for i := range w {
		w[i] = r.NormFloat64()
	}
	b.Run("MulNN", func(b *testing.B) {
		for range b.N {
			MulNN(m, n, k, x, k, w, n, c, n, false)
		}
	})
	b.Run("MulNT", func(b *testing.B) {
		for range b.N {
			MulNT(m, n, k, x, k, w, n, c, n, true)
		}
	})
	b.Run("GemmNT", func(b *testing.B) {
		for range b.N {
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, blas64.General{Rows: m, Cols: k, Stride: k, Data: x},
				blas64.General{Rows: n, Cols: k, Stride: k, Data: w}, 1, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
		}
	})
	b.Run("Gemm", func(b *testing.B) {
		for range b.N {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, blas64.General{Rows: m, Cols: k, Stride: k, Data: x},
				blas64.General{Rows: k, Cols: n, Stride: n, Data: w}, 0, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
		}
	})
}

// TestTrsmUpperMatchesGonum checks TrsmUpper against gonum's Dtrsm(Left,
// Upper, NoTrans and Trans, NonUnit, 1) bit for bit: zeros in U (skipped
// terms), NaN, Inf and −0 in B, column counts with and without a
// remainder mod 16, wider strides.
func TestTrsmUpperMatchesGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, m := range []int{1, 2, 5, 16, 33, 128} {
		for _, n := range []int{1, 15, 16, 17, 40, 128} {
			for _, trans := range []bool{false, true} {
				lda, ldb := m+1, n+3
				a, b := make([]float64, m*lda), make([]float64, m*ldb)
				for i := 0; i < m; i++ {
					for j := i; j < m; j++ {
						if r.IntN(4) > 0 {
							a[i*lda+j] = r.NormFloat64()
						}
					}
					a[i*lda+i] = 1 + r.Float64()
				}
				for i := range b {
					b[i] = r.NormFloat64()
					switch r.IntN(40) {
					case 0:
						b[i] = math.Copysign(0, -1)
					case 1:
						b[i] = math.NaN()
					case 2:
						b[i] = math.Inf(-1)
					}
				}
				tA := blas.NoTrans
				if trans {
					tA = blas.Trans
				}
				want := append([]float64(nil), b...)
				gonum.Implementation{}.Dtrsm(blas.Left, blas.Upper, tA, blas.NonUnit, m, n, 1, a, lda, want, ldb)
				TrsmUpper(trans, m, n, a, lda, b, ldb)
				for i := range b {
					if math.Float64bits(b[i]) != math.Float64bits(want[i]) {
						t.Fatalf("m, n = %d, %d, trans %v: entry %d (row %d, column %d) %v, Dtrsm %v", m, n, trans, i, i/ldb, i%ldb, b[i], want[i])
					}
				}
			}
		}
	}
}

// kernelOperand is n entries of widely spread magnitudes, with zeros and
// NaNs of other payloads among them when zeros is set: the cases where the
// kernels must still give gonum's bits.
func kernelOperand(r *rand.Rand, n int, zeros bool) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64() * math.Exp(4*r.NormFloat64())
		if zeros && r.IntN(5) == 0 {
			v[i] = 0
		}
		if zeros && r.IntN(50) == 0 {
			v[i] = math.Float64frombits(0x7ff8000000000000 | r.Uint64()&0xfffff) // NaNs of other payloads
		}
	}
	return v
}

// TestTransposeMovesEveryEntry: Transpose gives aᵀ (by its kernel where
// linalg's kernels run and n is a multiple of 4), every bit (NaNs of
// other payloads, −0) moved where it belongs.
func TestTransposeMovesEveryEntry(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{1, 3, 4, 8, 12, 16, 20, 32, 64} {
		a := kernelOperand(r, n*n, true)
		a[0] = math.Copysign(0, -1)
		at := make([]float64, n*n)
		Transpose(n, a, at)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if math.Float64bits(at[j*n+i]) != math.Float64bits(a[i*n+j]) {
					t.Fatalf("n %d: at[%d][%d] = %v, a[%d][%d] = %v", n, j, i, at[j*n+i], i, j, a[i*n+j])
				}
			}
		}
	}
}

// TestGRUObjectiveElemsMatchesLoop: GRUObjectiveElems' kernel gives the
// bits of cells' loop (copied here) on random values and on NaNs (two signs,
// two payloads: which operand's NaN survives is the loop's), ±0, ±Inf
// and ±1 in each input.
func TestGRUObjectiveElemsMatchesLoop(t *testing.T) {
	if !KernelsInUse() {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	loop := func(x, nn, z, hn, r, tz, tr, f, dhn, daz, g []float64) {
		for i, nv := range nn {
			xi := x[i]
			diff := xi - nv
			fi := nv + float64(z[i]*diff)
			f[i] = fi
			dF := fi - xi
			dz := diff * dF
			zdF := z[i] * dF
			dn := dF + -zdF
			dan := float64(1-float64(nv*nv)) * dn
			dr := hn[i] * dan
			dhn[i] = r[i] * dan
			daz[i] = 0.5 * float64(float64(1-float64(tz[i]*tz[i]))*float64(0.5*dz))
			tr[i] = 0.5 * float64(float64(1-float64(tr[i]*tr[i]))*float64(0.5*dr))
			g[i] = zdF
		}
	}
	special := []float64{math.NaN(), math.Copysign(math.NaN(), -1), math.Float64frombits(0x7ff8000000000002),
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1, -1}
	rng := rand.New(rand.NewPCG(7, 70))
	const m = 64
	for trial := 0; trial < 40; trial++ {
		in := make([][]float64, 7) // x, nn, z, hn, r, tz, tr
		for k := range in {
			in[k] = make([]float64, m)
			for i := range in[k] {
				in[k][i] = 3 * (2*rng.Float64() - 1)
				if trial > 0 && rng.IntN(4) == 0 {
					in[k][i] = special[rng.IntN(len(special))]
				}
			}
		}
		out := func(kern bool) [][]float64 {
			tr := append([]float64(nil), in[6]...)
			f, dhn, daz, g := make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
			if kern {
				GRUObjectiveElems(m, in[0], in[1], in[2], in[3], in[4], in[5], tr, f, dhn, daz, g)
			} else {
				loop(in[0], in[1], in[2], in[3], in[4], in[5], tr, f, dhn, daz, g)
			}
			return [][]float64{f, dhn, daz, g, tr}
		}
		want, got := out(false), out(true)
		for v, name := range []string{"f", "dhn", "daz", "g", "tr"} {
			for i := range want[v] {
				if math.Float64bits(got[v][i]) != math.Float64bits(want[v][i]) {
					t.Logf("in %v %v %v %v %v %v %v", in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], in[5][i], in[6][i])
					t.Fatalf("trial %d: %s[%d] = %v (%#x) with the kernel, %v (%#x) with the loop", trial, name, i,
						got[v][i], math.Float64bits(got[v][i]), want[v][i], math.Float64bits(want[v][i]))
				}
			}
		}
	}
}

// TestMirrorUpperMatchesLoop: MirrorUpper's kernel copies each entry of
// the strict upper triangle to its mirror and leaves the upper triangle
// and the diagonal as they were, bit for bit (NaNs, ±0, ±Inf among them).
func TestMirrorUpperMatchesLoop(t *testing.T) {
	if !KernelsInUse() {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	special := []float64{math.NaN(), math.Copysign(math.NaN(), -1), 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
	rng := rand.New(rand.NewPCG(8, 80))
	for _, n := range []int{4, 8, 12, 16, 32} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = 2*rng.Float64() - 1
			if rng.IntN(5) == 0 {
				a[i] = special[rng.IntN(len(special))]
			}
		}
		want := append([]float64(nil), a...)
		for j := 0; j < n; j++ {
			for k := j + 1; k < n; k++ {
				want[k*n+j] = want[j*n+k]
			}
		}
		MirrorUpper(n, a)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n %d: entry (%d, %d) = %v with the kernel, %v with the loop", n, i/n, i%n, a[i], want[i])
			}
		}
	}
}

// TestGRURank2UpperMatchesLoop: GRURank2Upper's kernel gives the bits of
// cells' loop (modelled here) for every unit i, on NaNs of two signs and
// payloads, ±0 and ±Inf in S, p and cpe, at sizes with and without a
// remainder of 4.
func TestGRURank2UpperMatchesLoop(t *testing.T) {
	if !KernelsInUse() {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	special := []float64{math.NaN(), math.Copysign(math.NaN(), -1), math.Float64frombits(0x7ff8000000000002),
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
	rng := rand.New(rand.NewPCG(9, 90))
	val := func() float64 {
		if rng.IntN(5) == 0 {
			return special[rng.IntN(len(special))]
		}
		return 2*rng.Float64() - 1
	}
	// S += cpe p as cells' compiled loop forms it (go tool objdump): p_k
	// cpe, then the product + S, the first operand's NaN kept where both
	// are NaN (x86's rule); a copy of the loop here compiles to S + the
	// product instead, so the NaN is chosen explicitly.
	upd := func(s, p, cpe float64) float64 {
		return add(mul(p, cpe), s)
	}
	for _, h := range []int{1, 4, 5, 16, 18} {
		for i := range h {
			S, p := make([]float64, h*h), make([]float64, h)
			for k := range S {
				S[k] = val()
			}
			for k := range p {
				p[k] = val()
			}
			cpe := val()
			want := append([]float64(nil), S...)
			for k := 0; k < i; k++ {
				want[k*h+i] = upd(want[k*h+i], p[k], cpe)
			}
			Si := want[i*h : (i+1)*h]
			for k := i; k < h; k++ {
				Si[k] = upd(Si[k], p[k], cpe)
			}
			want[i*h+i] = upd(want[i*h+i], p[i], cpe)
			GRURank2Upper(h, i, S, p, cpe)
			for k := range S {
				if math.Float64bits(S[k]) != math.Float64bits(want[k]) {
					t.Fatalf("h %d i %d: entry (%d, %d) = %v (%#x) with the kernel, %v (%#x) with the loop", h, i, k/h, k%h,
						S[k], math.Float64bits(S[k]), want[k], math.Float64bits(want[k]))
				}
			}
		}
	}
}

// mul and add are a b and a + b as x86 forms them: where both are NaN,
// a's (the first operand's) is passed on. The tests model cells' compiled
// loops (go tool objdump) with them, as a copy of a loop here may compile
// to another operand order.
func mul(a, b float64) float64 { return nanFirst(a, b, a*b) }

func add(a, b float64) float64 { return nanFirst(a, b, a+b) }

func nanFirst(a, b, v float64) float64 {
	switch {
	case math.IsNaN(a):
		return a
	case math.IsNaN(b):
		return b
	}
	return v
}

// specialVals gives random values in [-1, 1) and, one in 4, NaNs of two
// signs and payloads, ±0 or ±Inf.
func specialVals(rng *rand.Rand) func() float64 {
	special := []float64{math.NaN(), math.Copysign(math.NaN(), -1), math.Float64frombits(0x7ff8000000000002),
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
	return func() float64 {
		if rng.IntN(4) == 0 {
			return special[rng.IntN(len(special))]
		}
		return 2*rng.Float64() - 1
	}
}

// TestGRURank4UpperMatchesLoop: GRURank4Upper's kernel gives the bits of
// cells' loop (QHessianInto's rows j, j+1 at once, modelled here) on the
// upper triangle, NaNs' signs and payloads included: on even rows S +
// (a4 w + (a3 p + (a2 s + a1 t))), on odd rows the same with the entries
// of t, s, p, w first in the products, and on an even row's diagonal S +
// (((t a1 + s a2) + p a3) + w a4).
func TestGRURank4UpperMatchesLoop(t *testing.T) {
	if !KernelsInUse() {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	val := specialVals(rand.New(rand.NewPCG(11, 110)))
	for _, h := range []int{4, 8, 12, 20} {
		for range 20 {
			S, a := make([]float64, h*h), make([]float64, 4*h)
			tv, sv, pv, wv := make([]float64, h), make([]float64, h), make([]float64, h), make([]float64, h)
			for _, v := range [][]float64{S, a, tv, sv, pv, wv} {
				for k := range v {
					v[k] = val()
				}
			}
			want := append([]float64(nil), S...)
			for j := range h {
				a1, a2, a3, a4 := a[j], a[h+j], a[2*h+j], a[3*h+j]
				for k := j; k < h; k++ {
					var sum float64
					switch {
					case j%2 == 0 && k == j:
						sum = add(add(add(mul(tv[k], a1), mul(sv[k], a2)), mul(pv[k], a3)), mul(wv[k], a4))
					case j%2 == 0:
						sum = add(mul(a4, wv[k]), add(mul(a3, pv[k]), add(mul(a2, sv[k]), mul(a1, tv[k]))))
					default:
						sum = add(mul(wv[k], a4), add(mul(pv[k], a3), add(mul(sv[k], a2), mul(tv[k], a1))))
					}
					want[j*h+k] = add(sum, want[j*h+k])
				}
			}
			GRURank4Upper(h, S, tv, sv, pv, wv, a)
			for j := range h {
				for k := j; k < h; k++ {
					if math.Float64bits(S[j*h+k]) != math.Float64bits(want[j*h+k]) {
						t.Fatalf("h %d: entry (%d, %d) = %#x with the kernel, %#x with the loop", h, j, k, math.Float64bits(S[j*h+k]), math.Float64bits(want[j*h+k]))
					}
				}
			}
		}
	}
}

// TestGRUGramUpperMatchesLoop: GRUGramUpper's kernel gives the bits of
// cells' loop (modelled here) on the upper triangle, NaNs' signs and
// payloads included: S[j][k] + Σ_i A[i][k] A[i][j] in order of i, the
// sum first, with A[i][j] first in the products of the last (4 − j mod 4)
// mod 4 columns of row j, which the loop takes one at a time.
func TestGRUGramUpperMatchesLoop(t *testing.T) {
	if !KernelsInUse() {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	val := specialVals(rand.New(rand.NewPCG(12, 120)))
	for _, h := range []int{4, 8, 12, 20} {
		for range 20 {
			A, S, hess := make([]float64, h*h), make([]float64, h*h), make([]float64, h*h)
			for k := range A {
				A[k], S[k] = val(), val()
			}
			GRUGramUpper(h, A, S, hess)
			for j := range h {
				for k := j; k < h; k++ {
					alone := k >= h-(h-j)%4
					v := S[j*h+k]
					for i := range h {
						if alone {
							v = add(v, mul(A[i*h+j], A[i*h+k]))
						} else {
							v = add(v, mul(A[i*h+k], A[i*h+j]))
						}
					}
					if math.Float64bits(hess[j*h+k]) != math.Float64bits(v) {
						t.Fatalf("h %d: entry (%d, %d) = %#x with the kernel, %#x with the loop", h, j, k, math.Float64bits(hess[j*h+k]), math.Float64bits(v))
					}
				}
			}
		}
	}
}
