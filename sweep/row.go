package sweep

import (
	"math"
	"path"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// Row is one line of the merged table: one job under one input.
type Row struct {
	Job     string    `json:"job"`
	Input   int       `json:"input"` // the input's index in the job; -1 for a job without results
	U       []float64 `json:"u,omitempty"`
	Cell    string    `json:"cell"`             // the kind of module: rnn, rnn_relu, gru, lstm
	Layers  int       `json:"layers,omitempty"` // its number of layers
	Weights string    `json:"weights"`
	N       int       `json:"n,omitempty"` // state size
	M       int       `json:"m,omitempty"` // input size

	Status     string `json:"status"`                // StatusDone, StatusFailed or StatusMissing
	Error      string `json:"error,omitempty"`       // why the job failed or is missing
	FindStatus string `json:"find_status,omitempty"` // finder.Status: Converged, IterationLimit

	Candidates int `json:"candidates,omitempty"` // initial states
	// Fixed counts the unique certified fixed points; Stable those whose
	// every mode certainly decays; BySaddleIndex the analyzed points whose
	// every mode is decided, by their number of certainly unstable modes
	// (index 0 is stable); Undecided the points with a mode whose error
	// bound straddles the stability boundary (their index is not sure),
	// UndecidedModes the number of such modes; Marginal the points with a
	// mode within the marginal band (a description, whatever its class);
	// NotAnalyzed those not linearized.
	Fixed          int         `json:"fixed"`
	Stable         int         `json:"stable"`
	BySaddleIndex  map[int]int `json:"by_saddle_index,omitempty"`
	Undecided      int         `json:"undecided"`
	UndecidedModes int         `json:"undecided_modes"`
	Marginal       int         `json:"marginal"`
	NotAnalyzed    int         `json:"not_analyzed,omitempty"`
	// Slow counts the unique slow points (checked local minima of q above
	// zero); Unconverged the unique candidates the search could not decide.
	Slow        int `json:"slow"`
	Unconverged int `json:"unconverged"`
	// WorstResidual is the largest max|F(x*)-x*| of the fixed points (nil
	// when there are none).
	WorstResidual *float64 `json:"worst_residual,omitempty"`
	// Completed counts the fixed points found by the completion stage
	// alone, and EstimatedUnseen those probably still missing (Chao1 from
	// the basin hits; see finder.Coverage); nil when not estimated.
	Completed       *int     `json:"completed,omitempty"`
	EstimatedUnseen *float64 `json:"estimated_unseen,omitempty"`
	// Seconds is the search's run time (finder.Stats.Runtime).
	Seconds  float64  `json:"seconds"`
	Warnings []string `json:"warnings,omitempty"`

	// FixedFile holds the search's fixed points, slow points and
	// unconverged candidates (fixedpoints/v1, fpjson.Load), relative
	// to the sweep's directory, with '/'.
	FixedFile string         `json:"fixed_file,omitempty"`
	Meta      map[string]any `json:"meta,omitempty"`
}

// resultRow summarizes the search of job j under input k.
func resultRow(j *Job, info cells.ModelInfo, k int, u []float64, res *finder.Result, fixedFile string) Row {
	r := Row{
		Job: j.ID, Input: k, U: u, Cell: info.Kind, Layers: info.Layers, Weights: j.Weights,
		N: res.Fixed.N, M: res.Fixed.M,
		Status: StatusDone, FindStatus: res.Status.String(),
		Candidates:  res.Stats.Candidates,
		Fixed:       res.Fixed.Len(),
		Slow:        res.Slow.Len(),
		Unconverged: res.Unconverged.Len(),
		Seconds:     res.Stats.Runtime.Seconds(),
		Warnings:    res.Stats.Warnings,
		FixedFile:   path.Join(jobsDir, j.ID, fixedFile),
		Meta:        j.Meta,
	}
	worst := math.Inf(-1)
	for _, p := range res.Fixed.Points {
		worst = math.Max(worst, p.Residual)
		s := p.Stability
		if !s.Analyzed {
			r.NotAnalyzed++
			continue
		}
		if s.Marginal {
			r.Marginal++
		}
		if s.NUndecided > 0 {
			r.Undecided++
			r.UndecidedModes += s.NUndecided
		} else {
			if r.BySaddleIndex == nil {
				r.BySaddleIndex = map[int]int{}
			}
			r.BySaddleIndex[s.NUnstable]++
		}
		if s.Stable {
			r.Stable++
		}
	}
	if res.Fixed.Len() > 0 {
		r.WorstResidual = &worst
	}
	if c := res.Stats.Coverage; c != nil {
		completed, unseen := c.Completed, c.EstimatedUnseen
		r.Completed, r.EstimatedUnseen = &completed, &unseen
	}
	return r
}
