package cells

import (
	"fmt"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/internal/vmath"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LSTM is PyTorch's nn.LSTM (one layer), gates in PyTorch's row order
// i, f, g, o. Its state is the concatenation [h; c], so N = 2*hidden:
//
//	i = sigmoid(W_ii u + b_ii + W_hi h + b_hi)   (f, o likewise)
//	g = tanh(W_ig u + b_ig + W_hg h + b_hg)
//	c' = f*c + i*g,  h' = o*tanh(c')
type LSTM struct{ gated }

// NewLSTM returns a zero-weight LSTM with the given sizes.
func NewLSTM(hidden, inputs int) *LSTM {
	c := &LSTM{newGated("LSTM", []string{"i", "f", "g", "o"}, hidden, inputs)}
	c.self = c
	return c
}

// StateSize is 2*hidden: the state is [h; c].
func (c *LSTM) StateSize() int { return 2 * c.hidden }

// Step builds one step for a batch.
//
// h and c are taken out of X, and put back into the output, by column
// copies (takeCols, joinCols), not gorgonia's Slice and Concat: gorgonia
// v0.9.18 hashes a slice by the low byte of its bounds, so Slice(0, H) and
// Slice(H, 2H) are merged into one node when H is a multiple of 256 (and
// Concat's gradient slices likewise). Products with 0/1 selection matrices,
// used before, gave the same values at the cost of four matrix products
// a step and four in its gradient (see columns.go).
func (c *LSTM) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drives (see Driven).
func (c *LSTM) StepDriven(x *G.Node, d, p []*G.Node) (*G.Node, error) {
	n, err := c.build(x, d, p)
	if err != nil {
		return nil, err
	}
	return n.f, nil
}

// lstmNodes are the nodes of one LSTM step that its Jacobian reads.
type lstmNodes struct {
	c, i, fg, g, o, c2, tc, f *G.Node
}

// build builds one step from the drives.
func (c *LSTM) build(x *G.Node, d, p []*G.Node) (nd lstmNodes, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nd, err
	}
	defer wrapErr("LSTM step", &err)
	H := c.hidden
	h, err := c.half(x, 0)
	if err != nil {
		return nd, err
	}
	if nd.c, err = c.half(x, H); err != nil {
		return nd, err
	}
	nd.i = G.Must(sigmoid(G.Must(c.recur(h, p, d, 0)), "lstm_i"))
	nd.fg = G.Must(sigmoid(G.Must(c.recur(h, p, d, 1)), "lstm_f"))
	nd.g = G.Must(G.Tanh(G.Must(c.recur(h, p, d, 2))))
	nd.o = G.Must(sigmoid(G.Must(c.recur(h, p, d, 3)), "lstm_o"))
	nd.c2 = G.Must(G.Add(G.Must(G.HadamardProd(nd.fg, nd.c)), G.Must(G.HadamardProd(nd.i, nd.g))))
	nd.tc = G.Must(G.Tanh(nd.c2))
	h2 := G.Must(G.HadamardProd(nd.o, nd.tc))
	nd.f, err = c.join(h2, nd.c2)
	return nd, err
}

// lstmSelect makes build take the halves of the state and join them by
// products with selection matrices, as it did before the column ops: the
// tests compare the two bit for bit.
var lstmSelect = false

// half is the columns [off, off+H) of the state x.
func (c *LSTM) half(x *G.Node, off int) (*G.Node, error) {
	H := c.hidden
	if lstmSelect {
		sel := selectionNode(x.Graph(), x.Dtype(), 2*H, H, off, fmt.Sprintf("lstm%d_select_%d", H, off))
		return G.Mul(x, sel)
	}
	return takeCols(x, off, H)
}

// join is the next state [h; c] from its halves.
func (c *LSTM) join(h, cc *G.Node) (*G.Node, error) {
	H := c.hidden
	if lstmSelect {
		putH := selectionNode(h.Graph(), h.Dtype(), H, 2*H, 0, fmt.Sprintf("lstm%d_put_h", H))
		putC := selectionNode(h.Graph(), h.Dtype(), H, 2*H, H, fmt.Sprintf("lstm%d_put_c", H))
		return G.Add(G.Must(G.Mul(h, putH)), G.Must(G.Mul(cc, putC)))
	}
	return joinCols(h, cc)
}

