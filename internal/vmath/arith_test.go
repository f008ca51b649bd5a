package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// goArith is Go's loop, as graph's elementwise ran it.
//
//go:noinline
func goArith(op byte, dst, x, y []float64) {
	x, y = x[:len(dst)], y[:len(dst)]
	switch op {
	case '+':
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case '-':
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case '*':
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	}
}

// TestArithMatchesGo compares Add, Sub and Mul with Go's loops bit for bit
// on random bits (NaNs with payloads on either side and on both, ±0, ±Inf,
// subnormals) and ordinary values, every length to 40, in place on either
// operand, without writing past dst.
func TestArithMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	gen := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			switch r.IntN(4) {
			case 0:
				v[i] = math.Float64frombits(r.Uint64())
			case 1:
				v[i] = specials[r.IntN(len(specials))]
			default:
				v[i] = r.NormFloat64()
			}
		}
		return v
	}
	ops := map[byte]func(dst, x, y []float64){'+': Add, '-': Sub, '*': Mul}
	for op, f := range ops {
		for n := 0; n <= 40; n++ {
			for range 50 {
				x, y := gen(n), gen(n)
				want := make([]float64, n)
				goArith(op, want, x, y)
				got := make([]float64, n+1)
				got[n] = 42
				f(got[:n], x, y)
				inX, inY := append([]float64(nil), x...), append([]float64(nil), y...)
				f(inX, inX, y)
				f(inY, x, inY)
				for i := range want {
					w := math.Float64bits(want[i])
					if math.Float64bits(got[i]) != w || math.Float64bits(inX[i]) != w || math.Float64bits(inY[i]) != w {
						t.Fatalf("%c at %d of %d: %#x %c %#x = %#x (in place %#x, %#x), Go %#x", op, i, n,
							math.Float64bits(x[i]), op, math.Float64bits(y[i]), math.Float64bits(got[i]),
							math.Float64bits(inX[i]), math.Float64bits(inY[i]), w)
					}
				}
				if got[n] != 42 {
					t.Fatalf("%c wrote past dst at length %d", op, n)
				}
			}
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{64, 1024, 8192} {
		x, y, z := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = float64(i), 1/float64(i+1)
		}
		b.Run("vmath", func(b *testing.B) {
			for b.Loop() {
				Add(z, x, y)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/val")
		})
		b.Run("go", func(b *testing.B) {
			for b.Loop() {
				goArith('+', z, x, y)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/val")
		})
	}
}
