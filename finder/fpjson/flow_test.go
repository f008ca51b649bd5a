package fpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// tanh2Root is the positive root of a = tanh(2a), by bisection.
func tanh2Root() float64 {
	lo, hi := 0.5, 1.0
	for range 200 {
		m := (lo + hi) / 2
		if math.Tanh(2*m) > m {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// The 2-unit rate-form tanh CTRNN of cells.ExampleCTRNN (W = 2I, alpha =
// 0.1): each unit of a fixed point is 0 or ±a with a = tanh(2a), and the
// flow tau dh/dt = -h + tanh(2h) has there, per unit, the eigenvalue
// lambda = -1 + 2(1 - tanh²(2h)) = -1 + 2(1 - h²): 1 at 0, -1 + 2(1 - a²)
// at ±a. Judged for the flow or for the map, the file says "alpha": 0.1
// and, per point, these lambdas as "flow_eigenvalues" (to 1e-9), while its
// eigenvalues stay what they were (mu - 1 for the flow, mu for the map,
// with mu = 1 + alpha lambda).
func TestFlowEigenvaluesOfExampleCTRNN(t *testing.T) {
	const alpha = 0.1
	a := tanh2Root()
	c, err := cells.NewCTRNN(2, 0, alpha, cells.FormRate, cells.ActTanh)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Params()[1]
	w.Set(0, 0, 2)
	w.Set(1, 1, 2)
	var starts []float64
	for _, x := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
		for _, y := range []float64{-1.2, -0.4, 0, 0.4, 1.2} {
			starts = append(starts, x, y)
		}
	}
	for _, continuous := range []bool{true, false} {
		s := finder.DefaultSettings()
		s.ContinuousTime = continuous
		res, err := finder.Find(context.Background(), finder.Problem{Cell: c, InitialStates: starts}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if res.Fixed.Len() != 9 || res.Fixed.Alpha != alpha {
			t.Fatalf("continuous %v: %d points, alpha %g; want 9, %g", continuous, res.Fixed.Len(), res.Fixed.Alpha, alpha)
		}
		var buf bytes.Buffer
		if err := Write(&buf, res); err != nil {
			t.Fatal(err)
		}
		var file struct {
			Alpha  *float64 `json:"alpha"`
			Points []struct {
				X    []float64    `json:"x"`
				Eig  [][2]float64 `json:"eigenvalues"`
				Flow [][2]float64 `json:"flow_eigenvalues"`
			} `json:"fixed_points"`
		}
		if err := json.Unmarshal(buf.Bytes(), &file); err != nil {
			t.Fatal(err)
		}
		if file.Alpha == nil || *file.Alpha != alpha {
			t.Fatalf("continuous %v: alpha %v in the file, want %g", continuous, file.Alpha, alpha)
		}
		worst := 0.0
		for _, p := range file.Points {
			var want []float64
			for _, x := range p.X {
				h := 0.0 // the unit's analytic value: 0 or ±a
				if math.Abs(x) > a/2 {
					h = math.Copysign(a, x)
				}
				if math.Abs(x-h) > 1e-9 {
					t.Fatalf("unit at %g, not 0 or ±%g", x, a)
				}
				want = append(want, -1+2*(1-h*h))
			}
			if len(p.Flow) != 2 || len(p.Eig) != 2 {
				t.Fatalf("continuous %v: point %v has %d flow eigenvalues, %d eigenvalues; want 2, 2", continuous, p.X, len(p.Flow), len(p.Eig))
			}
			var got []float64
			for k, l := range p.Flow {
				if l[1] != 0 || p.Eig[k][1] != 0 {
					t.Errorf("complex eigenvalue at %v", p.X)
				}
				got = append(got, l[0])
				mu := p.Eig[k][0] // the map's eigenvalue
				if continuous {
					mu++
				}
				if math.Abs(mu-(1+alpha*l[0])) > 1e-12 {
					t.Errorf("continuous %v: mu = %.17g, lambda = %.17g: mu is not 1 + alpha lambda", continuous, mu, l[0])
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			for k := range want {
				worst = math.Max(worst, math.Abs(got[k]-want[k]))
			}
		}
		if worst > 1e-9 {
			t.Errorf("continuous %v: flow eigenvalues off the analytic ones by %g", continuous, worst)
		}
		t.Logf("continuous %v: flow eigenvalues within %.2g of 1 and -1 + 2(1 - a²) = %.15g", continuous, worst, -1+2*(1-a*a))
		got, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil || got.Fixed.Alpha != alpha {
			t.Fatalf("read back: %v, alpha %v", err, got)
		}
	}
}

// A file's alpha and flow_eigenvalues are checked on reading: alpha in
// (0, 1], flow eigenvalues only with an alpha, one per eigenvalue, each
// (mu - 1)/alpha; a file of before (neither) reads with Alpha 0.
func TestFlowEigenvaluesReadChecks(t *testing.T) {
	fp := &finder.FixedPoints{N: 2, Dtype: "float64", Alpha: 0.5, Points: []finder.Point{{
		X: []float64{1, 2}, Modes: []finder.Mode{{Value: 0.5}, {Value: -0.25}},
		Stability: finder.Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.5, Continuous: true},
	}}}
	got, raw := roundTrip(t, fp)
	if got.Alpha != 0.5 {
		t.Errorf("alpha %g read back, want 0.5", got.Alpha)
	}
	// mu - 1 = 0.5 and -0.25 over alpha 0.5.
	if !bytes.Contains(raw, []byte(`"flow_eigenvalues":[[1,0],[-0.5,0]]`)) || !bytes.Contains(raw, []byte(`"alpha":0.5`)) {
		t.Fatalf("file lacks alpha 0.5 or flow eigenvalues [1, -0.5]:\n%s", raw)
	}
	for _, c := range []struct{ name, from, to, msg string }{
		{"no alpha", `"alpha":0.5,`, ``, "flow_eigenvalues without the file's alpha"},
		{"another alpha", `"alpha":0.5`, `"alpha":0.25`, "flow_eigenvalues[0] = 1+0i is not (mu - 1)/alpha = 2+0i"},
		{"alpha above 1", `"alpha":0.5`, `"alpha":2`, "alpha = dt/tau 2, want 0 < alpha <= 1"},
		{"negative alpha", `"alpha":0.5`, `"alpha":-0.5`, "alpha = dt/tau -0.5, want 0 < alpha <= 1"},
		{"count", `"flow_eigenvalues":[[1,0],[-0.5,0]]`, `"flow_eigenvalues":[[1,0]]`, "flow_eigenvalues has 1 values, want one per eigenvalue (2)"},
		{"order", `"flow_eigenvalues":[[1,0],[-0.5,0]]`, `"flow_eigenvalues":[[-0.5,0],[1,0]]`, "flow_eigenvalues[0] = -0.5+0i is not"},
		{"NaN", `"flow_eigenvalues":[[1,0],[-0.5,0]]`, `"flow_eigenvalues":[["NaN",0],[-0.5,0]]`, "flow_eigenvalues[0] = NaN+0i is not"},
	} {
		bad := strings.Replace(string(raw), c.from, c.to, 1)
		if bad == string(raw) {
			t.Fatalf("%s: %s not in the file", c.name, c.from)
		}
		if _, err := readSet(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
	// Without either field: a file of before, no flow.
	old := strings.NewReplacer(`"alpha":0.5,`, ``, `"flow_eigenvalues":[[1,0],[-0.5,0]],`, ``).Replace(string(raw))
	if got, err := readSet(strings.NewReader(old)); err != nil || got.Alpha != 0 || got.Points[0].FlowEigenvalues(got.Alpha) != nil {
		t.Errorf("a file without alpha: %v, %+v", err, got)
	}
}
