package cells

import (
	"fmt"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/internal/vmath"
	G "gorgonia.org/gorgonia"
)

// useQHessianKernels is whether the GRU's QHessianInto and addMatTVec run
// linalg's AVX2 kernels (linalg.KernelsInUse) for sizes that are multiples
// of 4; a variable so that a test can compare with the loops.
var useQHessianKernels = linalg.KernelsInUse()

// GRU is PyTorch's nn.GRU (one layer), gates in PyTorch's row order r, z, n:
//
//	r = sigmoid(W_ir u + b_ir + W_hr h + b_hr)
//	z = sigmoid(W_iz u + b_iz + W_hz h + b_hz)
//	n = tanh(W_in u + b_in + r * (W_hn h + b_hn))
//	h' = (1 - z) * n + z * h
//
// With ResetBeforeLinear (ONNX's GRU with linear_before_reset = 0, Keras'
// reset_after = False) the reset gate acts before the recurrent product:
//
//	n = tanh(W_in u + b_in + W_hn (r * h) + b_hn)
//
// The flag is not part of the state_dict.
type GRU struct {
	gated
	ResetBeforeLinear bool
}

// NewGRU returns a zero-weight GRU with the given sizes.
func NewGRU(hidden, inputs int) *GRU {
	c := &GRU{gated: newGated("GRU", []string{"r", "z", "n"}, hidden, inputs)}
	c.self = c
	return c
}

// StateSize is the hidden size.
func (c *GRU) StateSize() int { return c.hidden }

// Step builds one step for a batch.
func (c *GRU) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drives (see Driven).
func (c *GRU) StepDriven(x *G.Node, d, p []*G.Node) (*G.Node, error) {
	n, err := c.build(x, d, p)
	if err != nil {
		return nil, err
	}
	return n.f, nil
}

// gruNodes are the nodes of one GRU step that its Jacobian reads.
type gruNodes struct {
	r, z, hn, n, f *G.Node
}

// build builds one step from the drives.
func (c *GRU) build(x *G.Node, d, p []*G.Node) (nd gruNodes, err error) {
	if err := c.checkDriven(x, d, p); err != nil {
		return nd, err
	}
	defer wrapErr("GRU step", &err)
	nd.r = G.Must(sigmoid(G.Must(c.recur(x, p, d, 0)), "gru_r"))
	nd.z = G.Must(sigmoid(G.Must(c.recur(x, p, d, 1)), "gru_z"))
	_, whh, _, bhh := c.gateNodes(p, 2)
	if c.ResetBeforeLinear {
		rhn := G.Must(affine(G.Must(G.HadamardProd(nd.r, x)), whh, bhh))
		nd.n = G.Must(G.Tanh(G.Must(addDrive(rhn, d[2]))))
	} else {
		nd.hn = G.Must(affine(x, whh, bhh))
		nd.n = G.Must(G.Tanh(G.Must(addDrive(G.Must(G.HadamardProd(nd.r, nd.hn)), d[2]))))
	}
	// h' = n + z*(h - n): the same value without a constant 1.
	diff := G.Must(G.Sub(x, nd.n))
	nd.f = G.Must(G.Add(nd.n, G.Must(G.HadamardProd(nd.z, diff))))
	return nd, nil
}

// StepJacobian builds one step and its Jacobians' terms (see Linearized).
// With h' = (1 − z) n + z h, z' = z(1 − z), r' = r(1 − r), n' = 1 − n² and
// hn = h W_hn^T + b_hn:
//
//	dh'/dh = diag(z) + diag((h − n) z') W_hz + diag((1 − z) n' r) W_hn
//	         + diag((1 − z) n' hn r') W_hr
//	dh'/du = diag((h − n) z') W_iz + diag((1 − z) n') W_in + diag((1 − z) n' hn r') W_ir
//
// ResetBeforeLinear puts r inside the product (W_hn diag(r) ...), a
// product of two weight matrices: no closed form of these terms.
func (c *GRU) StepJacobian(x *G.Node, d, p []*G.Node) (f *G.Node, terms []JacobianTerm, err error) {
	if c.ResetBeforeLinear {
		return nil, nil, fmt.Errorf("cells: GRU with the reset before the product: %w", ErrNoClosedForm)
	}
	nd, err := c.build(x, d, p)
	if err != nil {
		return nil, nil, err
	}
	defer wrapErr("GRU jacobian", &err)
	one := G.NewConstant(constOf(x, 1), G.WithName("gru_one"))
	omz := G.Must(G.Sub(one, nd.z))
	az := G.Must(G.HadamardProd(G.Must(G.Sub(x, nd.n)), G.Must(G.HadamardProd(nd.z, omz))))
	dn := G.Must(G.HadamardProd(omz, G.Must(G.Sub(one, G.Must(G.HadamardProd(nd.n, nd.n))))))
	an := G.Must(G.HadamardProd(dn, nd.r))
	ar := G.Must(G.HadamardProd(G.Must(G.HadamardProd(dn, nd.hn)), G.Must(G.HadamardProd(nd.r, G.Must(G.Sub(one, nd.r))))))
	terms = []JacobianTerm{
		{Param: -1, Size: c.hidden, Left: nd.z},
		{Param: 5, Left: az},
		{Param: 9, Left: an},
		{Param: 1, Left: ar},
	}
	if c.inputs > 0 {
		terms = append(terms,
			JacobianTerm{Input: true, Param: 4, Left: az},
			JacobianTerm{Input: true, Param: 8, Left: dn},
			JacobianTerm{Input: true, Param: 0, Left: ar})
	}
	return nd.f, terms, nil
}

