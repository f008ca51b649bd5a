package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
)

// compared is what -export writes for one network, for compare.py: where
// its weights are, the initial states both finders start from, and our
// median time on them with what we found.
type compared struct {
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`   // rnn_tanh, gru or lstm (PyTorch's module)
	Model         string    `json:"model"`  // absolute path of the weights
	Format        string    `json:"format"` // safetensors (tasks.SaveModel) or npz (PyTorch state_dict)
	Hidden        int       `json:"hidden"`
	Inputs        int       `json:"inputs"`
	N             int       `json:"n"` // state size (LSTM: 2 x hidden, h then c)
	InitialStates []float64 `json:"initial_states"`
	OursSeconds   float64   `json:"ours_seconds"` // median of OursRuns Find calls
	OursRuns      int       `json:"ours_runs"`
	OursFixed     int       `json:"ours_fixed"` // proved fixed points
	OursProved    int       `json:"ours_stability_proved"`
	Load          string    `json:"load"` // load average after our runs
}

// exportForCompare measures Find on the flip-flop networks (16 units, and
// the PyTorch-trained GRU-128; -targets-skip names, in any case, leave one
// out) and writes each one's description to DIR/NAME.json.
func exportForCompare(ctx context.Context, w io.Writer, o options) error {
	if err := os.MkdirAll(o.export, 0o755); err != nil {
		return err
	}
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	nets := []struct{ name, kind, model, format string }{
		{"tanh-16", "rnn_tanh", modelPath(root, "rnn"), "safetensors"},
		{"gru-16", "gru", modelPath(root, "gru"), "safetensors"},
		{"lstm-16", "lstm", modelPath(root, "lstm"), "safetensors"},
		{"gru-128", "gru", filepath.Join(root, "finder", "testdata", "flipflop-gru128.npz"), "npz"},
	}
	skip := map[string]bool{}
	for _, n := range strings.Split(o.targetsSkip, ",") {
		skip[strings.ToLower(strings.TrimSpace(n))] = true
	}
	for _, n := range nets {
		if skip[n.name] {
			fmt.Fprintf(w, "%s: skipped (-targets-skip)\n", n.name)
			continue
		}
		var p finder.Problem
		switch n.name {
		case "gru-128":
			p, err = gru128Problem(ctx, root)
		default:
			p, err = flipFlopProblem(ctx, root, map[string]string{"rnn_tanh": "rnn", "gru": "gru", "lstm": "lstm"}[n.kind])
		}
		if err != nil {
			return fmt.Errorf("%s: %w", n.name, err)
		}
		count := o.count
		if n.name == "gru-128" {
			count = min(count, 3)
		}
		var times []time.Duration
		var res *finder.Result
		for range max(count, 1) {
			t0 := time.Now()
			if res, err = finder.Find(ctx, p, &finder.Settings{Seed: seed}); err != nil {
				return fmt.Errorf("%s: %w", n.name, err)
			}
			times = append(times, time.Since(t0))
		}
		slices.Sort(times)
		c := compared{Name: n.name, Kind: n.kind, Model: n.model, Format: n.format,
			N: p.Cell.StateSize(), Inputs: p.Cell.InputSize(), InitialStates: p.InitialStates,
			OursSeconds: times[len(times)/2].Seconds(), OursRuns: len(times), OursFixed: res.Fixed.Len(), Load: loadAverage()}
		c.Hidden = c.N
		if n.kind == "lstm" {
			c.Hidden = c.N / 2
		}
		for _, q := range res.Fixed.Points {
			if q.Stability.Proved {
				c.OursProved++
			}
		}
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		path := filepath.Join(o.export, n.name+".json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: median %.3f s of %d runs, %d fixed points (load %s) -> %s\n", n.name, c.OursSeconds, c.OursRuns, c.OursFixed, c.Load, path)
	}
	return nil
}
