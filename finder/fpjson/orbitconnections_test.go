package fpjson

import (
	"bytes"
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// TestOrbitConnectionsRoundTrip: the 3-unit ring's search (the fixed
// points' connections ending at stable orbits, the orbits' own
// connections) reads back equal; an orbit connection with an unknown end,
// an index out of range, or from a stable multiplier, and a fixed point's
// connection to an orbit that is not there, are refused by name.
func TestOrbitConnectionsRoundTrip(t *testing.T) {
	c := cells.NewVanilla(3, 0, cells.Tanh)
	whhT, bhh := c.Params()[1], c.Params()[3]
	for i, src := range []int{2, 0, 1} {
		whhT.Set(src, i, []float64{2, 2.5, 3}[i])
		bhh.Data[i] = []float64{0.1, -0.2, 0.05}[i]
	}
	rng := rand.New(rand.NewPCG(3, 5))
	x0 := make([]float64, 3*300)
	for i := range x0 {
		x0[i] = 2.4*rng.Float64() - 1.2
	}
	s := finder.DefaultSettings()
	s.MaxPeriod = 3
	res, err := finder.Find(context.Background(), finder.Problem{Cell: c, InitialStates: x0}, &s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	f, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Fixed.Connections, res.Fixed.Connections) {
		t.Errorf("fixed connections read %v, wrote %v", f.Fixed.Connections, res.Fixed.Connections)
	}
	n := 0
	for i := range res.Orbits {
		n += len(res.Orbits[i].Connections)
		if !reflect.DeepEqual(f.Orbits[i].Connections, res.Orbits[i].Connections) {
			t.Errorf("orbit %d connections read %v, wrote %v", i, f.Orbits[i].Connections, res.Orbits[i].Connections)
		}
	}
	if n != 16 || !strings.Contains(text, `"end":"stable_orbit"`) {
		t.Fatalf("%d orbit connections, want 16, and some ending at a stable orbit", n)
	}
	for name, edit := range map[string][2]string{
		"end":        {`"end":"orbit"`, `"end":"bogus"`},
		"to":         {`"to":7,"end":"orbit"`, `"to":8,"end":"orbit"`},
		"to none":    {`"to":7,"end":"orbit"`, `"to":7,"end":"left"`},
		"multiplier": {`"connections":[{"multiplier":0`, `"connections":[{"multiplier":2`},
	} {
		bad := strings.Replace(text, edit[0], edit[1], 1)
		if bad == text {
			t.Fatalf("%s: edit %q not applied", name, edit[0])
		}
		if _, err := Read(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "connection") {
			t.Errorf("%s: error %v, want one naming a connection", name, err)
		}
	}
	// A fixed point's connection to an orbit the file does not hold.
	res.Orbits = nil
	if err := Write(&buf, res); err == nil || !strings.Contains(err.Error(), "ends at orbit") {
		t.Errorf("writing connections to orbits without the orbits: error %v", err)
	}
}
