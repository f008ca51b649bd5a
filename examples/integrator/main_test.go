package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// Bad flag values are usage errors (exit status 2) that name the flag, an
// output directory that cannot be written an error (exit status 1), all
// before any work and without writing anything; -h prints the flags.
func TestIntegratorCommandLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-hidden", "0"}, 2, "integrator: -hidden 0: want a positive number of units\n"},
		{[]string{"-n-inits", "-1"}, 2, "integrator: -n-inits -1: want a positive number of initial states\n"},
		{[]string{"-distractors", "-1"}, 2, "integrator: -distractors -1: want a number >= 0\n"},
		{[]string{"-cell", "elman"}, 2, `integrator: -cell: cells: unknown cell kind "elman"`},
		{[]string{"-bogus"}, 2, "integrator: flag provided but not defined: -bogus\n"},
		{[]string{"extra"}, 2, `integrator: unexpected argument "extra"`},
		{[]string{"-out", filepath.Join(file, "out")}, 1, "integrator: output directory: mkdir " + file + ": not a directory\n"},
		{[]string{"-h"}, 0, "usage: integrator [flags]"},
		// -inits was this count's name; find's -inits is a file.
		{[]string{"-inits", "512"}, 2, "integrator: flag provided but not defined: -inits (did you mean -n-inits?)\n"},
		// -quiet and -seed as in every subcommand of fixedpoints, -seed's
		// default the same.
		{[]string{"-quiet", "-seed", "3", "-h"}, 0, "  -seed uint\n    \tseed for weights, data, sampling and search (default 1)\n"},
	} {
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := command(context.Background(), append([]string{"-out", out, "-quiet"}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
		if files, _ := os.ReadDir(out); len(files) > 0 || stdout.Len() > 0 {
			t.Errorf("%q: work done despite the error: %d files, stdout %q", c.args, len(files), stdout.String())
		}
	}
}
