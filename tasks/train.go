package tasks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/unroll"
)

// TrainSettings configures Train. A zero field takes the default in its
// comment.
type TrainSettings struct {
	Seed uint64 // draws the data and the minibatch order
	// BatchSize is 64 trials per minibatch by default. The reference uses 128;
	// on the flip-flop both take about as many optimizer steps to the target,
	// and a step over 64 trials costs about 60% of one over 128.
	BatchSize    int
	LearningRate float64 // 1/sqrt(BatchSize), Adam's step
	Clip         float64 // 1: the gradients are scaled to at most this global 2-norm; < 0 disables clipping
	MaxEpochs    int     // 1000
	// TargetMSE stops training at the first epoch whose validation MSE is at
	// most this; 1e-3 by default, < 0 trains for MaxEpochs.
	TargetMSE   float64
	TrainTrials int // 512 trials, drawn once; each epoch visits them in a new order
	ValTrials   int // 128 trials, drawn from another seed

	// LearnInitialState learns the initial state, one row shared by every
	// trial, starting from Model.Initial (zeros when nil). Without it every
	// trial starts from Model.Initial, unchanged.
	LearnInitialState bool

	// FixedReadout keeps the readout's weights and bias as the model has
	// them: only the cell (and the initial state) learn. The network must
	// then meet the outputs' scale with its states, which a small target
	// keeps in tanh's nearly linear range (the sine-wave generator), where
	// a learned readout would shrink and let the states saturate.
	FixedReadout bool

	// Progress, when not nil, is called after every epoch.
	Progress func(EpochStats)
}

func (s TrainSettings) withDefaults() TrainSettings {
	if s.BatchSize == 0 {
		s.BatchSize = 64
	}
	if s.LearningRate == 0 {
		s.LearningRate = 1 / math.Sqrt(float64(s.BatchSize))
	}
	if s.Clip == 0 {
		s.Clip = 1
	}
	if s.MaxEpochs == 0 {
		s.MaxEpochs = 1000
	}
	if s.TargetMSE == 0 {
		s.TargetMSE = 1e-3
	}
	if s.TrainTrials == 0 {
		s.TrainTrials = 512
	}
	if s.ValTrials == 0 {
		s.ValTrials = 128
	}
	return s
}

func (s TrainSettings) check() error {
	switch {
	case s.BatchSize < 0:
		return fmt.Errorf("tasks: train: batch size %d, want > 0", s.BatchSize)
	case !(s.LearningRate > 0) || math.IsInf(s.LearningRate, 0):
		return fmt.Errorf("tasks: train: learning rate %v, want > 0", s.LearningRate)
	case math.IsNaN(s.Clip):
		return fmt.Errorf("tasks: train: clip is NaN")
	case s.MaxEpochs < 0:
		return fmt.Errorf("tasks: train: max epochs %d, want > 0", s.MaxEpochs)
	case math.IsNaN(s.TargetMSE):
		return fmt.Errorf("tasks: train: target MSE is NaN")
	case s.TrainTrials < s.BatchSize:
		return fmt.Errorf("tasks: train: %d training trials for batches of %d", s.TrainTrials, s.BatchSize)
	case s.ValTrials < 0:
		return fmt.Errorf("tasks: train: %d validation trials, want > 0", s.ValTrials)
	}
	return nil
}

// EpochStats describe one epoch of training.
type EpochStats struct {
	Epoch    int     // 1-based
	Steps    int     // optimizer steps so far
	Loss     float64 // mean minibatch loss over the epoch, before each step
	GradNorm float64 // mean global gradient norm over the epoch, before clipping
	Val      Metrics // on the validation trials after the epoch
	Elapsed  time.Duration
}

// TrainResult is what Train returns. The model holds the weights of the
// last completed optimizer step.
type TrainResult struct {
	Reached bool    // the validation MSE reached TargetMSE
	Epochs  int     // completed epochs
	Steps   int     // optimizer steps
	Val     Metrics // after the last completed epoch
	History []EpochStats
	Elapsed time.Duration
}

