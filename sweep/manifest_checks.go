package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

// ErrOutside: a manifest names a file outside its own directory.
var ErrOutside = errors.New("file outside the manifest's directory")

// ManifestOptions say how ReadManifestOptions reads a manifest.
type ManifestOptions struct {
	// AllowOutside accepts files outside the manifest's directory (an
	// absolute path, or a relative one leaving it with ".." or through a
	// link). Without it they are refused, so that a manifest from elsewhere
	// cannot make a sweep read "../../../../etc/passwd" or "/etc/shadow".
	AllowOutside bool
}

// maxManifestBytes bounds a manifest file.
const maxManifestBytes = 256 << 20

// ReadManifestOptions reads the manifest file at path (see ParseManifest);
// relative paths in it are relative to the file's directory, and with
// o.AllowOutside false every file it names must be inside that directory.
func ReadManifestOptions(path string, o ManifestOptions) ([]Job, error) {
	b, err := boundedread.ReadFile(path, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	jobs, err := ParseManifest(bytes.NewReader(b), dir)
	if err == nil && !o.AllowOutside {
		err = checkInside(jobs, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return jobs, nil
}

// checkInside refuses a job naming a file outside dir.
func checkInside(jobs []Job, dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	for i := range jobs {
		j := &jobs[i]
		files := []struct{ field, path string }{{"weights", j.Weights}, {"inputs", j.Inputs.File}, {"inits", j.Inits.File}}
		if j.Inits.Sample != nil {
			files = append(files, struct{ field, path string }{"inits.trajectories", j.Inits.Sample.Trajectories})
		}
		for _, f := range files {
			if f.path == "" {
				continue
			}
			p := filepath.Clean(f.path)
			if r, err := filepath.EvalSymlinks(p); err == nil {
				p = r
			}
			if !within(p, dir) && !within(p, real) {
				return fmt.Errorf("sweep: %w: job %q: %s %s is not inside %s (give -allow-outside to read it)", ErrOutside, j.ID, f.field, f.path, dir)
			}
		}
	}
	return nil
}

// within reports whether p is dir or under it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkDuplicateKeys refuses a JSON value with a key twice in one object:
// encoding/json keeps the last, so `{"id": "a", ..., "id": "b"}` was read
// as job b while a reader of the line sees a.
func checkDuplicateKeys(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // the decoder reports syntax errors itself
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return fmt.Errorf("key %q appears twice in one object", boundKey(k))
				}
				top.keys[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended: a key comes next
		}
	}
}

// boundKey cuts a key for a message.
func boundKey(k string) string {
	if len(k) > 40 {
		return k[:40] + "..."
	}
	return k
}

// readSmall reads a small file (a record) bounded, regular files only.
func readSmall(path string) ([]byte, error) {
	return boundedread.ReadFile(path, 64<<20)
}
