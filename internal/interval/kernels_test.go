package interval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// pick returns a float64 in [c − r, c + r]: an end or the centre.
func pickIn(rng *rand.Rand, c, r float64) float64 {
	v := c
	switch rng.IntN(3) {
	case 0:
		v = c - r
	case 1:
		v = c + r
	}
	d := new(big.Float).SetPrec(2200).Sub(ex(v), ex(c))
	if d.Abs(d).Cmp(ex(r)) > 0 {
		v = math.Nextafter(v, c)
	}
	return v
}

// inside returns vertex(rng, m) moved, where rounding took an element out
// of its interval, one float64 back toward the midpoint.
func inside(rng *rand.Rand, m Mat) []float64 {
	v := vertex(rng, m)
	for i, x := range v {
		if m.Rad == nil {
			continue
		}
		d := new(big.Float).SetPrec(2200).Sub(ex(x), ex(m.Mid[i]))
		if d.Abs(d).Cmp(ex(m.Rad[i])) > 0 {
			v[i] = math.Nextafter(x, m.Mid[i])
		}
	}
	return v
}

// TestKernelsEnclose: AddScaledRows, ScaleRows, AddDiag, AddBlock and
// IdentityMinus hold the exact (2200-bit) results for values taken inside
// their operands, on adversarial magnitudes.
func TestKernelsEnclose(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 200 {
		rows, cols := 1+rng.IntN(5), 1+rng.IntN(5)
		m := randMat(rng, rows, cols, true)
		w := randMat(rng, rows, cols, trial%2 == 0)
		s := Vec{Mid: make([]float64, rows), Rad: make([]float64, rows)}
		for k := range s.Mid {
			s.Mid[k] = math.Ldexp(rng.NormFloat64(), rng.IntN(80)-40)
			s.Rad[k] = math.Abs(s.Mid[k]) * rng.Float64() * 1e-3
		}
		d := Vec{Mid: s.Mid[:min(rows, cols)], Rad: s.Rad[:min(rows, cols)]}
		for range 6 {
			mv, wv := inside(rng, m), inside(rng, w)
			sv := make([]float64, rows)
			for k := range sv {
				sv[k] = pickIn(rng, s.Mid[k], s.Rad[k])
			}
			check := func(name string, got Mat, want func(i, j int) *big.Float) {
				t.Helper()
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						// exact |want − mid| ≤ rad, without At's outward step
						d := new(big.Float).SetPrec(2200).Sub(want(i, j), ex(got.Mid[i*cols+j]))
						if d.Abs(d).Cmp(ex(got.Rad[i*cols+j])) > 0 {
							t.Fatalf("trial %d: %s misses element (%d, %d)", trial, name, i, j)
						}
					}
				}
			}
			a := m.Clone()
			a.AddScaledRows(0, 0, s, w)
			check("AddScaledRows", a, func(i, j int) *big.Float {
				p := new(big.Float).SetPrec(2200).Mul(ex(sv[i]), ex(wv[i*cols+j]))
				return p.Add(p, ex(mv[i*cols+j]))
			})
			b := m.Clone()
			b.ScaleRows(s)
			check("ScaleRows", b, func(i, j int) *big.Float {
				return new(big.Float).SetPrec(2200).Mul(ex(sv[i]), ex(mv[i*cols+j]))
			})
			c := m.Clone()
			c.AddDiag(0, 0, d)
			check("AddDiag", c, func(i, j int) *big.Float {
				v := ex(mv[i*cols+j])
				if i == j {
					v.Add(v, ex(sv[i]))
				}
				return v
			})
			e := m.Clone()
			e.AddBlock(0, 0, w)
			check("AddBlock", e, func(i, j int) *big.Float {
				return new(big.Float).SetPrec(2200).Add(ex(mv[i*cols+j]), ex(wv[i*cols+j]))
			})
			if rows == cols {
				check("IdentityMinus", IdentityMinus(m), func(i, j int) *big.Float {
					v := new(big.Float).SetPrec(2200).Neg(ex(mv[i*cols+j]))
					if i == j {
						v.Add(v, ex(1))
					}
					return v
				})
			}
			sums := RowMagSums(m)
			for i := 0; i < rows; i++ {
				tot := new(big.Float).SetPrec(2200)
				for j := 0; j < cols; j++ {
					tot.Add(tot, new(big.Float).Abs(ex(mv[i*cols+j])))
				}
				if ex(sums[i]).Cmp(tot) < 0 {
					t.Fatalf("trial %d: RowMagSums row %d below Σ|m|", trial, i)
				}
			}
		}
	}
}

// TestSettleBlockIsAddBlock: a block built in place and settled is what
// AddBlock of the same matrix gives on a zero block, bit for bit, with
// −0, +0, point and interval entries.
func TestSettleBlockIsAddBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, cols, r0, c0, br, bc = 7, 9, 2, 3, 4, 5
	for trial := 0; trial < 50; trial++ {
		b := NewMat(br, bc)
		for i := range b.Mid {
			switch rng.IntN(4) {
			case 0:
				b.Mid[i] = math.Copysign(0, -1)
			case 1: // +0
			default:
				b.Mid[i] = rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20))
			}
			if trial%2 == 0 && rng.IntN(2) == 0 {
				b.Rad[i] = rng.Float64() * 1e-9
			}
		}
		want := NewMat(rows, cols)
		want.AddBlock(r0, c0, b)
		got := NewMat(rows, cols)
		for k := 0; k < br; k++ {
			copy(got.Mid[(r0+k)*cols+c0:], b.Mid[k*bc:(k+1)*bc])
			copy(got.Rad[(r0+k)*cols+c0:], b.Rad[k*bc:(k+1)*bc])
		}
		got.SettleBlock(r0, c0, br, bc)
		for i := range want.Mid {
			if math.Float64bits(got.Mid[i]) != math.Float64bits(want.Mid[i]) || math.Float64bits(got.Rad[i]) != math.Float64bits(want.Rad[i]) {
				t.Fatalf("trial %d, entry %d: settled %v ± %v, AddBlock's %v ± %v", trial, i, got.Mid[i], got.Rad[i], want.Mid[i], want.Rad[i])
			}
		}
	}
}
