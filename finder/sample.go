package finder

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/internal/memlimit"
)

// Trajectories are states of a network over trials and time, laid out as
// graph.Simulate returns them: States[(trial*Time + t)*N + i] is unit i at
// step t of a trial. SampleStates draws initial states from them, and
// viz.Report draws them.
type Trajectories struct {
	States       []float64 // Trials x Time x N, row-major (trial, time, unit)
	Trials, Time int
	N            int

	// Valid, when not nil, is Trials x Time: only entries marked true are
	// drawn (e.g. to skip padding after the end of a trial).
	Valid []bool

	// Inputs, when not nil, is Trials x Time x M: the input at each entry,
	// returned with the drawn states (paired sampling).
	Inputs []float64
	M      int
}

// Pick names one drawn entry of the trajectories.
type Pick struct{ Trial, Time int }

// Samples are initial states drawn by SampleStates.
type Samples struct {
	States []float64 // Count x N: the drawn states plus noise
	Inputs []float64 // Count x M: the inputs at the drawn entries; nil unless paired
	Picks  []Pick    // where each state was drawn
}

// SampleStates draws count initial states for a search, as the reference's
// sample_states: each is a (trial, time) entry drawn uniformly, with
// replacement, among the valid entries of tr, plus independent Gaussian noise
// of standard deviation noise on every unit. When tr.Inputs is given, the
// inputs at the same entries are returned too, without noise.
//
// The entries are drawn first and the noise after, so the same seed picks the
// same entries whatever the noise. A NaN or Inf in a valid entry of the
// states or inputs is an error naming its trial, time and unit.
func SampleStates(tr Trajectories, count int, noise float64, seed uint64) (*Samples, error) {
	if err := tr.check(); err != nil {
		return nil, fmt.Errorf("finder: sample states: %w", err)
	}
	if count <= 0 {
		return nil, fmt.Errorf("finder: sample states: count %d, want > 0", count)
	}
	if noise < 0 || math.IsNaN(noise) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("finder: sample states: noise %v, want a finite value >= 0", noise)
	}
	var valid []int // flat trial*Time+time of every valid entry
	for e := 0; e < tr.Trials*tr.Time; e++ {
		if tr.Valid == nil || tr.Valid[e] {
			valid = append(valid, e)
		}
	}
	if len(valid) == 0 {
		return nil, fmt.Errorf("finder: sample states: no valid (trial, time) entry")
	}

	if need := 8 * float64(count) * float64(tr.N+tr.M); need > float64(memlimit.Machine()) {
		return nil, fmt.Errorf("finder: sample states: %d states of %d values need %s, more than this machine's %s",
			count, tr.N, memlimit.Bytes(need), memlimit.Bytes(float64(memlimit.Machine())))
	}
	r := rand.New(rand.NewPCG(seed, 0x5a3b1e))
	N, M := tr.N, tr.M
	s := &Samples{States: make([]float64, count*N), Picks: make([]Pick, count)}
	if tr.Inputs != nil {
		s.Inputs = make([]float64, count*M)
	}
	for k := range s.Picks {
		e := valid[r.IntN(len(valid))]
		s.Picks[k] = Pick{Trial: e / tr.Time, Time: e % tr.Time}
		copy(s.States[k*N:(k+1)*N], tr.States[e*N:(e+1)*N])
		if s.Inputs != nil {
			copy(s.Inputs[k*M:(k+1)*M], tr.Inputs[e*M:(e+1)*M])
		}
	}
	if noise > 0 {
		for i := range s.States {
			s.States[i] += noise * r.NormFloat64()
		}
	}
	return s, nil
}

// check reports the first inconsistency of shapes or values in tr.
func (tr *Trajectories) check() error {
	if tr.Trials <= 0 || tr.Time <= 0 || tr.N <= 0 {
		return fmt.Errorf("trajectories of %d trials x %d steps x %d units, want all > 0", tr.Trials, tr.Time, tr.N)
	}
	if want := tr.Trials * tr.Time * tr.N; len(tr.States) != want {
		return fmt.Errorf("states have %d values, want %d trials x %d steps x %d units = %d",
			len(tr.States), tr.Trials, tr.Time, tr.N, want)
	}
	if tr.Valid != nil && len(tr.Valid) != tr.Trials*tr.Time {
		return fmt.Errorf("valid mask has %d entries, want %d trials x %d steps = %d",
			len(tr.Valid), tr.Trials, tr.Time, tr.Trials*tr.Time)
	}
	if tr.M < 0 {
		return fmt.Errorf("input size M = %d, want >= 0", tr.M)
	}
	if tr.Inputs != nil {
		if want := tr.Trials * tr.Time * tr.M; len(tr.Inputs) != want {
			return fmt.Errorf("inputs have %d values, want %d trials x %d steps x %d inputs = %d",
				len(tr.Inputs), tr.Trials, tr.Time, tr.M, want)
		}
	}
	for e := 0; e < tr.Trials*tr.Time; e++ {
		if tr.Valid != nil && !tr.Valid[e] {
			continue
		}
		if err := finiteEntry("state", tr.States[e*tr.N:(e+1)*tr.N], e, tr.Time); err != nil {
			return err
		}
		if tr.Inputs != nil {
			if err := finiteEntry("input", tr.Inputs[e*tr.M:(e+1)*tr.M], e, tr.Time); err != nil {
				return err
			}
		}
	}
	return nil
}

// finiteEntry reports the first NaN or Inf of the values v of flat entry e.
func finiteEntry(what string, v []float64, e, T int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s at trial %d, time %d, unit %d is %v", what, e/T, e%T, i, x)
		}
	}
	return nil
}
