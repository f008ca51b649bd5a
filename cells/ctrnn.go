package cells

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/interval"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activation is a continuous-time RNN's nonlinearity f.
type Activation int

const (
	ActReLU     Activation = iota // max(a, 0), the default (neurogym, PsychRNN)
	ActTanh                       // tanh(a)
	ActSoftplus                   // log(1 + exp(a)), exactly (torch returns a itself above a = 20)
	ActSigmoid                    // 1 / (1 + exp(-a))
	ActIdentity                   // a (a linear network)
)

var activationNames = []string{"relu", "tanh", "softplus", "sigmoid", "identity"}

// String is the activation's flag name.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation reads relu, tanh, softplus, sigmoid or identity.
func ParseActivation(s string) (Activation, error) {
	if i := slices.Index(activationNames, strings.ToLower(s)); i >= 0 {
		return Activation(i), nil
	}
	return 0, fmt.Errorf("cells: activation %q: want one of %s", s, strings.Join(activationNames, ", "))
}

// CTRNNForm is where the leak sits in a continuous-time RNN's Euler step.
type CTRNNForm int

const (
	// FormRate: h' = (1 - α) h + α f(W_in u + b_in + W h + b) (Yang et al.
	// 2019, neurogym's ngym_usage): the state is the rate.
	FormRate CTRNNForm = iota
	// FormPost: h' = f((1 - α) h + α (W_in u + b_in + W h + b)) (the
	// nn-brain / neurogym tutorial's CTRNN): the activation after the leak.
	FormPost
	// FormVoltage: x' = (1 - α) x + α (W f(x) + W_in u + b) (PsychRNN, and
	// low-rank RNNs): the state is the voltage, the rate is f(x).
	FormVoltage
)

var formNames = []string{"rate", "post", "voltage"}

// String is the form's flag name.
func (f CTRNNForm) String() string {
	if f < 0 || int(f) >= len(formNames) {
		return fmt.Sprintf("CTRNNForm(%d)", int(f))
	}
	return formNames[f]
}

// ParseCTRNNForm reads rate, post or voltage.
func ParseCTRNNForm(s string) (CTRNNForm, error) {
	if i := slices.Index(formNames, strings.ToLower(s)); i >= 0 {
		return CTRNNForm(i), nil
	}
	return 0, fmt.Errorf("cells: CTRNN form %q: want one of %s", s, strings.Join(formNames, ", "))
}

// CTRNN is a leaky continuous-time RNN, τ dh/dt = -h + f(...), as one
// Euler step of α = dt/τ (see CTRNNForm for the three ways it is written).
// The map's eigenvalues μ and the flow's λ are related by μ = 1 + αλ.
//
// Its Params are W_in transposed (M x N), W transposed (N x N) and the one
// bias b_in + b (1 x N).
type CTRNN struct {
	Alpha float64 // dt/τ, in (0, 1]
	Form  CTRNNForm
	Act   Activation

	hidden, inputs int
	params         []*Param
}

// EulerStep is a cell whose map is the Euler step of a flow: F(h) =
// h + α g(h, u) for τ dh/dt = g(h, u), with α = dt/τ in (0, 1] returned by
// StepAlpha. Its map's eigenvalues μ and its flow's λ (per unit of τ) are
// related by μ = 1 + αλ; finder records α (FixedPoints.Alpha) so that both
// are reported.
type EulerStep interface {
	// StepAlpha returns α = dt/τ.
	StepAlpha() float64
}

// StepAlpha is α = dt/τ (see EulerStep).
func (c *CTRNN) StepAlpha() float64 { return c.Alpha }

// NewCTRNN returns a zero-weight CTRNN; alpha must be in (0, 1].
func NewCTRNN(hidden, inputs int, alpha float64, form CTRNNForm, act Activation) (*CTRNN, error) {
	if err := CheckAlpha(alpha); err != nil {
		return nil, err
	}
	if hidden < 1 || inputs < 0 {
		return nil, fmt.Errorf("cells: CTRNN with hidden size %d and %d inputs: want hidden >= 1, inputs >= 0", hidden, inputs)
	}
	if form < FormRate || form > FormVoltage || act < ActReLU || act > ActIdentity {
		return nil, fmt.Errorf("cells: CTRNN: unknown form %v or activation %v", form, act)
	}
	return &CTRNN{Alpha: alpha, Form: form, Act: act, hidden: hidden, inputs: inputs, params: []*Param{
		NewParam("w_in_T", inputs, hidden), NewParam("w_rec_T", hidden, hidden), NewParam("b", 1, hidden),
	}}, nil
}