// StepJacobian builds one step and its Jacobians' terms (see Linearized).
// With c' = f c + i g, h' = o tanh(c'), the gates reading h only, σ' =
// σ(1 − σ) for i, f, o, g' = 1 − g² and k = o (1 − tanh²(c')):
//
//	dc'/dh = diag(c f') W_hf + diag(g i') W_hi + diag(i g') W_hg,  dc'/dc = diag(f)
//	dh'/dh = diag(tanh(c') o') W_ho + diag(k) dc'/dh,             dh'/dc = diag(k f)
//
// and dF/du likewise with the input weights W_i·.
func (c *LSTM) StepJacobian(x *G.Node, d, p []*G.Node) (f *G.Node, terms []JacobianTerm, err error) {
	nd, err := c.build(x, d, p)
	if err != nil {
		return nil, nil, err
	}
	defer wrapErr("LSTM jacobian", &err)
	H := c.hidden
	one := G.NewConstant(constOf(x, 1), G.WithName("lstm_one"))
	mul := func(a, b *G.Node) *G.Node { return G.Must(G.HadamardProd(a, b)) }
	dsig := func(s *G.Node) *G.Node { return mul(s, G.Must(G.Sub(one, s))) }
	cf := mul(nd.c, dsig(nd.fg))
	ci := mul(nd.g, dsig(nd.i))
	cg := mul(nd.i, G.Must(G.Sub(one, mul(nd.g, nd.g))))
	k := mul(nd.o, G.Must(G.Sub(one, mul(nd.tc, nd.tc))))
	co := mul(nd.tc, dsig(nd.o))
	hf, hi, hg := mul(k, cf), mul(k, ci), mul(k, cg)
	// gate: (its param's index, dc'/dh coefficient, dh'/dh coefficient)
	gates := []struct {
		g      int
		cc, hh *G.Node
	}{{1, cf, hf}, {0, ci, hi}, {2, cg, hg}, {3, nil, co}}
	for _, in := range []bool{false, true} {
		if in && c.inputs == 0 {
			break
		}
		for _, gt := range gates {
			par := 4*gt.g + 1
			if in {
				par = 4 * gt.g
			}
			terms = append(terms, JacobianTerm{Input: in, Param: par, Left: gt.hh})
			if gt.cc != nil {
				terms = append(terms, JacobianTerm{Input: in, Row: H, Param: par, Left: gt.cc})
			}
		}
	}
	terms = append(terms,
		JacobianTerm{Row: H, Col: H, Param: -1, Size: H, Left: nd.fg},
		JacobianTerm{Col: H, Param: -1, Size: H, Left: mul(k, nd.fg)})
	return nd.f, terms, nil
}

// selectionNode is a selection matrix (see selection) as a named input node
// of g holding its value. A constant would do the same, but gorgonia hashes
// and names a constant by formatting its whole value, which was half the
// time of building and compiling an LSTM's graphs; an input is hashed by its
// name, so equal names (the same matrix of another step or layer) merge.
func selectionNode(g *G.ExprGraph, dt tensor.Dtype, rows, cols, off int, name string) *G.Node {
	return G.NewMatrix(g, dt, G.WithShape(rows, cols), G.WithName(name), G.WithValue(selection(dt, rows, cols, off)))
}

// selection returns a rows x cols 0/1 matrix with ones at (k+off, k) when
// rows > cols (taking columns out) or at (k, k+off) when cols > rows
// (putting them back).
func selection(dt tensor.Dtype, rows, cols, off int) *tensor.Dense {
	m := tensor.New(tensor.Of(dt), tensor.WithShape(rows, cols))
	n := min(rows, cols)
	for k := 0; k < n; k++ {
		r, c := k+off, k
		if cols > rows {
			r, c = k, k+off
		}
		if dt == tensor.Float32 {
			m.SetAt(float32(1), r, c)
		} else {
			m.SetAt(1.0, r, c)
		}
	}
	return m
}

