package viz

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
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
