package atomicfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// deadTag is the owner tag of a process of this host that has exited.
func deadTag(t *testing.T) string {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("-", "_", "/", "_", ".", "_").Replace(host)
	return host + "-" + strconv.Itoa(cmd.Process.Pid) + "-1"
}

// TestSetAllOrNothing: a set that fails before Commit leaves the earlier
// set untouched (a full disk while the HTML is written left the new JSON
// beside the old HTML); one that commits replaces both.
func TestSetAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"r.json", "r.html"} {
		os.WriteFile(filepath.Join(dir, n), []byte("old "+n), 0o644)
	}
	s, err := NewSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write("r.json", func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	full := errors.New("no space left on device")
	if err := s.Write("r.html", func(w io.Writer) error { return full }); !errors.Is(err, full) {
		t.Fatal(err)
	}
	s.Abort()
	for _, n := range []string{"r.json", "r.html"} {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != "old "+n {
			t.Errorf("%s holds %q after a failed set", n, b)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("%d entries left, want the 2 old files", len(es))
	}
	s, _ = NewSet(dir)
	for _, n := range []string{"r.json", "r.html"} {
		s.Write(n, func(w io.Writer) error { _, err := w.Write([]byte("new " + n)); return err })
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"r.json", "r.html"} {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != "new "+n {
			t.Errorf("%s holds %q after Commit", n, b)
		}
	}
}

// TestStaleRemovedLiveKept: a stage and a temporary file of a dead process
// are removed by the next run; a live process's are kept. Before, a
// SIGKILL left a 0-byte hidden .tmp that no later run removed.
func TestStaleRemovedLiveKept(t *testing.T) {
	dir := t.TempDir()
	dead, live := deadTag(t), ownerTag()
	deadStage := filepath.Join(dir, stagePrefix+dead+"-123")
	liveStage := filepath.Join(dir, stagePrefix+live+"-456")
	deadTmp := filepath.Join(dir, ".r.json"+tmpMark+dead+"-789")
	liveTmp := filepath.Join(dir, ".r.json"+tmpMark+live+"-999")
	otherHost := filepath.Join(dir, ".r.json"+tmpMark+"elsewhere-1-1-1")
	os.Mkdir(deadStage, 0o755)
	os.Mkdir(liveStage, 0o755)
	for _, p := range []string{deadTmp, liveTmp, otherHost} {
		os.WriteFile(p, nil, 0o644)
	}
	if err := WriteBytes(filepath.Join(dir, "r.json"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(deadTmp); !os.IsNotExist(err) {
		t.Errorf("a dead process's temporary file is still there")
	}
	s, err := NewSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if _, err := os.Stat(deadStage); !os.IsNotExist(err) {
		t.Errorf("a dead process's stage is still there")
	}
	for _, p := range []string{liveStage, liveTmp, otherHost} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}