// CheckAlpha returns an error unless 0 < alpha <= 1.
func CheckAlpha(alpha float64) error {
	if !(alpha > 0 && alpha <= 1) {
		return fmt.Errorf("cells: CTRNN alpha = dt/tau = %g: want 0 < alpha <= 1", alpha)
	}
	return nil
}

// StateSize is the hidden size.
func (c *CTRNN) StateSize() int { return c.hidden }

// Hidden is the hidden size.
func (c *CTRNN) Hidden() int { return c.hidden }

// InputSize is M.
func (c *CTRNN) InputSize() int { return c.inputs }

// Params are W_in^T (M x N), W^T (N x N) and b (1 x N).
func (c *CTRNN) Params() []*Param { return c.params }

// Kind is "CTRNN".
func (c *CTRNN) Kind() string { return "CTRNN" }

// Drives builds U W_in^T + b (B x N), or b alone (1 x N) without inputs.
func (c *CTRNN) Drives(u *G.Node, p []*G.Node) (d []*G.Node, err error) {
	if err := checkParams(c, p); err != nil {
		return nil, err
	}
	defer wrapErr("CTRNN drives", &err)
	if c.inputs == 0 {
		return []*G.Node{p[2]}, nil
	}
	if u == nil {
		return nil, fmt.Errorf("cells: CTRNN takes %d inputs but no input node was given", c.inputs)
	}
	return []*G.Node{G.Must(affine(u, p[0], p[2]))}, nil
}

// Step builds one step for a batch.
func (c *CTRNN) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	return stepViaDrives(c, x, u, p)
}

// StepDriven builds one step from the drive (see Driven and CTRNNForm).
func (c *CTRNN) StepDriven(x *G.Node, d, p []*G.Node) (f *G.Node, err error) {
	if sx := x.Shape(); len(sx) != 2 || sx[1] != c.hidden {
		return nil, fmt.Errorf("cells: state node has shape %v, want (B, %d)", sx, c.hidden)
	}
	if len(d) != 1 {
		return nil, fmt.Errorf("cells: CTRNN: %d drives, want 1", len(d))
	}
	if err := checkParams(c, p); err != nil {
		return nil, err
	}
	defer wrapErr("CTRNN step", &err)
	alpha := scalarLike(x, c.Alpha, "ctrnn_alpha")
	keep := scalarLike(x, 1-c.Alpha, "ctrnn_keep")
	leak := G.Must(G.HadamardProd(x, keep))
	switch c.Form {
	case FormRate:
		pre := G.Must(addDrive(G.Must(G.Mul(x, p[1])), d[0]))
		return G.Add(leak, G.Must(G.HadamardProd(G.Must(c.activate(pre)), alpha)))
	case FormPost:
		pre := G.Must(addDrive(G.Must(G.Mul(x, p[1])), d[0]))
		return c.activate(G.Must(G.Add(leak, G.Must(G.HadamardProd(pre, alpha)))))
	}
	pre := G.Must(addDrive(G.Must(G.Mul(G.Must(c.activate(x)), p[1])), d[0]))
	return G.Add(leak, G.Must(G.HadamardProd(pre, alpha)))
}

// activate builds f(a).
func (c *CTRNN) activate(a *G.Node) (*G.Node, error) {
	switch c.Act {
	case ActTanh:
		return G.Tanh(a)
	case ActSigmoid:
		return sigmoid(a, "ctrnn_sigmoid")
	case ActSoftplus:
		return softplus(a)
	case ActIdentity:
		return a, nil
	}
	return G.Rectify(a)
}

// softplus builds log(1 + exp(a)) as max(a, 0) + log1p(exp(-|a|)), exact
// to rounding for every a (gorgonia's Softplus returns a above 16, torch's
// above 20).
func softplus(a *G.Node) (*G.Node, error) {
	r, err := G.Rectify(a)
	if err != nil {
		return nil, err
	}
	na, err := G.Neg(G.Must(G.Abs(a)))
	if err != nil {
		return nil, err
	}
	l, err := G.Log1p(G.Must(G.Exp(na)))
	if err != nil {
		return nil, err
	}
	return G.Add(r, l)
}

