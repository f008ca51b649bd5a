package fixedpoints_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoTrackedExecutable fails when git tracks a compiled program (an ELF,
// Mach-O or PE file) or an executable file that is not a script: a command's
// binary once lay committed in its folder, 29 commits stale, and the
// Dockerfile's COPY shipped it. Outside a git checkout it skips.
func TestNoTrackedExecutable(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-s", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v)", err)
	}
	magics := [][]byte{{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}, {'M', 'Z'}}
	for _, rec := range strings.Split(string(out), "\x00") {
		mode, path, ok := strings.Cut(rec, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(path, '\t'); i >= 0 {
			path = path[i+1:]
		}
		head := make([]byte, 4)
		f, err := os.Open(filepath.FromSlash(path))
		if err != nil {
			continue // deleted in the work tree
		}
		n, _ := f.Read(head)
		f.Close()
		head = head[:n]
		for _, m := range magics {
			if bytes.HasPrefix(head, m) {
				t.Errorf("%s is a compiled program: remove it and ignore it in .gitignore", path)
			}
		}
		if mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
			t.Errorf("%s is executable but not a script", path)
		}
	}
}
