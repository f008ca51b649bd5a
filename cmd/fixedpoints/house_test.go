package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/cli"
)

// Every subcommand takes -quiet and -seed, and -seed's default is the one
// default seed of every command and example (cli.DefaultSeed): -h after
// them exits 0 only if both parsed.
func TestEverySubcommandTakesQuietAndSeed(t *testing.T) {
	if len(subcommands) < 5 {
		t.Fatalf("%d subcommands registered, want find, continue, sweep, merge and report at least", len(subcommands))
	}
	for name := range subcommands {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{name, "-quiet", "-seed", "7", "-h"}, &stdout, &stderr)
		if code != 0 {
			t.Errorf("%s -quiet -seed 7 -h: exit %d, stderr %q", name, code, lastLine(stderr.String()))
			continue
		}
		usage := stderr.String()
		i := strings.Index(usage, "  -seed uint\n")
		if i < 0 || !strings.Contains(usage[i:], "(default 1)") || cli.DefaultSeed != 1 {
			t.Errorf("%s: -seed's help does not show the default seed 1:\n%s", name, usage)
		}
	}
}

// find's -inits is a file of states; given a count, it says which flag
// counts. Undefined flags near a defined one name it.
func TestDidYouMean(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"find", "-weights", weights, "-cell", "rnn", "-inits", "512"},
			"fixedpoints find: -inits 512: no such file; -inits is a B x N .npy file of initial states (did you mean -n-inits 512?)"},
		{[]string{"continue", "-weights", weights, "-to", "1", "-inits", "64"}, "(did you mean -n-inits 64?)"},
		{[]string{"find", "-weights", weights, "-max-iter", "5"}, "flag provided but not defined: -max-iter (did you mean -max-iters?)"},
		{[]string{"find", "-weights", weights, "-no-completion"}, "flag provided but not defined: -no-completion (did you mean -no-complete?)"},
		{[]string{"find", "-weights", weights, "-tolerance", "5"}, "flag provided but not defined: -tolerance\n"},
		{[]string{"report", "-in", "x.json", "-trajectory", "t.npy"}, "(did you mean -trajectories?)"},
		{[]string{"merge", "-manifests", "m.jsonl", "d"}, "(did you mean -manifest?)"},
		{[]string{"merge", dir, "-x", "meta.w"}, `fixedpoints merge: flags go before DIR: fixedpoints merge [flags] DIR ("-x" came after "` + dir + `")`},
		{[]string{"sweep", "-manifest", "m.jsonl", "-out", dir, "-shard", "1"}, "-shard 1 needs -shards n (the number of shards)"},
		{[]string{"find", "-weights", weights, "-max-iters", "-2"}, "fixedpoints find: -max-iters = -2, want a finite value >= 0"},
		{[]string{"find", "-weights", weights, "-dtype", "float16"}, `fixedpoints find: -dtype "float16", want float64 or float32`},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), append(c.args, "-out", filepath.Join(dir, "out")), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String()+"\n", c.want) {
			t.Errorf("%q: exit %d, stderr ends %q; want exit 2 and %q", c.args, code, lastLine(stderr.String()), c.want)
		}
	}
	// A file whose name is digits is a file.
	digits := writeNPY(t, dir, "512", []int{1, 1}, []float64{0.5})
	o, err := parseFindFlags([]string{"-weights", weights, "-cell", "rnn", "-inits", digits}, io.Discard)
	if err != nil || o.Inits != digits {
		t.Errorf("-inits %s (a file): %v", digits, err)
	}
}

