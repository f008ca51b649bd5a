package tasks

import "fmt"

// Batch is a set of trials of one task: input and target sequences stored
// flat and row-major as (trial, time, channel).
type Batch struct {
	Trials, Time          int
	InputSize, OutputSize int
	Inputs                []float64 // Trials x Time x InputSize
	Targets               []float64 // Trials x Time x OutputSize
}

// Task draws batches of trials.
type Task interface {
	// InputSize is the number of a trial's input channels.
	InputSize() int
	// OutputSize is the number of a trial's target channels.
	OutputSize() int
	// Generate draws n trials; the same seed gives the same batch.
	Generate(n int, seed uint64) (Batch, error)
}

// Check returns an error when the slices do not match the sizes.
func (b Batch) Check() error {
	if b.Trials <= 0 || b.Time <= 0 || b.InputSize <= 0 || b.OutputSize <= 0 {
		return fmt.Errorf("tasks: batch of %d trials x %d steps with %d inputs and %d outputs, want all > 0", b.Trials, b.Time, b.InputSize, b.OutputSize)
	}
	if len(b.Inputs) != b.Trials*b.Time*b.InputSize {
		return fmt.Errorf("tasks: batch has %d input values, want %d x %d x %d", len(b.Inputs), b.Trials, b.Time, b.InputSize)
	}
	if len(b.Targets) != b.Trials*b.Time*b.OutputSize {
		return fmt.Errorf("tasks: batch has %d target values, want %d x %d x %d", len(b.Targets), b.Trials, b.Time, b.OutputSize)
	}
	return nil
}

// Trial returns the inputs and targets of trial i (views, not copies).
func (b Batch) Trial(i int) (inputs, targets []float64) {
	ni, no := b.Time*b.InputSize, b.Time*b.OutputSize
	return b.Inputs[i*ni : (i+1)*ni], b.Targets[i*no : (i+1)*no]
}

// Subset returns the trials idx, in that order, copied into dst's storage
// when it is large enough.
func (b Batch) Subset(idx []int, dst *Batch) {
	ni, no := b.Time*b.InputSize, b.Time*b.OutputSize
	dst.Trials, dst.Time, dst.InputSize, dst.OutputSize = len(idx), b.Time, b.InputSize, b.OutputSize
	dst.Inputs = grow(dst.Inputs, len(idx)*ni)
	dst.Targets = grow(dst.Targets, len(idx)*no)
	for k, i := range idx {
		copy(dst.Inputs[k*ni:(k+1)*ni], b.Inputs[i*ni:(i+1)*ni])
		copy(dst.Targets[k*no:(k+1)*no], b.Targets[i*no:(i+1)*no])
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
