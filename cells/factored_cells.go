package cells

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/internal/interval"
)

// Factor implements Factored: D = 1, G = act(W_hh h + W_ih u + b) − h.
func (c *Vanilla) Factor(x []interval.I, u []float64, jac bool) (*Factors, error) {
	if err := checkBox(c, x, u); err != nil {
		return nil, err
	}
	return finish(c.factorLayer(x, pointBox(u), jac, false))
}

func (c *Vanilla) factorLayer(x, in []interval.I, jac, forStack bool) layerFactors {
	H, M := c.hidden, c.inputs
	a := c.pre(0, x, in, true)
	var f, s []interval.I
	switch {
	case c.Act == ReLU:
		f = mapI(a, interval.ReLU)
		if jac {
			s = mapI(a, interval.ReLUDeriv)
		}
	default:
		// tanh and tanh' from one exponential at an end where
		// interval.TanhSet shares it (the same bits as Tanh, TanhDeriv).
		f, s = (*ivArena)(nil).tanhSet(a, jac)
	}
	lf := layerFactors{n: H, m: M, h: H, wantJ: jac, G: zipI(f, x, interval.Sub), D: ones(H), Fh: f}
	if !jac {
		return lf
	}
	_, wih := c.gateWeights(0)
	fhx := c.dFdx(vec(s))
	lf.Gx = fhx // dG/dx = dF/dx − I, in place unless a stack needs dF/dx too
	if forStack {
		lf.Fhx, lf.Gx = fhx, fhx.Clone()
	}
	lf.Gx.AddDiag(0, 0, negOnes(H))
	if forStack {
		lf.Fhin = interval.NewMat(H, M)
		lf.Fhin.AddScaledRowsT(0, 0, vec(s), wih)
		lf.Gin = lf.Fhin
	}
	return lf
}

// dFdx encloses dF/dx = diag(act'(a)) W_hh from s, the enclosure of act'(a)
// in midpoint–radius form.
func (c *Vanilla) dFdx(s interval.Vec) interval.Mat {
	return c.dFdxTo(interval.Mat{}, s)
}

// dFdxTo is dFdx in dst when dst is H×H with radii (every value of dst is
// overwritten: it is zeroed, then the products are added as dFdx adds
// them to a new matrix), else in a new matrix.
func (c *Vanilla) dFdxTo(dst interval.Mat, s interval.Vec) interval.Mat {
	whh, _ := c.gateWeights(0)
	n := c.hidden * c.hidden
	m := dst
	if m.Rows != c.hidden || m.Cols != c.hidden || len(m.Mid) != n || len(m.Rad) != n {
		m = interval.NewMat(c.hidden, c.hidden)
	} else {
		clear(m.Mid)
		clear(m.Rad)
	}
	m.AddScaledRowsT(0, 0, s, whh)
	return m
}

// FactorJacobian implements JacobianFactored: Factor's dG/dx = diag(tanh'(a))
// W_hh − I, computed as Factor computes it, without G. Factor fails when G,
// D or dG/dx is not finite. D = 1, and G = tanh(a) − x lies in [−1, 1] − x,
// finite while |x| <= 1e300 and no end of a is NaN (package interval makes
// a NaN the entire line; a NaN end, which tanh'(a_i) would not carry into
// dG/dx through a zero row of W_hh, goes to Factor): then Factor fails
// exactly when dG/dx is not finite. |x| > 1e300 and relu (whose G is
// unbounded) take Factor's J.
func (c *Vanilla) FactorJacobian(x []interval.I, u []float64) (interval.Mat, error) {
	return c.FactorJacobianTo(interval.Mat{}, x, u)
}

