package finder

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// coded makes trajectories whose value at (trial, time, unit) is
// 100*trial + 10*time + unit, and inputs -(that value).
func coded(trials, T, N, M int) Trajectories {
	tr := Trajectories{Trials: trials, Time: T, N: N, M: M,
		States: make([]float64, trials*T*N), Inputs: make([]float64, trials*T*M)}
	for b := 0; b < trials; b++ {
		for s := 0; s < T; s++ {
			for i := 0; i < N; i++ {
				tr.States[(b*T+s)*N+i] = float64(100*b + 10*s + i)
			}
			for i := 0; i < M; i++ {
				tr.Inputs[(b*T+s)*M+i] = -float64(100*b + 10*s + i)
			}
		}
	}
	return tr
}

func TestSampleStatesMaskAndPairs(t *testing.T) {
	tr := coded(2, 3, 2, 1)
	tr.Valid = []bool{false, true, false, false, false, true} // (0, 1) and (1, 2)
	tr.States[0] = math.NaN()                                 // invalid entries may hold anything
	s, err := SampleStates(tr, 400, 0, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.States) != 800 || len(s.Inputs) != 400 || len(s.Picks) != 400 {
		t.Fatalf("got %d states, %d inputs, %d picks", len(s.States), len(s.Inputs), len(s.Picks))
	}
	n := map[Pick]int{}
	for k, p := range s.Picks {
		n[p]++
		code := float64(100*p.Trial + 10*p.Time)
		if s.States[2*k] != code || s.States[2*k+1] != code+1 || s.Inputs[k] != -code {
			t.Fatalf("sample %d from %v: state %v input %v", k, p, s.States[2*k:2*k+2], s.Inputs[k])
		}
	}
	// Each valid entry is drawn 200 times on average (std 10).
	if len(n) != 2 || n[Pick{0, 1}] < 150 || n[Pick{1, 2}] < 150 {
		t.Errorf("picks %v, want (0,1) and (1,2) about 200 times each", n)
	}

	// Without inputs no inputs come back; the seed fixes the picks whatever
	// the noise.
	tr.Inputs = nil
	s2, err := SampleStates(tr, 400, 0.5, 9)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Inputs != nil || !reflect.DeepEqual(s2.Picks, s.Picks) {
		t.Error("noise changed the picks, or inputs came back unasked")
	}
	s3, _ := SampleStates(tr, 400, 0.5, 9)
	if !reflect.DeepEqual(s2, s3) {
		t.Error("same seed, different samples")
	}
	s4, _ := SampleStates(tr, 400, 0.5, 10)
	if reflect.DeepEqual(s2.States, s4.States) {
		t.Error("different seeds, same samples")
	}
}

func TestSampleStatesNoise(t *testing.T) {
	tr := Trajectories{Trials: 1, Time: 1, N: 4, States: []float64{1, -1, 2, 0}}
	const count, noise = 5000, 0.5
	s, err := SampleStates(tr, count, noise, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, base := range tr.States {
		mean, sq := 0.0, 0.0
		for k := 0; k < count; k++ {
			d := s.States[k*4+i] - base
			mean += d
			sq += d * d
		}
		mean /= count
		std := math.Sqrt(sq/count - mean*mean)
		// Standard error of the mean 0.5/sqrt(5000) = 0.007, of the std 0.005.
		if math.Abs(mean) > 0.03 || math.Abs(std-noise) > 0.025 {
			t.Errorf("unit %d: noise mean %.4f std %.4f, want 0 and %v", i, mean, std, noise)
		}
	}
}

func TestSampleStatesErrors(t *testing.T) {
	good := func() Trajectories { return coded(2, 3, 2, 1) }
	for _, c := range []struct {
		name  string
		edit  func(tr *Trajectories)
		count int
		noise float64
		msg   string
	}{
		{"short states", func(tr *Trajectories) { tr.States = tr.States[1:] }, 1, 0, "states have 11 values, want 2 trials x 3 steps x 2 units = 12"},
		{"zero steps", func(tr *Trajectories) { tr.Time = 0 }, 1, 0, "want all > 0"},
		{"mask", func(tr *Trajectories) { tr.Valid = make([]bool, 5) }, 1, 0, "valid mask has 5 entries, want 2 trials x 3 steps = 6"},
		{"all false", func(tr *Trajectories) { tr.Valid = make([]bool, 6) }, 1, 0, "no valid (trial, time) entry"},
		{"inputs", func(tr *Trajectories) { tr.Inputs = tr.Inputs[:5] }, 1, 0, "inputs have 5 values, want 2 trials x 3 steps x 1 inputs = 6"},
		{"count", func(tr *Trajectories) {}, 0, 0, "count 0"},
		{"noise", func(tr *Trajectories) {}, 1, -1, "noise -1"},
		{"NaN state", func(tr *Trajectories) { tr.States[(1*3+2)*2+1] = math.NaN() }, 1, 0, "state at trial 1, time 2, unit 1 is NaN"},
		{"Inf input", func(tr *Trajectories) { tr.Inputs[1*3+0] = math.Inf(-1) }, 1, 0, "input at trial 1, time 0, unit 0 is -Inf"},
	} {
		tr := good()
		c.edit(&tr)
		_, err := SampleStates(tr, c.count, c.noise, 1)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "finder: sample states: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}
