// Package atomicfile writes files so that readers never see a half-written
// file and a failed write leaves any earlier file intact: the data goes to
// a temporary file in the same directory, which is synced and renamed over
// the target only once complete.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tmpMark marks a temporary file of Write: "."+base+tmpMark+owner-random.
const tmpMark = ".tmp-"

// Write writes path through write (buffered); on error no file is left
// behind and an earlier file at path is unchanged.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeStaleTemps(dir, base)
	// The owner's tag in the name lets a later run remove the file if this
	// process is killed before the rename (RemoveStale).
	f, err := os.CreateTemp(dir, "."+base+tmpMark+ownerTag()+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return nil
}

// WriteBytes writes data to path atomically.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// removeStaleTemps removes the temporary files of base that a killed
// process left in dir (a SIGKILL during Write left a 0-byte hidden .tmp
// that no later run removed).
func removeStaleTemps(dir, base string) {
	names, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+tmpMark+"*"))
	for _, p := range names {
		if tag, ok := ownerOf(filepath.Base(p)); ok && deadOwner(tag) {
			os.Remove(p)
		}
	}
}

// globEscape escapes the pattern characters of a file name.
func globEscape(s string) string {
	r := strings.NewReplacer("*", "\\*", "?", "\\?", "[", "\\[", "\\", "\\\\")
	return r.Replace(s)
}