// FactorJacobianTo implements JacobianFactoredTo: FactorJacobian, written
// into dst when dst is N×N with radii (Factor's J, where FactorJacobian
// takes it, is a new matrix).
func (c *Vanilla) FactorJacobianTo(dst interval.Mat, x []interval.I, u []float64) (interval.Mat, error) {
	factors := func() (interval.Mat, error) {
		f, err := c.Factor(x, u, true)
		if f == nil {
			return interval.Mat{}, err
		}
		return f.J, err
	}
	if c.Act != Tanh || !moderate(x) {
		return factors()
	}
	if err := checkBox(c, x, u); err != nil {
		return interval.Mat{}, err
	}
	// pre's, dFdx's and AddDiag's vectors from one arena (pre's
	// conversions as interval.VecOf makes them; −I's radii nil, read as
	// the zeros negOnes holds): the proofs' uniqueness searches take a
	// Jacobian per box. 12H + 2M floats: x's and u's conversions, W_hh x
	// (a box's), W_ih u with the compensated sums, tanh' and −I.
	H := c.hidden
	ar := ivArena{buf: make([]interval.I, 2*H), fl: make([]float64, 12*H+2*c.inputs)}
	var inv interval.Vec
	if c.inputs > 0 {
		inv = ar.vec(pointBox(u))
	}
	a := c.preVec(&ar, 0, ar.vec(x), inv, true)
	for _, v := range a {
		if math.IsNaN(v.Lo) || math.IsNaN(v.Hi) {
			return factors()
		}
	}
	s := interval.Vec{Mid: ar.floats(H), Rad: ar.floats(H)}
	for i, v := range a {
		s.Mid[i], s.Rad[i] = interval.MidRad(interval.TanhDeriv(v))
	}
	j := c.dFdxTo(dst, s)
	j.AddDiag(0, 0, ar.pointVec(H, -1))
	if !j.IsFinite() {
		return j, fmt.Errorf("cells: factor: %w", ErrOverflow)
	}
	return j, nil
}

// moderate reports whether every end of x is within ±1e300 (not NaN).
func moderate(x []interval.I) bool {
	for _, v := range x {
		if !(math.Abs(v.Lo) <= 1e300 && math.Abs(v.Hi) <= 1e300) {
			return false
		}
	}
	return true
}

// Factor implements Factored: D = 1 − z = σ(−a_z), G = n − h, in the cell's
// own reset form (ResetBeforeLinear for ONNX's linear_before_reset = 0);
// DJ = −diag(σ'(a_z)) W_hz.
func (c *GRU) Factor(x []interval.I, u []float64, jac bool) (*Factors, error) {
	if err := checkBox(c, x, u); err != nil {
		return nil, err
	}
	return finish(c.factorLayer(x, pointBox(u), jac, false))
}

// FactorJacobian implements JacobianFactored: Factor's dG/dx, computed as
// Factor computes it, without Factor's dD/dx = −diag(σ'(a_z)) W_hz (an
// N x N enclosure Krawczyk's uniqueness tests never read). Factor fails
// when G, D, dG/dx or dD/dx is not finite; dD/dx is finite when σ'(a_z)
// is (then within [0, 1/4]) and W_hz is: otherwise Factor decides.
func (c *GRU) FactorJacobian(x []interval.I, u []float64) (interval.Mat, error) {
	return c.FactorJacobianTo(interval.Mat{}, x, u)
}

// FactorJacobianTo implements JacobianFactoredTo: FactorJacobian, written
// into dst when dst is N×N with radii (Factor's J, where FactorJacobian
// takes it, is a new matrix).
func (c *GRU) FactorJacobianTo(dst interval.Mat, x []interval.I, u []float64) (interval.Mat, error) {
	if err := checkBox(c, x, u); err != nil {
		return interval.Mat{}, err
	}
	lf := c.factorGRU(dst, x, pointBox(u), true, false, false)
	if !allFinite(lf.G) || !allFinite(lf.D) || !lf.Gx.IsFinite() {
		return lf.Gx, fmt.Errorf("cells: factor: %w", ErrOverflow)
	}
	if whz, _ := c.gateWeights(1); !allFinite(lf.df) || !finiteFloats(whz) {
		f, err := c.Factor(x, u, true)
		if f == nil {
			return interval.Mat{}, err
		}
		return f.J, err
	}
	return lf.Gx, nil
}

// zeroMat is dst zeroed when it is rows×cols with radii, else a new zero
// matrix (interval.NewMat).
func zeroMat(dst interval.Mat, rows, cols int) interval.Mat {
	n := rows * cols
	if dst.Rows != rows || dst.Cols != cols || len(dst.Mid) != n || len(dst.Rad) != n {
		return interval.NewMat(rows, cols)
	}
	clear(dst.Mid)
	clear(dst.Rad)
	return dst
}

func (c *GRU) factorLayer(x, in []interval.I, jac, forStack bool) layerFactors {
	return c.factorGRU(interval.Mat{}, x, in, jac, forStack, true)
}

