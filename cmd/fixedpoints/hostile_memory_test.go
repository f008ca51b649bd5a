package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
