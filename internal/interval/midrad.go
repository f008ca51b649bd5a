package interval

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// unit is the unit roundoff u = 2⁻⁵³ of float64.
const unit = 0x1p-53

// eta is the smallest positive float64: the absolute error of a product that
// underflows is at most eta/2.
const eta = math.SmallestNonzeroFloat64

// Vec is a vector of intervals in midpoint–radius form: element i is
// [Mid[i] − Rad[i], Mid[i] + Rad[i]]. A nil Rad is a point vector. An
// element with an infinite (or NaN) Rad or Mid is unbounded: overflow.
type Vec struct {
	Mid, Rad []float64
}

// Mat is a Rows×Cols interval matrix in midpoint–radius form, row-major
// (element (i, j) at i*Cols + j). A nil Rad is a point matrix.
type Mat struct {
	Rows, Cols int
	Mid, Rad   []float64
}

// At returns element i as an inf–sup interval (rounded outward).
func (v Vec) At(i int) I {
	r := 0.0
	if v.Rad != nil {
		r = v.Rad[i]
	}
	return fromMidRad(v.Mid[i], r)
}

// At returns element (i, j) as an inf–sup interval (rounded outward).
func (m Mat) At(i, j int) I {
	r := 0.0
	if m.Rad != nil {
		r = m.Rad[i*m.Cols+j]
	}
	return fromMidRad(m.Mid[i*m.Cols+j], r)
}

// IsFinite reports whether every element of v is bounded.
func (v Vec) IsFinite() bool { return allFinite(v.Mid) && allFinite(v.Rad) }

// IsFinite reports whether every element of m is bounded.
func (m Mat) IsFinite() bool { return allFinite(m.Mid) && allFinite(m.Rad) }

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return false
		}
	}
	return true
}

func fromMidRad(m, r float64) I {
	if math.IsNaN(m) || math.IsNaN(r) || math.IsInf(r, 0) || math.IsInf(m, 0) {
		return Entire()
	}
	return I{down(m - r), up(m + r)}
}

// MidRad returns a midpoint and a radius whose interval holds x: an
// unbounded x gives radius +Inf.
func MidRad(x I) (mid, rad float64) {
	if !x.IsFinite() {
		return 0, math.Inf(1)
	}
	m := x.Mid()
	if m == x.Lo && m == x.Hi {
		// A point: radius 0 exactly (not the subnormal up(0), which made
		// every product with it a slow subnormal operation).
		return m, 0
	}
	return m, math.Max(up(m-x.Lo), up(x.Hi-m))
}

// VecOf converts inf–sup intervals to a Vec holding them.
func VecOf(x []I) Vec {
	v := Vec{Mid: make([]float64, len(x)), Rad: make([]float64, len(x))}
	for i, e := range x {
		v.Mid[i], v.Rad[i] = MidRad(e)
	}
	return v
}

// Intervals converts v to inf–sup intervals.
func (v Vec) Intervals() []I {
	out := make([]I, len(v.Mid))
	for i := range out {
		out[i] = v.At(i)
	}
	return out
}

// gammaBound is an upper bound of γ_k = k·u/(1 − k·u), the relative error
// bound of an inner product of length k computed in any order; valid for
// k·u ≤ 0.01, i.e. any k below 9·10¹³.
func gammaBound(k int) float64 { return 2 * float64(k+1) * unit }

// sumBound turns s, a round-to-nearest sum of nonnegative terms each made by
// at most k operations of round-to-nearest arithmetic, into an upper bound of
// the exact sum (true ≤ s/(1 − γ_k) plus the underflow of at most 4k products, and 1/(1 − γ_k) ≤ 1 + 2γ_k).
func sumBound(s float64, k int) float64 {
	// (4k+4)·eta is the subnormal with those bits, made without a
	// floating-point product (one with a subnormal result is slow).
	return up(up(s*(1+2*gammaBound(k))) + math.Float64frombits(uint64(4*k+4)))
}