// wrapErr turns a gorgonia panic raised by G.Must into an error.
func wrapErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("cells: %s: %v", what, r)
	}
}

// QHessian gives the Jacobian of F and the Hessian of q = ½‖F(x) − x‖² at
// x under u (see QHessian), for PyTorch's form; ok is false with
// ResetBeforeLinear. With ρ = F(x) − x = (1 − z)(n − h), the rows s_i, p_i,
// w_i of W_hr, W_hz, W_hn, hn = W_hn h + b_hn and t_i = r_i w_i +
// hn_i r'_i s_i (the gradient of n's pre-activation):
//
//	∇F_i  = (1 − z_i) n'_i t_i − (n_i − h_i) z'_i p_i + z_i e_i
//	∇²F_i = (1 − z_i)(n''_i t_i t_iᵀ + n'_i (r'_i (s_i w_iᵀ + w_i s_iᵀ) + hn_i r''_i s_i s_iᵀ))
//	        − z'_i n'_i (p_i t_iᵀ + t_i p_iᵀ) − (n_i − h_i) z''_i p_i p_iᵀ
//	        + z'_i (p_i e_iᵀ + e_i p_iᵀ)
//
// 1 − σ(a) is computed as σ(−a), without cancellation.
func (c *GRU) QHessian(x, u []float64) (jac, hess []float64, ok bool) {
	jac, hess = make([]float64, c.hidden*c.hidden), make([]float64, c.hidden*c.hidden)
	if !c.QHessianInto(x, u, jac, hess) {
		return nil, nil, false
	}
	return jac, hess, true
}