// find's search flags reach the finder's settings, under the manifest's
// names (-max-iters is "max_iters").
func TestFindSearchFlags(t *testing.T) {
	weights := writeFoldRNN(t, t.TempDir())
	o, err := parseFindFlags([]string{"-weights", weights, "-max-iters", "7", "-tol-residual", "1e-9", "-no-complete",
		"-no-connections", "-continuous", "-tol-unique", "0.01", "-dtype", "float32", "-seed", "9", "-max-period", "3", "-cycles"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.Search.Finder(o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxIters != 7 || s.TolResidual != 1e-9 || !s.NoComplete || !s.NoConnections || !s.ContinuousTime ||
		s.TolUnique != 0.01 || s.Dtype.String() != "float32" || s.Seed != 9 || s.MaxPeriod != 3 || !s.Cycles {
		t.Errorf("settings %+v", s)
	}
	// The defaults are the finder's.
	o, err = parseFindFlags([]string{"-weights", weights}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ = o.Search.Finder(o.Seed); s.MaxIters != 5000 || s.NoComplete || s.ContinuousTime || s.Seed != 1 || s.TolResidual != 0 {
		t.Errorf("default settings %+v", s)
	}
}

// -direction readout:K finds the readout under PyTorch's usual names (fc,
// linear, readout, with a module prefix) or the one -readout names, and
// draws the fold of h' = tanh(2h + u) at y = w x* + b with x* = -1/sqrt 2.
func TestContinueReadoutNames(t *testing.T) {
	for _, c := range []struct {
		name    string
		layer   string // the readout's name in the file
		readout string // -readout
		want    string // the fold marker, or the error
	}{
		{"fc", "fc", "", `"value":[0.53284,-1.62132]`},
		{"linear under a prefix", "model.linear", "", `"value":[0.53284,-1.62132]`},
		{"readout", "readout", "", `"value":[0.53284,-1.62132]`},
		{"named", "decoder.proj", "decoder.proj", `"value":[0.53284,-1.62132]`},
		{"named with .weight", "decoder.proj", "decoder.proj.weight", `"value":[0.53284,-1.62132]`},
		{"unusual name", "decoder.proj", "", `no readout under a usual name (readout.weight, fc.weight, linear.weight, out.weight, output.weight, decoder.weight, head.weight); its linear layers: "decoder.proj"; name one with -readout NAME`},
		{"wrong -readout", "fc", "head", `-readout "head": no 2-D tensor "head.weight" in the file (its linear layers: "fc")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			weights := writeFoldRNN(t, dir)
			sd, err := cells.ReadStateDictKey(weights, "")
			if err != nil {
				t.Fatal(err)
			}
			sd[c.layer+".weight"] = cells.Tensor{Shape: []int{2, 1}, Data: []float64{3, 1}}
			sd[c.layer+".bias"] = cells.Tensor{Shape: []int{2}, Data: []float64{0.5, 0}}
			if err := cells.WriteSafetensors(weights, sd, "F64", nil); err != nil {
				t.Fatal(err)
			}
			inits := writeNPY(t, dir, "inits.npy", []int{3, 1}, []float64{-1, 0.1, 1})
			out := filepath.Join(dir, "out")
			args := []string{"continue", "-weights", weights, "-cell", "rnn", "-inits", inits,
				"-to", "1", "-direction", "readout:0", "-out", out, "-quiet"}
			if c.readout != "" {
				args = append(args, "-readout", c.readout)
			}
			var stderr bytes.Buffer
			code := run(context.Background(), args, io.Discard, &stderr)
			if !strings.HasPrefix(c.want, `"value"`) {
				if code != 2 || !strings.Contains(stderr.String(), c.want) {
					t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, lastLine(stderr.String()), c.want)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			html, err := os.ReadFile(filepath.Join(out, "fold-branches.html"))
			if err != nil || !strings.Contains(string(html), c.want) {
				t.Errorf("the fold marker is not at %s (%v)", c.want, err)
			}
		})
	}
}

// sweep's help shows each default once: -shard's "default" is said in
// words, not also as "(default -1)".
func TestSweepHelpDefaults(t *testing.T) {
	var stderr bytes.Buffer
	run(context.Background(), []string{"sweep", "-h"}, io.Discard, &stderr)
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Count(line, "(default") > 1 || strings.Contains(line, "(default -1)") {
			t.Errorf("doubled default: %q", line)
		}
	}
	if !strings.Contains(stderr.String(), "(default: from SLURM_ARRAY_TASK_ID") {
		t.Errorf("-shard's default not said:\n%s", stderr.String())
	}
}

// report -figure writes the page that opens in its figure layout (the
// browser test TestBrowserFigure checks that layout); without it the page
// opens as a report.
func TestReportFigure(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, `if ("screen" === "figure")`},
		{[]string{"-figure"}, `if ("figure" === "figure")`},
	} {
		out := filepath.Join(t.TempDir(), "page.html")
		var stderr bytes.Buffer
		args := append([]string{"report", "-in", goldenJSON, "-trajectories", "", "-out", out, "-quiet"}, c.args...)
		if code := run(context.Background(), args, io.Discard, &stderr); code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, stderr.String())
		}
		html, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(html), c.want) {
			t.Errorf("%q: the page lacks %q (%v)", c.args, c.want, err)
		}
	}
}

// -out is a directory in report as in find, continue and merge: report
// -out DIR writes DIR/NAME-report.html (NAME from NAME-fixedpoints.json);
// a name ending in .html stays the file itself.
func TestReportOutIsADirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pages")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "-in", goldenJSON, "-trajectories", "", "-out", dir, "-quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := filepath.Join(dir, strings.TrimSuffix(filepath.Base(goldenJSON), "-fixedpoints.json")+"-report.html")
	if _, err := os.Stat(want); err != nil || stdout.String() != "wrote "+want+"\n" {
		t.Errorf("report -out DIR: %v; stdout %q, want %s written", err, stdout.String(), want)
	}
}
