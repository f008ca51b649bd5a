package cells_test

import (
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// The reference here is PyTorch's (and ONNX's) equations in plain float64
// from the state_dict, written apart from the interval code: G and F of one
// layer, composed by hand for stacks.

func sig(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// gates returns W_ih[g] u + b_ih[g] and W_hh[g] h + b_hh[g].
func gates(sd cells.StateDict, g, H int, u, h []float64) (ui, hh []float64) {
	wih, whh, bih, bhh := sd["weight_ih_l0"], sd["weight_hh_l0"], sd["bias_ih_l0"], sd["bias_hh_l0"]
	ui, hh = make([]float64, H), make([]float64, H)
	for k := 0; k < H; k++ {
		r := g*H + k
		ui[k] = bih.Data[r]
		for j := range u {
			ui[k] += wih.Data[r*len(u)+j] * u[j]
		}
		hh[k] = bhh.Data[r]
		for j := 0; j < H; j++ {
			hh[k] += whh.Data[r*H+j] * h[j]
		}
	}
	return ui, hh
}

// refLayer returns G, D and F of a single-layer cell at (x, u).
func refLayer(c cells.TorchCell, x, u []float64) (g, d, f []float64) {
	sd := c.StateDict()
	H := c.Hidden()
	switch c.Kind() {
	case "RNN":
		f = torchref.Step(c, x, u)
		g, d = make([]float64, H), make([]float64, H)
		for k := range g {
			g[k], d[k] = f[k]-x[k], 1
		}
	case "GRU":
		ri, rh := gates(sd, 0, H, u, x)
		zi, zh := gates(sd, 1, H, u, x)
		g, d, f = make([]float64, H), make([]float64, H), make([]float64, H)
		r := make([]float64, H)
		for k := range r {
			r[k] = sig(ri[k] + rh[k])
		}
		ni, nh := gates(sd, 2, H, u, x)
		if gc, ok := c.(*cells.GRU); ok && gc.ResetBeforeLinear {
			// ONNX linear_before_reset = 0: n = tanh(W_n u + Wb_n + R_n (r⊙h) + Rb_n)
			rx := make([]float64, H)
			for k := range rx {
				rx[k] = r[k] * x[k]
			}
			_, nh = gates(sd, 2, H, u, rx) // R_n(r⊙h) + Rb_n
			for k := range g {
				n := math.Tanh(ni[k] + nh[k])
				g[k], d[k] = n-x[k], sig(-(zi[k] + zh[k]))
				z := sig(zi[k] + zh[k])
				f[k] = (1-z)*n + z*x[k]
			}
			return g, d, f
		}
		for k := range g {
			n := math.Tanh(ni[k] + r[k]*nh[k])
			g[k], d[k] = n-x[k], sig(-(zi[k] + zh[k]))
			z := sig(zi[k] + zh[k])
			f[k] = (1-z)*n + z*x[k]
		}
	case "LSTM":
		h, cc := x[:H], x[H:]
		ii, ih := gates(sd, 0, H, u, h)
		fi, fh := gates(sd, 1, H, u, h)
		gi, gh := gates(sd, 2, H, u, h)
		oi, oh := gates(sd, 3, H, u, h)
		g, d, f = make([]float64, 2*H), make([]float64, 2*H), make([]float64, 2*H)
		for k := 0; k < H; k++ {
			i, fg, gg, o := sig(ii[k]+ih[k]), sig(fi[k]+fh[k]), math.Tanh(gi[k]+gh[k]), sig(oi[k]+oh[k])
			c2 := fg*cc[k] + i*gg
			f[k], f[H+k] = o*math.Tanh(c2), c2
			g[k], d[k] = f[k]-h[k], 1
			g[H+k], d[H+k] = i*gg/sig(-(fi[k]+fh[k]))-cc[k], sig(-(fi[k] + fh[k]))
		}
	}
	return g, d, f
}

// refG is G, D and F of any built-in cell, stacks composed layer by layer.
func refG(c cells.Cell, x, u []float64) (g, d, f []float64) {
	s, ok := c.(*cells.Stack)
	if !ok {
		return refLayer(c.(cells.TorchCell), x, u)
	}
	in, off := u, 0
	for _, l := range s.Layers() {
		n := l.StateSize()
		gk, dk, fk := refLayer(l, x[off:off+n], in)
		g, d, f = append(g, gk...), append(d, dk...), append(f, fk...)
		in = fk[:l.Hidden()]
		off += n
	}
	return g, d, f
}

// testCells are the torchref cells, an ONNX-form GRU, and 2-layer stacks of
// each kind (the ONNX GRU's too), weights doubled to exercise saturation.
func testCells(t *testing.T) map[string]cells.Cell {
	out := map[string]cells.Cell{}
	for k, c := range torchref.Cells() {
		out[k] = c
	}
	onnx := cells.NewGRU(5, 3)
	onnx.InitUniform(9)
	onnx.ResetBeforeLinear = true
	scale(onnx, 2)
	out["gru-onnx"] = onnx
	for i, kind := range []string{"rnn", "gru", "lstm", "rnn_relu"} {
		s, err := cells.NewStack(kind, 4, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		for k, l := range s.Layers() {
			l.(interface{ InitUniform(uint64) }).InitUniform(uint64(10*i + k + 20))
		}
		scale(s, 2)
		out["stack-"+kind] = s
	}
	s, _ := cells.NewStack("gru", 4, 3, 2)
	for k, l := range s.Layers() {
		l.(interface{ InitUniform(uint64) }).InitUniform(uint64(k + 40))
		l.(*cells.GRU).ResetBeforeLinear = true
	}
	scale(s, 2)
	out["stack-gru-onnx"] = s
	return out
}

// namedCell is one of testCells in a fixed order, so that the tests' random
// points do not depend on map iteration order.
type namedCell struct {
	name string
	cell cells.Cell
}

func sortedCells(t *testing.T) []namedCell {
	m := testCells(t)
	out := make([]namedCell, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, namedCell{k, m[k]})
	}
	return out
}

func scale(c cells.Cell, k float64) {
	for _, p := range c.Params() {
		for i := range p.Data {
			p.Data[i] *= k
		}
	}
}

func randVec(rng *rand.Rand, n int, s float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = s * rng.NormFloat64()
	}
	return v
}

func box(x []float64, r float64) []interval.I {
	out := make([]interval.I, len(x))
	for i, v := range x {
		out[i] = interval.New(v-r, v+r)
	}
	return out
}

// TestFactorsAreTheEquations: at random points G and D enclose the
// reference's, and D⊙G is F − x.
func TestFactorsAreTheEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, nc := range sortedCells(t) {
		name, c := nc.name, nc.cell
		fc := c.(cells.Factored)
		for range 20 {
			x, u := randVec(rng, c.StateSize(), 1), randVec(rng, c.InputSize(), 1)
			g, d, f := refG(c, x, u)
			fs, err := fc.Factor(box(x, 0), u, false)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i := range g {
				// The reference's own rounding error is a few ulps; the
				// enclosure's width over a point box reaches ~840 ulps on the
				// two-layer LSTM (measured over 2000 random points per cell),
				// so 1e-12 (~4500 ulps) catches a lost tightness without
				// flaking.
				tol := 1e-13 * (1 + math.Abs(g[i]))
				if fs.G[i].Lo > g[i]+tol || fs.G[i].Hi < g[i]-tol || fs.G[i].Width() > 10*tol {
					t.Fatalf("%s: G[%d] = [%g, %g], reference %g", name, i, fs.G[i].Lo, fs.G[i].Hi, g[i])
				}
				if !(fs.D[i].Lo > 0) || math.Abs(fs.D[i].Mid()-d[i]) > 1e-13*d[i] {
					t.Fatalf("%s: D[%d] = [%g, %g], reference %g", name, i, fs.D[i].Lo, fs.D[i].Hi, d[i])
				}
				if r := fs.D[i].Mid() * fs.G[i].Mid(); math.Abs(r-(f[i]-x[i])) > 1e-12*(1+math.Abs(x[i])+math.Abs(g[i])) {
					t.Fatalf("%s: D⊙G = %g, F − x = %g at %d", name, r, f[i]-x[i], i)
				}
			}
		}
	}
}

