package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/graph"
)

// writeModel writes a seeded cell of the given kind as a state_dict under
// prefix, beside a readout as a wrapping PyTorch module would hold it, to
// dir/name (.safetensors in float32, or .npz), and returns its path and
// the cell.
func writeModel(t *testing.T, dir, name, kind string, hidden, inputs int, prefix string) (string, cells.TorchCell) {
	t.Helper()
	cell, err := cells.NewTorchCell(kind, hidden, inputs)
	if err != nil {
		t.Fatal(err)
	}
	cell.(interface{ InitUniform(uint64) }).InitUniform(7)
	sd := cells.AddPrefix(cell.StateDict(), prefix)
	sd["readout.weight"] = cells.Tensor{Shape: []int{1, hidden}, Data: make([]float64, hidden)}
	path := filepath.Join(dir, name)
	if strings.HasSuffix(name, ".npz") {
		err = cells.WriteNPZ(path, sd, false)
	} else {
		err = cells.WriteSafetensors(path, sd, "F32", nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	// The loaded cell holds the file's values (float32 for safetensors).
	loaded, _, err := cells.LoadModel(path, cells.Options{Kind: kind, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return path, loaded
}

func writeNPY(t *testing.T, dir, name string, shape []int, data []float64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := cells.WriteNPY(path, cells.Tensor{Shape: shape, Data: data}); err != nil {
		t.Fatal(err)
	}
	return path
}

// defaults returns the command's default options with weights and cell set,
// writing into a fresh directory, quietly.
func defaults(t *testing.T, weights, cell string) findOptions {
	t.Helper()
	o, err := parseFindFlags([]string{"-weights", weights, "-cell", cell, "-out", t.TempDir(), "-quiet"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// runFindOpts checks the options as the command line would, then runs.
func runFindOpts(o findOptions, stdout io.Writer) (findOutputs, error) {
	if err := o.Check(); err != nil {
		return findOutputs{}, err
	}
	return find(context.Background(), o, stdout)
}

// runOK runs the command and returns what it printed and the fixed points
// it saved, after checking the outputs every run must have.
func runOK(t *testing.T, o findOptions) (string, *finder.FixedPoints) {
	t.Helper()
	var out bytes.Buffer
	outs, err := runFindOpts(o, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	file, err := fpjson.Load(outs.json)
	if err != nil {
		t.Fatal(err)
	}
	fp := file.Fixed
	if fp.Len() == 0 {
		t.Fatalf("no fixed point saved; output:\n%s", out.String())
	}
	for i, p := range fp.Points {
		if !(p.Residual <= 1e-10) {
			t.Errorf("point %d: residual %g, want <= 1e-10", i, p.Residual)
		}
		if !p.Stability.Analyzed {
			t.Errorf("point %d: not linearized", i)
		}
	}
	html, err := os.ReadFile(outs.html)
	if err != nil {
		t.Fatal(err)
	}
	if len(html) < 1000 {
		t.Errorf("report is %d bytes", len(html))
	}
	if m := remoteScript.Find(html); m != nil {
		t.Errorf("report loads a remote script: %s", m)
	}
	return out.String(), fp
}

var remoteScript = regexp.MustCompile(`(?i)<script[^>]*\bsrc\s*=\s*["']?\s*(https?:)?//`)

// A GRU saved inside a module (tensor names "rnn.*") loads without -prefix,
// and the states sampled from simulated pulses find its fixed point: the
// saved point is the true one, F(x*) = x* to 1e-10 on an independent
// simulation of the cell.
func TestAutoPrefixSampledStates(t *testing.T) {
	dir := t.TempDir()
	path, cell := writeModel(t, dir, "rnn.safetensors", "gru", 5, 2, "rnn.")
	o := defaults(t, path, "gru")
	o.NInits = 64
	out, fp := runOK(t, o)
	if fp.N != 5 || fp.M != 2 {
		t.Errorf("saved N = %d, M = %d, want 5, 2", fp.N, fp.M)
	}
	if !strings.Contains(out, `prefix "rnn."`) || !strings.Contains(out, "\n64 candidates:") {
		t.Errorf("output does not name the detected prefix and 64 candidates:\n%s", out)
	}
	for i, p := range fp.Points {
		for _, v := range p.U {
			if v != 0 {
				t.Errorf("point %d: input %v, want zero", i, p.U)
			}
		}
		f, err := graph.Simulate(context.Background(), cell, p.X, make([]float64, 2), 1, 1, graph.Float64)
		if err != nil {
			t.Fatal(err)
		}
		for k := range f {
			if d := math.Abs(f[k] - p.X[k]); d > 1e-10 {
				t.Errorf("point %d: |F(x*) - x*|_%d = %g by simulation, want <= 1e-10", i, k, d)
			}
		}
	}
	// The same seed gives the same bytes.
	first, err := os.ReadFile(filepath.Join(o.out, "rnn-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	o.out = t.TempDir()
	runOK(t, o)
	second, err := os.ReadFile(filepath.Join(o.out, "rnn-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("two runs with the same seed wrote different JSON")
	}
}

// -inits and -inputs are honoured: an LSTM (N = 2*hidden) from .npz starts
// from the 3 given states, under one input row and then under one row per
// state; every saved point carries its candidate's input.
func TestInitsAndInputs(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeModel(t, dir, "lstm.npz", "lstm", 3, 2, "")
	inits := writeNPY(t, dir, "inits.npy", []int{3, 6}, []float64{
		0.1, -0.2, 0.3, 0.0, 0.1, 0.2,
		-0.5, 0.4, 0.0, 0.3, -0.3, 0.1,
		0.2, 0.2, -0.1, -0.2, 0.0, 0.4,
	})

	o := defaults(t, path, "lstm")
	o.Inits = inits
	o.inputs = writeNPY(t, dir, "row.npy", []int{1, 2}, []float64{0.3, -0.2})
	out, fp := runOK(t, o)
	if fp.N != 6 || fp.M != 2 {
		t.Errorf("saved N = %d, M = %d, want 6, 2", fp.N, fp.M)
	}
	if !strings.Contains(out, "\n3 candidates:") {
		t.Errorf("want 3 candidates (the -inits rows):\n%s", out)
	}
	for i, p := range fp.Points {
		if p.U[0] != 0.3 || p.U[1] != -0.2 {
			t.Errorf("point %d: input %v, want [0.3 -0.2]", i, p.U)
		}
	}

	rows := [][]float64{{1, 0}, {0, -1}, {-0.5, 0.5}}
	o.out = t.TempDir()
	o.inputs = writeNPY(t, dir, "rows.npy", []int{3, 2}, append(append(append([]float64{}, rows[0]...), rows[1]...), rows[2]...))
	_, fp = runOK(t, o)
	seen := map[[2]float64]bool{}
	for i, p := range fp.Points {
		u := [2]float64{p.U[0], p.U[1]}
		ok := false
		for _, r := range rows {
			ok = ok || u == [2]float64{r[0], r[1]}
		}
		if !ok {
			t.Errorf("point %d: input %v is none of the -inputs rows %v", i, p.U, rows)
		}
		seen[u] = true
	}
	// A small random LSTM contracts: one fixed point per input.
	if len(seen) != 3 {
		t.Errorf("fixed points under %d distinct inputs, want 3 (one per row)", len(seen))
	}
}

// -trajectories are sampled from, as B x T x N trajectories or as B x N states.
func TestTrajectories(t *testing.T) {
	dir := t.TempDir()
	path, cell := writeModel(t, dir, "rnn.safetensors", "rnn", 4, 1, "")
	x0 := []float64{0.5, -0.5, 0.2, 0.1, -0.3, 0.3, 0, 0.4}
	in := []float64{1, 0, 0, -1, 0, 0, 1, 0, 0, 0}
	states, err := graph.Simulate(context.Background(), cell, x0, in, 2, 5, graph.Float64)
	if err != nil {
		t.Fatal(err)
	}
	for _, shape := range [][]int{{2, 5, 4}, {10, 4}} {
		o := defaults(t, path, "rnn")
		o.Trajectories = writeNPY(t, dir, "traj.npy", shape, states)
		o.NInits = 16
		out, fp := runOK(t, o)
		if fp.N != 4 || fp.M != 1 || !strings.Contains(out, "\n16 candidates:") {
			t.Errorf("shape %v: N = %d, M = %d, want 4, 1 and 16 candidates:\n%s", shape, fp.N, fp.M, out)
		}
	}
}

// Every bad input file stops with an error that names the problem (the
// flags' own checks are TestModelFlagErrors').
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	gru, _ := writeModel(t, dir, "gru.safetensors", "gru", 4, 2, "rnn.")
	lstm, _ := writeModel(t, dir, "lstm.npz", "lstm", 3, 2, "")
	garbage := filepath.Join(dir, "garbage.safetensors")
	if err := os.WriteFile(garbage, []byte("not a weight file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.safetensors")
	bad := writeNPY(t, dir, "bad.npy", []int{2, 5}, make([]float64, 10))
	nan := writeNPY(t, dir, "nan.npy", []int{1, 4}, []float64{0, math.NaN(), 0, 0})
	for _, c := range []struct {
		name string
		edit func(*findOptions)
		want []string
	}{
		{"missing weights", func(o *findOptions) { o.Weights = missing }, []string{"-weights", missing}},
		{"garbage weights", func(o *findOptions) { o.Weights = garbage }, []string{"-weights", garbage}},
		{"wrong cell", func(o *findOptions) { o.Cell = "lstm" }, []string{gru, "[12 4]", "lstm has 4 gate(s)", "fits gru"}},
		{"wrong prefix", func(o *findOptions) { o.Prefix = "encoder." }, []string{gru, `"encoder."`}},
		{"missing inits", func(o *findOptions) { o.Inits = filepath.Join(dir, "nothere.npy") }, []string{"-inits", "nothere.npy"}},
		{"inits shape", func(o *findOptions) { o.Inits = bad }, []string{"-inits", bad, "[2 5]", "B x 4"}},
		{"inits NaN", func(o *findOptions) { o.Inits = nan }, []string{"-inits", nan, "NaN"}},
		{"inputs shape", func(o *findOptions) { o.inputs = bad }, []string{"-inputs", bad, "[2 5]", "1 x 2", "8 x 2"}},
		{"trajectories shape", func(o *findOptions) { o.Trajectories = bad }, []string{"-trajectories", bad, "[2 5]", "B x T x 4"}},
		{"lstm trajectories", func(o *findOptions) {
			o.Weights, o.Cell = lstm, "lstm"
			o.Trajectories = writeNPY(t, dir, "h.npy", []int{2, 5, 3}, make([]float64, 30))
		}, []string{"[2 5 3]", "B x T x 6", "[h; c]"}},
		{"lstm inits", func(o *findOptions) {
			o.Weights, o.Cell = lstm, "lstm"
			o.Inits = writeNPY(t, dir, "h0.npy", []int{2, 3}, make([]float64, 6))
		}, []string{"[2 3]", "B x 6", "[h; c]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := defaults(t, gru, "gru")
			o.NInits = 8
			c.edit(&o)
			_, err := runFindOpts(o, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if m, _ := filepath.Glob(filepath.Join(o.out, "*-fixedpoints.json")); len(m) > 0 {
				t.Error("an output was written despite the error")
			}
		})
	}
}

// The flags' defaults are the reference's.
func TestFlags(t *testing.T) {
	o, err := parseFindFlags([]string{"-weights", "w.safetensors", "-cell", "gru"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Prefix != cells.AutoPrefix || o.NInits != 1024 || o.Noise != 0.5 || o.Seed != 1 || o.out != "." {
		t.Errorf("defaults: prefix %q, n-inits %d, noise %g, seed %d, out %q; want auto, 1024, 0.5, 1, .",
			o.Prefix, o.NInits, o.Noise, o.Seed, o.out)
	}
}

// fixture is a model file made by PyTorch (cells/testdata/gen_fixtures.py).
func fixture(name string) string { return filepath.Join("..", "..", "cells", "testdata", name) }

// Every format is read by content, the kind and sizes from the file: a
// 2-layer GRU (torch.save), an LSTM checkpoint with optimizer state, ONNX
// exports, a stack of ONNX nodes, and a model of two GRUs with -node.
// (That the loaded cells step as the torch modules do is cells'
// TestTorchFixtures.)
func TestFindEveryFormat(t *testing.T) {
	for _, c := range []struct {
		file, key, node string
		N, M            int
		out             []string
	}{
		{file: "gru2.f64.pt", N: 8, M: 3, out: []string{"GRU, 2 layers of hidden size 4 (state [h_0; h_1], N = 8)", "torch.save zip"}},
		{file: "lstm2.f64.pt", N: 16, M: 3, out: []string{"[h_0; c_0; h_1; c_1]"}},
		{file: "lstm.ckpt.pt", N: 8, M: 3, out: []string{`key "model_state_dict"`}},
		{file: "gru.userkey.pt", key: "weights", N: 4, M: 3, out: []string{`key "weights"`, `prefix "rnn."`}},
		{file: "lstm.f64.onnx", N: 8, M: 3, out: []string{"ONNX", "LSTM, hidden size 4"}},
		{file: "gru2.f64.onnx", N: 8, M: 3, out: []string{"ONNX", "2 layers", "nodes"}},
		{file: "two_grus.onnx", node: "/aux/GRU", N: 4, M: 3, out: []string{"/aux/GRU"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			o, err := parseFindFlags([]string{"-weights", fixture(c.file), "-key", c.key, "-node", c.node, "-n-inits", "32", "-out", t.TempDir(), "-quiet"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			out, fp := runOK(t, o)
			if fp.N != c.N || fp.M != c.M {
				t.Errorf("N = %d, M = %d, want %d, %d", fp.N, fp.M, c.N, c.M)
			}
			for _, w := range c.out {
				if !strings.Contains(out, w) {
					t.Errorf("output does not say %q:\n%s", w, out)
				}
			}
		})
	}
}

// Files that must be refused stop the command with the reason.
func TestFindRefusals(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"refuse.module.pt", []string{"pickled whole module", "torch.save(model.state_dict()"}},
		{"refuse.bidirectional.pt", []string{"bidirectional"}},
		{"two_grus.onnx", []string{"2 separate recurrent", "-node", "/enc/GRU", "/aux/GRU"}},
		{"rnn.f64.safetensors", []string{"nonlinearity", "rnn_relu"}},
	} {
		o, err := parseFindFlags([]string{"-weights", fixture(c.file), "-out", t.TempDir(), "-quiet"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		_, err = runFindOpts(o, io.Discard)
		if err == nil {
			t.Errorf("%s: no error", c.file)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.file, err, w)
			}
		}
	}
}

// The exit status: 1 for a model refused, 0 for help (2 for a usage
// error: TestModelFlagErrors).
func TestFindExitStatus(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"find", "-weights", fixture("refuse.module.pt"), "-quiet"}, 1, "pickled whole module"},
		{[]string{"find", "-h"}, 0, "-node"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), c.args, &out, &errb); code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errb.String())
		}
		if !strings.Contains(errb.String()+out.String(), c.want) {
			t.Errorf("%v: output does not say %q: %q", c.args, c.want, errb.String())
		}
	}
}

// saturatedPoint tells a float64 "fixed point" made by a gate saturated to
// exactly 0 or 1 (a Jacobian eigenvalue of exactly 1, or a state outside
// the (-1, 1) that a GRU's h keeps to), the criterion gen_fixtures.py
// flags its Newton points with.
func saturatedPoint(p finder.Point) bool {
	for _, v := range p.X {
		if math.Abs(v) >= 1 {
			return true
		}
	}
	for _, m := range p.Modes {
		if cmplx.Abs(m.Value-1) < 1e-12 {
			return true
		}
	}
	return false
}

// The 2-layer GRU that gen_fixtures.py trained on the 3-bit flip-flop:
// the fixed points the command finds (sampling from simulated pulses, the
// defaults) are those of an independent float64 Newton solve on the torch
// module from 2000 starts (torch autograd Jacobians), both ways: every
// certified point we report is one of Newton's, and every one of Newton's
// is found, with the same saddle index. Points made by exactly saturated
// gates are set apart on both sides (issue 13, item 10).
func TestFindFlipFlopGRUMatchesNewton(t *testing.T) {
	if testing.Short() {
		t.Skip("a full search")
	}
	newton, err := cells.ReadStateDict(fixture("flipflop_gru2.newton.npz"))
	if err != nil {
		t.Fatal(err)
	}
	pts, sat, nun := newton["points"], newton["saturated"], newton["n_unstable"]
	N := pts.Shape[1]
	var want [][]float64
	var wantUnstable []int
	for i := 0; i < pts.Shape[0]; i++ {
		if sat.Data[i] == 0 {
			want = append(want, pts.Data[i*N:(i+1)*N])
			wantUnstable = append(wantUnstable, int(nun.Data[i]))
		}
	}
	o, err := parseFindFlags([]string{"-weights", fixture("flipflop_gru2.pt"), "-out", t.TempDir(), "-quiet"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out, fp := runOK(t, o)
	t.Logf("%s", out)
	dist := func(a, b []float64) float64 {
		d := 0.0
		for k := range a {
			d = math.Max(d, math.Abs(a[k]-b[k]))
		}
		return d
	}
	matched := make([]bool, len(want))
	ours := 0
	for _, p := range fp.Points {
		if saturatedPoint(p) {
			continue
		}
		ours++
		best, bi := math.Inf(1), -1
		for i, w := range want {
			if d := dist(p.X, w); d < best {
				best, bi = d, i
			}
		}
		if best > 1e-8 {
			t.Errorf("our point (|lambda|max %.4f, %d unstable) is none of Newton's: nearest at %g", p.Stability.MaxAbs, p.Stability.NUnstable, best)
			continue
		}
		matched[bi] = true
		if pf := p.Proof; pf.Method != finder.ProofKrawczyk || !(pf.Radius > 0 && pf.Radius <= pf.UniqueRadius) {
			t.Errorf("point %d not proved: %+v", bi, pf)
		}
		if p.Stability.NUnstable != wantUnstable[bi] {
			t.Errorf("point %d: saddle index %d, Newton's eigenvalues say %d", bi, p.Stability.NUnstable, wantUnstable[bi])
		}
	}
	missed := 0
	for i, m := range matched {
		if !m {
			missed++
			t.Errorf("Newton's point %d (%d unstable) not found", i, wantUnstable[i])
		}
	}
	t.Logf("%d of our points (not saturated), %d of Newton's, %d missed", ours, len(want), missed)
}

// find -max-period 2 on h' = tanh(-2h + u) at u = 0 reports the 2-cycle
// +-0.9575 (x* = tanh(2x*)), proved, in its summary and in the saved JSON,
// and the report drawn from that JSON draws it.
func TestFindMaxPeriod(t *testing.T) {
	dir := t.TempDir()
	cell, err := cells.NewTorchCell("rnn", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	sd := cell.StateDict()
	sd["weight_hh_l0"].Data[0] = -2
	sd["weight_ih_l0"].Data[0] = 1
	weights := filepath.Join(dir, "flip.safetensors")
	if err := cells.WriteSafetensors(weights, sd, "F64", nil); err != nil {
		t.Fatal(err)
	}
	inits := writeNPY(t, dir, "inits.npy", []int{4, 1}, []float64{-1, -0.2, 0.3, 1})
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"find", "-weights", weights, "-cell", "rnn", "-inits", inits,
		"-max-period", "2", "-out", out, "-quiet"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "periodic orbits of period 2 to 2: 1 (1 proved)\n  period 2, stable: 1\n") {
		t.Errorf("summary lacks the 2-cycle:\n%s", stdout.String())
	}
	f, err := fpjson.Load(filepath.Join(out, "flip-fixedpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Orbits) != 1 || math.Abs(f.Orbits[0].Points[1][0]-0.9575040240772688) > 1e-13 || f.Orbits[0].Proof == nil {
		t.Fatalf("saved orbits %+v, want the proved 2-cycle", f.Orbits)
	}
	page, err := os.ReadFile(filepath.Join(out, "flip-report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "period-2 orbit 0: stable") {
		t.Error("the report does not draw the 2-cycle")
	}
	// report, from the saved JSON alone, draws it too.
	if err := os.Remove(filepath.Join(out, "flip-report.html")); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"report", "-in", filepath.Join(out, "flip-fixedpoints.json"), "-trajectories", ""}, &stdout, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}
	if page, err = os.ReadFile(filepath.Join(out, "flip-report.html")); err != nil || !strings.Contains(string(page), "period-2 orbit 0: stable") {
		t.Errorf("the report from the JSON does not draw the 2-cycle (%v)", err)
	}
}
