package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// systemError is a failure of the machine, not of the job: writing a
// result to the output directory failed.
type systemError struct{ err error }

func (e systemError) Error() string { return e.err.Error() }
func (e systemError) Unwrap() error { return e.err }

// isSystemError reports whether err is the machine's failure (a write to
// the output, a full disk, an I/O error, a read-only or over-quota file
// system) rather than the job's: a full disk was recorded as every job
// failing, with exit status 0, and the engine saw success.
func isSystemError(err error) bool {
	if err == nil {
		return false
	}
	var se systemError
	return errors.As(err, &se) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EIO) ||
		errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS)
}

// FileSum is a result file a done record vouches for: its path relative to
// the sweep's directory, size and SHA-256.
type FileSum struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// sumFiles sums the result files of rows, written in stage; their paths
// are those they will have once the stage is the job's directory.
func sumFiles(stage string, rows []Row) ([]FileSum, error) {
	var sums []FileSum
	for _, r := range rows {
		n, h, err := sumFile(filepath.Join(stage, filepath.Base(filepath.FromSlash(r.FixedFile))))
		if err != nil {
			return nil, systemError{err}
		}
		sums = append(sums, FileSum{Path: r.FixedFile, Bytes: n, SHA256: h})
	}
	return sums, nil
}

// sumFile returns the size and hex SHA-256 of the file at path.
func sumFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// checkSums verifies the files a done record vouches for; the reason when
// one is missing, of another size or of other content (a corrupted result
// merged as Converged before).
func checkSums(dir string, r *Record) string {
	if len(r.Files) != len(r.Rows) {
		return fmt.Sprintf("done record vouches for %d result files, has %d results (written before records held checksums?)", len(r.Files), len(r.Rows))
	}
	for _, f := range r.Files {
		if strings.Contains(f.Path, "..") || filepath.IsAbs(filepath.FromSlash(f.Path)) {
			return fmt.Sprintf("result file %q is outside the sweep", f.Path)
		}
		n, h, err := sumFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return fmt.Sprintf("result file %s: %v", f.Path, err)
		case n != f.Bytes:
			return fmt.Sprintf("result file %s has %d bytes, its done record says %d", f.Path, n, f.Bytes)
		case h != f.SHA256:
			return fmt.Sprintf("result file %s does not match the SHA-256 of its done record (changed after the job ran)", f.Path)
		}
	}
	return ""
}

// globQuote escapes the pattern characters of a name for filepath.Glob.
func globQuote(s string) string {
	return strings.NewReplacer("*", `\*`, "?", `\?`, "[", `\[`, `\`, `\\`).Replace(s)
}