// TestFactorJacobian: the enclosure of dG/dx over a small box holds the
// mean-value form G(y) − G(z) ∈ J·(y − z) for points of the box (what
// Krawczyk's test rests on), and at a point it matches central differences
// of the reference G.
func TestFactorJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, nc := range sortedCells(t) {
		name, c := nc.name, nc.cell
		fc := c.(cells.Factored)
		N := c.StateSize()
		for range 10 {
			x, u := randVec(rng, N, 1), randVec(rng, c.InputSize(), 1)
			const r = 1e-3
			fs, err := fc.Factor(box(x, r), u, true)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for range 5 {
				y, z := make([]float64, N), make([]float64, N)
				for i := range y {
					y[i] = x[i] + r*(2*rng.Float64()-1)
					z[i] = x[i] + r*(2*rng.Float64()-1)
				}
				gy, _, _ := refG(c, y, u)
				gz, _, _ := refG(c, z, u)
				for i := 0; i < N; i++ {
					s := interval.I{}
					for j := 0; j < N; j++ {
						s = interval.Add(s, interval.Mul(fs.J.At(i, j), interval.Point(y[j]-z[j])))
					}
					diff := gy[i] - gz[i]
					slack := 1e-13 * (1 + math.Abs(gy[i]))
					if diff < s.Lo-slack || diff > s.Hi+slack {
						t.Fatalf("%s: row %d: G(y) − G(z) = %g outside J·(y − z) = [%g, %g]", name, i, diff, s.Lo, s.Hi)
					}
				}
			}
			// at the point: J's midpoint against central differences
			fp, err := fc.Factor(box(x, 0), u, true)
			if err != nil {
				t.Fatal(err)
			}
			const h = 1e-6
			for j := 0; j < N; j++ {
				xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
				xp[j] += h
				xm[j] -= h
				gp, _, _ := refG(c, xp, u)
				gm, _, _ := refG(c, xm, u)
				for i := 0; i < N; i++ {
					fd := (gp[i] - gm[i]) / (2 * h)
					if got := fp.J.At(i, j); math.Abs(got.Mid()-fd) > 1e-6*(1+math.Abs(fd)) {
						t.Fatalf("%s: dG[%d]/dx[%d] = %g, central difference %g", name, i, j, got.Mid(), fd)
					}
				}
			}
		}
	}
}