// QHessian gives the Jacobian of F and the Hessian of q = ½‖F(x) − x‖² at
// the state x = [h; c] under u (see QHessian); ok is always true. The gates
// read h only: with the rows wi_j, wf_j, wg_j, wo_j of W_hi, W_hf, W_hg,
// W_ho, c'_j = f_j c_j + i_j g_j, T_j = tanh(c'_j) and the residuals
// ρh_j = o_j T_j − h_j, ρc_j = c'_j − c_j, the gradient of c'_j is
// d_j = (v_j, f_j e_j) with v_j = c_j f'_j wf_j + g_j i'_j wi_j + i_j g'_j wg_j,
// and
//
//	∇F_hj = T_j o'_j wo_j + o_j T'_j d_j,   ∇F_cj = d_j
//	∇²c'_j = c_j f''_j wf wfᵀ + g_j i''_j wi wiᵀ + i_j g''_j wg wgᵀ
//	         + i'_j g'_j (wi wgᵀ + wg wiᵀ) + f'_j (wf e_{H+j}ᵀ + e_{H+j} wfᵀ)
//	∇²F_hj = o''_j T_j wo woᵀ + o'_j T'_j (wo d_jᵀ + d_j woᵀ)
//	         + o_j T''_j d_j d_jᵀ + o_j T'_j ∇²c'_j
//
// (the w's padded with zeros on the c half), so Σ ρ ∇²F takes ∇²c'_j with
// the weight ρc_j + ρh_j o_j T'_j. 1 − σ(a) is computed as σ(−a).
func (c *LSTM) QHessian(x, u []float64) (jac, hess []float64, ok bool) {
	N := 2 * c.hidden
	jac, hess = make([]float64, N*N), make([]float64, N*N)
	c.QHessianInto(x, u, jac, hess)
	return jac, hess, true
}

