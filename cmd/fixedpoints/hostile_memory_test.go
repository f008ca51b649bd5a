package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHugeSizesRefusedBeforeAllocating: -n-inits 1000000000000 and
// -max-memory below a small job's need are refused before the search with
// an error naming the flag; before, the first died "fatal error: out of
// memory" (or in a makeslice panic).
func TestHugeSizesRefusedBeforeAllocating(t *testing.T) {
	dir := t.TempDir()
	w, _ := writeModel(t, dir, "m.safetensors", "gru", 4, 1, "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-n-inits", "1000000000000"}, "-n-inits"},
		{[]string{"-n-inits", "64", "-max-memory", "50000"}, "-max-memory"},
		{[]string{"-max-model-bytes", "100"}, "over the size limit"},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"find", "-weights", w, "-out", dir, "-quiet"}, c.args...)
		code := run(context.Background(), args, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error naming %s", c.args, code, errb.String(), c.want)
		}
		if strings.Contains(out.String(), "wrote") {
			t.Errorf("%v: wrote outputs", c.args)
		}
	}
}

// TestDevicesAndFIFOsRefused: find -weights /dev/zero, report -in
// /dev/zero and a FIFO as either are refused at once. Before, /dev/zero
// was read without end and the FIFO's open blocked forever.
func TestDevicesAndFIFOsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "w.pt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{"/dev/zero", fifo} {
		for _, args := range [][]string{
			{"find", "-weights", p, "-cell", "gru", "-out", dir, "-quiet"},
			{"report", "-in", p, "-out", filepath.Join(dir, "r.html")},
		} {
			done := make(chan int, 1)
			var errb bytes.Buffer
			go func() { done <- run(context.Background(), args, &bytes.Buffer{}, &errb) }()
			select {
			case code := <-done:
				if code != 1 || !strings.Contains(errb.String(), "not a regular file") {
					t.Errorf("%q: exit %d, %q", args, code, errb.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%q still running after 20 s", args)
			}
		}
	}
}