// Train fits model to task by backpropagation through time (see the package
// documentation) and writes the learned weights into the model: the cell's
// Params, the readout and, with LearnInitialState, the initial state. It
// returns when the validation MSE reaches TargetMSE, after MaxEpochs, or
// when ctx is done (with ctx's error and the result so far). The same
// settings give the same weights, bit for bit.
func Train(ctx context.Context, model *Model, task Task, s TrainSettings) (TrainResult, error) {
	start := time.Now()
	s = s.withDefaults()
	if err := s.check(); err != nil {
		return TrainResult{}, err
	}
	if err := model.check(); err != nil {
		return TrainResult{}, err
	}
	if task == nil {
		return TrainResult{}, fmt.Errorf("tasks: train: nil task")
	}
	train, err := task.Generate(s.TrainTrials, splitmix(s.Seed, 1))
	if err != nil {
		return TrainResult{}, fmt.Errorf("tasks: train: training data: %w", err)
	}
	val, err := task.Generate(s.ValTrials, splitmix(s.Seed, 2))
	if err != nil {
		return TrainResult{}, fmt.Errorf("tasks: train: validation data: %w", err)
	}
	if val.Time != train.Time {
		return TrainResult{}, fmt.Errorf("tasks: train: validation trials have %d steps, training trials %d", val.Time, train.Time)
	}
	for _, b := range []Batch{train, val} {
		if err := model.checkBatch(b); err != nil {
			return TrainResult{}, fmt.Errorf("tasks: train: %w", err)
		}
		if err := graph.CheckFinite("tasks: train: inputs", b.Inputs, b.InputSize); err != nil {
			return TrainResult{}, err
		}
		if err := graph.CheckFinite("tasks: train: targets", b.Targets, b.OutputSize); err != nil {
			return TrainResult{}, err
		}
	}

	tr, err := newTrainer(model, s, train.Time)
	if err != nil {
		return TrainResult{}, err
	}
	res, err := tr.loop(ctx, train, val, start)
	tr.writeBack()
	res.Elapsed = time.Since(start)
	return res, err
}

// trainer holds the graph, the optimizer and the trainable copies of the
// readout and initial state in the graph's layout.
type trainer struct {
	model *Model
	s     TrainSettings
	u     *unroll.Graph
	opt   *adam
	w, b  *cells.Param // readout W^T (R x O) and bias (1 x O)
	x0    *cells.Param // nil when the initial state is zero
	// data and grads are the Data and the gradients (views of the graph's
	// Grads) of the graph's parameters that are trained.
	data  [][]float64
	grads [][]float64
	mb    Batch     // minibatch scratch
	out   []float64 // B x T x O scratch for validation
}

func newTrainer(model *Model, s TrainSettings, T int) (*trainer, error) {
	ro := model.Readout
	tr := &trainer{model: model, s: s}
	tr.w = cells.NewParam("readout_weight_T", ro.Inputs, ro.Outputs)
	for o := 0; o < ro.Outputs; o++ {
		for j := 0; j < ro.Inputs; j++ {
			tr.w.Set(j, o, ro.Weight[o*ro.Inputs+j])
		}
	}
	tr.b = cells.NewParam("readout_bias", 1, ro.Outputs)
	copy(tr.b.Data, ro.Bias)
	if s.LearnInitialState || model.Initial != nil {
		tr.x0 = cells.NewParam("initial_state", 1, model.Cell.StateSize())
		copy(tr.x0.Data, model.Initial)
	}
	u, err := unroll.New(model.Cell, tr.w, tr.b, tr.x0, unroll.Config{Batch: s.BatchSize, Steps: T})
	if err != nil {
		return nil, fmt.Errorf("tasks: train: %w", err)
	}
	tr.u = u
	var sizes []int
	for i, p := range u.Params() {
		switch {
		case p == tr.x0 && !s.LearnInitialState: // a given initial state is an input, not a weight
			continue
		case (p == tr.w || p == tr.b) && s.FixedReadout:
			continue
		}
		tr.data = append(tr.data, p.Data)
		tr.grads = append(tr.grads, u.Grads[i])
		sizes = append(sizes, len(p.Data))
	}
	tr.opt = newAdam(s.LearningRate, sizes)
	tr.out = make([]float64, s.BatchSize*T*ro.Outputs)
	return tr, nil
}