// QHessianInto is QHessian written into jac and hess (H×H each), with no
// allocation (see QHessianInto).
func (c *GRU) QHessianInto(x, u, jac, hess []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	H := c.hidden
	// One block of scratch: the pre-activations ar, az, an, hn, the rows
	// s, p, w, t, then Aᵀ, S, σ(ar) and the kernels' row coefficients; J −
	// I (A) is built in jac.
	kern := useQHessianKernels && H%4 == 0
	sc := getScratch(20*H + 2*H*H)
	defer putScratch(sc)
	buf := *sc
	ar, az, an, hn := buf[:H], buf[H:2*H], buf[2*H:3*H], buf[3*H:4*H]
	s, p, w, t := buf[4*H:5*H], buf[5*H:6*H], buf[6*H:7*H], buf[7*H:8*H]
	A := jac[:H*H]                    // J − I
	At := buf[8*H : 8*H+H*H]          // its transpose
	S := buf[8*H+H*H : 8*H+2*H*H]     // Σ ρ_i ∇²F_i, upper triangle
	rs := buf[8*H+2*H*H : 9*H+2*H*H]  // σ(ar), computed once for both uses
	ka := buf[9*H+2*H*H : 13*H+2*H*H] // linalg.GRURank4Upper's a1, a2, a3, a4
	// The gates' e^{∓ar}, e^{∓az}, e^{∓2an} and tanh(an), all units at
	// once (vmath: math.Exp's and math.Tanh's bits).
	ex := buf[13*H+2*H*H : 20*H+2*H*H]
	eNar, eAr, eNaz, eAz := ex[:H], ex[H:2*H], ex[2*H:3*H], ex[3*H:4*H]
	eN2an, e2an, tn := ex[4*H:5*H], ex[5*H:6*H], ex[6*H:7*H]
	clear(S)
	c.preInto(ar, 0, x, u, true)
	c.preInto(az, 1, x, u, true)
	whrT, whzT, whnT := c.params[1].Data, c.params[5].Data, c.params[9].Data
	copy(hn, c.params[11].Data)
	addMatTVec(hn, whnT, x, H)
	c.preInto(an, 2, nil, u, false) // W_in u + b_in
	for i := range ar {
		eNar[i], eAr[i], eNaz[i], eAz[i] = -ar[i], ar[i], -az[i], az[i]
	}
	vmath.Exp(ex[:4*H], ex[:4*H])
	for i := range an {
		rs[i] = 1 / (1 + eNar[i]) // sigm(ar[i])
		an[i] += rs[i] * hn[i]
		eN2an[i], e2an[i] = -2*an[i], 2*an[i]
	}
	vmath.Exp(ex[4*H:6*H], ex[4*H:6*H])
	vmath.Tanh(tn, an)
	for i := 0; i < H; i++ {
		if !kern { // the kernel gathers them itself (GRUUnitCoefs)
			for k := 0; k < H; k++ {
				s[k], p[k], w[k] = whrT[k*H+i], whzT[k*H+i], whnT[k*H+i]
			}
		}
		r, rm := rs[i], 1/(1+eAr[i]) // sigmDerivs(ar[i]), σ(ar[i]) taken from above
		dr := r * rm
		ddr := dr * (rm - r)
		_, omz, dz, ddz := sigmDerivsExp(eNaz[i], eAz[i])
		n, dn, ddn := tanhDerivsExp(tn[i], eN2an[i], e2an[i])
		nmh := n - x[i]
		rho := omz * nmh
		// The loops' invariant products hoisted: (hn_i r'_i) s_k,
		// ((1 − z_i) n'_i) t_k and ((n_i − h_i) z'_i) p_k, as written
		// in full they are rounded in this order too.
		hdr, odn, ndz := hn[i]*dr, omz*dn, nmh*dz
		ctt, csw, css := rho*omz*ddn, rho*omz*dn*dr, rho*omz*dn*hn[i]*ddr
		cpt, cpp, cpe := -rho*dz*dn, -rho*nmh*ddz, rho*dz
		t, s, w := t[:H], s[:H], w[:H]
		ai := A[i*H : (i+1)*H]
		p := p[:len(ai)]
		t = t[:len(ai)]
		j := 0
		if kern {
			// s, p and w (column i of the weights), t, row i of A and
			// the kernel's row coefficients a1..a4 = ctt t + cpt p, css
			// s + csw w, cpp p + cpt t, csw s, 4 units at once, each as
			// the loops below form it.
			co := [9]float64{r, hdr, odn, ndz, ctt, cpt, css, csw, cpp}
			linalg.GRUUnitCoefs(H, whrT[i:], whzT[i:], whnT[i:], s, p, w, t, ai, ka, &co)
			ai[i] -= omz
			linalg.GRURank4Upper(H, S, t, s, p, w, ka)
			j = H
		} else {
			for k := range t {
				t[k] = r*w[k] + hdr*s[k]
			}
			for k := range ai {
				ai[k] = odn*t[k] - ndz*p[k]
			}
			ai[i] -= omz
		}
		// Rows j and j+1 of the upper triangle at once from column j+1
		// on: each entry gets the same sum as alone (the same bits), and
		// the two share their loads of t, s, p and w. The kernel forms
		// the same sums, 4 columns at once.
		for ; j+2 <= H; j += 2 {
			tj, sj, pj, wj := t[j], s[j], p[j], w[j]
			a1, a2, a3 := ctt*tj+cpt*pj, css*sj+csw*wj, cpp*pj+cpt*tj
			a4 := csw * sj
			tj, sj, pj, wj = t[j+1], s[j+1], p[j+1], w[j+1]
			b1, b2, b3 := ctt*tj+cpt*pj, css*sj+csw*wj, cpp*pj+cpt*tj
			b4 := csw * sj
			S[j*H+j] += a1*t[j] + a2*s[j] + a3*p[j] + a4*w[j]
			row, next := S[j*H+j+1:(j+1)*H], S[(j+1)*H+j+1:(j+2)*H]
			next = next[:len(row)]
			tk, sk, pk, wk := t[j+1:H], s[j+1:H], p[j+1:H], w[j+1:H]
			tk, sk, pk, wk = tk[:len(row)], sk[:len(row)], pk[:len(row)], wk[:len(row)]
			for k := range row {
				tv, sv, pv, wv := tk[k], sk[k], pk[k], wk[k]
				row[k] += a1*tv + a2*sv + a3*pv + a4*wv
				next[k] += b1*tv + b2*sv + b3*pv + b4*wv
			}
		}
		for ; j < H; j++ {
			tj, sj, pj, wj := t[j], s[j], p[j], w[j]
			a1, a2, a3 := ctt*tj+cpt*pj, css*sj+csw*wj, cpp*pj+cpt*tj
			a4 := csw * sj
			row := S[j*H+j : (j+1)*H]
			tk, sk, pk, wk := t[j:H], s[j:H], p[j:H], w[j:H]
			tk, sk, pk, wk = tk[:len(row)], sk[:len(row)], pk[:len(row)], wk[:len(row)]
			for k := range row {
				row[k] += a1*tk[k] + a2*sk[k] + a3*pk[k] + a4*wk[k]
			}
		}
		// cpe (p e_iᵀ + e_i pᵀ): row i and column i, on the upper triangle.
		if kern {
			linalg.GRURank2Upper(H, i, S, p, cpe)
			continue
		}
		for k := 0; k < i; k++ {
			S[k*H+i] += cpe * p[k]
		}
		Si := S[i*H : (i+1)*H]
		for k := i; k < H; k++ {
			Si[k] += cpe * p[k]
		}
		S[i*H+i] += cpe * p[i]
	}
	hess = hess[:H*H]
	if kern {
		// The upper triangle in blocks of 4 columns, then mirrored (over
		// the blocks' entries left of the diagonal too).
		linalg.GRUGramUpper(H, A, S, hess)
		linalg.MirrorUpper(H, hess)
		for i := 0; i < H; i++ {
			A[i*H+i]++
		}
		return true
	}
	for i := 0; i < H; i++ {
		for j := 0; j < H; j++ {
			At[j*H+i] = A[i*H+j]
		}
	}
	for j := 0; j < H; j++ {
		aj := At[j*H : (j+1)*H]
		k := j
		// Four entries at once: each sum runs in its own order, as alone
		// (the same bits), but the four chains of additions overlap,
		// where one waits on each addition's latency.
		for ; k+4 <= H; k += 4 {
			a0, a1, a2, a3 := At[k*H:(k+1)*H], At[(k+1)*H:(k+2)*H], At[(k+2)*H:(k+3)*H], At[(k+3)*H:(k+4)*H]
			a0, a1, a2, a3 = a0[:len(aj)], a1[:len(aj)], a2[:len(aj)], a3[:len(aj)]
			v0, v1, v2, v3 := S[j*H+k], S[j*H+k+1], S[j*H+k+2], S[j*H+k+3]
			for i, a := range aj {
				v0 += a * a0[i]
				v1 += a * a1[i]
				v2 += a * a2[i]
				v3 += a * a3[i]
			}
			hess[j*H+k], hess[k*H+j] = v0, v0
			hess[j*H+k+1], hess[(k+1)*H+j] = v1, v1
			hess[j*H+k+2], hess[(k+2)*H+j] = v2, v2
			hess[j*H+k+3], hess[(k+3)*H+j] = v3, v3
		}
		for ; k < H; k++ {
			ak := At[k*H : (k+1)*H]
			ak = ak[:len(aj)]
			v := S[j*H+k]
			for i, a := range aj {
				v += a * ak[i]
			}
			hess[j*H+k], hess[k*H+j] = v, v
		}
	}
	for i := 0; i < H; i++ {
		A[i*H+i]++
	}
	return true
}

