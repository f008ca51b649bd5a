package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/manifold"
)

// The example's own run: one traced line attractor whose selection picks
// the summed input by at least 10x, and the two files, which read back.
func TestIntegratorExample(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	o := options{cell: "gru", hidden: 8, distractors: 2, seed: 1, inits: 256, out: dir, quiet: true}
	if err := run(context.Background(), o, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	m := regexp.MustCompile(`summed input ([0-9.e+-]+), of the distractors .* \(([0-9]+)x less\)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no selection line in %q", out.String())
	}
	if x, _ := strconv.Atoi(m[2]); x < 10 {
		t.Errorf("the summed input is selected only %dx over the distractors", x)
	}
	if st, err := os.Stat(filepath.Join(dir, "integrator-report.html")); err != nil || st.Size() < 100000 {
		t.Errorf("report: %v", err)
	}
	if _, err := fpjson.Load(filepath.Join(dir, "integrator-fixedpoints.json")); err != nil {
		t.Error(err)
	}
	a, err := manifold.Load(filepath.Join(dir, "integrator-manifolds.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Manifolds) != 1 || a.Manifolds[0].Curve == nil {
		t.Errorf("the manifolds file holds %d manifolds, want one traced line", len(a.Manifolds))
	}
}

func TestIntegratorBadFlags(t *testing.T) {
	for _, o := range []options{
		{cell: "gru", hidden: 0, inits: 1, out: "."},
		{cell: "gru", hidden: 8, inits: 1, distractors: -1, out: "."},
		{cell: "elman", hidden: 8, inits: 1, out: "."},
		{cell: "gru", hidden: 8, inits: 1, out: "/nonexistent/dir"},
	} {
		if err := run(context.Background(), o, io.Discard, io.Discard); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