// QHessianInto is QHessian written into jac and hess (2H×2H each), with no
// allocation (see QHessianInto); ok is always true.
func (c *LSTM) QHessianInto(x, u, jac, hess []float64) bool {
	H, N := c.hidden, 2*c.hidden
	h, cc := x[:H], x[H:]
	// One block of scratch: the four gates' pre-activations, the rows wi,
	// wf, wg, wo and v, the first H columns of J − I transposed, and S;
	// J − I (A) is built in jac.
	sc := getScratch(9*H + H*N + N*N)
	defer putScratch(sc)
	buf := *sc
	ai, af, ag, ao := buf[:H], buf[H:2*H], buf[2*H:3*H], buf[3*H:4*H]
	wi, wf, wg, wo, v := buf[4*H:5*H], buf[5*H:6*H], buf[6*H:7*H], buf[7*H:8*H], buf[8*H:9*H]
	At := buf[9*H : 9*H+H*N]
	S := buf[9*H+H*N : 9*H+H*N+N*N] // Σ ρ_i ∇²F_i, upper triangle
	clear(S)
	c.preInto(ai, 0, h, u, true)
	c.preInto(af, 1, h, u, true)
	c.preInto(ag, 2, h, u, true)
	c.preInto(ao, 3, h, u, true)
	wiT, wfT, wgT, woT := c.params[1].Data, c.params[5].Data, c.params[9].Data, c.params[13].Data
	A := jac[:N*N] // J − I
	clear(A)
	for j := 0; j < H; j++ {
		for k := 0; k < H; k++ {
			wi[k], wf[k], wg[k], wo[k] = wiT[k*H+j], wfT[k*H+j], wgT[k*H+j], woT[k*H+j]
		}
		i, _, di, ddi := sigmDerivs(ai[j])
		f, fm, df, ddf := sigmDerivs(af[j])
		g, dg, ddg := tanhDerivs(ag[j])
		o, _, do, ddo := sigmDerivs(ao[j])
		c2 := f*cc[j] + i*g
		T, dT, ddT := tanhDerivs(c2)
		rh, rc := o*T-h[j], c2-cc[j]
		for k := range v {
			v[k] = cc[j]*df*wf[k] + g*di*wi[k] + i*dg*wg[k]
		}
		// The Jacobian's rows j (h') and H+j (c'), less I.
		ah, ac := A[j*N:(j+1)*N], A[(H+j)*N:(H+j+1)*N]
		otc := o * dT
		for k := 0; k < H; k++ {
			ah[k] = T*do*wo[k] + otc*v[k]
			ac[k] = v[k]
		}
		ah[j]--
		ah[H+j] = otc * f
		ac[H+j] = -fm // f − 1
		// Σ ρ ∇²F for unit j: the h-h block from the vectors wo, v, wf, wi,
		// wg; the c column H+j; the c-c entry (H+j, H+j).
		beta := rc + rh*otc
		a1, a2, a3 := rh*ddo*T, rh*do*dT, rh*o*ddT
		bf, bi, bg, big := beta*cc[j]*ddf, beta*g*ddi, beta*i*ddg, beta*di*dg
		for p := 0; p < H; p++ {
			k1, k2, k3 := a1*wo[p]+a2*v[p], a2*wo[p]+a3*v[p], bf*wf[p]
			k4, k5 := bi*wi[p]+big*wg[p], bg*wg[p]+big*wi[p]
			row := S[p*N+p : p*N+H]
			wok, vk, wfk, wik, wgk := wo[p:H], v[p:H], wf[p:H], wi[p:H], wg[p:H]
			wok, vk, wfk, wik, wgk = wok[:len(row)], vk[:len(row)], wfk[:len(row)], wik[:len(row)], wgk[:len(row)]
			for k := range row {
				row[k] += k1*wok[k] + k2*vk[k] + k3*wfk[k] + k4*wik[k] + k5*wgk[k]
			}
			S[p*N+H+j] += f*(a2*wo[p]+a3*v[p]) + beta*df*wf[p]
		}
		S[(H+j)*N+H+j] += a3 * f * f
	}
	// (J − I)ᵀ(J − I): column H+m of J − I is zero but for rows m and
	// H+m, so only the h-h block needs whole columns (taken from Aᵀ, in
	// the same order).
	for i := 0; i < N; i++ {
		for j := 0; j < H; j++ {
			At[j*N+i] = A[i*N+j]
		}
	}
	hess = hess[:N*N]
	clear(hess[H*N:]) // the c-c block is diagonal
	set := func(j, k int, s float64) { hess[j*N+k], hess[k*N+j] = s, s }
	for j := 0; j < H; j++ {
		aj := At[j*N : (j+1)*N]
		for k := j; k < H; k++ {
			ak := At[k*N : (k+1)*N]
			ak = ak[:len(aj)]
			s := S[j*N+k]
			for i, a := range aj {
				s += a * ak[i]
			}
			set(j, k, s)
		}
		for m := 0; m < H; m++ {
			k := H + m
			set(j, k, S[j*N+k]+A[m*N+j]*A[m*N+k]+A[k*N+j]*A[k*N+k])
		}
	}
	for m := 0; m < H; m++ {
		k := H + m
		set(k, k, S[k*N+k]+A[m*N+k]*A[m*N+k]+A[k*N+k]*A[k*N+k])
	}
	for i := 0; i < N; i++ {
		A[i*N+i]++
	}
	return true
}

// StepRows sets out's first n rows (2H values each, [h'; c']) to F at the
// n states x (n×2H) under the inputs u (n×M), in float64 with the
// arithmetic of the graph that Step builds, operation for operation: h's
// products by linalg.MulNN (each entry summed from zero in order of k: the
// graph's products below blasuse.MinDim), the drives u·W_i + (b_i + b_h),
// each gate's h·W_h plus its drive, σ(a) as 0.5·tanh(0.5·a) + 0.5 and tanh
// with math.Tanh's bits (vmath), c' = f c + i g, h' = o tanh(c'), each
// product rounded as the graph's separate nodes round them. Rows with
// equal inputs in a run share their drives. It reports true (the GRU's
// reports whether it applies).
func (c *LSTM) StepRows(n int, x, u, out []float64) bool {
	H := c.hidden
	sc := getScratch(4 * n * H)
	defer putScratch(sc)
	buf := *sc
	gi, gf, gg, gop := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H]
	c.gatesRows(n, x, u, gi, gf, gg, gop)
	for r := 0; r < n; r++ {
		cc, oh, oc := x[r*2*H+H:(r+1)*2*H], out[r*2*H:r*2*H+H], out[r*2*H+H:(r+1)*2*H]
		ri, rf, rg, ro := gi[r*H:(r+1)*H], gf[r*H:(r+1)*H], gg[r*H:(r+1)*H], gop[r*H:(r+1)*H]
		for j := range oc {
			oc[j] = float64(rf[j]*cc[j]) + float64(ri[j]*rg[j])
		}
		vmath.Tanh(oh, oc)
		for j := range oh {
			oh[j] = ro[j] * oh[j]
		}
	}
	return true
}

