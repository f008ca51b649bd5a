package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckOutputs makes sure the files names can be written in dir before any
// work starts: it creates dir if needed, writes and removes a probe file
// there, and refuses names that are directories. A run that would fail at
// its end, after minutes of training and search, fails at once instead.
func CheckOutputs(dir string, names ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	name := probe.Name()
	probe.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return fmt.Errorf("output %s is a directory", p)
		}
	}
	return nil
}