// rowBound finishes an element of a product: mid is the computed midpoint,
// s the computed sum of the nonnegative radius terms (made by at most k
// operations each); a NaN or infinite part makes the element unbounded.
func rowBound(mid, s float64, k int) (float64, float64) {
	r := sumBound(s, k)
	if math.IsNaN(mid) || math.IsInf(mid, 0) || math.IsNaN(r) {
		return 0, math.Inf(1)
	}
	return mid, r
}

// MatVec returns an enclosure of {A·x : A ∈ a, x ∈ v}. It panics if the
// sizes do not match, as a programming error.
func MatVec(a Mat, v Vec) Vec {
	if a.Cols != len(v.Mid) || v.Rad != nil && len(v.Rad) != len(v.Mid) {
		panic("interval: MatVec size mismatch")
	}
	n := a.Cols
	g := gammaBound(n)
	out := Vec{Mid: make([]float64, a.Rows), Rad: make([]float64, a.Rows)}
	for i := 0; i < a.Rows; i++ {
		row := a.Mid[i*n : (i+1)*n]
		var mid, s float64
		for j, aj := range row {
			xc := v.Mid[j]
			mid += aj * xc
			t := math.Abs(aj) * math.Abs(xc) * g
			var xr float64
			if v.Rad != nil {
				xr = v.Rad[j]
				t += math.Abs(aj) * xr
			}
			if a.Rad != nil {
				ar := a.Rad[i*n+j]
				t += ar * (math.Abs(xc) + xr)
			}
			s += t
		}
		// Rump's product (ac ± ar)(xc ± xr) ⊆ ac·xc ± (|ac|xr + ar(|xc|+xr)),
		// plus γ_n|ac||xc| for the rounding of the midpoint sum and n·eta
		// for underflow (inside sumBound's term).
		out.Mid[i], out.Rad[i] = rowBound(mid, s, n+8)
	}
	return out
}

// MatTVec returns an enclosure of W·x for the point matrix W (rows×k)
// given by its transpose wT (k×rows, row-major: the layout of a layer's
// stored weights), without forming W. For a point x (every radius zero)
// the sums are compensated (compensatedTVec): a point evaluation, such as
// G(x̃) at a candidate root, is then enclosed to about the rounding of its
// result rather than to γ_k|W||x|. Otherwise each element is the sum
// MatVec makes for W, over the same terms in the same order, so the two
// agree bit for bit. It panics if the sizes do not match, as a programming
// error.
func MatTVec(wT []float64, rows int, v Vec) Vec {
	return MatTVecTo(Vec{Mid: make([]float64, rows), Rad: make([]float64, rows)}, make([]float64, MatTVecWork(rows, v)), wT, rows, v)
}

// MatTVecWork is the number of values MatTVecTo's work needs for rows
// rows and v: 3·rows for a point v (the compensated sums), else none.
func MatTVecWork(rows int, v Vec) int {
	if isPoint(v.Rad) {
		return 3 * rows
	}
	return 0
}

// MatTVecTo is MatTVec into out (rows values of Mid and Rad, overwritten),
// with its temporaries in work (at least MatTVecWork(rows, v) values,
// overwritten), for callers that enclose many products (a proof's
// Jacobian per box): the same arithmetic, the same enclosure. out and
// work must not share memory with each other, wT or v.
func MatTVecTo(out Vec, work, wT []float64, rows int, v Vec) Vec {
	n := len(v.Mid)
	if len(wT) != rows*n || v.Rad != nil && len(v.Rad) != n || len(out.Mid) != rows || len(out.Rad) != rows || len(work) < MatTVecWork(rows, v) {
		panic("interval: MatTVec size mismatch")
	}
	if isPoint(v.Rad) {
		return compensatedTVec(out, work, wT, rows, v.Mid)
	}
	g := gammaBound(n)
	mid, s := out.Mid, out.Rad
	clear(mid)
	clear(s)
	for j, xc := range v.Mid {
		axc := math.Abs(xc)
		var xr float64
		if v.Rad != nil {
			xr = v.Rad[j]
		}
		for i, aj := range wT[j*rows : (j+1)*rows] {
			mid[i] += aj * xc
			t := math.Abs(aj) * axc * g
			if v.Rad != nil {
				t += math.Abs(aj) * xr
			}
			s[i] += t
		}
	}
	for i := range mid {
		mid[i], s[i] = rowBound(mid[i], s[i], n+8)
	}
	return out
}