// TangentSize is 4 H: the coefficients of dF/dx's four terms (see
// StepJacobian and Tangent).
func (c *GRU) TangentSize() int { return 4 * c.hidden }

// TangentAt writes, for each of the n points x under u, the left
// coefficients of StepJacobian's terms of dh'/dh (see Tangent): z,
// (h − n) z', (1 − z) n' r and (1 − z) n' hn r', H values each, with
// 1 − z computed as σ(−a) and n' as dtanh, as QHessianInto does. The
// recurrent products of the batch are matrix products (linalg.MulNN). It
// reports false with ResetBeforeLinear.
func (c *GRU) TangentAt(n int, x, u, coef []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	H := c.hidden
	c.gatesAt(n, x, u, func(r, i int, g *gruGates) {
		cr := coef[r*4*H : (r+1)*4*H]
		dn := g.omz * g.dn
		cr[i], cr[H+i], cr[2*H+i], cr[3*H+i] = g.z, (x[r*H+i]-g.n)*g.dz, dn*g.r, dn*g.hn*g.dr
	})
	return true
}

// gruGates are one unit's gate values and derivatives at a point: r, r',
// r”, z, 1 − z (as σ(−a)), z', z”, n, n' (as dtanh), n” and
// hn = W_hn h + b_hn.
type gruGates struct {
	r, dr, ddr, z, omz, dz, ddz, n, dn, ddn, hn float64
}

// gatesAt calls set(r, i, g) with unit i's gates at each of the n points
// x under u, their recurrent products taken for the batch at once
// (linalg.MulNN).
func (c *GRU) gatesAt(n int, x, u []float64, set func(r, i int, g *gruGates)) {
	H, M := c.hidden, c.inputs
	sc := getScratch(3 * n * H)
	defer putScratch(sc)
	buf := *sc
	ar, az, hn := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H]
	// Gate k's recurrent product X W_hk^T + b_hk (+ b_ik for r and z).
	rec := func(a []float64, k int, withIH bool) {
		bh, bi := c.params[4*k+3].Data, c.params[4*k+2].Data
		for r := 0; r < n; r++ {
			ar := a[r*H : (r+1)*H]
			copy(ar, bh)
			if withIH {
				for i, v := range bi {
					ar[i] += v
				}
			}
		}
		linalg.MulNN(n, H, H, x, H, c.params[4*k+1].Data, H, a, H, true)
	}
	rec(ar, 0, true)
	rec(az, 1, true)
	rec(hn, 2, false)
	an := make([]float64, H)
	var g gruGates
	for r := 0; r < n; r++ {
		ur := u[r*M : (r+1)*M]
		addMatTVec(ar[r*H:(r+1)*H], c.params[0].Data, ur, H)
		addMatTVec(az[r*H:(r+1)*H], c.params[4].Data, ur, H)
		copy(an, c.params[10].Data) // b_in
		addMatTVec(an, c.params[8].Data, ur, H)
		for i := 0; i < H; i++ {
			g.r, _, g.dr, g.ddr = sigmDerivs(ar[r*H+i])
			g.z, g.omz, g.dz, g.ddz = sigmDerivs(az[r*H+i])
			g.hn = hn[r*H+i]
			g.n, g.dn, g.ddn = tanhDerivs(an[i] + g.r*g.hn)
			set(r, i, &g)
		}
	}
}

