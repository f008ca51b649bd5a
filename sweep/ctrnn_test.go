package sweep_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/sweep"
)

// copyFixture copies cells/testdata/name into dir.
func copyFixture(t *testing.T, dir, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "cells", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A sweep of the trained flip-flop CTRNN of cells/testdata/gen_ctrnn.py,
// once from its state_dict with "cell": "ctrnn", "alpha": 0.2 (find's
// flags under the manifest's names) and once from its ONNX step export
// with no model settings, each from states 1e-3 off the 7 fixed points of
// the generator's float64 Newton solve on the torch module: both jobs find
// Newton's 7 points (to 1e-8) with Newton's saddle indices, the CTRNN's
// judged for the flow (the default for cell ctrnn, as in find) and the
// ONNX step's for the map.
func TestSweepCTRNNAndONNXStep(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"flipflop_ctrnn.pt", "flipflop_ctrnn.onnx"} {
		copyFixture(t, dir, f)
	}
	nw, err := cells.ReadStateDict(filepath.Join("..", "cells", "testdata", "flipflop_ctrnn.newton.npz"))
	if err != nil {
		t.Fatal(err)
	}
	pts, N := nw["points"], nw["points"].Shape[1]
	K := pts.Shape[0]
	var starts [][]float64
	for i := range K {
		s := append([]float64(nil), pts.Data[i*N:(i+1)*N]...)
		for k := range s {
			s[k] += 1e-3 * float64(1-2*((i+k)%2))
		}
		starts = append(starts, s)
	}
	inits, err := json.Marshal(starts)
	if err != nil {
		t.Fatal(err)
	}
	manifest := strings.Join([]string{
		`{"id": "ctrnn", "weights": "flipflop_ctrnn.pt", "cell": "ctrnn", "alpha": 0.2, "inputs": [[0, 0, 0]], "inits": ` + string(inits) + `}`,
		`{"id": "step", "weights": "flipflop_ctrnn.onnx", "inputs": [[0, 0, 0]], "inits": ` + string(inits) + `}`,
	}, "\n")
	jobs, err := sweep.ParseManifest(strings.NewReader(manifest), dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results")
	if _, err := sweep.RunShard(context.Background(), jobs, out, sweep.Options{Shard: sweep.Shard{Index: 0, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	table, err := sweep.Merge(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		job, cell, unstable string
		continuous          bool
	}{{"ctrnn", "ctrnn", "n_unstable_flow", true}, {"step", "onnx_step", "n_unstable_map", false}} {
		var row *sweep.Row
		for i := range table.Rows {
			if table.Rows[i].Job == c.job {
				row = &table.Rows[i]
			}
		}
		if row == nil || row.Status != sweep.StatusDone {
			t.Fatalf("job %s: row %+v", c.job, row)
		}
		want := map[int]int{}
		for i := range K {
			want[int(nw[c.unstable].Data[i])]++
		}
		if row.Cell != c.cell || row.Fixed != K || len(row.BySaddleIndex) != len(want) {
			t.Errorf("job %s: cell %q, %d fixed, by saddle index %v; want %q, %d, %v", c.job, row.Cell, row.Fixed, row.BySaddleIndex, c.cell, K, want)
		}
		for k, n := range want {
			if row.BySaddleIndex[k] != n {
				t.Errorf("job %s: %d points of saddle index %d, Newton %d", c.job, row.BySaddleIndex[k], k, n)
			}
		}
		f, err := fpjson.Load(filepath.Join(out, filepath.FromSlash(row.FixedFile)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Fixed.Points {
			best := math.Inf(1)
			for i := range K {
				d := 0.0
				for k := range N {
					d = math.Max(d, math.Abs(p.X[k]-pts.Data[i*N+k]))
				}
				best = math.Min(best, d)
			}
			if best > 1e-8 {
				t.Errorf("job %s: a point %g from Newton's nearest", c.job, best)
			}
			if p.Stability.Continuous != c.continuous {
				t.Errorf("job %s: stability judged in continuous time: %v, want %v", c.job, p.Stability.Continuous, c.continuous)
			}
		}
	}
}

// The manifest's CTRNN settings are refused as find's flags are, by the
// same rules (cells.Options.Check), each in its own spelling.
func TestManifestCTRNNSettingsCheckedAsFlags(t *testing.T) {
	for _, c := range []struct {
		json            string
		flags           []string
		inJSON, inFlags string
	}{
		{`"cell": "ctrnn"`, []string{"-cell", "ctrnn"},
			`"alpha", "dt", "tau": CTRNN alpha = dt/tau is not in the state_dict: give alpha (0 < alpha <= 1), or dt and tau (e.g. "alpha": 0.2, or "dt": 20 and "tau": 100)`,
			`-alpha, -dt, -tau: CTRNN alpha = dt/tau is not in the state_dict: give alpha (0 < alpha <= 1), or dt and tau (e.g. -alpha 0.2, or -dt 20 and -tau 100)`},
		{`"cell": "ctrnn", "dt": 20`, []string{"-cell", "ctrnn", "-dt", "20"}, `"alpha", "dt", "tau": CTRNN dt = 20 given without tau`, `-alpha, -dt, -tau: CTRNN dt = 20 given without tau`},
		{`"cell": "ctrnn", "alpha": 2`, []string{"-cell", "ctrnn", "-alpha", "2"}, `"alpha", "dt", "tau": CTRNN alpha = dt/tau = 2: want 0 < alpha <= 1`, `-alpha, -dt, -tau: CTRNN alpha = dt/tau = 2: want 0 < alpha <= 1`},
		{`"cell": "ctrnn", "dt": 200, "tau": 100`, []string{"-cell", "ctrnn", "-dt", "200", "-tau", "100"}, "want 0 < dt/tau <= 1", "want 0 < dt/tau <= 1"},
		{`"cell": "ctrnn", "alpha": 0.2, "dt": 1, "tau": 5`, []string{"-cell", "ctrnn", "-alpha", "0.2", "-dt", "1", "-tau", "5"},
			"given both as alpha = 0.2 and as dt/tau", "given both as alpha = 0.2 and as dt/tau"},
		{`"cell": "ctrnn", "alpha": 0.2, "form": "leaky"`, []string{"-cell", "ctrnn", "-alpha", "0.2", "-form", "leaky"},
			`"form": CTRNN form "leaky": want one of rate, post, voltage`, `-form: CTRNN form "leaky": want one of rate, post, voltage`},
		{`"cell": "ctrnn", "alpha": 0.2, "activation": "gelu"`, []string{"-cell", "ctrnn", "-alpha", "0.2", "-activation", "gelu"},
			`"activation": activation "gelu"`, `-activation: activation "gelu"`},
		{`"alpha": 0.2`, []string{"-alpha", "0.2"},
			`"alpha" is for continuous-time RNNs: give "cell": "ctrnn" with it`, `-alpha is for continuous-time RNNs: give -cell ctrnn with it`},
		{`"cell": "gru", "recurrent_name": "W"`, []string{"-cell", "gru", "-recurrent-name", "W"},
			`"recurrent_name" is for continuous-time RNNs: give "cell": "ctrnn" with it`, `-recurrent-name is for continuous-time RNNs: give -cell ctrnn with it`},
		{`"cell": "elman"`, []string{"-cell", "elman"},
			`"cell": unknown cell kind "elman" (valid: rnn, rnn_tanh, rnn_relu, gru, lstm, ctrnn)`, `-cell: unknown cell kind "elman" (valid: rnn, rnn_tanh, rnn_relu, gru, lstm, ctrnn)`},
	} {
		_, err := sweep.ParseManifest(strings.NewReader(`{"id": "a", "weights": "w.pt", `+c.json+`}`), "")
		if err == nil || !strings.Contains(err.Error(), c.inJSON) || strings.Contains(err.Error(), "\n") {
			t.Errorf("manifest {%s}: %v, want one line containing %q", c.json, err, c.inJSON)
		}
		var m cli.ModelFlags
		fs := flag.NewFlagSet("find", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		m.Register(fs)
		if err := fs.Parse(append([]string{"-weights", "w.pt"}, c.flags...)); err != nil {
			t.Fatal(err)
		}
		if err := m.Check(); err == nil || !strings.Contains(err.Error(), c.inFlags) {
			t.Errorf("flags %v: %v, want %q", c.flags, err, c.inFlags)
		}
	}
}
