package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lastLine is the last line of s: the error after any usage text.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// The model flags are shared by find and continue (cli.ModelFlags): a bad
// value fails both the same way, before any work, with the same message
// naming the flag, the same exit status, and nothing written in -out.
func TestModelFlagErrors(t *testing.T) {
	dir := t.TempDir()
	weights := writeFoldRNN(t, dir) // a tanh RNN of one unit and one input
	badInits := writeNPY(t, dir, "bad.npy", []int{2, 3}, make([]float64, 6))
	subcommands := map[string][]string{"find": nil, "continue": {"-to", "1"}}
	for _, c := range []struct {
		name string
		args []string // after the subcommand, before its own flags
		code int
		want string // the message after "fixedpoints SUBCOMMAND: "
	}{
		{"no weights", nil, 2, "missing -weights FILE (torch.save .pt, safetensors, npz or ONNX model)"},
		{"unknown cell", []string{"-weights", weights, "-cell", "elman"}, 2, `-cell: unknown cell kind "elman" (valid: rnn, rnn_tanh, rnn_relu, gru, lstm, ctrnn)`},
		{"n-inits 0", []string{"-weights", weights, "-n-inits", "0"}, 2, "-n-inits 0: want a positive number of initial states"},
		{"n-inits < 0", []string{"-weights", weights, "-n-inits", "-3"}, 2, "-n-inits -3: want a positive number of initial states"},
		{"noise < 0", []string{"-weights", weights, "-noise", "-1"}, 2, "-noise -1: want a finite value >= 0"},
		{"noise NaN", []string{"-weights", weights, "-noise", "NaN"}, 2, "-noise NaN: want a finite value >= 0"},
		{"noise Inf", []string{"-weights", weights, "-noise", "+Inf"}, 2, "-noise +Inf: want a finite value >= 0"},
		{"seed not a number", []string{"-weights", weights, "-seed", "x"}, 2, `invalid value "x" for flag -seed: parse error`},
		{"unknown flag", []string{"-weights", weights, "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"-weights", weights, "extra"}, 2, `unexpected argument "extra" (every input is given by a flag)`},
		{"weights missing", []string{"-weights", filepath.Join(dir, "nothere.pt")}, 1, "-weights: "},
		{"inits shape", []string{"-weights", weights, "-cell", "rnn", "-inits", badInits}, 1,
			"-inits " + badInits + ": array of shape [2 3], want B x 1 with B >= 1 (the RNN state is [h], N = 1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var msgs []string
			for _, sub := range []string{"find", "continue"} {
				out := filepath.Join(t.TempDir(), "out")
				args := append(append(append([]string{sub}, c.args...), subcommands[sub]...), "-out", out, "-quiet")
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), args, &stdout, &stderr)
				msg, ok := strings.CutPrefix(lastLine(stderr.String()), "fixedpoints "+sub+": ")
				if code != c.code || !ok || !strings.HasPrefix(msg, c.want) {
					t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", sub, code, stderr.String(), c.code, c.want)
				}
				msgs = append(msgs, msg)
				if files, _ := os.ReadDir(out); len(files) > 0 {
					t.Errorf("%s: %d files written in -out despite the error (%s)", sub, len(files), files[0].Name())
				}
			}
			if msgs[0] != msgs[1] {
				t.Errorf("find and continue say different things:\n%q\n%q", msgs[0], msgs[1])
			}
		})
	}
}

// Every subcommand parses its flags the same way: an unknown flag or a
// stray argument is a usage error (exit 2), -h prints the flags (exit 0).
func TestSubcommandFlagParsing(t *testing.T) {
	for name := range subcommands {
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"-bogus"}, 2, "fixedpoints " + name + ": flag provided but not defined: -bogus"},
			{[]string{"-h"}, 0, "usage: fixedpoints " + name + " "},
			{[]string{"-quiet=maybe"}, 2, "fixedpoints " + name + ": "},
		} {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{name}, c.args...), &stdout, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("%s %q: exit %d, stderr %q; want exit %d and %q", name, c.args, code, stderr.String(), c.code, c.want)
			}
		}
	}
}