// TestFactorSaturatedGRU: a z bias of 30 makes F − h ≈ 1e-13 everywhere,
// but D = σ(−a_z) is enclosed away from 0 and G = n − h keeps its size.
func TestFactorSaturatedGRU(t *testing.T) {
	c := cells.NewGRU(3, 0)
	c.InitUniform(3)
	for k := 0; k < 3; k++ {
		c.Params()[4*1+2].Data[k] = 30 // b_iz
	}
	x := []float64{0.5, -0.5, 0.2}
	fs, err := c.Factor(box(x, 0), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	g, _, f := refG(c, x, nil)
	for k := range x {
		if fs.D[k].Lo <= 0 || fs.D[k].Hi > 2e-13 {
			t.Errorf("D[%d] = [%g, %g], want about σ(−30) = 9.4e-14", k, fs.D[k].Lo, fs.D[k].Hi)
		}
		if math.Abs(f[k]-x[k]) > 2e-13 || math.Abs(fs.G[k].Mid()-g[k]) > 1e-14 || math.Abs(g[k]) < 1e-3 {
			t.Errorf("unit %d: F − h = %g, G = %g (reference %g)", k, f[k]-x[k], fs.G[k].Mid(), g[k])
		}
	}
}

// TestFactorOverflowIsAnError: weights that overflow float64 give
// ErrOverflow, not a finite enclosure and not a panic.
func TestFactorOverflowIsAnError(t *testing.T) {
	l := cells.NewLSTM(2, 1)
	l.Params()[4*1+2].Data[0] = 800 // b_if: e^{a_f} overflows in G_c = i⊙g⊙(1 + e^{a_f}) − c
	if _, err := l.Factor(box([]float64{0, 0, 0, 0}, 0), []float64{0}, true); !errors.Is(err, cells.ErrOverflow) {
		t.Errorf("LSTM with f bias 800: err = %v, want ErrOverflow", err)
	}
	v := cells.NewVanilla(2, 0, cells.ReLU)
	v.Params()[1].Data[0] = 1e308
	if _, err := v.Factor(box([]float64{1e10, 0}, 0), nil, true); !errors.Is(err, cells.ErrOverflow) {
		t.Errorf("relu RNN with weight 1e308 at h = 1e10: err = %v, want ErrOverflow", err)
	}
	// tanh saturates: the overflowing pre-activation gives the true, wide
	// G ∈ [−1, 1] − h, finite.
	v.Act = cells.Tanh
	if f, err := v.Factor(box([]float64{1e10, 0}, 0), nil, false); err != nil || !f.G[0].Contains(1-1e10) || f.G[0].Width() < 1 {
		t.Errorf("tanh RNN at overflow: G[0] = %v, err %v", f.G[0], err)
	}
	if _, err := v.Factor(box([]float64{1}, 0), nil, false); err == nil {
		t.Error("a box of the wrong size gave no error")
	}
}

// TestFactorDJacobian: for the cells whose D varies (GRU, LSTM, stacks of
// them), DJ encloses dD/dx over a small box: the mean-value form
// D(y) − D(z) ∈ DJ·(y − z) for points of the box, computed from the
// reference D; at a point DJ matches its central differences. Cells
// without DJ have the same D everywhere. So I + diag(D) J + diag(G) DJ
// encloses dF/dx, which orbits' proofs use.
func TestFactorDJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	varying := 0
	for _, nc := range sortedCells(t) {
		name, c := nc.name, nc.cell
		fc := c.(cells.Factored)
		N := c.StateSize()
		for range 10 {
			x, u := randVec(rng, N, 1), randVec(rng, c.InputSize(), 1)
			const r = 1e-3
			fs, err := fc.Factor(box(x, r), u, true)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for range 5 {
				y, z := make([]float64, N), make([]float64, N)
				for i := range y {
					y[i] = x[i] + r*(2*rng.Float64()-1)
					z[i] = x[i] + r*(2*rng.Float64()-1)
				}
				_, dy, _ := refG(c, y, u)
				_, dz, _ := refG(c, z, u)
				for i := 0; i < N; i++ {
					diff := dy[i] - dz[i]
					if fs.DJ.Rows == 0 {
						if diff != 0 {
							t.Fatalf("%s: no DJ, but D[%d] changes by %g in the box", name, i, diff)
						}
						continue
					}
					s := interval.I{}
					for j := 0; j < N; j++ {
						s = interval.Add(s, interval.Mul(fs.DJ.At(i, j), interval.Point(y[j]-z[j])))
					}
					slack := 1e-14
					if diff < s.Lo-slack || diff > s.Hi+slack {
						t.Fatalf("%s: row %d: D(y) − D(z) = %g outside DJ·(y − z) = [%g, %g]", name, i, diff, s.Lo, s.Hi)
					}
				}
			}
			if fs.DJ.Rows == 0 {
				continue
			}
			varying++
			fp, err := fc.Factor(box(x, 0), u, true)
			if err != nil {
				t.Fatal(err)
			}
			const h = 1e-6
			for j := 0; j < N; j++ {
				xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
				xp[j] += h
				xm[j] -= h
				_, dp, _ := refG(c, xp, u)
				_, dm, _ := refG(c, xm, u)
				for i := 0; i < N; i++ {
					fd := (dp[i] - dm[i]) / (2 * h)
					if got := fp.DJ.At(i, j); math.Abs(got.Mid()-fd) > 1e-6*(1+math.Abs(fd)) {
						t.Fatalf("%s: dD[%d]/dx[%d] = %g, central difference %g", name, i, j, got.Mid(), fd)
					}
				}
			}
		}
	}
	if varying < 50 {
		t.Errorf("%d boxes of cells with a varying D, want the GRUs', LSTMs' and their stacks'", varying)
	}
}