// ApplyTangent sets out[r] = dh'/dh v[r] from the coefficients of point
// rows[r] (TangentAt's): z v + a_z (W_hz v) + a_n (W_hn v) + a_r (W_hr v), the
// products of the n rows at once (linalg.MulNN).
func (c *GRU) ApplyTangent(coef []float64, rows []int, v, out []float64) {
	H, n := c.hidden, len(rows)
	sc := getScratch(n * H)
	defer putScratch(sc)
	p := *sc
	for r := 0; r < n; r++ {
		cr, vr, or := coef[rows[r]*4*H:rows[r]*4*H+H], v[r*H:(r+1)*H], out[r*H:(r+1)*H]
		for i := range or {
			or[i] = cr[i] * vr[i]
		}
	}
	for t, k := range [3]int{1, 2, 0} { // the z, n and r terms
		linalg.MulNN(n, H, H, v, H, c.params[4*k+1].Data, H, p, H, false)
		for r := 0; r < n; r++ {
			cr, pr, or := coef[rows[r]*4*H+(t+1)*H:rows[r]*4*H+(t+2)*H], p[r*H:(r+1)*H], out[r*H:(r+1)*H]
			for i := range or {
				or[i] += cr[i] * pr[i]
			}
		}
	}
}

// gruHV is the number of coefficient vectors (H values each) of a point in
// QHessianVecAt.
const gruHV = 12

// QHessianVecSize is 12 H (see QHessianVecAt).
func (c *GRU) QHessianVecSize() int { return gruHV * c.hidden }

// QHessianVecAt writes, for each of the n points, the coefficients of
// ApplyQHessianVec (see QHessianVec). With QHessian's notation (ρ = F − x,
// rows s_i, p_i, w_i of W_hr, W_hz, W_hn, t_i = r_i w_i + hn_i r'_i s_i)
// and, for a vector v, S = W_hr v, P = W_hz v, W = W_hn v, T = r W + hn r' S:
//
//	Σ_i ρ_i ∇²F_i v = W_hrᵀ(β + α hn r') + W_hnᵀ(γ + α r) + W_hzᵀ δ + ε
//	α = ρ((1 − z) n'' T − z' n' P)      β = ρ(1 − z) n'(r' W + hn r'' S)
//	γ = ρ(1 − z) n' r' S                δ = ρ(−z' n' T − (n − h) z'' P + z' v)
//	ε = ρ z' P
//
// and (J − I)ᵀ(J − I) v from y = (J − I) v (TangentAt's terms) as
// z y − y + W_hzᵀ(a_z y) + W_hnᵀ(a_n y) + W_hrᵀ(a_r y). The coefficients
// are z, a_z, a_n, a_r, r, hn r', ρ(1 − z) n”, −ρ z' n', ρ(1 − z) n' r',
// ρ(1 − z) n' hn r”, −ρ (n − h) z” and ρ z'. It reports false with
// ResetBeforeLinear.
func (c *GRU) QHessianVecAt(n int, x, u, coef []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	H := c.hidden
	c.gatesAt(n, x, u, func(r, i int, g *gruGates) {
		cr := coef[r*gruHV*H : (r+1)*gruHV*H]
		nmh := g.n - x[r*H+i]
		rho := g.omz * nmh
		dn := g.omz * g.dn
		cr[i], cr[H+i], cr[2*H+i], cr[3*H+i] = g.z, -nmh*g.dz, dn*g.r, dn*g.hn*g.dr
		cr[4*H+i], cr[5*H+i] = g.r, g.hn*g.dr
		cr[6*H+i], cr[7*H+i] = rho*g.omz*g.ddn, -rho*g.dz*g.dn
		cr[8*H+i], cr[9*H+i] = rho*dn*g.dr, rho*dn*g.hn*g.ddr
		cr[10*H+i], cr[11*H+i] = -rho*nmh*g.ddz, rho*g.dz
	})
	return true
}

