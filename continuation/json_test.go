package continuation

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A saved result reads back equal, and broken files are refused with
// ErrFormat.
func TestJSONRoundTrip(t *testing.T) {
	p := Problem{Cell: rotationCell(2, 1), Start: originSeed(), Path: Segment([]float64{0}, []float64{2})}
	res, err := Continue(context.Background(), p, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "branches.json")
	if err := res.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res.Stats = Stats{}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("read back differs:\n got %+v\nwant %+v", back, res)
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasPrefix(data, []byte(`{"format":"branches/v1","n_states":2,"n_inputs":1,`)) {
		t.Errorf("file starts %.60s", data)
	}
	for name, edit := range map[string][2]string{
		"format":   {`"branches/v1"`, `"branches/v2"`},
		"kind":     {`"neimark-sacker"`, `"cusp"`},
		"end":      {`"path-end"`, `"nowhere"`},
		"branch":   {`"branch":0`, `"branch":7`},
		"size":     {`"x":[0,0]`, `"x":[0]`},
		"stable":   {`"n_unstable":2,"n_undecided":0,"stable":false`, `"n_unstable":2,"n_undecided":0,"stable":true`},
		"truncate": {`}]}`, ``},
	} {
		bad := strings.Replace(string(data), edit[0], edit[1], 1)
		if bad == string(data) {
			t.Errorf("%s: edit %q not applied", name, edit[0])
			continue
		}
		if _, err := ReadJSON(strings.NewReader(bad)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err %v, want ErrFormat", name, err)
		}
	}
	res.Branches[0].Points[0].X[0] = math.NaN()
	if err := res.Save(path); err == nil {
		t.Errorf("saved a NaN state")
	}
	if again, err := Load(path); err != nil || !reflect.DeepEqual(again, back) {
		t.Errorf("a failed save changed the file: %v", err)
	}
}