// TestPointFactors: the float64 point evaluation agrees with the reference
// G and D (plain-Go PyTorch formulas) to 1e-13 relative, and its dG/dx with
// the point enclosure of Factor (itself checked against the reference by
// TestFactorJacobian) to 1e-12, for every test cell (the built-in cells' own
// float64 path, the stacks' midpoint fallback) at ordinary and saturating
// points (states scaled up to 30); and a non-finite result is ErrOverflow.
func TestPointFactors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, nc := range sortedCells(t) {
		name, c := nc.name, nc.cell
		fc := c.(cells.Factored)
		N := c.StateSize()
		for k := range 40 {
			s := 1.0
			if k%4 == 3 {
				s = 30
			}
			x, u := randVec(rng, N, s), randVec(rng, c.InputSize(), 1)
			g, d, j, err := cells.PointFactors(fc, x, u, true)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rg, rd, _ := refG(c, x, u)
			for i := range rg {
				if math.Abs(g[i]-rg[i]) > 1e-13*(1+math.Abs(rg[i])) || math.Abs(d[i]-rd[i]) > 1e-13*rd[i] {
					t.Fatalf("%s: G[%d], D[%d] = %g, %g; reference %g, %g", name, i, i, g[i], d[i], rg[i], rd[i])
				}
			}
			fs, err := fc.Factor(box(x, 0), u, true)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < N; i++ {
				for l := 0; l < N; l++ {
					e := fs.J.At(i, l)
					if tol := 1e-12 * (1 + e.Mag()); j[i*N+l] < e.Lo-tol || j[i*N+l] > e.Hi+tol {
						t.Fatalf("%s: dG[%d]/dx[%d] = %g, enclosure [%g, %g]", name, i, l, j[i*N+l], e.Lo, e.Hi)
					}
				}
			}
			g2, d2, err := cells.Residuals(fc, x, u)
			if err != nil || !slices.Equal(g2, g) || !slices.Equal(d2, d) {
				t.Fatalf("%s: Residuals differ from PointFactors", name)
			}
		}
	}
	// An LSTM forget bias of 800: 1/(1 − f) = 1 + e^{800} overflows.
	l := cells.NewLSTM(2, 1)
	l.Params()[4*1+2].Data[0] = 800
	if _, _, _, err := cells.PointFactors(l, []float64{0, 0, 0, 0}, []float64{0}, false); !errors.Is(err, cells.ErrOverflow) {
		t.Errorf("LSTM with f = 1: %v, want ErrOverflow", err)
	}
	if _, _, _, err := cells.PointFactors(l, []float64{0, 0, 0}, []float64{0}, false); err == nil {
		t.Errorf("short point: no error")
	}
}

