package fpjson

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/orbits"
)

// TestOrbitsRoundTrip: the 2-cycle of x -> tanh(-2x) is written as one
// line of "orbits" and read back bit for bit; a file whose counts
// contradict its multipliers' classes, or whose points have the wrong
// size, is refused by name.
func TestOrbitsRoundTrip(t *testing.T) {
	c := cells.NewVanilla(1, 0, cells.Tanh)
	c.Params()[1].Data[0] = -2
	s := orbits.DefaultSettings()
	s.MaxPeriod = 2
	res, err := orbits.Find(context.Background(), orbits.Problem{Cell: c, InitialStates: []float64{-1, 0.3, 1}}, &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orbits) != 1 {
		t.Fatalf("%d orbits", len(res.Orbits))
	}
	var buf bytes.Buffer
	if err := writeGroups(&buf, &finder.FixedPoints{N: 1, Dtype: "float64"}, nil, nil, nil, nil, res.Orbits, nil, ""); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.Contains(text, "\n\"orbits\":[\n{\"period\":2,\"points\":[[-0.9575040240772688],[0.9575040240772688]]") {
		t.Errorf("file:\n%s", text)
	}
	f, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Orbits) != 1 {
		t.Fatalf("read %d orbits", len(f.Orbits))
	}
	got, want := f.Orbits[0], res.Orbits[0]
	if got.Period != 2 || got.Points[0][0] != want.Points[0][0] || got.Points[1][0] != want.Points[1][0] ||
		got.Floquet[0].Value != want.Floquet[0].Value || got.Floquet[0].Bound != want.Floquet[0].Bound ||
		got.Floquet[0].Class != finder.ModeStable || !got.Stable || got.Residual != want.Residual ||
		got.Proof == nil || *got.Proof != *want.Proof || !got.Floquet[0].Proved {
		t.Errorf("read %+v, wrote %+v", got, want)
	}
	// Write takes a search's Result.Orbits.
	var viaWrite bytes.Buffer
	if err := Write(&viaWrite, &finder.Result{Fixed: &finder.FixedPoints{N: 1, Dtype: "float64"}, Orbits: res.Orbits}); err != nil {
		t.Fatal(err)
	}
	if viaWrite.String() != text {
		t.Errorf("Write:\n%s\nwant\n%s", viaWrite.String(), text)
	}
	for name, edit := range map[string][2]string{
		"counts":    {`"stable":true`, `"stable":false`},
		"point":     {`[[-0.9575040240772688],`, `[[-0.9575040240772688,1],`},
		"period":    {`"period":2`, `"period":3`},
		"class":     {`"floquet_classes":["stable"]`, `"floquet_classes":["bogus"]`},
		"multipler": {`"floquet":[[`, `"floquet":[[1,0],[`},
		"proof":     {`"unique_radius":`, `"unique_radius":-`},
		"proved":    {`"floquet_proved":[true]`, `"floquet_proved":[true,true]`},
	} {
		bad := strings.Replace(text, edit[0], edit[1], 1)
		if bad == text {
			t.Fatalf("%s: edit %q not applied", name, edit[0])
		}
		if _, err := Read(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "orbit 0") {
			t.Errorf("%s: error %v, want one naming orbit 0", name, err)
		}
	}
}

// TestCyclesRoundTrip: a limit cycle written as "cycles" reads back bit
// for bit; counts that disagree with the classes (the trivial multiplier
// left out) are refused by name.
func TestCyclesRoundTrip(t *testing.T) {
	c := orbits.Cycle{Period: 4.8332194671, X0: []float64{0.5, 0}, Points: [][]float64{{0.5, 0}, {0, 0.5}},
		Residual: 1e-12, IntegrationError: 3e-11, Trivial: 0,
		Floquet: []orbits.Multiplier{{Value: 1, Bound: 1e-10, Cond: 1, Class: finder.ModeUndecided},
			{Value: 0.0892, Bound: 1e-10, Cond: 1, Class: finder.ModeStable}}, Stable: true}
	var buf bytes.Buffer
	if err := Write(&buf, &finder.Result{Fixed: &finder.FixedPoints{N: 2, Dtype: "float64"}, Cycles: []orbits.Cycle{c}}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	f, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cycles) != 1 || f.Cycles[0].Period != c.Period || f.Cycles[0].Floquet[1].Value != c.Floquet[1].Value ||
		!f.Cycles[0].Stable || f.Cycles[0].Trivial != 0 || f.Cycles[0].Points[1][1] != 0.5 {
		t.Fatalf("read %+v, wrote %+v", f.Cycles, c)
	}
	for name, edit := range map[string][2]string{
		"counts":  {`"stable":true`, `"stable":false`},
		"trivial": {`"trivial":0`, `"trivial":1`},
		"period":  {`"period":4.8332194671`, `"period":-1`},
		"x0":      {`"x0":[0.5,0]`, `"x0":[0.5]`},
	} {
		bad := strings.Replace(text, edit[0], edit[1], 1)
		if bad == text {
			t.Fatalf("%s: edit %q not applied in %s", name, edit[0], text)
		}
		if _, err := Read(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "cycle 0") {
			t.Errorf("%s: error %v, want one naming cycle 0", name, err)
		}
	}
}
