package viz

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
	"github.com/rnnfp/fixedpoints/stability"
)

// TestOrbitsDrawn: the 2-cycle of x -> tanh(-2x) (found by orbits.Find,
// +-0.9575 with multiplier 0.02768) is drawn as a closed polyline with its
// own legend entry, its multiplier is in the spectra as a stable mode, and
// the counts table counts it by period and class.
func TestOrbitsDrawn(t *testing.T) {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = -2
	s := orbits.DefaultSettings()
	s.MaxPeriod = 2
	res, err := orbits.Find(context.Background(), orbits.Problem{Cell: c, InitialStates: []float64{-1, -0.5, 0.3, 1}}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 1 {
		t.Fatalf("%d orbits, want the 2-cycle", len(res.Orbits))
	}
	r := &Report{Orbits: res.Orbits}
	b, err := r.build()
	if err != nil {
		t.Fatal(err)
	}
	var view map[string]interface{}
	for _, ch := range b.charts {
		if ch.ID == idFixedPoints {
			view = ch.Option
		}
	}
	js, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		Series []struct {
			Name string          `json:"name"`
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(js, &opt); err != nil {
		t.Fatal(err)
	}
	const name = "period-2 orbit 0: stable"
	var line [][]float64
	scatter := false
	for _, sr := range opt.Series {
		if sr.Name != name {
			continue
		}
		switch sr.Type {
		case "line3D":
			if err := json.Unmarshal(sr.Data, &line); err != nil {
				t.Fatal(err)
			}
		case "scatter3D":
			scatter = true
		}
	}
	if len(line) != 3 || !scatter {
		t.Fatalf("orbit series %q: line of %d points (want 3: closed), scatter %v; series %s", name, len(line), scatter, js)
	}
	xs := 0.9575040240772688
	if math.Abs(line[0][0]+xs) > 1e-5 || math.Abs(line[1][0]-xs) > 1e-5 || line[2][0] != line[0][0] {
		t.Errorf("polyline %v, want -x*, x*, -x* with x* = %v", line, xs)
	}
	sp := b.spectra
	if len(sp.Points) != 1 || !strings.HasPrefix(sp.Points[0].Label, name) || sp.Selected != 0 {
		t.Fatalf("spectra %+v, want the orbit's multipliers selected", sp)
	}
	m := sp.Points[0].Modes[0]
	if math.Abs(float64(m[0])-0.0276797) > 1e-6 || m[2] != num(modeStable) {
		t.Errorf("multiplier entry %v, want 0.02768, certainly stable", m)
	}
	rows := r.countRows(notDrawn{})
	found := false
	for _, row := range rows {
		if row.Key == "period-2 orbits, stable" && row.Value == "1" {
			found = true
		}
	}
	if !found {
		t.Errorf("counts %v lack one stable period-2 orbit", rows)
	}
}

// TestCyclesDrawn: a limit cycle (the Hopf normal form's, orbits.RefineCycle)
// is one closed polyline in the 3-D view with its own legend entry, and
// the counts table counts it as stable.
func TestCyclesDrawn(t *testing.T) {
	c := &orbits.Cycle{}
	for k := 0; k < 64; k++ {
		a := 2 * math.Pi * float64(k) / 64
		c.Points = append(c.Points, []float64{0.5 * math.Cos(a), 0.5 * math.Sin(a)})
	}
	c.Period, c.X0, c.Trivial, c.Stable = 4.833, c.Points[0], 0, true
	c.Floquet = []orbits.Multiplier{{Value: 1, Class: stability.ModeUndecided}, {Value: 0.089, Class: stability.ModeStable}}
	r := &Report{Cycles: []orbits.Cycle{*c}}
	b, err := r.build()
	if err != nil {
		t.Fatal(err)
	}
	var view map[string]interface{}
	for _, ch := range b.charts {
		if ch.ID == idFixedPoints {
			view = ch.Option
		}
	}
	js, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	const name = "limit cycle 0 (T = 4.833): stable"
	if !strings.Contains(string(js), `"name":"`+name+`","type":"line3D"`) {
		t.Errorf("no closed polyline named %q in %s", name, js)
	}
	rows := r.countRows(notDrawn{})
	if len(rows) == 0 || rows[len(rows)-1] != (Row{"limit cycles, stable", "1"}) {
		t.Errorf("counts %v lack one stable limit cycle", rows)
	}
}

// TestCirclesDrawn: an invariant circle (radius 0.5, rotation 0.7) is one
// closed curve of 129 points on the circle, with its legend entry, and is
// counted.
func TestCirclesDrawn(t *testing.T) {
	c := orbits.Circle{Rotation: 0.7, Harmonics: 1, A: [][]float64{{0, 0}, {0.5, 0}}, B: [][]float64{{0, 0}, {0, 0.5}}}
	r := &Report{Circles: []orbits.Circle{c}}
	b, err := r.build()
	if err != nil {
		t.Fatal(err)
	}
	var view map[string]interface{}
	for _, ch := range b.charts {
		if ch.ID == idFixedPoints {
			view = ch.Option
		}
	}
	js, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		Series []struct {
			Name string      `json:"name"`
			Data [][]float64 `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(js, &opt); err != nil {
		t.Fatal(err)
	}
	const name = "invariant circle 0 (0.7 rad per step)"
	found := false
	for _, sr := range opt.Series {
		if sr.Name != name {
			continue
		}
		found = true
		if len(sr.Data) != 129 || sr.Data[0][0] != sr.Data[128][0] || sr.Data[0][1] != sr.Data[128][1] {
			t.Errorf("curve of %d points, first %v last %v: want 129, closed", len(sr.Data), sr.Data[0], sr.Data[len(sr.Data)-1])
		}
		for _, p := range sr.Data {
			if d := math.Hypot(p[0], p[1]) - 0.5; math.Abs(d) > 1e-5 {
				t.Errorf("point %v off the circle by %g", p, d)
				break
			}
		}
	}
	if !found {
		t.Errorf("no series %q in %s", name, js)
	}
	rows := r.countRows(notDrawn{})
	if len(rows) == 0 || rows[len(rows)-1] != (Row{"invariant circles (stability not judged)", "1"}) {
		t.Errorf("counts %v", rows)
	}
}
