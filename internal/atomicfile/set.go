package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// stagePrefix starts the name of a Set's stage directory.
const stagePrefix = ".fixedpoints-stage-"

// Set writes the files of one run so that they replace an earlier run's
// together or not at all: each is written into a stage directory beside
// them, and Commit renames them into place only once all are written. A
// run that fails or is canceled before Commit (Abort, or a crash) leaves
// the earlier files untouched; a stage whose owner died is removed by the
// next NewSet in that directory.
type Set struct {
	dir, stage string
}

// NewSet prepares a set of files for dir, created if needed, and removes
// the stages and temporary files that dead processes left there.
func NewSet(dir string) (*Set, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	RemoveStale(dir)
	stage, err := os.MkdirTemp(dir, stagePrefix+ownerTag()+"-")
	if err != nil {
		return nil, err
	}
	return &Set{dir: dir, stage: stage}, nil
}

// Stage is the directory the set's files are written to before Commit:
// write NAME as Stage()/NAME (with any writer), or with Write.
func (s *Set) Stage() string { return s.stage }

// Path is where NAME ends up after Commit.
func (s *Set) Path(name string) string { return filepath.Join(s.dir, name) }

// Write writes NAME into the stage through write.
func (s *Set) Write(name string, write func(w io.Writer) error) error {
	return Write(filepath.Join(s.stage, name), write)
}

// Commit renames every file of the stage into the set's directory and
// removes the stage. Renames need no space: once the files are written, a
// full disk can no longer leave a mixed set.
func (s *Set) Commit() error {
	entries, err := os.ReadDir(s.stage)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") { // a writer's temporary file
			continue
		}
		if err := os.Rename(filepath.Join(s.stage, e.Name()), filepath.Join(s.dir, e.Name())); err != nil {
			return fmt.Errorf("rename %s into place: %w", e.Name(), err)
		}
	}
	return os.RemoveAll(s.stage)
}

// Abort removes the stage and what was written there; after Commit it
// does nothing.
func (s *Set) Abort() { os.RemoveAll(s.stage) }

// RemoveStale removes, from dir, the stages of Sets and the temporary
// files of Write whose owner process (on this host) is gone. Others, live
// or of another host, are left alone.
func RemoveStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		tag, ok := ownerOf(e.Name())
		if ok && deadOwner(tag) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// ownerOf returns the owner tag in a stage's or temporary file's name.
func ownerOf(name string) (string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(name, stagePrefix):
		rest = strings.TrimPrefix(name, stagePrefix)
	case strings.HasPrefix(name, ".") && strings.Contains(name, tmpMark):
		rest = name[strings.Index(name, tmpMark)+len(tmpMark):]
	default:
		return "", false
	}
	f := strings.SplitN(rest, "-", 4) // host-pid-start-random
	if len(f) < 4 {
		return "", false
	}
	return f[0] + "-" + f[1] + "-" + f[2], true
}