// ApplyQHessianVec sets out[r] = H_r v[r], the Hessian of q at point
// rows[r] (coefficients from QHessianVecAt) times v[r], for each row: three
// products with the recurrent weights and three with their transposes,
// each for the n rows at once (linalg.MulNN and MulNT).
func (c *GRU) ApplyQHessianVec(coef []float64, rows []int, v, out []float64) {
	H, n := c.hidden, len(rows)
	sc := getScratch(6 * n * H)
	defer putScratch(sc)
	buf := *sc
	S, P, W := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H]
	gz, gn, gr := buf[3*n*H:4*n*H], buf[4*n*H:5*n*H], buf[5*n*H:6*n*H]
	linalg.MulNN(n, H, H, v, H, c.params[1].Data, H, S, H, false)
	linalg.MulNN(n, H, H, v, H, c.params[5].Data, H, P, H, false)
	linalg.MulNN(n, H, H, v, H, c.params[9].Data, H, W, H, false)
	for r := 0; r < n; r++ {
		cr := coef[rows[r]*gruHV*H : (rows[r]+1)*gruHV*H]
		z, az, an, ar := cr[:H], cr[H:2*H], cr[2*H:3*H], cr[3*H:4*H]
		t1, t2, a1, a2 := cr[4*H:5*H], cr[5*H:6*H], cr[6*H:7*H], cr[7*H:8*H]
		b1, b2, d2, e1 := cr[8*H:9*H], cr[9*H:10*H], cr[10*H:11*H], cr[11*H:12*H]
		o, vr := out[r*H:(r+1)*H], v[r*H:(r+1)*H]
		s, p, w := S[r*H:(r+1)*H], P[r*H:(r+1)*H], W[r*H:(r+1)*H]
		grz, grn, grr := gz[r*H:(r+1)*H], gn[r*H:(r+1)*H], gr[r*H:(r+1)*H]
		for i := range o {
			y := z[i]*vr[i] - vr[i] + az[i]*p[i] + an[i]*w[i] + ar[i]*s[i] // ((J − I) v)_i
			t := t1[i]*w[i] + t2[i]*s[i]
			alpha := a1[i]*t + a2[i]*p[i]
			o[i] = z[i]*y - y + e1[i]*p[i]
			grz[i] = az[i]*y + a2[i]*t + d2[i]*p[i] + e1[i]*vr[i]
			grn[i] = an[i]*y + b1[i]*s[i] + alpha*t1[i]
			grr[i] = ar[i]*y + b1[i]*w[i] + b2[i]*s[i] + alpha*t2[i]
		}
	}
	linalg.MulNT(n, H, H, gz, H, c.params[5].Data, H, out, H, true)
	linalg.MulNT(n, H, H, gn, H, c.params[9].Data, H, out, H, true)
	linalg.MulNT(n, H, H, gr, H, c.params[1].Data, H, out, H, true)
}

// StepRows sets out's first n rows (H values each) to F at the n states x
// (n×H) under the inputs u (n×M), in float64 with the arithmetic of the
// graph that Step builds, operation for operation: its products by
// linalg.MulNN (each entry summed from zero in order of k: the graph's
// products below blasuse.MinDim), the drives u·W_i + (b_i + b_h) (u·W_in
// + b_in for n), each gate's x·W_h plus its drive, σ(a) as 0.5·tanh(0.5·a)
// + 0.5 and tanh with math.Tanh's bits (vmath), n = tanh(r ⊙ (x·W_hn +
// b_hn) + d_n) and F = n + z ⊙ (x − n). It reports false with
// ResetBeforeLinear. Rows with equal inputs in a run share their drives.
func (c *GRU) StepRows(n int, x, u, out []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	H := c.hidden
	sc := getScratch(4 * n * H)
	defer putScratch(sc)
	buf := *sc
	r, z, hn, nn := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H]
	c.gatesRows(n, x, u, r, z, hn, nn)
	for i, nv := range nn {
		out[i] = nv + float64(z[i]*(x[i]-nv))
	}
	return true
}

// JacobianRows sets the first n blocks of jx (H×H each, row-major) to
// dF/dx at the n states x under the inputs u with the arithmetic of the
// graph's closed-form Jacobian (StepJacobian's coefficients z, a_z =
// (x − n)(z(1 − z)), a_n = (1 − z)(1 − n n) r, a_r = ((1 − z)(1 − n n) hn)
// (r(1 − r)), then each entry 0 + z_i δ_ik + a_z,i W_hz,ik + a_n,i
// W_hn,ik + a_r,i W_hr,ik, one rounded product and one rounded addition a
// term, in that order), the gates as StepRows forms them. It reports
// false with ResetBeforeLinear.
func (c *GRU) JacobianRows(n int, x, u, jx []float64) bool {
	return c.JacobianRowsU(n, x, u, jx, nil)
}

