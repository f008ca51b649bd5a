package viz

import (
	"math"

	"github.com/rnnfp/fixedpoints/finder"
)

// sampleReport is the flip-flop-like report of the size and browser
// tests: 50 trials x 64 steps x N = 32, 27 fixed points, 3 slow points,
// and, as a trained LSTM has them, far out: one fixed point where the
// "gates saturate" and 4 slow points, which the 3-D view must leave out.
// It has the trial and training panels.
func sampleReport() *Report {
	r := embedded(32, 50, 64, 1)
	// The embedding's first three axes: fixed points 22, 16 and 14 sit at
	// a on one of them (index 9*l1 + 3*l2 + l3 for levels -a, 0, a).
	far := func(x []float64, q float64) finder.Point {
		p := finder.Point{X: make([]float64, 32), Q: q, Residual: math.Sqrt(2 * q)}
		for k, idx := range []int{22, 16, 14} {
			for i := range p.X {
				p.X[i] += x[k] * r.Fixed.Points[idx].X[i] / flipA
			}
		}
		return p
	}
	sat := r.Fixed.Points[26] // (a, a, a), stable: a copy far out along the diagonal
	sat.X = far([]float64{6, 6, 6}, 0).X
	r.Fixed.Points = append(r.Fixed.Points, sat)
	for i := range 4 {
		r.Slow.Points = append(r.Slow.Points, far([]float64{4 + float64(i), 4, 4}, 0.1))
	}
	r.Trial = flipFlopTrial(64)
	r.Training = sampleTraining()
	r.Summary = []Row{{"network", "synthetic flip-flop, N = 32"}, {"search time", "1.2s"}}
	return r
}

// sampleTraining is a training run whose MSE falls by a decade every 10
// epochs to the target 1e-4 at epoch 30.
func sampleTraining() *Training {
	t := &Training{Task: "3-bit flip-flop", TargetMSE: 1e-4, Reached: true, Epochs: 30, Accuracy: 0.9987}
	for e := 1; e <= 30; e++ {
		t.ValMSE = append(t.ValMSE, 0.1*math.Pow(10, -float64(e)/10))
		t.Loss = append(t.Loss, 0.12*math.Pow(10, -float64(e)/10))
	}
	t.MSE = t.ValMSE[29]
	return t
}

// hostile is text that would run script if it reached the page unescaped.
const hostile = `</script><script>window.pwned=1;alert(1)</script><img src=x onerror="window.pwned=2">&amp;'"`

// hostileReport puts hostile text everywhere a caller's text goes.
func hostileReport() *Report {
	r := &Report{Title: hostile, Fixed: flipFlop3()}
	r.Trial = flipFlopTrial(8)
	r.Trial.Channels = []string{hostile, hostile, hostile}
	r.Summary = []Row{{hostile, hostile}}
	return r
}