// TestFactorJacobianIsFactorsJ: the vanilla RNN's FactorJacobian returns
// Factor's J bit for bit, and fails exactly when Factor fails, on boxes
// from a point to radius 1e3, at saturating and overflowing weights, with
// huge, infinite and NaN states, for tanh and relu.
func TestFactorJacobianIsFactorsJ(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	same := func(a, b interval.Mat) bool {
		return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(bitsOf(a.Mid), bitsOf(b.Mid)) && slices.Equal(bitsOf(a.Rad), bitsOf(b.Rad))
	}
	fails, reused := 0, 0
	dst := interval.NewMat(6, 6)
	for _, act := range []cells.Nonlinearity{cells.Tanh, cells.ReLU} {
		for k, w := range []float64{1, 30, 1e306, math.NaN(), math.Inf(1), math.NaN(), math.Inf(-1)} {
			v := cells.NewVanilla(6, 2, act)
			v.InitUniform(3)
			switch {
			case k >= 5:
				// A bias of unit 2, whose recurrent row is zero: its
				// pre-activation is the entire line, and tanh' of it
				// enters no entry of dG/dx.
				v.Params()[2].Data[2] = w
				for i := range 6 {
					v.Params()[1].Data[i*6+2] = 0 // W_hh is stored transposed
				}
			case math.IsNaN(w) || math.IsInf(w, 0):
				v.Params()[1].Data[7] = w // one recurrent weight
			default:
				scale(v, w)
			}
			for _, sx := range []float64{0.5, 1e299, 1e301, math.Inf(1), math.NaN()} {
				for _, r := range []float64{0, 1e-12, 1e-3, 1, 1e3} {
					x := randVec(rng, 6, 0.5)
					x[rng.IntN(6)] = sx
					u := randVec(rng, 2, 1)
					b := box(x, r)
					f, ferr := v.Factor(b, u, true)
					j, jerr := v.FactorJacobian(b, u)
					if (ferr != nil) != (jerr != nil) || ferr != nil && errors.Is(ferr, cells.ErrOverflow) != errors.Is(jerr, cells.ErrOverflow) {
						t.Fatalf("act %v, w %g, x %g, r %g: Factor err %v, FactorJacobian err %v", act, w, sx, r, ferr, jerr)
					}
					if ferr != nil && act == cells.Tanh && math.Abs(sx) <= 1e299 {
						fails++ // on FactorJacobian's own path (not Factor's)
					}
					if f != nil && !same(f.J, j) {
						t.Fatalf("act %v, w %g, x %g, r %g: J differs", act, w, sx, r)
					}
					// FactorJacobianTo into a buffer holding the last box's
					// J and garbage: the same matrix and error, in dst.
					for i := range dst.Mid {
						if i%3 == 0 {
							dst.Mid[i], dst.Rad[i] = math.NaN(), math.Inf(1)
						}
					}
					jt, terr := v.FactorJacobianTo(dst, b, u)
					if (terr != nil) != (jerr != nil) || terr != nil && errors.Is(terr, cells.ErrOverflow) != errors.Is(jerr, cells.ErrOverflow) {
						t.Fatalf("act %v, w %g, x %g, r %g: FactorJacobian err %v, FactorJacobianTo err %v", act, w, sx, r, jerr, terr)
					}
					if jerr == nil && !same(j, jt) {
						t.Fatalf("act %v, w %g, x %g, r %g: FactorJacobianTo's J differs", act, w, sx, r)
					}
					if len(jt.Mid) > 0 && &jt.Mid[0] == &dst.Mid[0] {
						reused++
					}
					if len(jt.Mid) == 36 && len(jt.Rad) == 36 {
						dst = jt
					}
				}
			}
		}
	}
	if fails == 0 {
		t.Error("no box on FactorJacobian's own path made Factor fail: its error cases were not compared")
	}
	if reused == 0 {
		t.Error("FactorJacobianTo never wrote into its buffer: the reuse was not compared")
	}
}

