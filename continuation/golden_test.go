package continuation

import (
	"bytes"
	"flag"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/branches_v1.json in the canonical form WriteJSON writes")

// The committed branches/v1 file reads as written by hand, and writing it
// back gives the same bytes: the layout is stable.
func TestGoldenV1(t *testing.T) {
	const path = "testdata/branches_v1.json"
	res, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("written back differently:\n got %s\nwant %s", buf.Bytes(), want)
	}
	b := res.Branches[0]
	e := res.Bifurcations[0]
	switch {
	case res.N != 2 || res.M != 1 || len(res.Path) != 2 || res.Path.Length() != 1:
		t.Errorf("header %+v", res)
	case b.End != Joined || len(b.Seeds) != 2 || len(b.Points) != 3 || !b.Points[0].Stable || b.Points[1].NUndecided != 1 || b.Points[2].NUnstable != 1:
		t.Errorf("branch %+v", b)
	case e.Kind != Fold || e.After != 1 || math.Abs(e.X[0]+1/math.Sqrt2) > 1e-16 || e.Eigenvalue != 1 || len(e.Vector) != 2:
		t.Errorf("bifurcation %+v", e)
	}
}