// factorGRU is factorLayer, with dD/dx only when withDx (FactorJacobian
// has no use for it); lf.df is then σ'(a_z). dn/dh, and dG/dx made from it
// in place, take dst's storage when it is H×H with radii (zeroed first,
// as a new matrix is): a single layer's only.
func (c *GRU) factorGRU(dst interval.Mat, x, in []interval.I, jac, forStack, withDx bool) layerFactors {
	H, M := c.hidden, c.inputs
	// The intermediate vectors (19 of H for one layer, more for a stack's)
	// from one allocation, and with the Jacobians their midpoint–radius
	// forms (16 of H at most for one layer) from another.
	iv := ivArena{buf: make([]interval.I, 20*H)}
	if jac {
		iv.fl = make([]float64, 16*H)
	}
	mapI := func(x []interval.I, f func(interval.I) interval.I) []interval.I { return iv.mapI(x, f) }
	zipI := func(x, y []interval.I, f func(a, b interval.I) interval.I) []interval.I { return iv.zipI(x, y, f) }
	var inv interval.Vec // x and in converted once for the gates
	if M > 0 {
		inv = interval.VecOf(in)
	}
	xv := interval.VecOf(x)
	ar := c.preVec(&iv, 0, xv, inv, true)
	az := c.preVec(&iv, 1, xv, inv, true)
	// σ and σ' of a_r, and D = σ(−a_z) and σ'(−a_z) = σ'(a_z) (σ' is even:
	// SigmoidDeriv takes |a_z|'s bounds), from one pair of exponentials
	// each (interval.SigmoidSet, the same bits).
	r, dr, _, _ := iv.sigmoidSet(ar, false)
	omz, dz, _, _ := iv.sigmoidSet(mapI(az, interval.Neg), false)
	whn, win := c.gateWeights(2)
	whr, wir := c.gateWeights(0)
	bin, bhn := c.params[4*2+2].Data, c.params[4*2+3].Data
	var xin []interval.I
	if M > 0 {
		xin = affineEncVec(&iv, win, H, inv, bin)
	} else {
		xin = iv.take(H)
		for k := range xin {
			xin[k] = interval.Point(bin[k])
		}
	}
	var an, hn []interval.I
	if c.ResetBeforeLinear {
		// n = tanh(W_in u + b_in + W_hn (r⊙h) + b_hn)
		an = zipI(xin, affineEncVec(&iv, whn, H, iv.vec(zipI(r, x, interval.Mul)), bhn), interval.Add)
	} else {
		// n = tanh(W_in u + b_in + r⊙(W_hn h + b_hn))
		hn = affineEncVec(&iv, whn, H, xv, bhn)
		an = zipI(xin, zipI(r, hn, interval.Mul), interval.Add)
	}
	n, dn := iv.tanhSet(an, jac) // tanh' for the Jacobians
	lf := layerFactors{n: H, m: M, h: H, wantJ: jac, G: zipI(n, x, interval.Sub), D: omz}
	var z []interval.I
	if forStack {
		// F = n + z⊙(h − n)
		z = mapI(az, interval.Sigmoid)
		lf.Fh = zipI(n, zipI(z, zipI(x, n, interval.Sub), interval.Mul), interval.Add)
	}
	if !jac {
		return lf
	}
	// nx = dn/dh, nin = dn/du (before the diag(n') row scaling).
	nx, nin := zeroMat(dst, H, H), interval.NewMat(H, M)
	if c.ResetBeforeLinear {
		// dn/dh = diag(n')·W_hn·(diag(r) + diag(h⊙r')·W_hr)
		inner := interval.NewMat(H, H)
		inner.AddDiag(0, 0, iv.vec(r))
		hr := zipI(x, dr, interval.Mul)
		inner.AddScaledRowsT(0, 0, iv.vec(hr), whr)
		whnRows := weightRows(c.params[4*2+1])
		nx = interval.MatMulTo(nx, whnRows, inner, make([]float64, interval.MatMulWork(whnRows, inner)))
		if M > 0 {
			// dn/du = diag(n')·(W_in + W_hn·diag(h⊙r')·W_ir)
			innerIn := interval.NewMat(H, M)
			innerIn.AddScaledRowsT(0, 0, iv.vec(hr), wir)
			nin = interval.MatMul(whnRows, innerIn)
			nin.AddScaledRowsT(0, 0, iv.pointVec(H, 1), win)
		}
	} else {
		// dn/dh = diag(n')·(diag(r)·W_hn + diag(hn⊙r')·W_hr)
		nx.AddScaledRowsT(0, 0, iv.vec(r), whn)
		hr := zipI(hn, dr, interval.Mul)
		nx.AddScaledRowsT(0, 0, iv.vec(hr), whr)
		if M > 0 {
			nin.AddScaledRowsT(0, 0, iv.pointVec(H, 1), win)
			nin.AddScaledRowsT(0, 0, iv.vec(hr), wir)
		}
	}
	nx.ScaleRows(iv.vec(dn))
	nin.ScaleRows(iv.vec(dn))
	lf.Gx = nx // a copy only when a stack needs dn/dx below
	if forStack {
		lf.Gx = nx.Clone()
	}
	lf.Gx.AddDiag(0, 0, iv.pointVec(H, -1))
	lf.df = dz
	if !withDx {
		return lf
	}
	// D = σ(−a_z): dD/da_z = −σ'(a_z).
	mdz := iv.vec(mapI(dz, interval.Neg))
	whz, wiz := c.gateWeights(1)
	lf.Dx = interval.NewMat(H, H)
	lf.Dx.AddScaledRowsT(0, 0, mdz, whz)
	if forStack {
		lf.Din = interval.NewMat(H, M)
		lf.Din.AddScaledRowsT(0, 0, mdz, wiz)
		lf.Gin = nin
		// dF = (1−z)⊙dn + z⊙dh + (h−n)⊙z'⊙da_z
		hz := zipI(zipI(x, n, interval.Sub), dz, interval.Mul)
		lf.Fhx = nx.Clone()
		lf.Fhx.ScaleRows(iv.vec(omz))
		lf.Fhx.AddDiag(0, 0, iv.vec(z))
		lf.Fhx.AddScaledRowsT(0, 0, iv.vec(hz), whz)
		lf.Fhin = nin.Clone()
		lf.Fhin.ScaleRows(iv.vec(omz))
		lf.Fhin.AddScaledRowsT(0, 0, iv.vec(hz), wiz)
	}
	return lf
}