// scalarLike is a named scalar constant of v in a's dtype.
func scalarLike(a *G.Node, v float64, name string) *G.Node {
	if a.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v), G.WithName(name))
	}
	return G.NewConstant(v, G.WithName(name))
}

// StateDict returns the weights under nn.RNN's names (weight_ih_l0,
// weight_hh_l0, bias_ih_l0 holding b_in + b, bias_hh_l0 zero).
func (c *CTRNN) StateDict() StateDict {
	N, M := c.hidden, c.inputs
	wih := Tensor{Shape: []int{N, M}, Data: make([]float64, N*M)}
	whh := Tensor{Shape: []int{N, N}, Data: make([]float64, N*N)}
	for i := 0; i < N; i++ {
		for j := 0; j < M; j++ {
			wih.Data[i*M+j] = c.params[0].At(j, i)
		}
		for j := 0; j < N; j++ {
			whh.Data[i*N+j] = c.params[1].At(j, i)
		}
	}
	return StateDict{"weight_ih_l0": wih, "weight_hh_l0": whh,
		"bias_ih_l0": {Shape: []int{N}, Data: slices.Clone(c.params[2].Data)}, "bias_hh_l0": {Shape: []int{N}, Data: make([]float64, N)}}
}

// LoadStateDict sets the weights from nn.RNN's names (see StateDict; the
// biases are optional); on error the cell is unchanged.
func (c *CTRNN) LoadStateDict(sd StateDict) error {
	w := ctrnnWeights{win: sd["weight_ih_l0"], wrec: sd["weight_hh_l0"]}
	for _, name := range []string{"bias_ih_l0", "bias_hh_l0"} {
		if t, ok := sd[name]; ok {
			w.biases = append(w.biases, namedTensor{name, t})
		}
	}
	if _, ok := sd["weight_hh_l0"]; !ok {
		return fmt.Errorf("cells: CTRNN state_dict: %w %q (have %s)", ErrMissing, "weight_hh_l0", nameList(sd))
	}
	if _, ok := sd["weight_ih_l0"]; !ok && c.inputs > 0 {
		return fmt.Errorf("cells: CTRNN state_dict: %w %q (have %s)", ErrMissing, "weight_ih_l0", nameList(sd))
	}
	return c.set(w)
}

// namedTensor is a tensor with the name it was saved under.
type namedTensor struct {
	name string
	t    Tensor
}

// ctrnnWeights are a CTRNN's weights as saved: W_in (N x M, or nil
// shape without inputs), W (N x N) and any number of N-vector biases.
type ctrnnWeights struct {
	win, wrec Tensor
	biases    []namedTensor
}

// set checks the weights' shapes and values and copies them in.
func (c *CTRNN) set(w ctrnnWeights) error {
	N, M := c.hidden, c.inputs
	if !slices.Equal(w.wrec.Shape, []int{N, N}) || len(w.wrec.Data) != N*N {
		return fmt.Errorf("cells: CTRNN: %w: recurrent weight has shape %v, want [%d %d]", ErrShape, w.wrec.Shape, N, N)
	}
	if M > 0 && (!slices.Equal(w.win.Shape, []int{N, M}) || len(w.win.Data) != N*M) {
		return fmt.Errorf("cells: CTRNN: %w: input weight has shape %v, want [%d %d]", ErrShape, w.win.Shape, N, M)
	}
	b := make([]float64, N)
	for _, nt := range w.biases {
		if len(nt.t.Data) != N || prod(nt.t.Shape) != N {
			return fmt.Errorf("cells: CTRNN: %w: bias %q has shape %v, want [%d]", ErrShape, nt.name, nt.t.Shape, N)
		}
		for i, v := range nt.t.Data {
			b[i] += v
		}
	}
	for _, t := range [][]float64{w.win.Data, w.wrec.Data, b} {
		for _, v := range t {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("cells: CTRNN: %w: a weight is %v", ErrNotFinite, v)
			}
		}
	}
	for i := 0; i < N; i++ {
		for j := 0; j < M; j++ {
			c.params[0].Set(j, i, w.win.Data[i*M+j])
		}
		for j := 0; j < N; j++ {
			c.params[1].Set(j, i, w.wrec.Data[i*N+j])
		}
	}
	copy(c.params[2].Data, b)
	return nil
}

