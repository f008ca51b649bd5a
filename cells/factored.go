package cells

import (
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/internal/linalg"
)

// Factored is implemented by cells whose residual factors as
//
//	F(x, u) − x = D(x, u) ⊙ G(x, u),   D > 0 elementwise for every finite x, u,
//
// so that the fixed points of F are exactly the roots of G. Gated cells need
// it: a GRU unit with its update gate z within 1e-13 of 1 has
// F − h = (1 − z)(n − h) below 2e-13 over a whole slab of states, while
// G = n − h vanishes only at the real roots. The finder solves G = 0 and
// proves each root with Krawczyk's operator on G, using Factor's interval
// enclosures; a cell without this interface is solved on F − x and its
// points are labelled "residual".
//
// The built-in factorizations (each exact, with D computed without
// cancellation: 1 − σ(a) is σ(−a)):
//
//   - Vanilla (tanh, relu): D = 1, G = F − h.
//   - GRU, both reset forms: D = 1 − z = σ(−a_z), G = n − h (z does not
//     enter G at all).
//   - LSTM, state [h; c]: h rows D = 1, G_h = o ⊙ tanh(f⊙c + i⊙g) − h;
//     c rows D = 1 − f = σ(−a_f), G_c = i⊙g⊙(1 + e^{a_f}) − c, that is
//     i⊙g/(1 − f) − c.
//   - Stack: layer k's rows are G_k(x_k, in_k) with in_k = layer k−1's new h,
//     D likewise; dG/dx is block lower triangular by the chain rule.
//
// To implement it (e.g. a continuous-time cell, where F − x = Δt·f(x) gives
// D = Δt, G = f): Factor must return enclosures that hold for every point of
// the box, computed with package interval's outward-rounded operations; an
// enclosure that may overflow must say so with an infinite end (the proof
// then fails with reason "overflow"), never with a finite guess. The
// interface uses the module's internal interval package, so only cells of
// this module can implement it.
type Factored interface {
	Cell
	// Factor encloses G and D over the box x (N intervals) at the input u
	// (M values) and, when jac is true, the Jacobian dG/dx over the box
	// (for the mean-value form of Krawczyk's test). A box of points gives
	// the values at one point to a few ulps.
	Factor(x []interval.I, u []float64, jac bool) (*Factors, error)
}

// JacobianFactored is a Factored cell that also encloses dG/dx alone
// (Krawczyk's contraction tests need only dG, and G costs as much again).
type JacobianFactored interface {
	Factored
	// FactorJacobian returns what Factor(x, u, true) returns as J, bit for
	// bit, and an error wrapping ErrOverflow exactly when Factor's would.
	FactorJacobian(x []interval.I, u []float64) (interval.Mat, error)
}

// JacobianFactoredTo is a JacobianFactored cell that can write dG/dx into
// a matrix the caller keeps from box to box (Krawczyk's contraction tests
// enclose dG/dx on a dozen boxes around one point).
type JacobianFactoredTo interface {
	JacobianFactored
	// FactorJacobianTo returns what FactorJacobian(x, u) returns, bit for
	// bit, in dst's storage where it can (dst N×N with radii; every value
	// of dst may be overwritten), else in a new matrix.
	FactorJacobianTo(dst interval.Mat, x []interval.I, u []float64) (interval.Mat, error)
}

// Factors holds the enclosures Factor returns.
type Factors struct {
	// G and D enclose the factors over the box (N each).
	G, D []interval.I
	// J encloses dG/dx over the box (N×N, row i = ∂G_i/∂x); zero when not
	// asked for.
	J interval.Mat
	// DJ encloses dD/dx over the box (N×N) for cells whose D varies with x
	// (gated cells), so that dF/dx = I + diag(D) J + diag(G) DJ encloses
	// the Jacobian of F anywhere in the box (what orbits' proofs need;
	// fixed points need only J, as G = 0 there). Zero (no rows) when not
	// asked for or when D does not depend on x (vanilla, CTRNN).
	DJ interval.Mat
}

// ErrOverflow marks an enclosure that overflowed: the cell's weights or
// state are too large for float64 interval arithmetic at that box.
var ErrOverflow = errors.New("interval enclosure overflows")

// Residuals returns G(x, u) and D(x, u) at one point in float64
// (PointFactors without the Jacobian).
func Residuals(c Factored, x, u []float64) (g, d []float64, err error) {
	g, d, _, err = PointFactors(c, x, u, false)
	return g, d, err
}

