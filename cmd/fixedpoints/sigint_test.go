package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGINTExits130 runs the built command, sends it SIGINT during its
// search and checks that it exits 130, prints no "wrote" and leaves the
// earlier run's files as they were. Before, it exited 0, printed "wrote"
// and replaced the complete result with the canceled one.
func TestSIGINTExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "fixedpoints")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	w, _ := writeModel(t, dir, "m.safetensors", "gru", 32, 2, "")
	outDir := filepath.Join(dir, "out")
	os.MkdirAll(outDir, 0o755)
	earlier := map[string]string{"m-fixedpoints.json": `{"earlier": true}`, "m-report.html": "<p>earlier</p>"}
	for n, b := range earlier {
		os.WriteFile(filepath.Join(outDir, n), []byte(b), 0o644)
	}
	cmd := exec.Command(bin, "find", "-weights", w, "-n-inits", "200000", "-out", outDir, "-quiet")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Once the model is read (its line printed), the run is simulating or
	// searching: interrupt it.
	for start := time.Now(); !strings.Contains(stdout.String(), " from "); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > time.Minute {
			cmd.Process.Kill()
			t.Fatalf("no model line after a minute: %s %s", stdout.String(), stderr.String())
		}
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	t.Logf("exit %d (%v); stderr: %s", code, err, stderr.String())
	if code != 130 {
		t.Errorf("exit %d after SIGINT, want 130", code)
	}
	if strings.Contains(stdout.String(), "wrote") {
		t.Errorf("printed %q", stdout.String())
	}
	for n, b := range earlier {
		if got, _ := os.ReadFile(filepath.Join(outDir, n)); string(got) != b {
			t.Errorf("%s changed by the interrupted run", n)
		}
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != len(earlier) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left %v", names)
	}
}

// lockedBuffer is a bytes.Buffer safe for the process's writer and the
// test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
