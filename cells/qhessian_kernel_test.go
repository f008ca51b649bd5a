package cells

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGRUQHessianKernelsMatchLoops: the GRU's QHessianInto gives the same
// J and Hessian of q, bit for bit, with its AVX2 kernels (hidden sizes
// that are multiples of 4) as with its loops in Go, on random GRUs whose
// weights are scaled so that gates saturate at some points, with and
// without inputs, at states in and beyond [-1, 1] and at states holding
// one NaN, two of other signs and payloads, or infinities (Inf − Inf
// makes x86's default NaN, its negation in the gates' e^{-a} one of the
// other sign): NaNs' signs and payloads included, as the kernels take the
// compiled loops' operand order (x86 passes on the first operand's NaN
// where two meet; at 5faf0fa some NaNs of J and the Hessian came out of
// the kernels with the other sign at states holding infinities).
func TestGRUQHessianKernelsMatchLoops(t *testing.T) {
	if !useQHessianKernels {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	defer func(on bool) { useQHessianKernels = on }(useQHessianKernels)
	rng := rand.New(rand.NewPCG(3, 30))
	for _, H := range []int{4, 8, 12, 16, 20, 32, 64} {
		for _, M := range []int{0, 3} {
			for _, sc := range []float64{1, 5} {
				c := NewGRU(H, M)
				c.InitUniform(uint64(H*10 + M))
				for _, p := range c.params {
					for i := range p.Data {
						p.Data[i] *= sc
					}
				}
				for trial := range 12 {
					x, u := make([]float64, H), make([]float64, M)
					for i := range x {
						x[i] = 1.5 * (2*rng.Float64() - 1)
					}
					for i := range u {
						u[i] = 2*rng.Float64() - 1
					}
					switch trial {
					case 8: // one NaN
						x[rng.IntN(H)] = math.Float64frombits(0x7ff8000000000002)
					case 9: // two that meet
						x[rng.IntN(H)] = math.Float64frombits(0x7ff8000000000002)
						x[rng.IntN(H)] = math.Copysign(math.NaN(), -1)
					case 10: // infinities: Inf − Inf's default NaN and its negation meet
						x[rng.IntN(H)] = math.Inf(1)
						x[rng.IntN(H)] = math.Inf(-1)
					case 11: // more of them
						for range 3 {
							x[rng.IntN(H)] = math.Inf(1)
							x[rng.IntN(H)] = math.Inf(-1)
						}
					}
					useQHessianKernels = false
					wj, wh := make([]float64, H*H), make([]float64, H*H)
					if !c.QHessianInto(x, u, wj, wh) {
						t.Fatal("no closed form")
					}
					useQHessianKernels = true
					gj, gh := make([]float64, H*H), make([]float64, H*H)
					for i := range gj {
						gj[i], gh[i] = math.NaN(), math.NaN() // every entry must be written
					}
					c.QHessianInto(x, u, gj, gh)
					for i := range wj {
						if math.Float64bits(gj[i]) != math.Float64bits(wj[i]) || math.Float64bits(gh[i]) != math.Float64bits(wh[i]) {
							t.Fatalf("H %d M %d scale %g trial %d: entry %d: J %#x H %#x with the kernels, %#x %#x without", H, M, sc, trial, i, math.Float64bits(gj[i]), math.Float64bits(gh[i]), math.Float64bits(wj[i]), math.Float64bits(wh[i]))
						}
					}
				}
			}
		}
	}
}

// TestMatTVecKernelMatchesLoop: addMatTVec gives the same sums, bit for
// bit, with its AVX2 kernel as with its loop, at sizes with and without
// whole groups of 16, for vectors holding zeros of both signs (skipped
// terms: an Inf weight times them would give NaN), a NaN, -0 in a, and
// NaNs that meet (x86 passes on an operation's first NaN operand: the
// kernel takes the compiled loop's order), NaNs' signs and payloads
// included.
func TestMatTVecKernelMatchesLoop(t *testing.T) {
	if !useQHessianKernels {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	defer func(on bool) { useQHessianKernels = on }(useQHessianKernels)
	rng := rand.New(rand.NewPCG(4, 40))
	for _, H := range []int{4, 8, 12, 16, 20, 32, 36, 48} {
		for _, m := range []int{1, 2, 3, 16, 19} {
			for trial := range 6 {
				a, wT, v := make([]float64, H), make([]float64, m*H), make([]float64, m)
				for i := range a {
					a[i] = rng.NormFloat64()
				}
				a[rng.IntN(H)] = math.Copysign(0, -1)
				for i := range wT {
					wT[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
				}
				for j := range v {
					switch rng.IntN(5) {
					case 0:
						v[j] = 0
					case 1:
						v[j] = math.Copysign(0, -1)
					default:
						v[j] = rng.NormFloat64()
					}
				}
				if trial == 1 {
					wT[rng.IntN(m*H)] = math.Inf(1)
				}
				if trial == 2 {
					v[rng.IntN(m)] = math.NaN()
				}
				if trial >= 3 { // NaNs that meet: three payloads and signs, and Inf − Inf's default NaN
					a[rng.IntN(H)] = math.Float64frombits(0x7ff8000000000002)
					wT[rng.IntN(m*H)] = math.Copysign(math.NaN(), -1)
					v[rng.IntN(m)] = math.NaN()
					a[rng.IntN(H)] = math.Inf(-1)
					wT[rng.IntN(m*H)] = math.Inf(1)
				}
				want, got := append([]float64(nil), a...), append([]float64(nil), a...)
				useQHessianKernels = false
				addMatTVec(want, wT, v, H)
				useQHessianKernels = true
				addMatTVec(got, wT, v, H)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("H %d m %d trial %d: a[%d] = %v (%#x) with the kernel, %v (%#x) without", H, m, trial, i, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
					}
				}
			}
		}
	}
}

// TestGRURowsKernelsMatchLoops: the GRU's StepRows, ObjectiveRows and
// JacobianRowsU give the same values, bit for bit, with linalg's kernels
// (GRUGatesPre, GRUGatesPost, GRUJacobianRow: hidden sizes that are
// multiples of 4) as with their loops, on random GRUs scaled so that
// gates saturate, at batches of states in and beyond [-1, 1], one with a
// NaN, and a unit whose recurrent weights are all zero.
func TestGRURowsKernelsMatchLoops(t *testing.T) {
	if !useQHessianKernels {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	defer func(on bool) { useQHessianKernels = on }(useQHessianKernels)
	rng := rand.New(rand.NewPCG(5, 50))
	for _, H := range []int{4, 8, 16, 20, 32} {
		for _, M := range []int{0, 3} {
			for _, sc := range []float64{1, 5} {
				c := NewGRU(H, M)
				c.InitUniform(uint64(H*10 + M + 7))
				for _, p := range c.params {
					for i := range p.Data {
						p.Data[i] *= sc
					}
				}
				for _, p := range []int{1, 5, 9} { // a unit with zero recurrent weights
					for k := 0; k < H; k++ {
						c.params[p].Data[k*H+1] = 0
					}
				}
				n := 8
				x, u := make([]float64, n*H), make([]float64, n*M)
				for i := range x {
					x[i] = 1.5 * (2*rng.Float64() - 1)
				}
				for i := range u {
					u[i] = 2*rng.Float64() - 1
				}
				x[3*H+1] = math.NaN()
				run := func(kern bool) [][]float64 {
					useQHessianKernels = kern
					j, ju := make([]float64, n*H*H), make([]float64, n*H*M)
					for i := range j {
						j[i] = math.NaN() // every entry must be written
					}
					c.JacobianRowsU(n, x, u, j, ju)
					f := make([]float64, n*H)
					c.StepRows(n, x, u, f)
					q, fo, g := make([]float64, n), make([]float64, n*H), make([]float64, n*H)
					c.ObjectiveRows(n, x, u, q, fo, g)
					return [][]float64{j, ju, f, q, fo, g}
				}
				want, got := run(false), run(true)
				for v, name := range []string{"dF/dx", "dF/du", "F", "q", "objective's F", "gradient"} {
					for i := range want[v] {
						if math.Float64bits(got[v][i]) != math.Float64bits(want[v][i]) {
							t.Fatalf("H %d M %d scale %g: %s entry %d: %v with the kernels, %v without", H, M, sc, name, i, got[v][i], want[v][i])
						}
					}
				}
			}
		}
	}
}
