package finder

import (
	"fmt"
	"io"
	"os"
)

// jsonLabels holds the label fields of one point (see FormatV1).
type jsonLabels struct {
	Outcome       string     `json:"outcome,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Gradient      *jsonFloat `json:"gradient,omitempty"`
	JacobianError *jsonFloat `json:"jacobian_error,omitempty"`
	NUndecided    *int       `json:"n_undecided,omitempty"`
	Bounds        jsonFloats `json:"eigenvalue_bounds,omitempty"`
	Conds         jsonFloats `json:"eigenvalue_conds,omitempty"`
	Classes       []string   `json:"mode_classes,omitempty"`
}

// labelsToJSON lays out the labels of p.
func labelsToJSON(p *Point) jsonLabels {
	var j jsonLabels
	if p.Outcome != OutcomeUnknown {
		j.Outcome = p.Outcome.String()
	}
	if p.Reason != ReasonNone {
		j.Reason = p.Reason.String()
	}
	if p.Gradient != 0 {
		j.Gradient = ptrFloat(p.Gradient)
	}
	if p.JacobianError != 0 {
		j.JacobianError = ptrFloat(p.JacobianError)
	}
	labelled := p.Stability.NUndecided != 0
	for _, m := range p.Modes {
		labelled = labelled || m.Bound != 0 || m.Cond != 0 || m.Class != ModeUndecided
	}
	if !labelled {
		return j // analyzed before per-mode bounds existed, or not at all
	}
	n := p.Stability.NUndecided
	j.NUndecided = &n
	if len(p.Modes) > 0 {
		j.Bounds = make(jsonFloats, len(p.Modes))
		j.Conds = make(jsonFloats, len(p.Modes))
		j.Classes = make([]string, len(p.Modes))
		for k, m := range p.Modes {
			j.Bounds[k], j.Conds[k], j.Classes[k] = m.Bound, m.Cond, m.Class.String()
		}
	}
	return j
}

// labelsFromJSON sets the labels of p (whose Modes are already read) from j.
func labelsFromJSON(j *jsonLabels, p *Point) error {
	if j.Outcome != "" {
		o, ok := ParseOutcome(j.Outcome)
		if !ok {
			return fmt.Errorf("outcome %q, want \"fixed\", \"slow\" or \"unconverged\"", j.Outcome)
		}
		p.Outcome = o
	}
	if j.Reason != "" {
		r, ok := ParseReason(j.Reason)
		if !ok {
			return fmt.Errorf("unknown reason %q", j.Reason)
		}
		p.Reason = r
	}
	if j.Gradient != nil {
		p.Gradient = float64(*j.Gradient)
	}
	if j.JacobianError != nil {
		p.JacobianError = float64(*j.JacobianError)
	}
	if j.NUndecided != nil {
		p.Stability.NUndecided = *j.NUndecided
	}
	K := len(p.Modes)
	for _, l := range []struct {
		name string
		n    int
	}{{"eigenvalue_bounds", len(j.Bounds)}, {"eigenvalue_conds", len(j.Conds)}, {"mode_classes", len(j.Classes)}} {
		if l.n != 0 && l.n != K {
			return fmt.Errorf("%s has %d values, want one per eigenvalue (%d)", l.name, l.n, K)
		}
	}
	for k := range p.Modes {
		m := &p.Modes[k]
		if j.Bounds != nil {
			m.Bound = j.Bounds[k]
		}
		if j.Conds != nil {
			m.Cond = j.Conds[k]
		}
		switch {
		case j.Classes != nil:
			c, ok := ParseModeClass(j.Classes[k])
			if !ok {
				return fmt.Errorf("mode_classes[%d] is %q, want \"stable\", \"unstable\" or \"undecided\"", k, j.Classes[k])
			}
			m.Class = c
		case j.Bounds != nil:
			m.Class = ClassifyMode(m.Value, m.Bound, p.Stability.Continuous)
		}
	}
	return nil
}

// WriteJSON writes the result's three groups in FormatV1: Fixed as
// "fixed_points", Slow as "slow_points" and Unconverged as "unconverged"
// (each entry with its q, residual, n_iters, n_refine, outcome and, for
// unconverged ones, reason). A nil group is left out; a nil Fixed is
// written as an empty list of the shape of the first group present.
func (r *Result) WriteJSON(w io.Writer) error {
	if err := r.writeJSON(w); err != nil {
		return fmt.Errorf("finder: write json: %w", err)
	}
	return nil
}

func (r *Result) writeJSON(w io.Writer) error {
	fixed := r.Fixed
	if fixed == nil {
		for _, g := range []*FixedPoints{r.Slow, r.Unconverged, r.All} {
			if g != nil {
				fixed = &FixedPoints{N: g.N, M: g.M, Dtype: g.Dtype}
				break
			}
		}
	}
	if fixed == nil {
		return fmt.Errorf("result has no points to write")
	}
	return writeGroupsJSON(w, fixed, r.Slow, r.Unconverged)
}

// Save writes the result's three groups (see WriteJSON) to path atomically.
func (r *Result) Save(path string) error {
	if err := atomicWriteFile(path, r.writeJSON); err != nil {
		return fmt.Errorf("finder: save %s: %w", path, err)
	}
	return nil
}

// ReadResultJSON reads a file in FormatV1 into a Result's Fixed, Slow and
// Unconverged (nil when the file has no such list); its other fields stay
// zero.
func ReadResultJSON(r io.Reader) (*Result, error) {
	fixed, slow, unconverged, err := readGroupsJSON(r)
	if err != nil {
		return nil, fmt.Errorf("finder: read json: %w", err)
	}
	return &Result{Fixed: fixed, Slow: slow, Unconverged: unconverged}, nil
}

// LoadResult reads a file written by Result.Save (or any FormatV1 file).
func LoadResult(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("finder: load: %w", err)
	}
	defer f.Close()
	res, err := ReadResultJSON(f)
	if err != nil {
		return nil, fmt.Errorf("finder: load %s: %w", path, err)
	}
	return res, nil
}
