package finder

import (
	"context"
	"testing"
)

func TestTmpProbe(t *testing.T) {
	for _, kind := range []string{"lstm"} {
		p := flipFlopProblem(t, kind)
		res, err := Find(context.Background(), p, &Settings{Seed: 6})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Stats
		t.Logf("%s: %v complete %v connect %v rounds %+v; %s", kind, st.Runtime, st.CompleteTime, st.ConnectTime, st.Completion, ConnectionCounts(res.Fixed.Connections))
		for _, c := range res.Fixed.Connections {
			if c.End != EndStable {
				p := res.Fixed.Points[c.From]
				t.Logf("  %+v lambda %v marginal %v", c, p.Modes[c.Mode].Value, p.Stability.NMarginal)
			}
		}
	}
}
