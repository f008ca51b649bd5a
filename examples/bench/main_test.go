package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The hand loop computes what the graph computes (to 1e-14), so the ratio
// the table prints compares like with like.
func TestHandLoopTableAgrees(t *testing.T) {
	var b bytes.Buffer
	ratio, err := handLoopTable(&b, options{count: 1, minTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !(ratio > 0) || !strings.Contains(b.String(), "| graph.Objective (gorgonia) |") {
		t.Errorf("ratio %v, table:\n%s", ratio, b.String())
	}
}

// The end-to-end rows start from the committed trained networks.
func TestFlipFlopProblemsLoad(t *testing.T) {
	for _, kind := range []string{"rnn", "gru", "lstm"} {
		p, err := flipFlopProblem(context.Background(), "../..", kind)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(p.InitialStates) / p.Cell.StateSize(); n != 1024 {
			t.Errorf("%s: %d initial states, want 1024", kind, n)
		}
	}
}

// A table's head: title, note, header and a rule that right-aligns the
// columns marked with ":".
func TestTableHead(t *testing.T) {
	var b bytes.Buffer
	tableHead(&b, "Targets", "", "target", "measured:", "met")
	tableHead(&b, "T", "A note.", "N:", "s:")
	want := "### Targets\n\n| target | measured | met |\n|---|---:|---|\n" + "### T\n\nA note.\n\n| N | s |\n|---:|---:|\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
