package manifold

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

func TestJSONRoundTrip(t *testing.T) {
	c, err := Trace(context.Background(), Problem{Cell: newRingCell(0.4, 1), Start: []float64{1, 0.1, 0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pts := &finder.FixedPoints{N: 3, M: 0, Points: make([]finder.Point, 5)}
	a := &Analysis{Points: pts, NFixed: 2, Manifolds: []Manifold{
		{Group: Group{Members: []int{1, 2, 4}, Dim: 1}, Fixed: []int{1}, Slow: []int{0}, Unconverged: []int{2}, Curve: c},
		{Group: Group{Members: []int{0, 3}, Dim: 2}, Fixed: []int{0}, Slow: []int{1}},
	}}
	path := filepath.Join(t.TempDir(), "m.json")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.NFixed != 2 || len(b.Manifolds) != 2 {
		t.Fatalf("read %+v", b)
	}
	for k := range a.Manifolds {
		am, bm := a.Manifolds[k], b.Manifolds[k]
		if !reflect.DeepEqual(am.Fixed, bm.Fixed) || !reflect.DeepEqual(am.Slow, bm.Slow) || am.Dim != bm.Dim {
			t.Errorf("manifold %d: fixed %v slow %v dim %d, want %v %v %d", k, bm.Fixed, bm.Slow, bm.Dim, am.Fixed, am.Slow, am.Dim)
		}
	}
	if !reflect.DeepEqual(b.Manifolds[0].Curve, c) {
		t.Error("the curve did not read back bit for bit")
	}
	var buf bytes.Buffer
	if err := a.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"fixed":[1],"slow":[0],"unconverged":[2]`) {
		t.Errorf("members not given as fixed, slow and unconverged indices: %.200s", buf.String())
	}
	if !reflect.DeepEqual(b.Manifolds[0].Unconverged, []int{2}) || b.Manifolds[1].Unconverged == nil {
		t.Errorf("unconverged members read back as %v and %v", b.Manifolds[0].Unconverged, b.Manifolds[1].Unconverged)
	}
}

func TestJSONErrors(t *testing.T) {
	for _, bad := range []string{
		``, `{`, `{"format": "fixedpoints/v1", "n_states": 2}`,
		`{"format": "manifolds/v1", "n_states": 0}`,
		`{"format": "manifolds/v1", "n_states": 2, "n_fixed": 1, "manifolds": [{"dim": 1, "fixed": [3]}]}`,
		`{"format": "manifolds/v1", "n_states": 2, "n_fixed": 1, "manifolds": [{"dim": 1, "unconverged": [-1]}]}`,
		`{"format": "manifolds/v1", "n_states": 2, "n_inputs": 1, "manifolds": [{"dim": 1, "curve": {"u": [], "points": []}}]}`,
		`{"format": "manifolds/v1", "n_states": 2, "manifolds": [{"dim": 1, "curve": {"u": [], "points": [{"s": 0, "x": [1]}]}}]}`,
	} {
		if _, err := ReadJSON(strings.NewReader(bad)); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: error %v, want ErrFormat", bad, err)
		}
	}
}
