package finder

import (
	"context"
	"testing"
)

// BenchmarkFindFlipFlopCompletion times Find on the default example's
// networks and initial states (as BenchmarkFindFlipFlop) with completion
// and connections off and on, so that their cost is measured under the
// same machine load.
func BenchmarkFindFlipFlopCompletion(b *testing.B) {
	for _, kind := range benchKinds {
		p := flipFlopProblem(b, kind)
		for _, mode := range []struct {
			name string
			s    Settings
		}{
			{"off", Settings{Seed: benchSeed, NoComplete: true, NoConnections: true}},
			{"on", Settings{Seed: benchSeed}},
		} {
			b.Run(kind+"16-"+mode.name, func(b *testing.B) {
				var res *Result
				for i := 0; i < b.N; i++ {
					s := mode.s
					var err error
					if res, err = Find(context.Background(), p, &s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Fixed.Len()), "fixed")
				b.ReportMetric(float64(res.Stats.CompleteTime.Microseconds())/1e3, "complete-ms")
				b.ReportMetric(float64(res.Stats.ConnectTime.Microseconds())/1e3, "connect-ms")
			})
		}
	}
}
