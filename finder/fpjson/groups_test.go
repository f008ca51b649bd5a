package fpjson

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// The three groups go through Write and Read with their labels.
func TestResultGroups(t *testing.T) {
	mk := func(o finder.Outcome, r finder.Reason, x float64) *finder.FixedPoints {
		return &finder.FixedPoints{N: 1, M: 0, Dtype: "float64", Points: []finder.Point{{X: []float64{x}, Q: x, Residual: x, Iters: 3, Refines: 2, Outcome: o, Reason: r, Gradient: x / 10}}}
	}
	in := &finder.Result{Fixed: mk(finder.OutcomeFixed, finder.ReasonNone, 0), Slow: mk(finder.OutcomeSlow, finder.ReasonNone, 0.5),
		Unconverged: mk(finder.OutcomeUnconverged, finder.ReasonStall, 2)}
	in.Fixed.Points[0].Modes = []finder.Mode{{Value: 1.5, Cond: 2, Bound: 1e-14, Class: finder.ModeUnstable}}
	in.Fixed.Points[0].Stability = finder.Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.5}
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"slow_points":[`, `"unconverged":[`, `"reason":"stall"`, `"outcome":"slow"`, `"eigenvalue_bounds":[1e-14]`, `"n_undecided":0`, `"mode_classes":["unstable"]`} {
		if !bytes.Contains(b.Bytes(), []byte(field)) {
			t.Errorf("no %s in\n%s", field, b.String())
		}
	}
	out, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ got, want *finder.FixedPoints }{{out.Fixed, in.Fixed}, {out.Slow, in.Slow}, {out.Unconverged, in.Unconverged}} {
		if g.got == nil || !reflect.DeepEqual(g.got, g.want) {
			t.Errorf("read %+v, wrote %+v", g.got, g.want)
		}
	}

	// Groups of different shapes, or no group at all, are refused.
	in.Slow.N = 2
	in.Slow.Points[0].X = []float64{1, 2}
	if err := Write(&b, in); err == nil || !strings.Contains(err.Error(), "groups of different shapes") {
		t.Errorf("groups of N = 1 and 2: %v", err)
	}
	if err := Write(&b, &finder.Result{}); err == nil || !strings.Contains(err.Error(), "no points") {
		t.Errorf("empty result: %v", err)
	}
	if err := Write(&b, nil); err == nil {
		t.Error("nil result: no error")
	}
}

// TestConditionField: a point without a condition has no "condition" field
// and reads back as nil; the valid id 0 is written and reads back as 0.
func TestConditionField(t *testing.T) {
	fp := &finder.FixedPoints{N: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{1}}, {X: []float64{2}, Condition: new(0)}}}
	var b bytes.Buffer
	if err := writeSet(&b, fp); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), `"condition":0`); n != 1 || strings.Count(b.String(), `"condition"`) != 1 {
		t.Errorf("want one \"condition\":0 in\n%s", b.String())
	}
	back, err := readSet(&b)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Points[0].Condition; c != nil {
		t.Errorf("point without a condition read back with %d", *c)
	}
	if c := back.Points[1].Condition; c == nil || *c != 0 {
		t.Errorf("condition 0 read back as %v", c)
	}
}

// TestCoverageConnections: the coverage estimate and the connections go
// before "fixed_points" with the names the package documentation gives,
// and come back as they were; a connection to a point that does not exist
// is not written.
func TestCoverageConnections(t *testing.T) {
	fp := &finder.FixedPoints{N: 1, Dtype: "float64", Points: []finder.Point{
		{X: []float64{-1}, Modes: []finder.Mode{{Value: 0.5}}},
		{X: []float64{0}, Modes: []finder.Mode{{Value: 2}}},
		{X: []float64{1}, Modes: []finder.Mode{{Value: 0.5}}},
	}}
	fp.Coverage = &finder.Coverage{Found: 3, Sampled: 3, Completed: 0, SeenOnce: 1, SeenTwice: 1, EstimatedUnseen: 0.5,
		Method: "chao1-bias-corrected", StillFinding: true, Hits: []int{1, 2, 5}}
	fp.Connections = []finder.Connection{{From: 1, Mode: 0, Direction: 0, To: 2, End: finder.EndStable, Steps: 40},
		{From: 1, Mode: 0, Direction: 180, To: 0, End: finder.EndStable, Steps: 41}}
	var b bytes.Buffer
	if err := writeSet(&b, fp); err != nil {
		t.Fatal(err)
	}
	want := `"coverage":{"found":3,"sampled":3,"completed":0,"seen_once":1,"seen_twice":1,"estimated_unseen":0.5,"method":"chao1-bias-corrected","still_finding":true,"hits":[1,2,5]},` +
		`"connections":[{"from":1,"mode":0,"direction":0,"to":2,"end":"stable","steps":40},{"from":1,"mode":0,"direction":180,"to":0,"end":"stable","steps":41}],"fixed_points":[`
	if !strings.Contains(b.String(), want) {
		t.Errorf("want %s in\n%s", want, b.String())
	}
	back, err := readSet(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, fp) {
		t.Errorf("read back %+v %+v, want %+v %+v", back.Coverage, back.Connections, fp.Coverage, fp.Connections)
	}
	fp.Connections[1].To = 3
	if err := writeSet(&b, fp); err == nil || !strings.Contains(err.Error(), "connection 1: from 1 to 3") {
		t.Errorf("connection to point 3 of 3: %v", err)
	}
}

// TestFoundResultsRoundTrip: what Find returns on small networks of each
// built-in kind (analyzed fixed points with coverage and connections, and
// on the GRU unconverged candidates with their reasons) writes, and reads
// back to the same three groups, bit for bit.
func TestFoundResultsRoundTrip(t *testing.T) {
	const N, M, B = 4, 2, 24
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		cell, err := cells.NewTorchCell(kind, N, M)
		if err != nil {
			t.Fatal(err)
		}
		// Strong, fixed weights: several fixed points, and candidates
		// that end slow or unconverged.
		for k, p := range cell.Params() {
			for i := range p.Data {
				p.Data[i] = 0.3 * math.Sin(float64(31*k+i+1))
				if p.Rows == 1 {
					p.Data[i] *= 0.1 // biases
				}
			}
			if p.Cols == N && p.Rows%N == 0 { // recurrent weights: a gain of 3 on each unit
				for r := 0; r < p.Rows; r++ {
					if kind != "lstm" || r/N == 2 { // an LSTM's cell input g only
						p.Data[r*N+r%N] += 3
					}
				}
			}
		}
		states := make([]float64, B*N)
		for i := range states {
			states[i] = math.Sin(float64(7*i+1)) * 1.5
		}
		res, err := finder.Find(context.Background(), finder.Problem{Cell: cell, InitialStates: states, Inputs: []float64{0.3, -0.2}},
			&finder.Settings{Seed: 3, MaxIters: 400})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fixed.Len() == 0 || kind == "gru" && res.Unconverged.Len()+res.Slow.Len()+res.SlowRegions.Len() == 0 {
			t.Fatalf("%s: %d fixed points and %d slow, %d slow regions, %d unconverged candidates: the weights no longer give a varied set",
				kind, res.Fixed.Len(), res.Slow.Len(), res.SlowRegions.Len(), res.Unconverged.Len())
		}
		var b bytes.Buffer
		if err := Write(&b, res); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		back, err := Read(&b)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, g := range []struct {
			name      string
			got, want *finder.FixedPoints
		}{{"fixed", back.Fixed, res.Fixed}, {"slow", back.Slow, res.Slow}, {"slow regions", back.SlowRegions, res.SlowRegions}, {"unconverged", back.Unconverged, res.Unconverged}} {
			if g.want.Len() == 0 && g.got != nil && g.got.Len() == 0 {
				continue // an empty list reads back as an empty set
			}
			if !reflect.DeepEqual(g.got, g.want) {
				t.Errorf("%s: the %s points read back differ:\n got %+v\nwant %+v", kind, g.name, g.got, g.want)
			}
		}
		if back.Reference == nil || *back.Reference != res.Stats.Reference {
			t.Errorf("%s: reference view read back %+v, want %+v", kind, back.Reference, res.Stats.Reference)
		}
		t.Logf("%s: %d fixed, %d slow, %d slow regions, %d unconverged; reference view %+v", kind, res.Fixed.Len(), res.Slow.Len(), res.SlowRegions.Len(), res.Unconverged.Len(), res.Stats.Reference)
	}
}