// JacobianRows sets the first n blocks of jx (2H×2H each, row-major) to
// dF/dx at the n states x under the inputs u with the arithmetic of the
// graph's closed-form Jacobian (StepJacobian's coefficients, each a
// rounded product: σ' = σ(1 − σ), cf = c f', ci = g i', cg = i(1 − g g),
// k = o(1 − T T) with T = tanh(c'), co = T o', hf = k cf, hi = k ci, hg
// = k cg; then each entry summed from 0 in StepJacobian's term order, one
// rounded product and one rounded addition a term: the h rows hf W_hf, hi
// W_hi, hg W_hg, co W_ho on the h columns and k f on the c diagonal, the
// c rows cf W_hf, ci W_hi, cg W_hg and f on the c diagonal), the gates as
// StepRows forms them. It reports true.
func (c *LSTM) JacobianRows(n int, x, u, jx []float64) bool {
	return c.JacobianRowsU(n, x, u, jx, nil)
}

// JacobianRowsU is JacobianRows also setting the first n blocks of ju
// (2H×M each, when not nil and M > 0) to dF/du, summed from 0 in the
// input terms' order: the h rows hf W_if + hi W_ii + hg W_ig + co W_io,
// the c rows cf W_if + ci W_ii + cg W_ig. It reports true.
func (c *LSTM) JacobianRowsU(n int, x, u, jx, ju []float64) bool {
	H, M := c.hidden, c.inputs
	N := 2 * H
	sc := getScratch(5 * n * H)
	defer putScratch(sc)
	buf := *sc
	gi, gf, gg, gop, tc := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H], buf[4*n*H:5*n*H]
	c.gatesRows(n, x, u, gi, gf, gg, gop)
	for q := range tc {
		tc[q] = float64(gf[q]*x[(q/H)*N+H+q%H]) + float64(gi[q]*gg[q]) // c'
	}
	vmath.Tanh(tc, tc)
	whi, whf, whg, who := c.params[1].Data, c.params[5].Data, c.params[9].Data, c.params[13].Data
	for b := 0; b < n; b++ {
		j := jx[b*N*N : (b+1)*N*N]
		clear(j)
		for i := 0; i < H; i++ {
			q := b*H + i
			iv, fv, gv, ov, t := gi[q], gf[q], gg[q], gop[q], tc[q]
			cv := x[b*N+H+i]
			cf := float64(cv * float64(fv*(1-fv)))
			ci := float64(gv * float64(iv*(1-iv)))
			cg := float64(iv * (1 - float64(gv*gv)))
			k := float64(ov * (1 - float64(t*t)))
			co := float64(t * float64(ov*(1-ov)))
			hf, hi, hg := float64(k*cf), float64(k*ci), float64(k*cg)
			hrow, crow := j[i*N:i*N+H], j[(H+i)*N:(H+i)*N+H]
			lstmRowPair(hrow, crow, whf, whi, whg, who, i, H, [7]float64{hf, hi, hg, co, cf, ci, cg})
			j[(H+i)*N+H+i] += fv
			j[i*N+H+i] += float64(k * fv)
			if ju != nil && M > 0 {
				wii, wif, wig, wio := c.params[0].Data, c.params[4].Data, c.params[8].Data, c.params[12].Data
				uh, uc := ju[b*N*M+i*M:b*N*M+(i+1)*M], ju[b*N*M+(H+i)*M:b*N*M+(H+i+1)*M]
				lstmRowPair(uh, uc, wif, wii, wig, wio, i, H, [7]float64{hf, hi, hg, co, cf, ci, cg})
			}
		}
	}
	return true
}

// gatesRows sets the gates i, f, g and o (n×H each) at the n states x
// (n×2H, h in the first H columns) under the inputs u, with the graph's
// arithmetic (see StepRows).
func (c *LSTM) gatesRows(n int, x, u, gi, gf, gg, gop []float64) {
	c.gatesRowsT(n, x, u, gi, gf, gg, gop, nil, nil, nil)
}