// TestLSTMFactorJacobianIsFactorsJ: the LSTM's FactorJacobian returns
// Factor's J bit for bit, and fails exactly when Factor fails, on boxes
// from a point to radius 1e3, at saturating and overflowing weights (e^{a_f}
// overflows G_c), with non-finite forget weights and biases, and huge,
// infinite and NaN states.
func TestLSTMFactorJacobianIsFactorsJ(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	same := func(a, b interval.Mat) bool {
		return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(bitsOf(a.Mid), bitsOf(b.Mid)) && slices.Equal(bitsOf(a.Rad), bitsOf(b.Rad))
	}
	fails, jOnly, gOnly, passes := 0, 0, 0, 0
	for k, w := range []float64{1, 30, 1e3, 1e306, math.NaN(), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, 800} {
		l := cells.NewLSTM(4, 2)
		l.InitUniform(5)
		switch {
		case k == 9:
			// a_f of unit 1 is 800, and its rows of W_hi, W_hg and W_hf
			// are zero: e^{a_f} overflows G_c, and no entry of dG/dx.
			l.Params()[4*1+2].Data[1] = w
			for _, g := range []int{0, 1, 2} {
				for i := range 4 {
					l.Params()[4*g+1].Data[i*4+1] = 0
				}
			}
		case k == 8:
			// W_hi[1][0] huge and a_f of unit 1 near 690: at h_0 = 0,
			// G_c = i g (1 + e^{a_f}) − c is about 1e299, finite, while
			// ∂G_c/∂h_0 = (1 + e^{a_f}) g σ'(a_i) W_hi[1][0] overflows.
			l.Params()[4*0+1].Data[0*4+1] = w
			l.Params()[4*1+2].Data[1] = 690
		case k == 7:
			// The forget gate's bias of unit 1, whose row of W_hf is zero.
			l.Params()[4*1+2].Data[1] = w
			for i := range 4 {
				l.Params()[4*1+1].Data[i*4+1] = 0 // W_hf is stored transposed
			}
		case math.IsNaN(w) || math.IsInf(w, 0):
			l.Params()[4*1+1].Data[5] = w // one recurrent forget weight
		default:
			scale(l, w)
		}
		for _, sx := range []float64{0.5, 30, 1e299, 1e301, math.Inf(1), math.NaN()} {
			for _, r := range []float64{0, 1e-12, 1e-3, 1, 1e3} {
				x := randVec(rng, 8, 0.5)
				x[rng.IntN(8)] = sx
				if k == 8 {
					x[0] = 0
				}
				u := randVec(rng, 2, 1)
				b := box(x, r)
				f, ferr := l.Factor(b, u, true)
				j, jerr := l.FactorJacobian(b, u)
				if (ferr != nil) != (jerr != nil) || ferr != nil && errors.Is(ferr, cells.ErrOverflow) != errors.Is(jerr, cells.ErrOverflow) {
					t.Fatalf("w %g, x %g, r %g: Factor err %v, FactorJacobian err %v", w, sx, r, ferr, jerr)
				}
				if f != nil && !same(f.J, j) {
					t.Fatalf("w %g, x %g, r %g: J differs", w, sx, r)
				}
				if ferr != nil && f != nil {
					fails++ // Factor enclosed and failed: an overflow compared
					if allFiniteI(f.G) && allFiniteI(f.D) {
						jOnly++ // its G and D finite: only the Jacobians tell
					} else if f.J.IsFinite() && f.DJ.IsFinite() {
						gOnly++ // its Jacobians finite: only G and D tell
					}
				} else if ferr == nil {
					passes++
				}
			}
		}
	}
	if fails == 0 || jOnly == 0 || gOnly == 0 || passes == 0 {
		t.Errorf("%d boxes overflowed (%d with G and D finite, %d with the Jacobians finite), %d passed: not every case compared", fails, jOnly, gOnly, passes)
	}
}