// Factor implements Factored for the state [h; c]: h rows D = 1,
// G_h = o⊙tanh(f⊙c + i⊙g) − h; c rows D = 1 − f = σ(−a_f),
// G_c = i⊙g⊙(1 + e^{a_f}) − c (= i⊙g/(1 − f) − c, without the division).
func (c *LSTM) Factor(x []interval.I, u []float64, jac bool) (*Factors, error) {
	if err := checkBox(c, x, u); err != nil {
		return nil, err
	}
	return finish(c.factorLayer(x, pointBox(u), jac, false))
}

// FactorJacobian implements JacobianFactored: Factor's dG/dx, computed as
// Factor computes it, without Factor's dD/dx (an N x N enclosure, the
// more costly half of what Factor adds to dG/dx). Factor fails when G, D,
// dG/dx or dD/dx is not finite; dD/dx = −diag(σ'(a_f)) W_hf is finite
// when σ'(a_f) is (then within [0, 1/4]) and W_hf is: otherwise Factor
// decides.
func (c *LSTM) FactorJacobian(x []interval.I, u []float64) (interval.Mat, error) {
	if err := checkBox(c, x, u); err != nil {
		return interval.Mat{}, err
	}
	lf := c.factorLSTM(x, pointBox(u), true, false, false)
	if !allFinite(lf.G) || !allFinite(lf.D) || !lf.Gx.IsFinite() {
		return lf.Gx, fmt.Errorf("cells: factor: %w", ErrOverflow)
	}
	if whf, _ := c.gateWeights(1); !allFinite(lf.df) || !finiteFloats(whf) {
		f, err := c.Factor(x, u, true)
		if f == nil {
			return interval.Mat{}, err
		}
		return f.J, err
	}
	return lf.Gx, nil
}

