package viz

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/rnnfp/fixedpoints/finder"
)

// flipA is the nonzero fixed point of x = tanh(2x).
const flipA = 0.957504

// flipFlop3 is the idealized 3-bit flip-flop F(x) = tanh(2x), N = 3: 27
// fixed points at {-a, 0, a}^3 (index order: first coordinate slowest),
// Jacobian diag(2(1 - x_i^2)): 0.166372 on +-a coordinates and 2 on zero
// coordinates, unit-axis eigenvectors, saddle index = number of zeros.
func flipFlop3() *finder.FixedPoints {
	fp := &finder.FixedPoints{N: 3, M: 3, Dtype: "float64"}
	levels := []float64{-flipA, 0, flipA}
	for i := range 27 {
		x := []float64{levels[i/9], levels[i/3%3], levels[i%3]}
		fp.Points = append(fp.Points, flipFlopPoint(x))
	}
	return fp
}

func flipFlopPoint(x []float64) finder.Point {
	n := len(x)
	p := finder.Point{X: x, U: make([]float64, 3), F: make([]float64, n), Jacobian: make([]float64, n*n)}
	for i, v := range x {
		p.F[i] = math.Tanh(2 * v)
		d := p.F[i] - v
		p.Q += 0.5 * d * d
		p.Residual = math.Max(p.Residual, math.Abs(d))
		p.Jacobian[i*n+i] = 2 * (1 - v*v)
	}
	for i, v := range x {
		e := make([]complex128, n)
		e[i] = 1
		p.Modes = append(p.Modes, finder.Mode{Value: complex(2*(1-v*v), 0), Right: e, Left: e})
	}
	sort.SliceStable(p.Modes, func(i, j int) bool { return cmplx.Abs(p.Modes[i].Value) > cmplx.Abs(p.Modes[j].Value) })
	p.Stability = stabilityOf(p.Modes)
	return p
}

// stabilityOf labels exact eigenvalues (error bound zero, far from the unit
// circle): each mode certainly stable or unstable, as finder would.
func stabilityOf(modes []finder.Mode) finder.Stability {
	s := finder.Stability{Analyzed: true}
	for i, m := range modes {
		a := cmplx.Abs(m.Value)
		modes[i].Class = finder.ModeStable
		if a > 1 {
			s.NUnstable++
			modes[i].Class = finder.ModeUnstable
		}
		s.MaxAbs = math.Max(s.MaxAbs, a)
	}
	s.Stable = s.NUnstable == 0
	return s
}

// randomOrthogonal is the Q of the QR factors of an n x n matrix of
// standard normal draws from rng.
func randomOrthogonal(rng *rand.Rand, n int) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// embedded is a flip-flop-like report in N dimensions: the 27 fixed points
// of flipFlop3 embedded by an orthonormal basis Q (seeded), with 29
// further modes (one complex pair), 3 slow points, all candidates, and
// trials x steps trajectories that hop between corners.
func embedded(n, trials, steps int, seed uint64) *Report {
	rng := rand.New(rand.NewPCG(seed, 1))
	q := randomOrthogonal(rng, n)
	col := func(k int) []float64 { return mat.Col(nil, k, q) }
	embed := func(x []float64) []float64 {
		out := make([]float64, n)
		for k, v := range x {
			for i, b := range col(k) {
				out[i] += v * b
			}
		}
		return out
	}

	ideal := flipFlop3()
	fixed := &finder.FixedPoints{N: n, M: 3, Dtype: "float64"}
	for _, p := range ideal.Points {
		e := finder.Point{X: embed(p.X), U: p.U, Q: p.Q, Residual: p.Residual}
		for _, m := range p.Modes {
			axis := 0
			for i, v := range m.Right {
				if v != 0 {
					axis = i
				}
			}
			r := make([]complex128, n)
			for i, b := range col(axis) {
				r[i] = complex(b, 0)
			}
			e.Modes = append(e.Modes, finder.Mode{Value: m.Value, Right: r, Left: r})
		}
		for k := 3; k < n; k++ {
			v := complex(0.1, 0)
			r := make([]complex128, n)
			c := col(k)
			switch k {
			case 3, 4: // a complex pair 0.3 +- 0.2i on columns 3 and 4
				v = complex(0.3, 0.2)
				if k == 4 {
					v = complex(0.3, -0.2)
				}
				s := 1.0
				if k == 4 {
					s = -1
				}
				c4 := col(4)
				c3 := col(3)
				for i := range r {
					r[i] = complex(c3[i], s*c4[i]) / complex(math.Sqrt2, 0)
				}
			default:
				for i := range r {
					r[i] = complex(c[i], 0)
				}
			}
			e.Modes = append(e.Modes, finder.Mode{Value: v, Right: r, Left: r})
		}
		sort.SliceStable(e.Modes, func(i, j int) bool { return cmplx.Abs(e.Modes[i].Value) > cmplx.Abs(e.Modes[j].Value) })
		e.Stability = stabilityOf(e.Modes)
		fixed.Points = append(fixed.Points, e)
	}

	slow := &finder.FixedPoints{N: n, M: 3, Dtype: "float64"}
	for k := range 3 {
		x := []float64{0.5, -0.5, 0.5}
		x[k] = 0.2
		slow.Points = append(slow.Points, finder.Point{X: embed(x), Q: 1e-6 * float64(k+1), Residual: 1e-3})
	}

	all := &finder.FixedPoints{N: n, M: 3, Dtype: "float64"}
	for i := range 64 {
		x := fixed.Points[i%27].X
		// q spread over decades as a search leaves them
		all.Points = append(all.Points, finder.Point{X: x, Q: math.Pow(10, -float64(3+i%14)) * (1 + float64(i%5)/10)})
	}
	all.Points = append(all.Points, slow.Points...)

	tr := &finder.Trajectories{Trials: trials, Time: steps, N: n, States: make([]float64, 0, trials*steps*n)}
	for range trials {
		x := []float64{0, 0, 0}
		for t := range steps {
			for k := range x {
				u := 0.0
				if t == 0 || rng.Float64() < 0.1 {
					u = float64(1 - 2*rng.IntN(2))
				}
				x[k] = math.Tanh(2*x[k] + 2*u)
			}
			s := embed(x)
			for i := range s {
				s[i] += 0.01 * rng.NormFloat64()
			}
			tr.States = append(tr.States, s...)
		}
	}
	return &Report{Title: "Flip-flop", Fixed: fixed, Slow: slow, All: all, Trajectories: tr}
}

// flipFlopTrial is an example 3-bit flip-flop trial of the given length.
func flipFlopTrial(steps int) *Trial {
	t := &Trial{Channels: []string{"bit 1", "bit 2", "bit 3"}}
	state := []float64{0, 0, 0}
	for s := range steps {
		in := make([]float64, 3)
		for k := range in {
			if s%(k+3) == 0 {
				in[k] = float64(1 - 2*((s/(k+3))%2))
				state[k] = in[k]
			}
		}
		out := make([]float64, 3)
		for k := range out {
			out[k] = 0.9 * state[k]
		}
		t.Inputs = append(t.Inputs, in)
		t.Targets = append(t.Targets, append([]float64(nil), state...))
		t.Outputs = append(t.Outputs, out)
	}
	return t
}
