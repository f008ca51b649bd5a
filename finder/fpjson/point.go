package fpjson

import (
	"fmt"
	"math"
	"math/cmplx"
	"strconv"

	"github.com/rnnfp/fixedpoints/finder"
)

// jsonPoint is one point of Format.
type jsonPoint struct {
	X         jsonFloats `json:"x"`
	U         jsonFloats `json:"u"`
	Q         *jsonFloat `json:"q"`
	Residual  *jsonFloat `json:"residual"`
	DQ        *jsonFloat `json:"dq"`
	Iters     int        `json:"n_iters"`
	Refines   int        `json:"n_refine"`
	Condition *int       `json:"condition,omitempty"`

	XInit         jsonFloats      `json:"x_init,omitempty"`
	F             jsonFloats      `json:"f,omitempty"`
	Jacobian      []jsonFloats    `json:"jacobian,omitempty"`
	InputJacobian []jsonFloats    `json:"input_jacobian,omitempty"`
	Eigenvalues   jsonComplexes   `json:"eigenvalues,omitempty"`
	Flow          jsonComplexes   `json:"flow_eigenvalues,omitempty"` // (μ - 1)/α with the file's alpha
	Right         []jsonComplexes `json:"eigenvectors_right,omitempty"`
	Left          []jsonComplexes `json:"eigenvectors_left,omitempty"`

	Analyzed    *bool      `json:"analyzed,omitempty"`
	Stable      *bool      `json:"stable,omitempty"`
	NUnstable   *int       `json:"n_unstable,omitempty"`
	MaxAbs      *jsonFloat `json:"max_abs_eigenvalue,omitempty"`
	Marginal    *bool      `json:"marginal,omitempty"`
	NMarginal   *int       `json:"n_marginal,omitempty"`
	Flip        *bool      `json:"flip,omitempty"`
	Oscillatory *bool      `json:"oscillatory,omitempty"`
	Continuous  *bool      `json:"continuous,omitempty"`

	jsonLabels // outcome, reason, per-mode bounds (labels.go)
}

// toJSONPoint lays out p, whose lengths Validate has checked, with its
// flow's eigenvalues when alpha is not 0.
func toJSONPoint(p *finder.Point, N, M int, alpha float64) jsonPoint {
	j := jsonPoint{
		X: p.X, U: p.U, XInit: p.XInit, F: p.F,
		Q: ptrFloat(p.Q), Residual: ptrFloat(p.Residual), DQ: ptrFloat(p.DQ),
		Iters: p.Iters, Refines: p.Refines, Condition: p.Condition,
		Jacobian:      matrixRows(p.Jacobian, N, N),
		InputJacobian: matrixRows(p.InputJacobian, N, M),
	}
	if len(p.Modes) > 0 {
		j.Eigenvalues = make(jsonComplexes, len(p.Modes))
		var right, left bool
		for k, m := range p.Modes {
			j.Eigenvalues[k] = m.Value
			right = right || len(m.Right) > 0
			left = left || len(m.Left) > 0
		}
		if right {
			j.Right = make([]jsonComplexes, len(p.Modes))
			for k, m := range p.Modes {
				j.Right[k] = m.Right
			}
		}
		if left {
			j.Left = make([]jsonComplexes, len(p.Modes))
			for k, m := range p.Modes {
				j.Left[k] = m.Left
			}
		}
	}
	j.Flow = p.FlowEigenvalues(alpha)
	j.jsonLabels = labelsToJSON(p)
	if s := p.Stability; s.Analyzed {
		maxAbs := jsonFloat(s.MaxAbs)
		j.Analyzed, j.Stable, j.NUnstable, j.MaxAbs = &s.Analyzed, &s.Stable, &s.NUnstable, &maxAbs
		j.Marginal, j.NMarginal = &s.Marginal, &s.NMarginal
		j.Flip, j.Oscillatory, j.Continuous = &s.Flip, &s.Oscillatory, &s.Continuous
	}
	return j
}