// finiteFloats reports whether every value of v is finite.
func finiteFloats(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func (c *LSTM) factorLayer(x, in []interval.I, jac, forStack bool) layerFactors {
	return c.factorLSTM(x, in, jac, forStack, true)
}

// ivArena hands out interval vectors from one buffer (a new one when it
// runs out), and midpoint–radius vectors from another: a gated cell's
// enclosure's intermediate vectors were as many allocations.
type ivArena struct {
	buf []interval.I
	fl  []float64
}

// take returns n intervals of the buffer (zero, or as the buffer held them:
// callers write every one); a nil arena allocates them.
func (a *ivArena) take(n int) []interval.I {
	if a == nil {
		return make([]interval.I, n)
	}
	if len(a.buf) < n {
		a.buf = make([]interval.I, max(n, 8*n))
	}
	out := a.buf[:n:n]
	a.buf = a.buf[n:]
	return out
}

// floats returns n floats of the arena's float buffer (as take).
func (a *ivArena) floats(n int) []float64 {
	if len(a.fl) < n {
		a.fl = make([]float64, max(n, 8*n))
	}
	out := a.fl[:n:n]
	a.fl = a.fl[n:]
	return out
}

// vec is the package's vec (interval.VecOf) into the arena.
func (a *ivArena) vec(x []interval.I) interval.Vec {
	v := interval.Vec{Mid: a.floats(len(x)), Rad: a.floats(len(x))}
	for i, e := range x {
		v.Mid[i], v.Rad[i] = interval.MidRad(e)
	}
	return v
}

// pointVec is n copies of the point c, with no radii (vec of n points c
// but for the nil Rad, which the matrix methods read as zeros).
func (a *ivArena) pointVec(n int, c float64) interval.Vec {
	v := interval.Vec{Mid: a.floats(n)}
	for i := range v.Mid {
		v.Mid[i] = c
	}
	return v
}

// mapI is the package's mapI into the arena.
func (a *ivArena) mapI(x []interval.I, f func(interval.I) interval.I) []interval.I {
	out := a.take(len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

// zipI is the package's zipI into the arena.
func (a *ivArena) zipI(x, y []interval.I, f func(a, b interval.I) interval.I) []interval.I {
	out := a.take(len(x))
	for i := range x {
		out[i] = f(x[i], y[i])
	}
	return out
}

// tanhSet is tanh of each of a, and with deriv tanh' too, from one
// exponential at an end where interval.TanhSet shares it (the same bits).
func (ar *ivArena) tanhSet(a []interval.I, deriv bool) (t, d []interval.I) {
	if !deriv {
		return ar.mapI(a, interval.Tanh), nil
	}
	t, d = ar.take(len(a)), ar.take(len(a))
	for k, v := range a {
		t[k], d[k] = interval.TanhSet(v)
	}
	return t, d
}

// sigmoidSet is interval.SigmoidSet of each of a: σ(a) and σ'(a), and with
// more σ(−a) and e^a.
func (ar *ivArena) sigmoidSet(a []interval.I, more bool) (s, d, neg, e []interval.I) {
	s, d = ar.take(len(a)), ar.take(len(a))
	if more {
		neg, e = ar.take(len(a)), ar.take(len(a))
	}
	for k, v := range a {
		if more {
			s[k], d[k], neg[k], e[k] = interval.SigmoidSet(v, true)
		} else {
			s[k], d[k], _, _ = interval.SigmoidSet(v, false)
		}
	}
	return s, d, neg, e
}

// lstmFhxApart makes factorLSTM build ∂F_h/∂x apart for a single layer
// too, as it did before SettleBlock: the tests compare the two bit for
// bit.
var lstmFhxApart = false

// factorLSTM is factorLayer, with dD/dx only when withDx (FactorJacobian
// has no use for it); lf.df is then σ'(a_f).
func (c *LSTM) factorLSTM(x, in []interval.I, jac, forStack, withDx bool) layerFactors {
	H, M, N := c.hidden, c.inputs, 2*c.hidden
	h, cc := x[:H], x[H:]
	// The intermediate vectors (about 43 of H each) from one allocation.
	ar := ivArena{buf: make([]interval.I, 44*H)}
	mapI := func(x []interval.I, f func(interval.I) interval.I) []interval.I { return ar.mapI(x, f) }
	zipI := func(x, y []interval.I, f func(a, b interval.I) interval.I) []interval.I { return ar.zipI(x, y, f) }
	var inv interval.Vec // h and in converted once for the four gates
	if M > 0 {
		inv = interval.VecOf(in)
	}
	hv := interval.VecOf(h)
	ai, af, ag, ao := c.preVec(&ar, 0, hv, inv, true), c.preVec(&ar, 1, hv, inv, true), c.preVec(&ar, 2, hv, inv, true), c.preVec(&ar, 3, hv, inv, true)
	// σ and σ' of the gates i, f, o (and σ(−a_f), e^{a_f}) from one pair
	// of exponentials each (interval.SigmoidSet, the same bits).
	i, di, _, _ := ar.sigmoidSet(ai, false)
	f, df, nf, ef := ar.sigmoidSet(af, true) // nf = σ(−a_f) = 1 − f
	o, do, _, _ := ar.sigmoidSet(ao, false)
	g, dg := ar.tanhSet(ag, jac)
	q := mapI(ef, func(e interval.I) interval.I { return interval.AddScalar(e, 1) }) // 1/(1 − f)
	ig := zipI(i, g, interval.Mul)
	c2 := zipI(zipI(f, cc, interval.Mul), ig, interval.Add) // c' = f⊙c + i⊙g
	tc, dtc := ar.tanhSet(c2, jac)
	fh := zipI(o, tc, interval.Mul)
	lf := layerFactors{n: N, m: M, h: H, wantJ: jac, Fh: fh}
	lf.G = append(zipI(fh, h, interval.Sub), zipI(zipI(ig, q, interval.Mul), cc, interval.Sub)...)
	lf.D = append(ones(H), nf...)
	if !jac {
		return lf
	}
	otc := zipI(o, dtc, interval.Mul) // o⊙tanh'(c')
	type gate struct {
		s  []interval.I // row scaling of this gate's pre-activation derivative
		gi int
	}
	// ∂F_h/∂a: o'⊙tanh(c') on a_o; o⊙tanh'(c')⊙(c⊙f', g⊙i', i⊙g') on a_f, a_i, a_g.
	hGates := []gate{
		{zipI(do, tc, interval.Mul), 3},
		{zipI(otc, zipI(cc, df, interval.Mul), interval.Mul), 1},
		{zipI(otc, zipI(g, di, interval.Mul), interval.Mul), 0},
		{zipI(otc, zipI(i, dg, interval.Mul), interval.Mul), 2},
	}
	// ∂G_c/∂a: q⊙g⊙i' on a_i, q⊙i⊙g' on a_g, i⊙g⊙e^{a_f} on a_f.
	cGates := []gate{
		{zipI(q, zipI(g, di, interval.Mul), interval.Mul), 0},
		{zipI(q, zipI(i, dg, interval.Mul), interval.Mul), 2},
		{zipI(ig, ef, interval.Mul), 1},
	}
	// ∂F_h/∂x, H x N, in a matrix of its own for a stack (lf.Fhx), added
	// to dG/dx's zero rows; else built in those rows and settled as the
	// addition would leave it (the same bits).
	lf.Gx = interval.NewMat(N, N)
	apart := forStack || lstmFhxApart
	fhx := interval.Mat{Rows: H, Cols: N, Mid: lf.Gx.Mid[:H*N], Rad: lf.Gx.Rad[:H*N]}
	if apart {
		fhx = interval.NewMat(H, N)
	}
	for _, gt := range hGates {
		whh, _ := c.gateWeights(gt.gi)
		fhx.AddScaledRowsT(0, 0, vec(gt.s), whh)
	}
	fhx.AddDiag(0, H, vec(zipI(otc, f, interval.Mul))) // ∂F_h/∂c = o⊙tanh'(c')⊙f
	if apart {
		lf.Gx.AddBlock(0, 0, fhx)
	} else {
		lf.Gx.SettleBlock(0, 0, H, N)
	}
	lf.Gx.AddDiag(0, 0, negOnes(H))
	for _, gt := range cGates {
		whh, _ := c.gateWeights(gt.gi)
		lf.Gx.AddScaledRowsT(H, 0, vec(gt.s), whh)
	}
	lf.Gx.AddDiag(H, H, negOnes(H))
	// c rows: D = σ(−a_f), dD/da_f = −σ'(a_f); a_f depends on h only.
	lf.df = df
	if !withDx {
		return lf
	}
	mdf := vec(mapI(df, interval.Neg))
	whf, wif := c.gateWeights(1)
	lf.Dx = interval.NewMat(N, N)
	lf.Dx.AddScaledRowsT(H, 0, mdf, whf)
	if forStack {
		lf.Din = interval.NewMat(N, M)
		lf.Din.AddScaledRowsT(H, 0, mdf, wif)
		lf.Fhx = fhx
		lf.Fhin = interval.NewMat(H, M)
		lf.Gin = interval.NewMat(N, M)
		for _, gt := range hGates {
			_, wih := c.gateWeights(gt.gi)
			lf.Fhin.AddScaledRowsT(0, 0, vec(gt.s), wih)
		}
		lf.Gin.AddBlock(0, 0, lf.Fhin)
		for _, gt := range cGates {
			_, wih := c.gateWeights(gt.gi)
			lf.Gin.AddScaledRowsT(H, 0, vec(gt.s), wih)
		}
	}
	return lf
}

// Factor implements Factored: layer k's rows are G_k(x_k, in_k), in_k being
// layer k−1's new h (the stack's u for layer 0), D likewise; dG/dx is the
// chain rule through the layers' new h, block lower triangular.
func (s *Stack) Factor(x []interval.I, u []float64, jac bool) (*Factors, error) {
	if err := checkBox(s, x, u); err != nil {
		return nil, err
	}
	N := s.StateSize()
	out := layerFactors{n: N, wantJ: jac}
	if jac {
		out.Gx = interval.NewMat(N, N)
		out.Dx = interval.NewMat(N, N) // rows of layers whose D is constant stay zero
	}
	in := pointBox(u)
	varying := false     // some layer's D depends on its state or input
	var dIn interval.Mat // d in_k / dx, rows(in_k) × N; empty while in_k = u
	off := 0
	for k, l := range s.layers {
		n := l.StateSize()
		lf := l.(layer).factorLayer(x[off:off+n], in, jac, true)
		out.G = append(out.G, lf.G...)
		out.D = append(out.D, lf.D...)
		if jac {
			out.Gx.AddBlock(off, off, lf.Gx)
			if lf.Dx.Rows > 0 {
				out.Dx.AddBlock(off, off, lf.Dx)
				varying = true
			}
			var next interval.Mat
			if dIn.Rows > 0 {
				out.Gx.AddBlock(off, 0, interval.MatMul(lf.Gin, dIn))
				if lf.Din.Rows > 0 {
					out.Dx.AddBlock(off, 0, interval.MatMul(lf.Din, dIn))
				}
				next = interval.MatMul(lf.Fhin, dIn)
			} else {
				next = interval.NewMat(lf.h, N)
			}
			if k+1 < len(s.layers) {
				next.AddBlock(0, off, lf.Fhx)
				dIn = next
			}
		}
		in = lf.Fh
		off += n
	}
	if !varying {
		out.Dx = interval.Mat{}
	}
	return finish(out)
}

// The built-in cells are Factored.
var (
	_ Factored = (*Vanilla)(nil)
	_ Factored = (*GRU)(nil)
	_ Factored = (*LSTM)(nil)
	_ Factored = (*Stack)(nil)
)

// Plain float64 evaluations at a point (PointFactors), the same formulas as
// the enclosures above.

func (c *Vanilla) factorPoint(x, u []float64, jac bool) (g, d, j []float64) {
	H := c.hidden
	a := c.preAt(0, x, u, true)
	g, d = make([]float64, H), make([]float64, H)
	s := make([]float64, H)
	for i, ai := range a {
		d[i] = 1
		if c.Act == ReLU {
			g[i] = math.Max(ai, 0) - x[i]
			switch {
			case ai > 0:
				s[i] = 1
			case ai == 0:
				s[i] = 0.5 // the midpoint of the Clarke derivative [0, 1]
			}
		} else {
			g[i] = math.Tanh(ai) - x[i]
			s[i] = dtanh(ai)
		}
	}
	if !jac {
		return g, d, nil
	}
	j = make([]float64, H*H)
	addScaledRowsT(j, H, 0, 0, s, c.params[1].Data, H)
	for i := 0; i < H; i++ {
		j[i*H+i]--
	}
	return g, d, j
}

func (c *GRU) factorPoint(x, u []float64, jac bool) (g, d, j []float64) {
	H := c.hidden
	ar, az := c.preAt(0, x, u, true), c.preAt(1, x, u, true)
	whnT, whrT := c.params[4*2+1].Data, c.params[1].Data
	bhn := c.params[4*2+3].Data
	an := c.preAt(2, nil, u, false) // W_in u + b_in
	r := make([]float64, H)
	for i, v := range ar {
		r[i] = sigm(v)
	}
	var hn, rh []float64
	if c.ResetBeforeLinear {
		// a_n = W_in u + b_in + W_hn (r⊙h) + b_hn
		rh = make([]float64, H)
		for i := range rh {
			rh[i] = r[i] * x[i]
			an[i] += bhn[i]
		}
		addMatTVec(an, whnT, rh, H)
	} else {
		// a_n = W_in u + b_in + r⊙(W_hn h + b_hn)
		hn = append([]float64(nil), bhn...)
		addMatTVec(hn, whnT, x, H)
		for i := range an {
			an[i] += r[i] * hn[i]
		}
	}
	g, d = make([]float64, H), make([]float64, H)
	for i := range g {
		g[i] = math.Tanh(an[i]) - x[i]
		d[i] = sigm(-az[i])
	}
	if !jac {
		return g, d, nil
	}
	j = make([]float64, H*H)
	if c.ResetBeforeLinear {
		// dn/dh = diag(n')·W_hn·(diag(r) + diag(h⊙r')·W_hr)
		inner := make([]float64, H*H)
		hr := make([]float64, H)
		for i := range hr {
			hr[i] = x[i] * dsigm(ar[i])
			inner[i*H+i] = r[i]
		}
		addScaledRowsT(inner, H, 0, 0, hr, whrT, H)
		for i := 0; i < H; i++ {
			ji := j[i*H : (i+1)*H]
			for k := 0; k < H; k++ {
				w := whnT[k*H+i] // W_hn[i][k]
				if w == 0 {
					continue
				}
				for l, v := range inner[k*H : (k+1)*H] {
					ji[l] += w * v
				}
			}
		}
	} else {
		// dn/dh = diag(n')·(diag(r)·W_hn + diag(hn⊙r')·W_hr)
		hr := make([]float64, H)
		for i := range hr {
			hr[i] = hn[i] * dsigm(ar[i])
		}
		addScaledRowsT(j, H, 0, 0, r, whnT, H)
		addScaledRowsT(j, H, 0, 0, hr, whrT, H)
	}
	for i := 0; i < H; i++ {
		dn := dtanh(an[i])
		for k := range j[i*H : (i+1)*H] {
			j[i*H+k] *= dn
		}
		j[i*H+i]--
	}
	return g, d, j
}

func (c *LSTM) factorPoint(x, u []float64, jac bool) (g, d, j []float64) {
	H, N := c.hidden, 2*c.hidden
	h, cc := x[:H], x[H:]
	ai, af, ag, ao := c.preAt(0, h, u, true), c.preAt(1, h, u, true), c.preAt(2, h, u, true), c.preAt(3, h, u, true)
	g, d = make([]float64, N), make([]float64, N)
	// Per unit: the gates, and the row scalings of the Jacobian's gate
	// terms (see factorLayer): h rows o'⊙tanh(c'), o⊙tanh'(c')⊙(c⊙f',
	// g⊙i', i⊙g'); c rows q⊙g⊙i', q⊙i⊙g', i⊙g⊙e^{a_f}; ∂G_h/∂c = o⊙tanh'(c')⊙f.
	var sHo, sHf, sHi, sHg, sCi, sCg, sCf, dhc []float64
	if jac {
		sHo, sHf, sHi, sHg = make([]float64, H), make([]float64, H), make([]float64, H), make([]float64, H)
		sCi, sCg, sCf, dhc = make([]float64, H), make([]float64, H), make([]float64, H), make([]float64, H)
	}
	for k := 0; k < H; k++ {
		i, f, gg, o := sigm(ai[k]), sigm(af[k]), math.Tanh(ag[k]), sigm(ao[k])
		ef := math.Exp(af[k])
		q := ef + 1 // 1/(1 − f)
		ig := i * gg
		c2 := f*cc[k] + ig
		tc := math.Tanh(c2)
		g[k] = o*tc - h[k]
		g[H+k] = ig*q - cc[k]
		d[k], d[H+k] = 1, sigm(-af[k])
		if jac {
			di, df, dg, do := dsigm(ai[k]), dsigm(af[k]), dtanh(ag[k]), dsigm(ao[k])
			otc := o * dtanh(c2)
			sHo[k], sHf[k], sHi[k], sHg[k] = do*tc, otc*(cc[k]*df), otc*(gg*di), otc*(i*dg)
			sCi[k], sCg[k], sCf[k] = q*(gg*di), q*(i*dg), ig*ef
			dhc[k] = otc * f
		}
	}
	if !jac {
		return g, d, nil
	}
	j = make([]float64, N*N)
	w := func(k int) []float64 { return c.params[4*k+1].Data }
	addScaledRowsT(j, N, 0, 0, sHo, w(3), H)
	addScaledRowsT(j, N, 0, 0, sHf, w(1), H)
	addScaledRowsT(j, N, 0, 0, sHi, w(0), H)
	addScaledRowsT(j, N, 0, 0, sHg, w(2), H)
	addScaledRowsT(j, N, H, 0, sCi, w(0), H)
	addScaledRowsT(j, N, H, 0, sCg, w(2), H)
	addScaledRowsT(j, N, H, 0, sCf, w(1), H)
	for k := 0; k < H; k++ {
		j[k*N+H+k] += dhc[k]
		j[k*N+k]--
		j[(H+k)*N+H+k]--
	}
	return g, d, j
}
