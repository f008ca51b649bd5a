package cells

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// CTRNNOptions say how LoadModel reads a continuous-time RNN (Options.Kind
// "ctrnn"). A state_dict never stores α = dt/τ: Alpha, or DT and Tau, must
// be given.
type CTRNNOptions struct {
	Alpha   float64 // dt/τ in (0, 1]; 0: DT/Tau
	DT, Tau float64 // the Euler step and the time constant, when Alpha is 0
	// Form is rate, post or voltage; "" is rate, but voltage for PsychRNN's
	// and low-rank layouts, whose code is written in that form.
	Form string
	// Activation is relu, tanh, softplus, sigmoid or identity; "" is relu.
	Activation string
	// InputName and RecurrentName name the input and recurrent weights of
	// the module: an nn.Linear (NAME.weight, NAME.bias) or a tensor. ""
	// are input2h and h2h (neurogym's CTRNN).
	InputName, RecurrentName string
}

// ResolveAlpha returns α from alpha, or from dt/tau when alpha is 0, with
// a one-line error naming what is missing or out of range.
func ResolveAlpha(alpha, dt, tau float64) (float64, error) {
	switch {
	case alpha != 0 && (dt != 0 || tau != 0):
		return 0, fmt.Errorf("cells: CTRNN alpha given both as alpha = %g and as dt/tau: give one", alpha)
	case alpha != 0:
		return alpha, CheckAlpha(alpha)
	case dt == 0 && tau == 0:
		return 0, fmt.Errorf("cells: CTRNN alpha = dt/tau is not in the state_dict: give alpha (0 < alpha <= 1), or dt and tau")
	case tau == 0:
		return 0, fmt.Errorf("cells: CTRNN dt = %g given without tau: alpha = dt/tau needs both (or give alpha)", dt)
	case dt == 0:
		return 0, fmt.Errorf("cells: CTRNN tau = %g given without dt: alpha = dt/tau needs both (or give alpha)", tau)
	case !(dt > 0) || !(tau > 0):
		return 0, fmt.Errorf("cells: CTRNN dt = %g, tau = %g: want both > 0", dt, tau)
	}
	a := dt / tau
	if err := CheckAlpha(a); err != nil {
		return 0, fmt.Errorf("cells: CTRNN dt/tau = %g/%g = %g: want 0 < dt/tau <= 1 (dt <= tau)", dt, tau, a)
	}
	return a, nil
}

// ctrnnLayout is one way a CTRNN's weights are saved.
type ctrnnLayout struct {
	name   string // for messages
	prefix string
	form   CTRNNForm
	read   func(sd StateDict, p string) (ctrnnWeights, error)
}

// ctrnnFromStateDict reads a CTRNN from sd in whichever layout it is saved.
func ctrnnFromStateDict(sd StateDict, o Options, info *ModelInfo) (TorchCell, error) {
	co := o.CTRNN
	alpha, err := ResolveAlpha(co.Alpha, co.DT, co.Tau)
	if err != nil {
		return nil, err
	}
	act := ActReLU
	if co.Activation != "" {
		if act, err = ParseActivation(co.Activation); err != nil {
			return nil, err
		}
	}
	l, err := findCTRNNLayout(sd, o)
	if err != nil {
		return nil, err
	}
	form := l.form
	if co.Form != "" {
		if form, err = ParseCTRNNForm(co.Form); err != nil {
			return nil, err
		}
	}
	w, err := l.read(sd, l.prefix)
	if err != nil {
		return nil, err
	}
	N := w.wrec.Shape[0]
	M := 0
	if len(w.win.Shape) == 2 {
		M = w.win.Shape[1]
	}
	c, err := NewCTRNN(N, M, alpha, form, act)
	if err != nil {
		return nil, err
	}
	if err := c.set(w); err != nil {
		return nil, err
	}
	info.Kind, info.Layers, info.Hidden, info.Inputs, info.StateSize = "ctrnn", 1, N, M, N
	info.Prefix = l.prefix
	info.Variant = fmt.Sprintf("%s form, %s, alpha %g; %s", form, act, alpha, l.name)
	return c, nil
}

