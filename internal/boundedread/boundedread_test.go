package boundedread

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestRefusesWhatIsNotARegularFile: a FIFO (no writer: a plain open would
// block forever), /dev/zero (never ends) and a directory are refused at
// once, before any read.
func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "weights.pt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, p := range []string{fifo, "/dev/zero", dir} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(p, 1<<30)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: err %v, want ErrNotRegular", p, err)
			}
			t.Log(err)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still reading after 5 s", p)
		}
	}
}

// TestLimit: a file over the limit is refused from its size, one at the
// limit is read whole.
func TestLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1000 bytes with a limit of 999: err %v, want ErrTooLarge", err)
	}
	b, err := ReadFile(p, 1000)
	if err != nil || len(b) != 1000 {
		t.Errorf("1000 bytes with a limit of 1000: %d bytes, err %v", len(b), err)
	}
}

// TestLimitReaderStopsABomb: 1 GiB of zeros deflated to about 1 MiB is
// stopped at the limit, having inflated no more than the limit.
func TestLimitReaderStopsABomb(t *testing.T) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MiB is enough to show it
		w.Write(zeros)
	}
	w.Close()
	n, err := io.Copy(io.Discard, LimitReader(flate.NewReader(&buf), 1<<20, "entry x"))
	if !errors.Is(err, ErrTooLarge) || n != 1<<20 {
		t.Fatalf("read %d bytes, err %v; want 1 MiB and ErrTooLarge", n, err)
	}
	n, err = io.Copy(io.Discard, LimitReader(bytes.NewReader(zeros), 1<<20, "entry y"))
	if err != nil || n != 1<<20 {
		t.Fatalf("exactly the limit: %d bytes, err %v", n, err)
	}
}