// Factor implements Factored (see its documentation), the leak being D:
//
//   - rate:    F − h = α (f(a) − h), a = W h + W_in u + b: D = α, G = f(a) − h;
//   - post:    F − h = f((1 − α) h + α a) − h: D = 1, G = F − h;
//   - voltage: F − x = α (W f(x) + W_in u + b − x): D = α, G = W f(x) + W_in u + b − x.
//
// The constants are the floats the step uses: α and 1 − α rounded once.
func (c *CTRNN) Factor(x []interval.I, u []float64, jac bool) (*Factors, error) {
	if err := checkBox(c, x, u); err != nil {
		return nil, err
	}
	N := c.hidden
	w, win := c.params[1].Data, c.params[0].Data // transposed as stored
	act, der := c.enclosures()
	drive := func(a []interval.I) []interval.I { // a + W_in u + b
		for i, v := range c.params[2].Data {
			a[i] = interval.AddScalar(a[i], v)
		}
		if c.inputs > 0 {
			b := affineEnc(win, N, pointBox(u), nil)
			for i := range a {
				a[i] = interval.Add(a[i], b[i])
			}
		}
		return a
	}
	alpha, keep := c.Alpha, 1-c.Alpha
	lf := layerFactors{n: N, m: c.inputs, h: N, wantJ: jac}
	var s []interval.I // f' where the Jacobian needs it
	switch c.Form {
	case FormRate:
		a := drive(affineEnc(w, N, x, nil))
		lf.G, lf.D = zipI(mapI(a, act), x, interval.Sub), constI(N, alpha)
		if jac {
			s = mapI(a, der)
			lf.Gx = interval.NewMat(N, N)
			lf.Gx.AddScaledRowsT(0, 0, vec(s), w)
		}
	case FormPost:
		a := drive(affineEnc(w, N, x, nil))
		p := make([]interval.I, N)
		for i := range p {
			p[i] = interval.Add(interval.Scale(keep, x[i]), interval.Scale(alpha, a[i]))
		}
		lf.G, lf.D = zipI(mapI(p, act), x, interval.Sub), constI(N, 1)
		if jac { // diag(f'(p)) ((1 − α) I + α W) − I
			s = mapI(p, der)
			lf.Gx = interval.NewMat(N, N)
			lf.Gx.AddScaledRowsT(0, 0, vec(mapI(s, func(v interval.I) interval.I { return interval.Scale(alpha, v) })), w)
			lf.Gx.AddDiag(0, 0, vec(mapI(s, func(v interval.I) interval.I { return interval.Scale(keep, v) })))
		}
	default:
		r := mapI(x, act)
		a := drive(affineEnc(w, N, r, nil))
		lf.G, lf.D = zipI(a, x, interval.Sub), constI(N, alpha)
		if jac { // W diag(f'(x)) − I
			s = mapI(x, der)
			lf.Gx = interval.NewMat(N, N)
			for i := 0; i < N; i++ {
				for j := 0; j < N; j++ {
					lf.Gx.Mid[i*N+j], lf.Gx.Rad[i*N+j] = interval.MidRad(interval.Mul(interval.Point(w[j*N+i]), s[j]))
				}
			}
		}
	}
	if jac {
		lf.Gx.AddDiag(0, 0, negOnes(N))
	}
	return finish(lf)
}

// enclosures returns interval enclosures of f and f'.
func (c *CTRNN) enclosures() (f, df func(interval.I) interval.I) {
	switch c.Act {
	case ActTanh:
		return interval.Tanh, interval.TanhDeriv
	case ActSigmoid:
		return interval.Sigmoid, interval.SigmoidDeriv
	case ActSoftplus:
		return interval.Softplus, interval.Sigmoid
	case ActIdentity:
		return func(v interval.I) interval.I { return v }, func(interval.I) interval.I { return interval.Point(1) }
	}
	return interval.ReLU, interval.ReLUDeriv
}

// constI is n copies of the point v.
func constI(n int, v float64) []interval.I {
	out := make([]interval.I, n)
	for i := range out {
		out[i] = interval.Point(v)
	}
	return out
}