// findCTRNNLayout finds the one layout (and prefix) sd's names fit.
func findCTRNNLayout(sd StateDict, o Options) (ctrnnLayout, error) {
	in, rec := o.CTRNN.InputName, o.CTRNN.RecurrentName
	if rec == "" {
		rec = "h2h"
	}
	if in == "" {
		in = "input2h"
	}
	var found []ctrnnLayout
	add := func(name string, suffix string, form CTRNNForm, read func(StateDict, string) (ctrnnWeights, error)) {
		for _, p := range suffixPrefixes(sd, suffix) {
			if o.Prefix == "" || o.Prefix == AutoPrefix || o.Prefix == p {
				found = append(found, ctrnnLayout{name: name, prefix: p, form: form, read: read})
			}
		}
	}
	linear := func(sd StateDict, p string) (ctrnnWeights, error) { return readLinearCTRNN(sd, p, in, rec) }
	add(fmt.Sprintf("nn.Linear %s, %s", in, rec), rec+".weight", FormRate, linear)
	if _, ok := sd[rec]; ok && o.CTRNN.RecurrentName != "" {
		add(fmt.Sprintf("tensors %s, %s", in, rec), rec, FormRate, linear)
	}
	if o.CTRNN.RecurrentName == "" {
		add("nn.RNN names", recurrentKey, FormRate, readRNNNamesCTRNN)
		add("PsychRNN W_in, W_rec, b_rec", "W_rec", FormVoltage, readPsychRNN)
		add("low-rank m, n (W = m n^T / N)", "m", FormVoltage, readLowRank)
		add("one kernel over [u; h] (Yang et al. 2019)", "kernel", FormRate, readKernelCTRNN)
	}
	// A low-rank "m" matches any name ending in m; keep it only with its n.
	found = slices.DeleteFunc(found, func(l ctrnnLayout) bool {
		_, ok := sd[l.prefix+"n"]
		return strings.HasPrefix(l.name, "low-rank") && !ok
	})
	// Of several kernels (a readout's too), the one under an rnn scope.
	if k := slices.IndexFunc(found, isKernel); k >= 0 && len(found) > 1 {
		var rnn []ctrnnLayout
		for _, l := range found {
			if isKernel(l) && strings.Contains(strings.ToLower(l.prefix), "rnn") {
				rnn = append(rnn, l)
			}
		}
		if len(rnn) == 1 && len(found) == len(slices.DeleteFunc(slices.Clone(found), func(l ctrnnLayout) bool { return !isKernel(l) })) {
			found = rnn
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return ctrnnLayout{}, fmt.Errorf("cells: %w: no CTRNN weights found (have %s): looked for nn.Linear %s.weight and %s.weight "+
			"(-input-name, -recurrent-name name others), weight_ih_l0/weight_hh_l0, PsychRNN's W_in/W_rec/b_rec, "+
			"low-rank m/n and a kernel over [u; h]", ErrMissing, tensorList(sd), in, rec)
	}
	var names []string
	for _, l := range found {
		names = append(names, fmt.Sprintf("%s under prefix %q", l.name, l.prefix))
	}
	return ctrnnLayout{}, fmt.Errorf("cells: %d CTRNN weight sets (%s): ambiguous, name the prefix of the one to load", len(found), strings.Join(names, "; "))
}

func isKernel(l ctrnnLayout) bool { return strings.Contains(l.name, "kernel") }

// suffixPrefixes returns, sorted, every P for which P+suffix is a tensor
// name and P is "" or ends in a separator.
func suffixPrefixes(sd StateDict, suffix string) []string {
	var out []string
	for name := range sd {
		if p, ok := strings.CutSuffix(name, suffix); ok && (p == "" || strings.HasSuffix(p, ".") || strings.HasSuffix(p, "/")) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// tensorList names the tensors of sd with their shapes, at most 24.
func tensorList(sd StateDict) string {
	names := sd.Names()
	var parts []string
	for i, n := range names {
		if i == 24 {
			parts = append(parts, fmt.Sprintf("... %d more", len(names)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%q %v", n, sd[n].Shape))
	}
	return strings.Join(parts, ", ")
}

// tensor2 returns sd[name] if it is a matrix.
func tensor2(sd StateDict, name string) (Tensor, error) {
	t, ok := sd[name]
	if !ok {
		return Tensor{}, fmt.Errorf("cells: CTRNN: %w %q (have %s)", ErrMissing, name, tensorList(sd))
	}
	if len(t.Shape) != 2 || len(t.Data) != t.Shape[0]*t.Shape[1] {
		return Tensor{}, fmt.Errorf("cells: CTRNN: %w: tensor %q has shape %v, want a matrix", ErrShape, name, t.Shape)
	}
	return t, nil
}

// optionalBias appends sd[name] to w's biases when present.
func optionalBias(w *ctrnnWeights, sd StateDict, name string) {
	if t, ok := sd[name]; ok {
		w.biases = append(w.biases, namedTensor{name, t})
	}
}

// readLinearCTRNN reads nn.Linear modules (or plain tensors) in and rec.
func readLinearCTRNN(sd StateDict, p, in, rec string) (w ctrnnWeights, err error) {
	name := func(mod string) string {
		if _, ok := sd[p+mod+".weight"]; ok {
			return p + mod + ".weight"
		}
		return p + mod
	}
	if w.wrec, err = tensor2(sd, name(rec)); err != nil {
		return w, err
	}
	if _, ok := sd[name(in)]; ok {
		if w.win, err = tensor2(sd, name(in)); err != nil {
			return w, err
		}
	}
	optionalBias(&w, sd, p+in+".bias")
	optionalBias(&w, sd, p+rec+".bias")
	return w, nil
}

// readRNNNamesCTRNN reads nn.RNN's tensor names (one layer).
func readRNNNamesCTRNN(sd StateDict, p string) (w ctrnnWeights, err error) {
	if _, ok := sd[p+"weight_hh_l1"]; ok {
		return w, fmt.Errorf("cells: %w: tensor %q: a CTRNN has one layer", ErrUnsupported, p+"weight_hh_l1")
	}
	if w.wrec, err = tensor2(sd, p+"weight_hh_l0"); err != nil {
		return w, err
	}
	if _, ok := sd[p+"weight_ih_l0"]; ok {
		if w.win, err = tensor2(sd, p+"weight_ih_l0"); err != nil {
			return w, err
		}
	}
	optionalBias(&w, sd, p+"bias_ih_l0")
	optionalBias(&w, sd, p+"bias_hh_l0")
	return w, nil
}

// readPsychRNN reads PsychRNN's saved weights (RNN.save: numpy.savez of
// get_weights()) and applies its masks as get_effective_W_rec and
// get_effective_W_in do: W_rec * rec_connectivity and W_in *
// input_connectivity, and with a nonzero dale_ratio |W_rec * rec_connectivity|
// Dale_rec and |W_in * input_connectivity|. Newer PsychRNN saves W_rec and
// W_in already masked; masking again changes nothing.
func readPsychRNN(sd StateDict, p string) (w ctrnnWeights, err error) {
	if w.wrec, err = tensor2(sd, p+"W_rec"); err != nil {
		return w, err
	}
	N := w.wrec.Shape[0]
	w.wrec.Data = slices.Clone(w.wrec.Data)
	if _, ok := sd[p+"W_in"]; ok {
		if w.win, err = tensor2(sd, p+"W_in"); err != nil {
			return w, err
		}
		w.win.Data = slices.Clone(w.win.Data)
	}
	mask := func(t *Tensor, name string) error {
		m, ok := sd[p+name]
		if !ok {
			return nil
		}
		if !slices.Equal(m.Shape, t.Shape) || len(m.Data) != len(t.Data) {
			return fmt.Errorf("cells: PsychRNN: %w: mask %q has shape %v, the weight it masks %v", ErrShape, p+name, m.Shape, t.Shape)
		}
		for i := range t.Data {
			t.Data[i] *= m.Data[i]
		}
		return nil
	}
	if err := mask(&w.wrec, "rec_connectivity"); err != nil {
		return w, err
	}
	if w.win.Shape != nil {
		if err := mask(&w.win, "input_connectivity"); err != nil {
			return w, err
		}
	}
	dale := false
	if r, ok := sd[p+"dale_ratio"]; ok && len(r.Data) == 1 && r.Data[0] != 0 {
		dale = true
	}
	D, hasD := sd[p+"Dale_rec"]
	if hasD && (!slices.Equal(D.Shape, []int{N, N}) || len(D.Data) != N*N) {
		return w, fmt.Errorf("cells: PsychRNN: %w: Dale_rec has shape %v, want [%d %d]", ErrShape, D.Shape, N, N)
	}
	if !dale {
		if hasD && !isIdentity(D.Data, N) {
			return w, fmt.Errorf("cells: PsychRNN: Dale_rec is not the identity but dale_ratio is missing or None: PsychRNN applies Dale's law only with a dale_ratio; save it with the weights")
		}
		optionalBias(&w, sd, p+"b_rec")
		return w, nil
	}
	if !hasD {
		return w, fmt.Errorf("cells: PsychRNN: %w: dale_ratio is %g but Dale_rec is missing", ErrMissing, sd[p+"dale_ratio"].Data[0])
	}
	abs := make([]float64, N*N)
	for i, v := range w.wrec.Data {
		abs[i] = math.Abs(v)
	}
	for i := 0; i < N; i++ { // |W_rec * rec_connectivity| Dale_rec
		for j := 0; j < N; j++ {
			s := 0.0
			for k := 0; k < N; k++ {
				s += abs[i*N+k] * D.Data[k*N+j]
			}
			w.wrec.Data[i*N+j] = s
		}
	}
	for i, v := range w.win.Data {
		w.win.Data[i] = math.Abs(v)
	}
	optionalBias(&w, sd, p+"b_rec")
	return w, nil
}

func isIdentity(a []float64, n int) bool {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if want := map[bool]float64{true: 1}[i == j]; a[i*n+j] != want {
				return false
			}
		}
	}
	return true
}

// readLowRank reads m and n (N x R), W = m n^T / N, with input weights wi
// (M x N, applied as u wi) or an nn.Linear input2h.
func readLowRank(sd StateDict, p string) (w ctrnnWeights, err error) {
	m, err := tensor2(sd, p+"m")
	if err != nil {
		return w, err
	}
	n, err := tensor2(sd, p+"n")
	if err != nil {
		return w, err
	}
	if !slices.Equal(m.Shape, n.Shape) {
		return w, fmt.Errorf("cells: low-rank RNN: %w: m has shape %v and n %v, want both [N R]", ErrShape, m.Shape, n.Shape)
	}
	N, R := m.Shape[0], m.Shape[1]
	w.wrec = Tensor{Shape: []int{N, N}, Data: make([]float64, N*N)}
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			s := 0.0
			for r := 0; r < R; r++ {
				s += m.Data[i*R+r] * n.Data[j*R+r]
			}
			w.wrec.Data[i*N+j] = s / float64(N)
		}
	}
	switch {
	case sd[p+"wi"].Shape != nil:
		wi, err := tensor2(sd, p+"wi")
		if err != nil {
			return w, err
		}
		M := wi.Shape[0]
		if wi.Shape[1] != N {
			return w, fmt.Errorf("cells: low-rank RNN: %w: wi has shape %v, want [M %d]", ErrShape, wi.Shape, N)
		}
		w.win = Tensor{Shape: []int{N, M}, Data: make([]float64, N*M)}
		for i := 0; i < N; i++ {
			for j := 0; j < M; j++ {
				w.win.Data[i*M+j] = wi.Data[j*N+i]
			}
		}
	case sd[p+"input2h.weight"].Shape != nil:
		if w.win, err = tensor2(sd, p+"input2h.weight"); err != nil {
			return w, err
		}
		optionalBias(&w, sd, p+"input2h.bias")
	}
	optionalBias(&w, sd, p+"b")
	return w, nil
}

// readKernelCTRNN reads one kernel over [u; h] ((M+N) x N, applied as
// [u, h] kernel, TensorFlow's layout in Yang et al. 2019's LeakyRNNCell)
// and its bias.
func readKernelCTRNN(sd StateDict, p string) (w ctrnnWeights, err error) {
	k, err := tensor2(sd, p+"kernel")
	if err != nil {
		return w, err
	}
	N := k.Shape[1]
	M := k.Shape[0] - N
	if M < 0 || N < 1 {
		return w, fmt.Errorf("cells: CTRNN kernel: %w: %q has shape %v, want [M+N N]", ErrShape, p+"kernel", k.Shape)
	}
	w.win = Tensor{Shape: []int{N, M}, Data: make([]float64, N*M)}
	w.wrec = Tensor{Shape: []int{N, N}, Data: make([]float64, N*N)}
	for i := 0; i < N; i++ {
		for j := 0; j < M; j++ {
			w.win.Data[i*M+j] = k.Data[j*N+i]
		}
		for j := 0; j < N; j++ {
			w.wrec.Data[i*N+j] = k.Data[(M+j)*N+i]
		}
	}
	optionalBias(&w, sd, p+"bias")
	return w, nil
}

// otherWays says which flags would read a state_dict that holds no
// nn.RNN/GRU/LSTM layer, with a one-line example.
func otherWays(sd StateDict) string {
	const onnx = `any other cell reads as an ONNX export of its one step with no flags: torch.onnx.export(cell, (u, h), "step.onnx", input_names=["input", "hidden"])`
	if l, err := findCTRNNLayout(sd, Options{}); err == nil {
		return fmt.Sprintf("they fit a continuous-time RNN (%s, prefix %q), which reads with -cell ctrnn and alpha = dt/tau "+
			"(e.g. fixedpoints find -weights FILE -cell ctrnn -alpha 0.2 [-form rate|post|voltage] [-activation relu|tanh|...]); %s", l.name, l.prefix, onnx)
	}
	return "a continuous-time RNN reads with -cell ctrnn -alpha A (nn.Linear input2h/h2h, or other names with -input-name NAME -recurrent-name NAME; " +
		"PsychRNN's W_in/W_rec; low-rank m/n; a kernel over [u; h]), e.g. fixedpoints find -weights FILE -cell ctrnn -alpha 0.2 -recurrent-name rnn.W; " + onnx
}