// JacobianRowsU is JacobianRows also setting the first n blocks of ju (H×M
// each, when not nil) to dF/du, summed as the graph's input terms: each
// entry 0 + a_z,i W_iz,ik + (1 − z)(1 − n n)_i W_in,ik + a_r,i W_ir,ik.
func (c *GRU) JacobianRowsU(n int, x, u, jx, ju []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	M := c.inputs
	H := c.hidden
	sc := getScratch(4*n*H + 3*H*H)
	defer putScratch(sc)
	buf := *sc
	r, z, hn, nn := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H]
	c.gatesRows(n, x, u, r, z, hn, nn)
	// W_hz, W_hn and W_hr row-major (row i the weights into unit i), once
	// for the n points, so that each row of J reads them in order.
	wt := buf[4*n*H : 4*n*H+3*H*H]
	whz, whn, whr := wt[:H*H], wt[H*H:2*H*H], wt[2*H*H:]
	for g, p := range []int{5, 9, 1} {
		w, t := c.params[p].Data[:H*H], wt[g*H*H:(g+1)*H*H]
		for k := 0; k < H; k++ {
			for i, v := range w[k*H : (k+1)*H] {
				t[i*H+k] = v
			}
		}
	}
	kern := useQHessianKernels && H%4 == 0
	for b := 0; b < n; b++ {
		j := jx[b*H*H : (b+1)*H*H]
		for i := 0; i < H; i++ {
			q := b*H + i
			zi, ri, ni := z[q], r[q], nn[q]
			omz := 1 - zi
			az := float64((x[q] - ni) * float64(zi*omz))
			dn := float64(omz * (1 - float64(ni*ni)))
			an := float64(dn * ri)
			ar := float64(float64(dn*hn[q]) * float64(ri*(1-ri)))
			row := j[i*H : (i+1)*H]
			wz, wn, wr := whz[i*H:(i+1)*H], whn[i*H:(i+1)*H], whr[i*H:(i+1)*H]
			wz, wn, wr = wz[:len(row)], wn[:len(row)], wr[:len(row)]
			if kern {
				// Every entry as if off the diagonal, 4 at once, then
				// the diagonal's with z_i first.
				linalg.GRUJacobianRow(H, wz, wn, wr, row, az, an, ar)
				v := 0.0
				v += zi
				v += float64(az * wz[i])
				v += float64(an * wn[i])
				v += float64(ar * wr[i])
				row[i] = v
			} else {
				for k := range row {
					v := 0.0
					if k == i {
						v += zi
					}
					v += float64(az * wz[k])
					v += float64(an * wn[k])
					v += float64(ar * wr[k])
					row[k] = v
				}
			}
			if ju != nil && M > 0 {
				wiz, win, wir := c.params[4].Data, c.params[8].Data, c.params[0].Data
				urow := ju[b*H*M+i*M : b*H*M+(i+1)*M]
				for k := range urow {
					v := 0.0
					v += float64(az * wiz[k*H+i])
					v += float64(dn * win[k*H+i])
					v += float64(ar * wir[k*H+i])
					urow[k] = v
				}
			}
		}
	}
	return true
}

// gatesRows sets r, z, hn = x·W_hn + b_hn and n (n×H each) at the n states
// x under the inputs u, with the graph's arithmetic (see StepRows).
func (c *GRU) gatesRows(n int, x, u, ar, az, hn, nn []float64) {
	c.gatesRowsT(n, x, u, ar, az, hn, nn, nil, nil)
}

// gatesRowsT is gatesRows also setting tr and tz (when not nil) to the
// gates' tanh(0.5·a), from which σ is formed.
func (c *GRU) gatesRowsT(n int, x, u, ar, az, hn, nn, tr, tz []float64) {
	H, M := c.hidden, c.inputs
	if n == 0 {
		return
	}
	sc := getScratch(6 * H)
	defer putScratch(sc)
	buf := *sc
	d, b := buf[:3*H], buf[3*H:6*H] // the drives of r, z, n; their biases
	linalg.MulNN(n, H, H, x, H, c.params[1].Data, H, ar, H, false)
	linalg.MulNN(n, H, H, x, H, c.params[5].Data, H, az, H, false)
	linalg.MulNN(n, H, H, x, H, c.params[9].Data, H, hn, H, false)
	for g := range 3 {
		bg, bih := b[g*H:(g+1)*H], c.params[4*g+2].Data
		if g == 2 {
			copy(bg, bih)
			continue
		}
		for j, v := range c.params[4*g+3].Data {
			bg[j] = bih[j] + v
		}
	}
	if M == 0 {
		copy(d, b)
	}
	bhn := c.params[11].Data
	// The elementwise steps 4 units at once (linalg's kernels), the same
	// operations in the same order.
	kern := useQHessianKernels && H%4 == 0
	var du []float64 // the input d holds the drives of (none yet)
	for r := 0; r < n; r++ {
		if ur := u[r*M : (r+1)*M]; M > 0 && (du == nil || !slices.Equal(ur, du)) {
			inputDrives(d, b, ur, c.params, 3, H, M)
			du = ur
		}
		rr, rz, rh, rn := ar[r*H:(r+1)*H], az[r*H:(r+1)*H], hn[r*H:(r+1)*H], nn[r*H:(r+1)*H]
		if kern {
			linalg.GRUGatesPre(H, rr, rz, d)
		} else {
			for j := range rr {
				rr[j] = (rr[j] + d[j]) * 0.5
				rz[j] = (rz[j] + d[H+j]) * 0.5
			}
		}
		vmath.Tanh(rr, rr)
		vmath.Tanh(rz, rz)
		var trr, tzr []float64
		if tr != nil {
			trr, tzr = tr[r*H:(r+1)*H], tz[r*H:(r+1)*H]
		}
		if kern {
			linalg.GRUGatesPost(H, rr, rz, rh, rn, d[2*H:], bhn, trr, tzr)
		} else {
			copy(trr, rr)
			copy(tzr, rz)
			for j := range rr {
				rr[j] = float64(rr[j]*0.5) + 0.5 // σ
				rz[j] = float64(rz[j]*0.5) + 0.5
				rh[j] += bhn[j]
				rn[j] = float64(rr[j]*rh[j]) + d[2*H+j]
			}
		}
		vmath.Tanh(rn, rn)
	}
}