// PointFactors returns G(x, u), D(x, u) and, when jac is true, dG/dx
// (N×N, row-major, row i = ∂G_i/∂x) at one point in float64. It is an
// approximation for what needs no enclosure (the finder's test that G is
// small, Newton's steps), never part of a proof: the built-in single-layer
// cells (Vanilla, GRU in both reset forms, LSTM) compute it in plain float64,
// a few ulps from the true values and several times faster than an interval
// enclosure; any other Factored cell gives the midpoints of Factor's
// enclosures on the degenerate box [x, x]. A result that is not finite is
// ErrOverflow, as Factor's.
func PointFactors(c Factored, x, u []float64, jac bool) (g, d, j []float64, err error) {
	pf, ok := c.(pointFactorer)
	if !ok {
		return midFactors(c, x, u, jac)
	}
	if len(x) != c.StateSize() {
		return nil, nil, nil, fmt.Errorf("cells: factor: point of %d values, want %d", len(x), c.StateSize())
	}
	if len(u) != c.InputSize() {
		return nil, nil, nil, fmt.Errorf("cells: factor: %d inputs, want %d", len(u), c.InputSize())
	}
	for _, v := range u {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, nil, fmt.Errorf("cells: factor: %w: input is not finite", ErrNotFinite)
		}
	}
	g, d, j = pf.factorPoint(x, u, jac)
	if !finiteAll(g) || !finiteAll(d) || !finiteAll(j) {
		return g, d, j, fmt.Errorf("cells: factor: %w", ErrOverflow)
	}
	return g, d, j, nil
}

// pointFactorer is implemented by the cells with a plain float64 path for
// PointFactors; the arguments are checked.
type pointFactorer interface {
	factorPoint(x, u []float64, jac bool) (g, d, j []float64)
}

// midFactors is PointFactors from Factor's enclosures on [x, x].
func midFactors(c Factored, x, u []float64, jac bool) (g, d, j []float64, err error) {
	f, err := c.Factor(pointBox(x), u, jac)
	if err != nil {
		return nil, nil, nil, err
	}
	g, d = make([]float64, len(f.G)), make([]float64, len(f.D))
	for i := range g {
		g[i], d[i] = f.G[i].Mid(), f.D[i].Mid()
	}
	if jac {
		j = append([]float64(nil), f.J.Mid...)
	}
	return g, d, j, nil
}

