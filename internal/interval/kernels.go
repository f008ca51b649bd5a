package interval

import "math"

// In-place midpoint–radius kernels for building Jacobian enclosures fast:
// every element update is a few float64 operations in round-to-nearest,
// with no Nextafter. Each update's rounding errors are bounded by 2u times
// the magnitudes involved plus 4·eta for underflow, and the new radius is
// inflated by (1 + 16u) and (1 + 4u) so that it is at least the exact sum
// although computed in round-to-nearest (all radius terms are
// nonnegative, each computed with fewer than 8 roundings).
//
// The underflow pad is 2⁻⁹⁰⁰ (about 1e-271), far above 4·eta but still
// normal: an exactly zero entry (the zero blocks of an LSTM's or a stack's
// Jacobian) would otherwise get a subnormal radius, and every later
// product with it a subnormal result, which x86 computes ~100 times slower.

const (
	u2     = 2 * unit
	inflA  = 1 + 16*unit
	inflB  = 1 + 4*unit
	etaPad = 0x1p-900 // >= 4·eta, normal
)

// grow returns rad + inc as an upper bound of the exact sum.
func grow(rad, inc float64) float64 { return (rad + inc*inflA) * inflB }

// NewMat returns a rows×cols zero interval matrix (midpoints and radii
// allocated).
func NewMat(rows, cols int) Mat {
	return Mat{Rows: rows, Cols: cols, Mid: make([]float64, rows*cols), Rad: make([]float64, rows*cols)}
}

// PointVec returns the point vector x (its Rad is nil).
func PointVec(x []float64) Vec { return Vec{Mid: x} }

func rad(r []float64, i int) float64 {
	if r == nil {
		return 0
	}
	return r[i]
}

// AddScaledRows adds diag(s)·w to the block of m whose top-left corner is
// (r0, c0). w may be a point or an interval matrix. m must have radii.
func (m Mat) AddScaledRows(r0, c0 int, s Vec, w Mat) {
	for k := 0; k < w.Rows; k++ {
		sc, sr := s.Mid[k], rad(s.Rad, k)
		asc := math.Abs(sc)
		base := (r0+k)*m.Cols + c0
		mid, mr := m.Mid[base:base+w.Cols], m.Rad[base:base+w.Cols]
		wm := w.Mid[k*w.Cols : (k+1)*w.Cols]
		if w.Rad == nil {
			for j, wv := range wm {
				addPointTerm(mid, mr, j, sc, sr, wv)
			}
			continue
		}
		wr := w.Rad[k*w.Cols : (k+1)*w.Cols]
		for j, wv := range wm {
			p := sc * wv
			nm := mid[j] + p
			aw := math.Abs(wv)
			inc := sr*aw + asc*wr[j] + sr*wr[j] + u2*(math.Abs(p)+math.Abs(nm)) + etaPad
			mid[j], mr[j] = nm, grow(mr[j], inc)
		}
	}
}

// addPointTerm adds s·w, s = sc ± sr and w a point, to element j: the
// product's and the sum's rounding (u2 of each magnitude) and the spread of
// s go into the radius.
func addPointTerm(mid, mr []float64, j int, sc, sr, wv float64) {
	if wv == 0 {
		return
	}
	p := sc * wv
	nm := mid[j] + p
	inc := sr*math.Abs(wv) + u2*(math.Abs(p)+math.Abs(nm)) + etaPad
	mid[j], mr[j] = nm, grow(mr[j], inc)
}

// AddScaledRowsT is AddScaledRows for the point matrix W (len(s)×K) given
// by its transpose wT (K×len(s), row-major: a layer's stored weights),
// without forming W; the result is the same bit for bit.
func (m Mat) AddScaledRowsT(r0, c0 int, s Vec, wT []float64) {
	H := len(s.Mid)
	if H == 0 {
		return
	}
	K := len(wT) / H
	for k := 0; k < H; k++ {
		sc, sr := s.Mid[k], rad(s.Rad, k)
		base := (r0+k)*m.Cols + c0
		mid, mr := m.Mid[base:base+K], m.Rad[base:base+K]
		for j := range mid {
			addPointTerm(mid, mr, j, sc, sr, wT[j*H+k])
		}
	}
}