// gatesRowsT is gatesRows also setting ti, tf and to (when not nil) to the
// sigmoid gates' tanh(0.5·a), from which σ is formed.
func (c *LSTM) gatesRowsT(n int, x, u, gi, gf, gg, gop, ti, tf, to []float64) {
	H, M := c.hidden, c.inputs
	if n == 0 {
		return
	}
	sc := getScratch(8 * H)
	defer putScratch(sc)
	buf := *sc
	d, b := buf[:4*H], buf[4*H:8*H] // the gates' drives; their biases b_i + b_h
	gs := [4][]float64{gi, gf, gg, gop}
	for g := range 4 {
		linalg.MulNN(n, H, H, x, 2*H, c.params[4*g+1].Data, H, gs[g], H, false)
		bg, bih := b[g*H:(g+1)*H], c.params[4*g+2].Data
		for j, v := range c.params[4*g+3].Data {
			bg[j] = bih[j] + v
		}
	}
	if M == 0 {
		copy(d, b)
	}
	var du []float64 // the input d holds the drives of (none yet)
	for r := 0; r < n; r++ {
		if ur := u[r*M : (r+1)*M]; M > 0 && (du == nil || !slices.Equal(ur, du)) {
			inputDrives(d, b, ur, c.params, 4, H, M)
			du = ur
		}
		ri, rf, rg, ro := gi[r*H:(r+1)*H], gf[r*H:(r+1)*H], gg[r*H:(r+1)*H], gop[r*H:(r+1)*H]
		for j := range ri {
			ri[j] = (ri[j] + d[j]) * 0.5
			rf[j] = (rf[j] + d[H+j]) * 0.5
			rg[j] += d[2*H+j]
			ro[j] = (ro[j] + d[3*H+j]) * 0.5
		}
		vmath.Tanh(ri, ri)
		vmath.Tanh(rf, rf)
		vmath.Tanh(rg, rg)
		vmath.Tanh(ro, ro)
		if ti != nil {
			copy(ti[r*H:(r+1)*H], ri)
			copy(tf[r*H:(r+1)*H], rf)
			copy(to[r*H:(r+1)*H], ro)
		}
		for j := range ri {
			ri[j] = float64(ri[j]*0.5) + 0.5 // σ
			rf[j] = float64(rf[j]*0.5) + 0.5
			ro[j] = float64(ro[j]*0.5) + 0.5
		}
	}
}

