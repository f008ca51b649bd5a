package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), nil, &out, &errb); code != 2 {
		t.Errorf("no subcommand: exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "usage: fixedpoints") {
		t.Errorf("no usage printed: %q", errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown subcommand "frobnicate"`) {
		t.Errorf("unknown subcommand not named: %q", errb.String())
	}
}

func TestPanicIsAnError(t *testing.T) {
	register(subcommand{name: "test-panic", order: 99, run: func(context.Context, []string, io.Writer, io.Writer) error {
		panic("boom")
	}})
	defer delete(subcommands, "test-panic")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"test-panic"}, &out, &errb); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "internal error: boom") {
		t.Errorf("stderr %q", errb.String())
	}
}