// fromJSONPoint checks the shapes of j against N and M and builds its Point;
// its flow_eigenvalues, when present, must be (μ - 1)/alpha of its
// eigenvalues.
// Empty lists read as nil slices; a missing dq reads as NaN (unknown), while
// q and residual are required.
func fromJSONPoint(j *jsonPoint, N, M int, alpha float64) (finder.Point, error) {
	p := finder.Point{
		X: emptyAsNil(j.X), U: emptyAsNil(j.U), XInit: emptyAsNil(j.XInit), F: emptyAsNil(j.F),
		DQ:    math.NaN(),
		Iters: j.Iters, Refines: j.Refines, Condition: j.Condition,
	}
	if j.Q == nil || j.Residual == nil {
		return p, fmt.Errorf("q or residual missing")
	}
	p.Q, p.Residual = float64(*j.Q), float64(*j.Residual)
	if j.DQ != nil {
		p.DQ = float64(*j.DQ)
	}
	var err error
	if p.Jacobian, err = matrixFromRows("jacobian", j.Jacobian, N, N); err != nil {
		return p, err
	}
	if p.InputJacobian, err = matrixFromRows("input_jacobian", j.InputJacobian, N, M); err != nil {
		return p, err
	}
	K := len(j.Eigenvalues)
	if K > N {
		return p, fmt.Errorf("eigenvalues has %d values, want at most N=%d", K, N)
	}
	for _, v := range []struct {
		name string
		vecs []jsonComplexes
	}{{"eigenvectors_right", j.Right}, {"eigenvectors_left", j.Left}} {
		if v.vecs != nil && len(v.vecs) != K {
			return p, fmt.Errorf("%s has %d vectors, want one per eigenvalue (%d)", v.name, len(v.vecs), K)
		}
		for k, vec := range v.vecs {
			if len(vec) != 0 && len(vec) != N {
				return p, fmt.Errorf("%s[%d] has %d values, want N=%d", v.name, k, len(vec), N)
			}
		}
	}
	if K > 0 {
		p.Modes = make([]finder.Mode, K)
		for k := range p.Modes {
			p.Modes[k].Value = j.Eigenvalues[k]
			if j.Right != nil && len(j.Right[k]) > 0 {
				p.Modes[k].Right = j.Right[k]
			}
			if j.Left != nil && len(j.Left[k]) > 0 {
				p.Modes[k].Left = j.Left[k]
			}
		}
	}
	s := &p.Stability
	s.Analyzed = j.Stable != nil
	if j.Analyzed != nil {
		s.Analyzed = *j.Analyzed
	}
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.Stable, j.Stable)
	set(&s.Marginal, j.Marginal)
	set(&s.Flip, j.Flip)
	set(&s.Oscillatory, j.Oscillatory)
	set(&s.Continuous, j.Continuous)
	if j.NUnstable != nil {
		s.NUnstable = *j.NUnstable
	}
	if j.NMarginal != nil {
		s.NMarginal = *j.NMarginal
	}
	if j.MaxAbs != nil {
		s.MaxAbs = float64(*j.MaxAbs)
	}
	if err := labelsFromJSON(&j.jsonLabels, &p); err != nil {
		return p, err
	}
	return p, checkFlow(j.Flow, &p, alpha)
}

// checkFlow checks a point's flow_eigenvalues against its eigenvalues μ and
// the file's alpha: one per eigenvalue, each (μ - 1)/α to a relative 1e-9
// (a writer computing in float64 is exact to rounding; a wrong alpha, or
// values of another point or order, is far off).
func checkFlow(flow []complex128, p *finder.Point, alpha float64) error {
	if len(flow) == 0 {
		return nil
	}
	if alpha == 0 {
		return fmt.Errorf("flow_eigenvalues without the file's alpha (dt/tau) they were divided by")
	}
	if len(flow) != len(p.Modes) {
		return fmt.Errorf("flow_eigenvalues has %d values, want one per eigenvalue (%d)", len(flow), len(p.Modes))
	}
	for k, want := range p.FlowEigenvalues(alpha) {
		if d := cmplx.Abs(flow[k] - want); !(d <= 1e-9*(1+cmplx.Abs(want))) {
			return fmt.Errorf("flow_eigenvalues[%d] = %s is not (mu - 1)/alpha = %s of eigenvalue %d (alpha %g)",
				k, fmtComplex(flow[k]), fmtComplex(want), k, alpha)
		}
	}
	return nil
}

func fmtComplex(z complex128) string {
	im := strconv.FormatFloat(imag(z), 'g', 10, 64)
	if im[0] != '-' {
		im = "+" + im
	}
	return strconv.FormatFloat(real(z), 'g', 10, 64) + im + "i"
}

// matrixRows splits a rows x cols row-major matrix into rows; nil when empty.
func matrixRows(a []float64, rows, cols int) []jsonFloats {
	if len(a) == 0 || rows == 0 {
		return nil
	}
	out := make([]jsonFloats, rows)
	for i := range out {
		out[i] = a[i*cols : (i+1)*cols]
	}
	return out
}

// matrixFromRows joins rows of a rows x cols matrix; nil when there are none.
func matrixFromRows(name string, r []jsonFloats, rows, cols int) ([]float64, error) {
	if len(r) == 0 {
		return nil, nil
	}
	if len(r) != rows {
		return nil, fmt.Errorf("%s has %d rows, want N=%d", name, len(r), rows)
	}
	// Check every row before allocating: rows*cols may overflow for a
	// corrupt header, the sum of the rows' lengths cannot.
	for i, row := range r {
		if len(row) != cols {
			return nil, fmt.Errorf("%s row %d has %d values, want %d", name, i, len(row), cols)
		}
	}
	if cols == 0 {
		return nil, nil
	}
	out := make([]float64, 0, len(r)*cols)
	for _, row := range r {
		out = append(out, row...)
	}
	return out, nil
}

func ptrFloat(x float64) *jsonFloat {
	f := jsonFloat(x)
	return &f
}

func emptyAsNil(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	return v
}
