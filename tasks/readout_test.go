package tasks

import "testing"

// Output reads h, the first Inputs values of the state, by hand:
// [1 2; 3 4] [0.5 -1] + [0.25 -0.25] = [-1.25 -2.75], whatever follows h.
func TestReadoutOutput(t *testing.T) {
	ro := &Readout{Outputs: 2, Inputs: 2, Weight: []float64{1, 2, 3, 4}, Bias: []float64{0.25, -0.25}}
	y := ro.Output([]float64{0.5, -1, 99, 99})
	if len(y) != 2 || y[0] != -1.25 || y[1] != -2.75 {
		t.Errorf("Output = %v, want [-1.25 -2.75]", y)
	}
}