// MatMul returns an enclosure of {A·B : A ∈ a, B ∈ b}, with the float64
// products done by gonum's BLAS (any summation order keeps the bound). It
// panics if the sizes do not match, as a programming error.
func MatMul(a, b Mat) Mat {
	m, n := a.Rows, b.Cols
	out := Mat{Rows: m, Cols: n, Mid: make([]float64, m*n), Rad: make([]float64, m*n)}
	return MatMulTo(out, a, b, make([]float64, MatMulWork(a, b)))
}

// MatMulWork is the number of values MatMulTo's work needs for a·b.
func MatMulWork(a, b Mat) int {
	m, k, n := a.Rows, a.Cols, b.Cols
	if a.Rad != nil {
		return m*k + 2*k*n + m*n
	}
	return m*k + k*n
}

// MatMulTo is MatMul into out (out.Mid and out.Rad of a.Rows·b.Cols values,
// overwritten; out.Rows and out.Cols are set), with its temporaries in
// work (at least MatMulWork(a, b) values, overwritten), for callers that
// multiply many times: the same arithmetic, the same enclosure. out must
// not share memory with a, b or work.
func MatMulTo(out, a, b Mat, work []float64) Mat {
	if a.Cols != b.Rows {
		panic("interval: MatMul size mismatch")
	}
	m, k, n := a.Rows, a.Cols, b.Cols
	if len(out.Mid) != m*n || len(out.Rad) != m*n || len(work) < MatMulWork(a, b) {
		panic("interval: MatMulTo buffer sizes")
	}
	out.Rows, out.Cols = m, n
	gemm(a.Mid, b.Mid, out.Mid, m, k, n)

	// Radius: |Ac|·(γ|Bc| + Br) + Ar·(|Bc| + Br), each factor rounded up.
	g := gammaBound(k)
	absA := work[:m*k]
	for i, x := range a.Mid {
		absA[i] = math.Abs(x)
	}
	f1 := work[m*k : m*k+k*n]
	for i, x := range b.Mid {
		// |x|·g rounded up; 0 exactly for x = 0, not the subnormal up(0):
		// zero entries are common (block-structured Jacobians) and a
		// product with a subnormal result is slow.
		f1[i] = 0
		if x != 0 {
			f1[i] = up(math.Abs(x) * g)
		}
		if b.Rad != nil && b.Rad[i] != 0 {
			f1[i] = up(f1[i] + b.Rad[i])
		}
	}
	gemm(absA, f1, out.Rad, m, k, n)
	if a.Rad != nil {
		f2 := work[m*k+k*n : m*k+2*k*n]
		for i, x := range b.Mid {
			f2[i] = math.Abs(x)
			if b.Rad != nil && b.Rad[i] != 0 {
				f2[i] = up(f2[i] + b.Rad[i])
			}
		}
		t := work[m*k+2*k*n : m*k+2*k*n+m*n]
		gemm(a.Rad, f2, t, m, k, n)
		for i := range t {
			out.Rad[i] = up(out.Rad[i] + t[i])
		}
	}
	for i := range out.Rad {
		out.Mid[i], out.Rad[i] = rowBound(out.Mid[i], out.Rad[i], 2*k+8)
	}
	return out
}

// gemm is c = a·b for row-major m×k and k×n slices.
func gemm(a, b, c []float64, m, k, n int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	A := blas64.General{Rows: m, Cols: k, Stride: k, Data: a}
	B := blas64.General{Rows: k, Cols: n, Stride: n, Data: b}
	C := blas64.General{Rows: m, Cols: n, Stride: n, Data: c}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, A, B, 0, C)
}
