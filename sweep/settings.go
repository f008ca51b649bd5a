package sweep

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
)

// Settings are the finder settings a job may set; a zero field keeps the
// finder's default (see finder.Settings, whose fields these name in
// snake_case).
type Settings struct {
	Dtype     string `json:"dtype,omitempty"`     // "float64" (default) or "float32"
	Method    string `json:"method,omitempty"`    // "joint" (default) or "sequential"
	Optimizer string `json:"optimizer,omitempty"` // "per-candidate" (default) or "reference-adam"

	TolQ           float64 `json:"tol_q,omitempty"`
	TolDQ          float64 `json:"tol_dq,omitempty"`
	MaxIters       int     `json:"max_iters,omitempty"`
	LearningRate   float64 `json:"learning_rate,omitempty"`
	NoRefine       bool    `json:"no_refine,omitempty"`
	MaxRefineIters int     `json:"max_refine_iters,omitempty"`
	TolResidual    float64 `json:"tol_residual,omitempty"`

	TolUnique            float64 `json:"tol_unique,omitempty"`
	MaxUnique            int     `json:"max_unique,omitempty"`
	KeepDistanceOutliers bool    `json:"keep_distance_outliers,omitempty"`
	OutlierDistanceScale float64 `json:"outlier_distance_scale,omitempty"`
	RerunQOutliers       bool    `json:"rerun_q_outliers,omitempty"`

	NoComplete      bool `json:"no_complete,omitempty"`
	CompleteRounds  int  `json:"complete_rounds,omitempty"`
	CompleteBudget  int  `json:"complete_budget,omitempty"`
	DeflationStarts int  `json:"deflation_starts,omitempty"` // < 0: no deflation
	NoConnections   bool `json:"no_connections,omitempty"`

	NoJacobians    bool    `json:"no_jacobians,omitempty"`
	NoEigenvectors bool    `json:"no_eigenvectors,omitempty"`
	MarginalTol    float64 `json:"marginal_tol,omitempty"`
	// ContinuousTime judges the flow dx/dt = F(x) - x rather than the map;
	// absent, it is on for a job of cell "ctrnn" (whose map is the flow's
	// Euler step, as find's -continuous) and off otherwise.
	ContinuousTime *bool `json:"continuous_time,omitempty"`

	MaxPeriod int  `json:"max_period,omitempty"` // periodic orbits of period 2..max_period (finder.Settings.MaxPeriod); 0: none
	Cycles    bool `json:"cycles,omitempty"`     // limit cycles of the flow, with continuous_time (finder.Settings.Cycles)
}

// Finder returns the finder settings, with the given seed; an unknown name
// or a value the finder refuses is an error.
func (s *Settings) Finder(seed uint64) (finder.Settings, error) {
	var f finder.Settings
	if s != nil {
		d, err := choose("dtype", s.Dtype, "float64", graph.Float64, "float32", graph.Float32)
		if err != nil {
			return f, err
		}
		b, err := choose("method", s.Method, "joint", finder.Joint, "sequential", finder.Sequential)
		if err != nil {
			return f, err
		}
		o, err := choose("optimizer", s.Optimizer, "per-candidate", finder.PerCandidate, "reference-adam", finder.ReferenceAdam)
		if err != nil {
			return f, err
		}
		f.Dtype, f.Batching, f.Optimizer = d, b, o
		f.TolQ, f.TolDQ, f.MaxIters, f.LearningRate = s.TolQ, s.TolDQ, s.MaxIters, s.LearningRate
		f.NoRefine, f.MaxRefineIters, f.TolResidual = s.NoRefine, s.MaxRefineIters, s.TolResidual
		f.TolUnique, f.MaxUnique = s.TolUnique, s.MaxUnique
		f.KeepDistanceOutliers, f.OutlierDistanceScale, f.RerunQOutliers = s.KeepDistanceOutliers, s.OutlierDistanceScale, s.RerunQOutliers
		f.NoComplete, f.CompleteRounds, f.CompleteBudget, f.DeflationStarts = s.NoComplete, s.CompleteRounds, s.CompleteBudget, s.DeflationStarts
		f.NoConnections = s.NoConnections
		f.NoJacobians, f.NoEigenvectors, f.MarginalTol, f.ContinuousTime = s.NoJacobians, s.NoEigenvectors, s.MarginalTol, s.Continuous()
		f.MaxPeriod, f.Cycles = s.MaxPeriod, s.Cycles
	}
	f.Seed = seed
	// finder.Find checks the values again; this catches a manifest's
	// mistakes before any job runs.
	for _, v := range []struct {
		name string
		v    float64
	}{
		{"tol_q", f.TolQ}, {"tol_dq", f.TolDQ}, {"max_iters", float64(f.MaxIters)},
		{"learning_rate", f.LearningRate}, {"max_refine_iters", float64(f.MaxRefineIters)},
		{"tol_residual", f.TolResidual}, {"tol_unique", f.TolUnique}, {"max_unique", float64(f.MaxUnique)},
		{"outlier_distance_scale", f.OutlierDistanceScale}, {"marginal_tol", f.MarginalTol},
		{"complete_rounds", float64(f.CompleteRounds)}, {"complete_budget", float64(f.CompleteBudget)},
		{"max_period", float64(f.MaxPeriod)},
	} {
		if !(v.v >= 0 && v.v <= math.MaxFloat64) {
			return f, fmt.Errorf("%s = %v, want a finite value >= 0 (0 or absent takes the default)", v.name, v.v)
		}
	}
	return f, nil
}

// Continuous reports whether ContinuousTime is given and true.
func (s *Settings) Continuous() bool {
	return s != nil && s.ContinuousTime != nil && *s.ContinuousTime
}

// choose returns the value of the choice named name, of the two a and b; ""
// names a, the default. Another name is an error naming field and both.
func choose[T any](field, name, a string, va T, b string, vb T) (T, error) {
	switch name {
	case "", a:
		return va, nil
	case b:
		return vb, nil
	}
	var zero T
	return zero, fmt.Errorf("%s %q, want %s or %s", field, name, a, b)
}