// ObjectiveRows sets, for the n states x (n×2H) under the inputs u (n×M),
// q[b] = ½‖F − x‖², the n rows of f to F and of g to ∇q = (J − I)ᵀ(F −
// x), with the arithmetic of the graph's objective (graph.Objective: the
// forward pass as StepRows, then its backward pass seeded with dF = F −
// x, op for op: do = dh' T, dc' = dF_c + (1 − T T)(o dh'), di = g dc',
// dg = i dc', df = c dc', dc = f dc', da = 0.5((1 − t²)(0.5 dσ)) for the
// sigmoid gates from their t = tanh(0.5 a), da_g = (1 − g g) dg, the
// products with the recurrent weights by linalg.MulNT (Dgemm's bits, as
// the graph's A × Bᵀ), dh summed as ((da_o W_hoᵀ + da_g W_hgᵀ) + da_f
// W_hfᵀ) + da_i W_hiᵀ, then minus dF; q summed in order as the objective
// does). It reports true.
func (c *LSTM) ObjectiveRows(n int, x, u, q, f, g []float64) bool {
	H := c.hidden
	N := 2 * H
	if n == 0 {
		return true
	}
	sc := getScratch(9 * n * H)
	defer putScratch(sc)
	buf := *sc
	ti, tf, gg, to := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H]
	ai, af, ao := buf[4*n*H:5*n*H], buf[5*n*H:6*n*H], buf[6*n*H:7*n*H]
	dh, tmp := buf[7*n*H:8*n*H], buf[8*n*H:9*n*H]
	c.gatesRowsT(n, x, u, ai, af, gg, ao, ti, tf, to)
	for b := 0; b < n; b++ {
		for j := 0; j < H; j++ {
			q := b*H + j
			iv, fv, gv := ai[q], af[q], gg[q]
			cv := x[b*N+H+j]
			c2 := float64(fv*cv) + float64(iv*gv)
			f[b*N+H+j] = c2
			tmp[q] = c2
		}
	}
	vmath.Tanh(tmp, tmp) // T
	for b := 0; b < n; b++ {
		for j := 0; j < H; j++ {
			q := b*H + j
			iv, fv, gv, ov, T := ai[q], af[q], gg[q], ao[q], tmp[q]
			hq, cq := b*N+j, b*N+H+j
			f[hq] = ov * T
			dFh, dFc := f[hq]-x[hq], f[cq]-x[cq]
			do := dFh * T
			dT := ov * dFh
			dc2 := dFc + float64(float64(1-float64(T*T))*dT)
			di, dgv, df := gv*dc2, iv*dc2, x[cq]*dc2
			g[cq] = fv * dc2
			ai[q] = 0.5 * float64(float64(1-float64(ti[q]*ti[q]))*float64(0.5*di))
			af[q] = 0.5 * float64(float64(1-float64(tf[q]*tf[q]))*float64(0.5*df))
			ao[q] = 0.5 * float64(float64(1-float64(to[q]*to[q]))*float64(0.5*do))
			gg[q] = float64(1-float64(gv*gv)) * dgv
		}
	}
	linalg.MulNT(n, H, H, ao, H, c.params[13].Data, H, dh, H, false)
	linalg.MulNT(n, H, H, gg, H, c.params[9].Data, H, tmp, H, false)
	for i := range dh[:n*H] {
		dh[i] += tmp[i]
	}
	linalg.MulNT(n, H, H, af, H, c.params[5].Data, H, tmp, H, false)
	for i := range dh[:n*H] {
		dh[i] += tmp[i]
	}
	linalg.MulNT(n, H, H, ai, H, c.params[1].Data, H, tmp, H, false)
	for b := 0; b < n; b++ {
		for j := 0; j < H; j++ {
			q := b*H + j
			hq, cq := b*N+j, b*N+H+j
			g[hq] = (dh[q] + tmp[q]) - (f[hq] - x[hq])
			g[cq] -= f[cq] - x[cq]
		}
	}
	for b := 0; b < n; b++ {
		s := 0.0
		for i := b * N; i < (b+1)*N; i++ {
			d := f[i] - x[i]
			s += float64(d * d)
		}
		q[b] = 0.5 * s
	}
	return true
}

// inputDrives sets the drives d of the first gates gates (H each) to
// u·W_i + b, as the graph sums them: W_i of gate g is params[4g] (M×H,
// PyTorch's order of the GRU's and LSTM's weights), b the gates' summed
// biases (StepRows of the GRU and LSTM).
func inputDrives(d, b, u []float64, params []*Param, gates, H, M int) {
	for g := range gates {
		dg := d[g*H : (g+1)*H]
		linalg.MulNN(1, H, M, u, M, params[4*g].Data, H, dg, H, false)
		for j, v := range b[g*H : (g+1)*H] {
			dg[j] += v
		}
	}
}

// lstmRowPair writes unit i's rows of dh'/dv and dc'/dv for the gates'
// weights wf, wi, wg, wo (H columns a row, a row an entry of v: the
// recurrent weights for dF/dx, the input weights for dF/du). Each entry is
// the graph's sum of the gates' terms in the order f, i, g, o, with the
// coefficients c = hf, hi, hg, co (h's row) and cf, ci, cg (c's row).
func lstmRowPair(hrow, crow, wf, wi, wg, wo []float64, i, H int, c [7]float64) {
	hf, hi, hg, co, cf, ci, cg := c[0], c[1], c[2], c[3], c[4], c[5], c[6]
	for m := range hrow {
		v := 0.0
		v += float64(hf * wf[m*H+i])
		v += float64(hi * wi[m*H+i])
		v += float64(hg * wg[m*H+i])
		v += float64(co * wo[m*H+i])
		hrow[m] = v
		w := 0.0
		w += float64(cf * wf[m*H+i])
		w += float64(ci * wi[m*H+i])
		w += float64(cg * wg[m*H+i])
		crow[m] = w
	}
}
