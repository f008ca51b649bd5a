package memlimit

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	if err := Check(1<<20, 1<<30, "states", "-n-inits"); err != nil {
		t.Fatal(err)
	}
	err := Check(8e15, 1<<30, "1e12 initial states of 1 unit", "-n-inits")
	if !errors.Is(err, ErrTooMuchMemory) || !strings.Contains(err.Error(), "-n-inits") || !strings.Contains(err.Error(), "1.0 GiB") {
		t.Fatalf("err %v", err)
	}
	if m := Machine(); m < 1<<26 {
		t.Fatalf("Machine() = %d bytes", m)
	}
}