func allFiniteI(v []interval.I) bool {
	for _, x := range v {
		if !x.IsFinite() {
			return false
		}
	}
	return true
}

func bitsOf(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

// TestGRUFactorJacobianIsFactorsJ: the GRU's FactorJacobian (both reset
// forms) returns Factor's J bit for bit, and FactorJacobianTo into a dirty
// buffer FactorJacobian's, and each fails exactly when Factor fails, on boxes from a point to radius 1e3, at saturating and
// overflowing weights, with non-finite update weights and biases (whose
// dD/dx only Factor reads), and huge, infinite and NaN states.
func TestGRUFactorJacobianIsFactorsJ(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	same := func(a, b interval.Mat) bool {
		return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(bitsOf(a.Mid), bitsOf(b.Mid)) && slices.Equal(bitsOf(a.Rad), bitsOf(b.Rad))
	}
	fails, jOnly, gOnly, passes, deferred, reused := 0, 0, 0, 0, 0, 0
	dst := interval.NewMat(4, 4)
	for _, rbl := range []bool{false, true} {
		for k, w := range []float64{1, 30, 1e3, 1e306, math.NaN(), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, 1e200} {
			g := cells.NewGRU(4, 2)
			g.InitUniform(5)
			g.ResetBeforeLinear = rbl
			switch {
			case k == 9:
				// One recurrent weight of the n gate huge: dn/dh overflows
				// where n, G and D stay finite.
				g.Params()[4*2+1].Data[0*4+1] = w
				g.Params()[4*0+1].Data[0*4+1] = w
			case k == 8:
				// Unit 1's column of every recurrent weight zero: its state
				// enters G only (G_1 = n_1 − h_1).
				for _, gi := range []int{0, 1, 2} {
					for i := range 4 {
						g.Params()[4*gi+1].Data[1*4+i] = 0
					}
				}
			case k == 7:
				// The update gate's bias of unit 1, whose row of W_hz is zero.
				g.Params()[4*1+2].Data[1] = w
				for i := range 4 {
					g.Params()[4*1+1].Data[i*4+1] = 0 // W_hz is stored transposed
				}
			case math.IsNaN(w) || math.IsInf(w, 0):
				g.Params()[4*1+1].Data[5] = w // one recurrent update weight
			default:
				scale(g, w)
			}
			for _, sx := range []float64{0.5, 30, 1e299, math.MaxFloat64, math.Inf(1), math.NaN()} {
				for _, r := range []float64{0, 1e-12, 1e-3, 1, 1e3, 1e300} {
					x := randVec(rng, 4, 0.5)
					x[rng.IntN(4)] = sx
					if k == 8 {
						x[1] = sx
					}
					u := randVec(rng, 2, 1)
					b := box(x, r)
					f, ferr := g.Factor(b, u, true)
					j, jerr := g.FactorJacobian(b, u)
					if (ferr != nil) != (jerr != nil) || ferr != nil && errors.Is(ferr, cells.ErrOverflow) != errors.Is(jerr, cells.ErrOverflow) {
						t.Fatalf("rbl %v, w %g, x %g, r %g: Factor err %v, FactorJacobian err %v", rbl, w, sx, r, ferr, jerr)
					}
					if f != nil && !same(f.J, j) {
						t.Fatalf("rbl %v, w %g, x %g, r %g: J differs", rbl, w, sx, r)
					}
					// FactorJacobianTo into a buffer holding the last box's
					// J and garbage: the same matrix and error, in dst.
					for i := range dst.Mid {
						if i%3 == 0 {
							dst.Mid[i], dst.Rad[i] = math.NaN(), math.Inf(1)
						}
					}
					jt, terr := g.FactorJacobianTo(dst, b, u)
					if (terr != nil) != (jerr != nil) || terr != nil && errors.Is(terr, cells.ErrOverflow) != errors.Is(jerr, cells.ErrOverflow) {
						t.Fatalf("rbl %v, w %g, x %g, r %g: FactorJacobian err %v, FactorJacobianTo err %v", rbl, w, sx, r, jerr, terr)
					}
					if !same(j, jt) {
						t.Fatalf("rbl %v, w %g, x %g, r %g: FactorJacobianTo's J differs", rbl, w, sx, r)
					}
					if len(jt.Mid) > 0 && &jt.Mid[0] == &dst.Mid[0] {
						reused++
					}
					if len(jt.Mid) == 16 && len(jt.Rad) == 16 {
						dst = jt
					}
					if f != nil && !f.DJ.IsFinite() {
						deferred++ // only Factor's dD/dx overflowed
					}
					if ferr != nil && f != nil {
						fails++
						if allFiniteI(f.G) && allFiniteI(f.D) {
							jOnly++ // its G and D finite: only the Jacobians tell
						} else if f.J.IsFinite() && f.DJ.IsFinite() {
							gOnly++ // its Jacobians finite: only G and D tell
						}
					} else if ferr == nil {
						passes++
					}
				}
			}
		}
	}
	t.Logf("%d failed (%d J only, %d G only), %d dD/dx, %d passed, %d in the buffer", fails, jOnly, gOnly, deferred, passes, reused)
	if reused == 0 {
		t.Error("FactorJacobianTo never wrote into its buffer: the reuse was not compared")
	}
	if fails == 0 || jOnly == 0 || gOnly == 0 || passes == 0 || deferred == 0 {
		t.Errorf("%d boxes overflowed (%d with G and D finite, %d with the Jacobians finite, %d with dD/dx not finite), %d passed: not every case compared", fails, jOnly, gOnly, deferred, passes)
	}
}

// TestSigmoidDerivIsEven: the GRU's enclosures take σ'(a_z) from
// SigmoidSet(−a_z) (with D = σ(−a_z)): SigmoidDeriv of −x is SigmoidDeriv
// of x bit for bit, at ±0, infinite and NaN ends, the exponentials' range
// limits and random ones.
func TestSigmoidDerivIsEven(t *testing.T) {
	ends := []float64{0, math.Copysign(0, -1), 5e-324, 0.3, 1, 36, 709.8, 710.5, 745.9, 746.5, 1e10, math.Inf(1), math.NaN()}
	rng := rand.New(rand.NewPCG(11, 12))
	var vals []float64
	for _, v := range ends {
		vals = append(vals, v, -v)
	}
	for range 100 {
		vals = append(vals, rng.NormFloat64()*math.Exp2(float64(rng.IntN(20)-10)))
	}
	n := 0
	for _, a := range vals {
		for _, b := range vals {
			if a > b {
				continue
			}
			x := interval.I{Lo: a, Hi: b}
			s, d, _, _ := interval.SigmoidSet(interval.Neg(x), false)
			want, wantS := interval.SigmoidDeriv(x), interval.Sigmoid(interval.Neg(x))
			if !slices.Equal(bitsOf([]float64{d.Lo, d.Hi, s.Lo, s.Hi}), bitsOf([]float64{want.Lo, want.Hi, wantS.Lo, wantS.Hi})) {
				t.Fatalf("[%v, %v]: SigmoidSet(−x) gives σ' %v and σ(−x) %v, want %v and %v", a, b, d, s, want, wantS)
			}
			n++
		}
	}
	if n < 5000 {
		t.Fatalf("only %d intervals compared", n)
	}
}