func finiteAll(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// sigm is σ(a) = 1/(1 + e^{−a}); 1 − σ(a) is sigm(−a).
func sigm(a float64) float64 { return 1 / (1 + math.Exp(-a)) }

// dsigm is σ'(a) = σ(a)·σ(−a), without the cancellation of 1 − σ.
func dsigm(a float64) float64 { return sigm(a) * sigm(-a) }

// dtanh is tanh'(a) = 4σ'(2a), without the cancellation of 1 − tanh².
func dtanh(a float64) float64 { return 4 * dsigm(2*a) }

// sigmDerivs returns σ(a), σ(−a) = 1 − σ(a), σ'(a) and σ”(a) =
// σ'(a)·(σ(−a) − σ(a)) from one evaluation of each exponential, with the
// expressions of sigm and dsigm (so the same values): the closed-form
// Hessians of q need all four at every gate.
func sigmDerivs(a float64) (s, sm, d, dd float64) {
	return sigmDerivsExp(math.Exp(-a), math.Exp(a))
}

// sigmDerivsExp is sigmDerivs(a) from em = math.Exp(−a) and ep =
// math.Exp(a) (computed for many gates at once: vmath.Exp).
func sigmDerivsExp(em, ep float64) (s, sm, d, dd float64) {
	s, sm = 1/(1+em), 1/(1+ep) // sigm(a), sigm(−a)
	d = s * sm
	return s, sm, d, d * (sm - s)
}

// tanhDerivs returns tanh(a), tanh'(a) (as dtanh) and tanh”(a) =
// −2·tanh(a)·tanh'(a).
func tanhDerivs(a float64) (t, d, dd float64) {
	return tanhDerivsExp(math.Tanh(a), math.Exp(-2*a), math.Exp(2*a))
}

// tanhDerivsExp is tanhDerivs(a) from t = math.Tanh(a), em =
// math.Exp(−2a) and ep = math.Exp(2a): dtanh's 4·sigm(2a)·sigm(−2a).
func tanhDerivsExp(t, em, ep float64) (float64, float64, float64) {
	d := 4 * (1 / (1 + em) * (1 / (1 + ep)))
	return t, d, -2 * t * d
}

// preAt returns gate k's pre-activation at the point: W_hh x + b_ih + b_hh
// (without b_hh unless withHH) + W_ih u, read from the transposed storage
// (Wih_T is M×H, Whh_T is H×H).
func (c *gated) preAt(k int, x, u []float64, withHH bool) []float64 {
	H := c.hidden
	a := append([]float64(nil), c.params[4*k+2].Data...)
	if withHH {
		for i, v := range c.params[4*k+3].Data {
			a[i] += v
		}
	}
	addMatTVec(a, c.params[4*k+1].Data, x, H)
	addMatTVec(a, c.params[4*k].Data, u, H)
	return a
}

// preInto is preAt written into a (H values).
func (c *gated) preInto(a []float64, k int, x, u []float64, withHH bool) {
	H := c.hidden
	copy(a, c.params[4*k+2].Data)
	if withHH {
		for i, v := range c.params[4*k+3].Data {
			a[i] += v
		}
	}
	addMatTVec(a, c.params[4*k+1].Data, x, H)
	addMatTVec(a, c.params[4*k].Data, u, H)
}

// addMatTVec adds Wᵀ·v to a, for W stored row-major as len(v)×H (a
// transposed weight, so this is the layer's W·v). With the AVX2 kernels
// (H a multiple of 4) linalg.AddMatTVec4 forms the same sums.
func addMatTVec(a, wT, v []float64, H int) {
	if useQHessianKernels && H%4 == 0 && len(v) > 0 && H > 0 {
		linalg.AddMatTVec4(H, len(v), a, wT, v)
		return
	}
	for j, vj := range v {
		if vj == 0 {
			continue
		}
		row := wT[j*H : (j+1)*H]
		for i, w := range row {
			a[i] += vj * w
		}
	}
}

// addScaledRowsT adds diag(s)·W to the block of the n-column matrix m at
// (r0, c0), W (H×K) given transposed as wT (K×H).
func addScaledRowsT(m []float64, n, r0, c0 int, s, wT []float64, H int) {
	K := len(wT) / H
	for i, si := range s {
		if si == 0 {
			continue
		}
		row := m[(r0+i)*n+c0 : (r0+i)*n+c0+K]
		for j := range row {
			row[j] += si * wT[j*H+i]
		}
	}
}

// checkBox checks the sizes given to Factor.
func checkBox(c Cell, x []interval.I, u []float64) error {
	if len(x) != c.StateSize() {
		return fmt.Errorf("cells: factor: box of %d intervals, want %d", len(x), c.StateSize())
	}
	if len(u) != c.InputSize() {
		return fmt.Errorf("cells: factor: %d inputs, want %d", len(u), c.InputSize())
	}
	for _, v := range u {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("cells: factor: %w: input is not finite", ErrNotFinite)
		}
	}
	return nil
}

// layerFactors is one layer's part of a stack's factorization: besides G, D
// and dG/dx it carries what the next layer needs, the new h (Fh) and its
// Jacobians, and dG/din for the chain rule. Matrices are row-major inf–sup.
type layerFactors struct {
	G, D, Fh  []interval.I
	Gx, Gin   interval.Mat // N×N, N×M
	Fhx, Fhin interval.Mat // H×N, H×M
	Dx, Din   interval.Mat // N×N, N×M: dD/dx and dD/din; no rows when D does not depend on them
	n, m, h   int
	wantJ     bool
	df        []interval.I // σ' of the gate D is σ(−·) of: the LSTM's a_f, the GRU's a_z (FactorJacobian)
}

// layer is the factorization of one built-in layer with an interval input
// (a stack's layer k > 0 takes layer k−1's new h, an enclosure).
type layer interface {
	factorLayer(x, in []interval.I, jac, forStack bool) layerFactors
}

// pointBox returns u as degenerate intervals.
func pointBox(u []float64) []interval.I {
	out := make([]interval.I, len(u))
	for i, v := range u {
		out[i] = interval.Point(v)
	}
	return out
}

// finish turns a layer's factors into Factors, or ErrOverflow.
func finish(lf layerFactors) (*Factors, error) {
	f := &Factors{G: lf.G, D: lf.D}
	if lf.wantJ {
		f.J, f.DJ = lf.Gx, lf.Dx
	}
	if !allFinite(f.G) || !allFinite(f.D) || lf.wantJ && (!f.J.IsFinite() || !f.DJ.IsFinite()) {
		return f, fmt.Errorf("cells: factor: %w", ErrOverflow)
	}
	return f, nil
}

