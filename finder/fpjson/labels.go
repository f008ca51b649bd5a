package fpjson

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/finder"
)

// jsonLabels holds the label fields of one point (see the package documentation).
type jsonLabels struct {
	Outcome       string          `json:"outcome,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	Gradient      *jsonFloat      `json:"gradient,omitempty"`
	Speed         *jsonFloat      `json:"speed,omitempty"`
	HessianMin    *jsonFloat      `json:"hessian_min,omitempty"`
	HessianError  *jsonFloat      `json:"hessian_error,omitempty"`
	RelativeSpeed *jsonFloat      `json:"relative_speed,omitempty"`
	JacobianError *jsonFloat      `json:"jacobian_error,omitempty"`
	NUndecided    *int            `json:"n_undecided,omitempty"`
	Bounds        jsonFloats      `json:"eigenvalue_bounds,omitempty"`
	Conds         jsonFloats      `json:"eigenvalue_conds,omitempty"`
	Classes       []string        `json:"mode_classes,omitempty"`
	Stability     string          `json:"stability,omitempty"`
	ModeProved    []bool          `json:"mode_proved,omitempty"`
	Proof         *jsonPointProof `json:"proof,omitempty"`
	ProofReason   string          `json:"proof_reason,omitempty"`
	GResidual     *jsonFloat      `json:"g_residual,omitempty"`
	Far           bool            `json:"far,omitempty"`
	FarDistance   *jsonFloat      `json:"far_distance,omitempty"`
}

// jsonPointProof is a fixed point's finder.Proof.
type jsonPointProof struct {
	Method       string     `json:"method"`
	Radius       *jsonFloat `json:"radius,omitempty"`
	UniqueRadius *jsonFloat `json:"unique_radius,omitempty"`
}

// The values of "stability" (Stability.Proved).
const (
	stabilityProved    = "proved"
	stabilityEstimated = "estimated"
)

// labelsToJSON lays out the labels of p.
func labelsToJSON(p *finder.Point) jsonLabels {
	var j jsonLabels
	if p.Outcome != finder.OutcomeUnknown {
		j.Outcome = p.Outcome.String()
	}
	if p.Reason != finder.ReasonNone {
		j.Reason = p.Reason.String()
	}
	if p.Gradient != 0 {
		j.Gradient = ptrFloat(p.Gradient)
	}
	if p.JacobianError != 0 {
		j.JacobianError = ptrFloat(p.JacobianError)
	}
	if p.Outcome == finder.OutcomeSlow || p.Outcome == finder.OutcomeSlowRegion {
		j.Speed = ptrFloat(p.Speed()) // derived from q; written for readers, not read back
	}
	if p.HessianMin != 0 || p.HessianError != 0 {
		j.HessianMin, j.HessianError = ptrFloat(p.HessianMin), ptrFloat(p.HessianError)
	}
	if p.RelativeSpeed != 0 {
		j.RelativeSpeed = ptrFloat(p.RelativeSpeed)
	}
	switch p.Proof.Method {
	case "":
	case finder.ProofKrawczyk:
		j.Proof = &jsonPointProof{Method: p.Proof.Method, Radius: ptrFloat(p.Proof.Radius), UniqueRadius: ptrFloat(p.Proof.UniqueRadius)}
	default:
		j.Proof = &jsonPointProof{Method: p.Proof.Method}
	}
	j.ProofReason = p.ProofReason
	if p.GResidual != 0 || p.Proof.Method == finder.ProofKrawczyk {
		j.GResidual = ptrFloat(p.GResidual)
	}
	if p.Far {
		j.Far, j.FarDistance = true, ptrFloat(p.FarDistance)
	}
	if !p.HasBounds() {
		return j // analyzed before per-mode bounds existed, or not at all
	}
	n := p.Stability.NUndecided
	j.NUndecided = &n
	j.Stability = stabilityEstimated
	if p.Stability.Proved {
		j.Stability = stabilityProved
	}
	if len(p.Modes) > 0 {
		j.Bounds = make(jsonFloats, len(p.Modes))
		j.Conds = make(jsonFloats, len(p.Modes))
		j.Classes = make([]string, len(p.Modes))
		proved := make([]bool, len(p.Modes))
		anyProved := false
		for k, m := range p.Modes {
			j.Bounds[k], j.Conds[k], j.Classes[k] = m.Bound, m.Cond, m.Class.String()
			proved[k] = m.Proved
			anyProved = anyProved || m.Proved
		}
		if anyProved {
			j.ModeProved = proved
		}
	}
	return j
}

// labelsFromJSON sets the labels of p (whose Modes are already read) from j.
func labelsFromJSON(j *jsonLabels, p *finder.Point) error {
	if j.Outcome != "" {
		o, ok := finder.ParseOutcome(j.Outcome)
		if !ok {
			return fmt.Errorf("outcome %q, want \"fixed\", \"slow\", \"slow region\" or \"unconverged\"", j.Outcome)
		}
		p.Outcome = o
	}
	if j.Reason != "" {
		r, ok := finder.ParseReason(j.Reason)
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
	if j.HessianMin != nil {
		p.HessianMin = float64(*j.HessianMin)
	}
	if j.HessianError != nil {
		p.HessianError = float64(*j.HessianError)
	}
	if j.RelativeSpeed != nil {
		p.RelativeSpeed = float64(*j.RelativeSpeed)
	}
	if j.NUndecided != nil {
		p.Stability.NUndecided = *j.NUndecided
	}
	if err := proofFromJSON(j, p); err != nil {
		return err
	}
	K := len(p.Modes)
	for _, l := range []struct {
		name string
		n    int
	}{{"eigenvalue_bounds", len(j.Bounds)}, {"eigenvalue_conds", len(j.Conds)}, {"mode_classes", len(j.Classes)}, {"mode_proved", len(j.ModeProved)}} {
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
			c, ok := finder.ParseModeClass(j.Classes[k])
			if !ok {
				return fmt.Errorf("mode_classes[%d] is %q, want \"stable\", \"unstable\" or \"undecided\"", k, j.Classes[k])
			}
			m.Class = c
		case j.Bounds != nil:
			m.Class = finder.ClassifyMode(m.Value, m.Bound, p.Stability.Continuous)
		}
		if j.ModeProved != nil && j.ModeProved[k] {
			if m.Class == finder.ModeUndecided {
				return fmt.Errorf("mode %d is proved but undecided", k)
			}
			m.Proved = true
		}
	}
	return stabilityFromJSON(j.Stability, p)
}

// stabilityFromJSON sets Stability.Proved from "stability", which must
// agree with the modes: "proved" when every mode is proved (Mode.Proved).
func stabilityFromJSON(label string, p *finder.Point) error {
	all := len(p.Modes) > 0
	for _, m := range p.Modes {
		all = all && m.Proved
	}
	switch label {
	case "":
		return nil
	case stabilityProved:
		if !all {
			return fmt.Errorf("stability is \"proved\" but not every mode is (mode_proved)")
		}
		p.Stability.Proved = true
	case stabilityEstimated:
		if all {
			return fmt.Errorf("stability is \"estimated\" but every mode is proved (mode_proved)")
		}
	default:
		return fmt.Errorf("stability is %q, want \"proved\" or \"estimated\"", label)
	}
	return nil
}

// proofFromJSON reads a point's proof fields, checking that a proof says
// what a proof must: a known method, and for "krawczyk" 0 < radius <=
// unique_radius.
func proofFromJSON(j *jsonLabels, p *finder.Point) error {
	if j.GResidual != nil {
		p.GResidual = float64(*j.GResidual)
	}
	p.ProofReason = j.ProofReason
	p.Far = j.Far
	if j.FarDistance != nil {
		p.FarDistance = float64(*j.FarDistance)
	}
	if j.Proof == nil {
		return nil
	}
	switch j.Proof.Method {
	case finder.ProofKrawczyk:
		if j.Proof.Radius == nil || j.Proof.UniqueRadius == nil {
			return fmt.Errorf("proof \"krawczyk\" without radius or unique_radius")
		}
		r, R := float64(*j.Proof.Radius), float64(*j.Proof.UniqueRadius)
		if !(r > 0 && r <= R) || math.IsInf(R, 0) {
			return fmt.Errorf("proof radius %g and unique_radius %g, want 0 < radius <= unique_radius, finite", r, R)
		}
		p.Proof = finder.Proof{Method: finder.ProofKrawczyk, Radius: r, UniqueRadius: R}
	case finder.ProofResidual:
		p.Proof = finder.Proof{Method: finder.ProofResidual}
	default:
		return fmt.Errorf("proof method is not \"krawczyk\" or \"residual\"")
	}
	return nil
}