// ScaleRows multiplies row k of m by s_k in place. m must have radii.
func (m Mat) ScaleRows(s Vec) {
	for k := 0; k < m.Rows; k++ {
		sc, sr := s.Mid[k], rad(s.Rad, k)
		asc := math.Abs(sc)
		mid, mr := m.Mid[k*m.Cols:(k+1)*m.Cols], m.Rad[k*m.Cols:(k+1)*m.Cols]
		for j, mv := range mid {
			p := sc * mv
			inc := asc*mr[j] + sr*math.Abs(mv) + sr*mr[j] + u2*math.Abs(p) + etaPad
			mid[j], mr[j] = p, grow(0, inc)
		}
	}
}

// AddDiag adds diag(s) to m at (r0, c0). m must have radii.
func (m Mat) AddDiag(r0, c0 int, s Vec) {
	for k, sc := range s.Mid {
		i := (r0+k)*m.Cols + c0 + k
		nm := m.Mid[i] + sc
		m.Mid[i], m.Rad[i] = nm, grow(m.Rad[i], rad(s.Rad, k)+u2*math.Abs(nm)+etaPad)
	}
}

// AddBlock adds b to the block of m at (r0, c0). m must have radii.
func (m Mat) AddBlock(r0, c0 int, b Mat) {
	for k := 0; k < b.Rows; k++ {
		for j := 0; j < b.Cols; j++ {
			i := (r0+k)*m.Cols + c0 + j
			nm := m.Mid[i] + b.Mid[k*b.Cols+j]
			m.Mid[i], m.Rad[i] = nm, grow(m.Rad[i], rad(b.Rad, k*b.Cols+j)+u2*math.Abs(nm)+etaPad)
		}
	}
}

// SettleBlock turns the rows x cols block of m at (r0, c0), holding a
// matrix b, into what AddBlock(r0, c0, b) gives when that block of m is
// zero, bit for bit: a caller may then build b in m's own block instead
// of a matrix of its own. m must have radii.
func (m Mat) SettleBlock(r0, c0, rows, cols int) {
	for k := 0; k < rows; k++ {
		base := (r0+k)*m.Cols + c0
		mid, mr := m.Mid[base:base+cols], m.Rad[base:base+cols]
		for j, bm := range mid {
			nm := zero + bm // AddBlock's m.Mid[i] + b.Mid[...], m.Mid[i] = +0: a −0 becomes +0
			mid[j], mr[j] = nm, grow(0, mr[j]+u2*math.Abs(nm)+etaPad)
		}
	}
}

// zero is +0 as a variable, which the compiler cannot fold out of zero + x
// (a −0 becomes +0).
var zero = 0.0

// Clone returns a copy of m with radii (zero radii for a point matrix).
func (m Mat) Clone() Mat {
	out := Mat{Rows: m.Rows, Cols: m.Cols, Mid: append([]float64(nil), m.Mid...), Rad: make([]float64, len(m.Mid))}
	copy(out.Rad, m.Rad)
	return out
}

// IdentityMinus returns I − m for a square m.
func IdentityMinus(m Mat) Mat {
	return IdentityMinusTo(Mat{Mid: make([]float64, len(m.Mid)), Rad: make([]float64, len(m.Mid))}, m)
}

// IdentityMinusTo is IdentityMinus into out (out.Mid and out.Rad of m's
// size, overwritten; out.Rows and out.Cols are set), which may be m itself.
func IdentityMinusTo(out, m Mat) Mat {
	if len(out.Mid) != len(m.Mid) || len(out.Rad) != len(m.Mid) {
		panic("interval: IdentityMinusTo buffer sizes")
	}
	out.Rows, out.Cols = m.Rows, m.Cols
	for i := range out.Mid {
		out.Mid[i] = -m.Mid[i]
		out.Rad[i] = rad(m.Rad, i)
	}
	for k := 0; k < m.Rows; k++ {
		i := k*m.Cols + k
		nm := 1 + out.Mid[i]
		out.Mid[i], out.Rad[i] = nm, grow(out.Rad[i], u2*math.Abs(nm)+etaPad)
	}
	return out
}

// RowMagSums returns upper bounds of Σ_j max|m_ij| per row (the row sums
// of the magnitude matrix), +Inf for a row with an unbounded element.
func RowMagSums(m Mat) []float64 {
	out := make([]float64, m.Rows)
	for k := range out {
		s := 0.0
		for j := 0; j < m.Cols; j++ {
			i := k*m.Cols + j
			s += math.Abs(m.Mid[i]) + rad(m.Rad, i)
		}
		// 2 roundings per term and m.Cols additions.
		out[k] = sumBound(s, m.Cols+2)
		if math.IsNaN(out[k]) {
			out[k] = math.Inf(1)
		}
	}
	return out
}