// ObjectiveRows sets, for the n states x (n×H) under the inputs u (n×M),
// q[b] = ½‖F − x‖², the n rows of f to F and of g to ∇q = (J − I)ᵀ(F −
// x), with the arithmetic of the graph's objective (graph.Objective: the
// forward pass as StepRows, then its backward pass seeded with dF = F −
// x, op for op: dz = (x − n) dF, dn = dF + (−z dF), da_n = (1 − n n) dn,
// dr = hn da_n, dhn = r da_n, da_z = 0.5((1 − t_z²)(0.5 dz)) and da_r
// likewise from the gates' tanh t = tanh(0.5 a), the products by
// linalg.MulNT with Dgemm's bits, summed as ((z dF + dhn W_hnᵀ) + da_z
// W_hzᵀ) + da_r W_hrᵀ, minus dF; q summed in order as the objective
// does). It reports false with ResetBeforeLinear.
func (c *GRU) ObjectiveRows(n int, x, u, q, f, g []float64) bool {
	if c.ResetBeforeLinear {
		return false
	}
	H := c.hidden
	if n == 0 {
		return true
	}
	sc := getScratch(8 * n * H)
	defer putScratch(sc)
	buf := *sc
	r, z, hn, nn := buf[:n*H], buf[n*H:2*n*H], buf[2*n*H:3*n*H], buf[3*n*H:4*n*H]
	tr, tz, p := buf[4*n*H:5*n*H], buf[5*n*H:6*n*H], buf[6*n*H:8*n*H]
	c.gatesRowsT(n, x, u, r, z, hn, nn, tr, tz)
	dhn, daz := p[:n*H], p[n*H:]
	if useQHessianKernels && H%4 == 0 {
		linalg.GRUObjectiveElems(n*H, x, nn, z, hn, r, tz, tr, f, dhn, daz, g)
	} else {
		gruObjectiveElems(x, nn, z, hn, r, tz, tr, f, dhn, daz, g)
	}
	linalg.MulNT(n, H, H, dhn, H, c.params[9].Data, H, r, H, false) // r is free now
	for i := range g[:n*H] {
		g[i] += r[i]
	}
	linalg.MulNT(n, H, H, daz, H, c.params[5].Data, H, r, H, false)
	for i := range g[:n*H] {
		g[i] += r[i]
	}
	linalg.MulNT(n, H, H, tr, H, c.params[1].Data, H, r, H, false)
	for i := range g[:n*H] {
		g[i] += r[i]
		g[i] -= f[i] - x[i]
	}
	for b := 0; b < n; b++ {
		s := 0.0
		for i := b * H; i < (b+1)*H; i++ {
			d := f[i] - x[i]
			s += float64(d * d)
		}
		q[b] = 0.5 * s
	}
	return true
}

// gruObjectiveElems is ObjectiveRows' elementwise loop (linalg's
// GRUObjectiveElems where its kernel runs).
func gruObjectiveElems(x, nn, z, hn, r, tz, tr, f, dhn, daz, g []float64) {
	for i, nv := range nn {
		xi := x[i]
		diff := xi - nv
		fi := nv + float64(z[i]*diff)
		f[i] = fi
		dF := fi - xi
		dz := diff * dF
		zdF := z[i] * dF
		dn := dF + -zdF
		dan := float64(1-float64(nv*nv)) * dn
		dr := hn[i] * dan
		dhn[i] = r[i] * dan
		daz[i] = 0.5 * float64(float64(1-float64(tz[i]*tz[i]))*float64(0.5*dz))
		// r's gradient in tr (its tanh read first), z dF in g
		tr[i] = 0.5 * float64(float64(1-float64(tr[i]*tr[i]))*float64(0.5*dr))
		g[i] = zdF
	}
}