func (tr *trainer) loop(ctx context.Context, train, val Batch, start time.Time) (TrainResult, error) {
	s, B := tr.s, tr.s.BatchSize
	var res TrainResult
	order := rand.New(rand.NewPCG(splitmix(s.Seed, 3), 0x0bde5))
	perm := make([]int, train.Trials)
	for i := range perm {
		perm[i] = i
	}
	for epoch := 1; epoch <= s.MaxEpochs; epoch++ {
		order.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum, normSum float64
		nb := train.Trials / B
		for k := 0; k < nb; k++ {
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("tasks: train: %w", err)
			}
			train.Subset(perm[k*B:(k+1)*B], &tr.mb)
			if err := tr.u.SetSequences(tr.mb.Inputs, tr.mb.Targets); err != nil {
				return res, fmt.Errorf("tasks: train: %w", err)
			}
			loss, err := tr.u.LossGrad()
			if err != nil {
				return res, fmt.Errorf("tasks: train: epoch %d: %w", epoch, err)
			}
			grads := tr.grads
			norm := globalNorm(grads)
			if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
				return res, fmt.Errorf("tasks: train: epoch %d step %d: loss %v, gradient norm %v (lower the learning rate or clip)", epoch, res.Steps+1, loss, norm)
			}
			scale := 1.0
			if s.Clip > 0 && norm > s.Clip {
				scale = s.Clip / norm
			}
			tr.opt.step(tr.data, grads, scale)
			res.Steps++
			lossSum += loss
			normSum += norm
		}
		m, err := tr.validate(val)
		if err != nil {
			return res, fmt.Errorf("tasks: train: epoch %d: %w", epoch, err)
		}
		st := EpochStats{Epoch: epoch, Steps: res.Steps, Loss: lossSum / float64(nb), GradNorm: normSum / float64(nb), Val: m, Elapsed: time.Since(start)}
		res.Epochs, res.Val = epoch, m
		res.History = append(res.History, st)
		if s.Progress != nil {
			s.Progress(st)
		}
		if s.TargetMSE >= 0 && m.MSE <= s.TargetMSE {
			res.Reached = true
			return res, nil
		}
	}
	return res, nil
}

// validate scores the current weights on val, in chunks of the graph's
// batch size; the last chunk is padded by repeating trials that are then
// left out of the score.
func (tr *trainer) validate(val Batch) (Metrics, error) {
	B := tr.s.BatchSize
	idx := make([]int, B)
	var sc scorer
	for lo := 0; lo < val.Trials; lo += B {
		n := min(B, val.Trials-lo)
		for k := range idx {
			idx[k] = lo + k%n
		}
		val.Subset(idx, &tr.mb)
		if err := tr.u.SetSequences(tr.mb.Inputs, tr.mb.Targets); err != nil {
			return Metrics{}, err
		}
		if _, err := tr.u.Forward(tr.out); err != nil {
			return Metrics{}, err
		}
		k := n * val.Time * val.OutputSize
		sc.add(tr.out[:k], tr.mb.Targets[:k])
	}
	return sc.metrics(), nil
}

// writeBack copies the learned readout and initial state into the model
// (the cell's weights were updated in place).
func (tr *trainer) writeBack() {
	ro := tr.model.Readout
	for o := 0; o < ro.Outputs; o++ {
		for j := 0; j < ro.Inputs; j++ {
			ro.Weight[o*ro.Inputs+j] = tr.w.At(j, o)
		}
	}
	copy(ro.Bias, tr.b.Data)
	if tr.s.LearnInitialState {
		tr.model.Initial = append([]float64(nil), tr.x0.Data...)
	}
}

// splitmix derives independent seeds from one (SplitMix64's finalizer).
func splitmix(seed, stream uint64) uint64 {
	z := seed + stream*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