func allFinite(v []interval.I) bool {
	for _, x := range v {
		if !x.IsFinite() {
			return false
		}
	}
	return true
}

// Interval helpers shared by the built-in factorizations. Matrices are
// row-major []interval.I; weights are read as stored, transposed (a _T
// param, in × out, is Wᵀ), by interval.MatTVec and Mat.AddScaledRowsT,
// which give what MatVec and AddScaledRows give for W without forming it.

// weightRows returns a stored transposed weight p (in × out) as the point
// matrix W (out × in), for the products that need W itself (MatMul).
func weightRows(p *Param) interval.Mat {
	m := interval.Mat{Rows: p.Cols, Cols: p.Rows, Mid: make([]float64, len(p.Data))}
	for j := 0; j < p.Rows; j++ {
		for k := 0; k < p.Cols; k++ {
			m.Mid[k*p.Rows+j] = p.Data[j*p.Cols+k]
		}
	}
	return m
}

// gateWeights returns gate g's recurrent (H×H) and input (H×M) matrices,
// transposed as stored (whhT is H×H, wihT is M×H).
func (c *gated) gateWeights(g int) (whhT, wihT []float64) {
	return c.params[4*g+1].Data, c.params[4*g].Data
}

// affineEnc encloses W·v + b (b may be nil) for the rows×len(v) point
// matrix W given by its stored transpose wT.
func affineEnc(wT []float64, rows int, v []interval.I, b []float64) []interval.I {
	return affineEncVec(nil, wT, rows, interval.VecOf(v), b)
}

// affineEncVec is affineEnc of v in midpoint–radius form (a caller with
// several products of one v converts it once), its result taken from ar
// (nil: allocated).
func affineEncVec(ar *ivArena, wT []float64, rows int, v interval.Vec, b []float64) []interval.I {
	var mv interval.Vec
	if ar == nil {
		mv = interval.MatTVec(wT, rows, v)
	} else {
		// The product's vectors from the arena too, the same enclosure.
		mv = interval.MatTVecTo(interval.Vec{Mid: ar.floats(rows), Rad: ar.floats(rows)}, ar.floats(interval.MatTVecWork(rows, v)), wT, rows, v)
	}
	out := ar.take(rows)
	for i := range out {
		out[i] = mv.At(i) // mv.Intervals()[i]
		if b != nil {
			out[i] = interval.AddScalar(out[i], b[i])
		}
	}
	return out
}

// pre encloses gate g's pre-activation W_hh x + W_ih in + b_ih + b_hh (the
// GRU's n gate takes b_hh inside the reset product: withHH false).
func (c *gated) pre(g int, x, in []interval.I, withHH bool) []interval.I {
	var inv interval.Vec
	if c.inputs > 0 {
		inv = interval.VecOf(in)
	}
	return c.preVec(nil, g, interval.VecOf(x), inv, withHH)
}

// preVec is pre of x and in in midpoint–radius form (inv unused without
// inputs), which a gated cell's gates share, its vectors taken from ar
// (nil: allocated).
func (c *gated) preVec(ar *ivArena, g int, xv, inv interval.Vec, withHH bool) []interval.I {
	whh, wih := c.gateWeights(g)
	a := affineEncVec(ar, whh, c.hidden, xv, c.params[4*g+2].Data)
	if c.inputs > 0 {
		b := affineEncVec(ar, wih, c.hidden, inv, nil)
		for i := range a {
			a[i] = interval.Add(a[i], b[i])
		}
	}
	if withHH {
		for i, v := range c.params[4*g+3].Data {
			a[i] = interval.AddScalar(a[i], v)
		}
	}
	return a
}

func mapI(x []interval.I, f func(interval.I) interval.I) []interval.I {
	out := make([]interval.I, len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

func zipI(x, y []interval.I, f func(a, b interval.I) interval.I) []interval.I {
	out := make([]interval.I, len(x))
	for i := range x {
		out[i] = f(x[i], y[i])
	}
	return out
}

func ones(n int) []interval.I {
	out := make([]interval.I, n)
	for i := range out {
		out[i] = interval.Point(1)
	}
	return out
}

// vec converts inf–sup intervals to midpoint–radius form.
func vec(x []interval.I) interval.Vec { return interval.VecOf(x) }

// negOnes is −1 for every element (for −I).
func negOnes(n int) interval.Vec { return vec(mapI(ones(n), interval.Neg)) }
