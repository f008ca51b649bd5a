package tasks

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// flipFlopRecipes are the settings that train each 16-unit cell on the
// 3-bit flip-flop to validation MSE <= 1e-3 (see BenchmarkTrainFlipFlop).
var flipFlopRecipes = []struct {
	name     string
	cell     func() cells.Cell
	settings TrainSettings
}{
	{"lstm", func() cells.Cell { return cells.NewLSTM(16, 3) }, TrainSettings{Seed: 1}},
	{"gru", func() cells.Cell { return cells.NewGRU(16, 3) }, TrainSettings{Seed: 1}},
	{"rnn", func() cells.Cell { return cells.NewVanilla(16, 3, cells.Tanh) }, TrainSettings{Seed: 1}},
}

func trainFlipFlop(t testing.TB, i int) (*Model, TrainResult) {
	r := flipFlopRecipes[i]
	m, err := NewModel(r.cell(), 3, r.settings.Seed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), m, FlipFlop{}, r.settings)
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	return m, res
}

// The bar: each 16-unit cell learns the 3-bit flip-flop to
// validation MSE <= 1e-3 with the output's sign right on >= 99.5% of the
// (trial, time, bit) entries, on the validation set and on fresh trials.
func TestTrainFlipFlopReachesTarget(t *testing.T) {
	for i, r := range flipFlopRecipes {
		t.Run(r.name, func(t *testing.T) {
			m, res := trainFlipFlop(t, i)
			if !res.Reached || res.Val.MSE > 1e-3 || res.Val.SignAccuracy < 0.995 {
				t.Fatalf("after %d epochs: validation %+v, reached %v", res.Epochs, res.Val, res.Reached)
			}
			if n := len(res.History); n != res.Epochs || res.History[n-1].Val != res.Val {
				t.Errorf("history has %d epochs, result %d", n, res.Epochs)
			}
			// Model.Run (step by step) agrees with the unrolled graph's validation.
			val, _ := FlipFlop{}.Generate(128, splitmix(r.settings.Seed, 2))
			got, err := m.Evaluate(context.Background(), val)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.MSE-res.Val.MSE) > 1e-12 || got.SignAccuracy != res.Val.SignAccuracy {
				t.Errorf("Evaluate on the validation trials %+v, Train reported %+v", got, res.Val)
			}
			fresh, _ := FlipFlop{}.Generate(512, 987654321)
			if got, _ = m.Evaluate(context.Background(), fresh); got.MSE > 2e-3 || got.SignAccuracy < 0.995 {
				t.Errorf("on 512 fresh trials: %+v", got)
			}
			t.Logf("%s: %d epochs, %d steps, validation MSE %.3g, sign accuracy %.5f, %v", r.name, res.Epochs, res.Steps, res.Val.MSE, res.Val.SignAccuracy, res.Elapsed)
		})
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	run := func() *Model {
		m, _ := NewModel(cells.NewGRU(6, 3), 3, 4)
		s := TrainSettings{Seed: 4, BatchSize: 16, TrainTrials: 48, ValTrials: 20, MaxEpochs: 2, LearnInitialState: true}
		if _, err := Train(context.Background(), m, FlipFlop{Time: 12}, s); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := run(), run()
	for i, p := range a.Cell.Params() {
		if !equalBits(p.Data, b.Cell.Params()[i].Data) {
			t.Fatalf("param %s differs between two runs with one seed", p.Name)
		}
	}
	if !equalBits(a.Readout.Weight, b.Readout.Weight) || !equalBits(a.Readout.Bias, b.Readout.Bias) || !equalBits(a.Initial, b.Initial) {
		t.Fatal("readout or initial state differs between two runs with one seed")
	}
}

func TestTrainLearnsTheInitialState(t *testing.T) {
	m, _ := NewModel(cells.NewVanilla(5, 1, cells.Tanh), 1, 2)
	// The target is 0.5 from the first step on, with no input to tell the
	// network: only the initial state (and the biases) can carry it.
	s := TrainSettings{Seed: 1, BatchSize: 8, TrainTrials: 8, ValTrials: 8, MaxEpochs: 3, LearnInitialState: true, TargetMSE: -1}
	res, err := Train(context.Background(), m, constantTask{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Initial) != 5 || res.Epochs != 3 || res.Steps != 3 {
		t.Fatalf("initial state %v after %d epochs, %d steps", m.Initial, res.Epochs, res.Steps)
	}
	for i, v := range m.Initial {
		if v == 0 {
			t.Errorf("initial state[%d] was not trained", i)
		}
	}
	// A given initial state without LearnInitialState stays as it is.
	fixed := []float64{0.1, 0.2, 0.3, 0.4, 0.5}
	m.Initial = append([]float64(nil), fixed...)
	s.LearnInitialState = false
	if _, err := Train(context.Background(), m, constantTask{}, s); err != nil {
		t.Fatal(err)
	}
	if !equalBits(m.Initial, fixed) {
		t.Errorf("fixed initial state changed to %v", m.Initial)
	}
}

// constantTask has one zero input and the target 0.5 at every step.
type constantTask struct{}

func (constantTask) InputSize() int  { return 1 }
func (constantTask) OutputSize() int { return 1 }
func (constantTask) Generate(n int, seed uint64) (Batch, error) {
	b := Batch{Trials: n, Time: 4, InputSize: 1, OutputSize: 1, Inputs: make([]float64, 4*n), Targets: make([]float64, 4*n)}
	for i := range b.Targets {
		b.Targets[i] = 0.5
	}
	return b, nil
}

func TestTrainStopsOnCancel(t *testing.T) {
	m, _ := NewModel(cells.NewVanilla(4, 3, cells.Tanh), 3, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []int
	s := TrainSettings{Seed: 1, BatchSize: 8, TrainTrials: 16, ValTrials: 8, MaxEpochs: 50, TargetMSE: -1,
		Progress: func(e EpochStats) {
			seen = append(seen, e.Epoch)
			if e.Epoch == 2 {
				cancel()
			}
		}}
	res, err := Train(ctx, m, FlipFlop{Time: 8}, s)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if res.Epochs != 2 || res.Steps != 4 || len(seen) != 2 || res.Reached {
		t.Errorf("canceled after epoch 2: result has %d epochs, %d steps, progress saw %v", res.Epochs, res.Steps, seen)
	}
}

// The epoch cap stops training, GradNorm is the norm before clipping, and
// clipping acts: Adam is invariant to scaling its gradient, except through
// its epsilon (1e-8), so a clip at 1e-12 shrinks every step about 1e4-fold
// (to ~1e-5 lr), while without clipping the first step moves some weight by
// about lr. Removing the clip fails the first bound.
func TestTrainEpochCapAndClipping(t *testing.T) {
	maxChange := func(clip float64) (float64, TrainResult, []float64) {
		m, _ := NewModel(cells.NewVanilla(4, 3, cells.Tanh), 3, 1)
		before := append([]float64(nil), m.Cell.Params()[1].Data...)
		var norms []float64
		s := TrainSettings{Seed: 1, BatchSize: 8, TrainTrials: 16, ValTrials: 8, MaxEpochs: 3, Clip: clip,
			Progress: func(e EpochStats) { norms = append(norms, e.GradNorm) }}
		res, err := Train(context.Background(), m, FlipFlop{Time: 8}, s)
		if err != nil {
			t.Fatal(err)
		}
		d := 0.0
		for i, v := range m.Cell.Params()[1].Data {
			d = math.Max(d, math.Abs(v-before[i]))
		}
		return d, res, norms
	}
	lr := 1 / math.Sqrt(8)
	clipped, res, norms := maxChange(1e-12)
	if res.Reached || res.Epochs != 3 || res.Steps != 6 {
		t.Errorf("epoch cap 3: reached %v after %d epochs, %d steps", res.Reached, res.Epochs, res.Steps)
	}
	for _, n := range norms {
		if !(n > 1e-3) {
			t.Errorf("gradient norm %v: want the norm before clipping", n)
		}
	}
	if clipped > 6*lr*1e-3 {
		t.Errorf("clip 1e-12: a recurrent weight moved by %g in 6 steps, want < %g", clipped, 6*lr*1e-3)
	}
	if free, _, _ := maxChange(-1); free < 0.1*lr {
		t.Errorf("no clipping: the largest recurrent weight change is %g, want about lr = %g", free, lr)
	}
}

// Each bad argument is refused with an error that names it.
func TestTrainErrors(t *testing.T) {
	good := func() *Model { m, _ := NewModel(cells.NewVanilla(4, 3, cells.Tanh), 3, 1); return m }
	for name, tc := range map[string]struct {
		m    *Model
		task Task
		s    TrainSettings
		want string
	}{
		"fewer trials than a batch": {good(), FlipFlop{}, TrainSettings{BatchSize: 64, TrainTrials: 32}, "32 training trials for batches of 64"},
		"negative learning rate":    {good(), FlipFlop{}, TrainSettings{LearningRate: -1}, "learning rate -1"},
		"nil task":                  {good(), nil, TrainSettings{}, "nil task"},
		"task of other sizes":       {good(), FlipFlop{Bits: 2}, TrainSettings{}, "batch has 2 inputs and 2 outputs, model has 3 and 3"},
		"nil model":                 {nil, FlipFlop{}, TrainSettings{}, "model needs a cell"},
		"bad task settings":         {good(), FlipFlop{P: 2}, TrainSettings{}, "pulse probability 2"},
		"steps differ by set":       {good(), unevenTask{}, TrainSettings{}, "validation trials have 9 steps, training trials 8"},
		"NaN clip":                  {good(), FlipFlop{}, TrainSettings{Clip: math.NaN()}, "clip is NaN"},
	} {
		_, err := Train(context.Background(), tc.m, tc.task, tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}

// unevenTask draws validation trials (128) longer than training trials.
type unevenTask struct{}

func (unevenTask) InputSize() int  { return 3 }
func (unevenTask) OutputSize() int { return 3 }
func (unevenTask) Generate(n int, seed uint64) (Batch, error) {
	if n == 128 {
		return FlipFlop{Time: 9}.Generate(n, seed)
	}
	return FlipFlop{Time: 8}.Generate(n, seed)
}

// With FixedReadout the readout keeps its weights and bias, bit for bit,
// while the cell and the initial state still learn (and the loss falls);
// without it the same training moves the readout.
func TestTrainFixedReadout(t *testing.T) {
	for _, fixed := range []bool{true, false} {
		m, _ := NewModel(cells.NewVanilla(5, 1, cells.Tanh), 1, 2)
		w0, b0 := append([]float64(nil), m.Readout.Weight...), append([]float64(nil), m.Readout.Bias...)
		var cell0 []float64
		for _, p := range m.Cell.Params() {
			cell0 = append(cell0, p.Data...)
		}
		s := TrainSettings{Seed: 1, BatchSize: 8, TrainTrials: 8, ValTrials: 8, MaxEpochs: 20, LearningRate: 0.05,
			LearnInitialState: true, FixedReadout: fixed, TargetMSE: -1}
		res, err := Train(context.Background(), m, constantTask{}, s)
		if err != nil {
			t.Fatal(err)
		}
		same := equalBits(m.Readout.Weight, w0) && equalBits(m.Readout.Bias, b0)
		if same != fixed {
			t.Errorf("FixedReadout %t: readout unchanged %t", fixed, same)
		}
		var cell1 []float64
		for _, p := range m.Cell.Params() {
			cell1 = append(cell1, p.Data...)
		}
		if equalBits(cell1, cell0) || m.Initial == nil {
			t.Errorf("FixedReadout %t: the cell or the initial state did not learn", fixed)
		}
		if first, last := res.History[0].Loss, res.History[len(res.History)-1].Loss; !(last < first/2) {
			t.Errorf("FixedReadout %t: loss %v -> %v", fixed, first, last)
		}
	}
}
