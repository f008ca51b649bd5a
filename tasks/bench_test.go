package tasks

import (
	"testing"
	"time"
)

// BenchmarkTrainFlipFlop trains each 16-unit cell of flipFlopRecipes from
// its seed until the validation MSE reaches 1e-3, and reports the seconds
// to the target, the epochs it took and the epochs per second.
func BenchmarkTrainFlipFlop(b *testing.B) {
	for i, r := range flipFlopRecipes {
		b.Run(r.name, func(b *testing.B) {
			var total time.Duration
			epochs := 0
			for n := 0; n < b.N; n++ {
				start := time.Now()
				_, res := trainFlipFlop(b, i)
				total += time.Since(start)
				if !res.Reached {
					b.Fatalf("%s: target not reached in %d epochs", r.name, res.Epochs)
				}
				epochs += res.Epochs
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/target")
			b.ReportMetric(float64(epochs)/float64(b.N), "epochs")
			b.ReportMetric(float64(epochs)/total.Seconds(), "epochs/s")
		})
	}
}
