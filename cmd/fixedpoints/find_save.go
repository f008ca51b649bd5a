package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/cli"
)

// saveTrajectories writes the trajectories find's page draws as
// DIR/NAME-trajectories.npy, for report to rebuild them, and returns its
// path. Without trajectories to draw (tr nil: -trajectories gave states
// without time) it writes nothing and removes an earlier run's file of
// that name, which report would otherwise draw beside this run's points;
// it never removes the -trajectories file it read.
func saveTrajectories(o findOptions, stem string, tr *finder.Trajectories, stdout io.Writer) (string, error) {
	if tr != nil {
		return cli.WriteTrajectories(o.out, stem, tr)
	}
	path := filepath.Join(o.out, stem+cli.TrajectoriesSuffix)
	old, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("stale trajectories: %w", err)
	}
	if in, err := os.Stat(o.Trajectories); err == nil && os.SameFile(old, in) {
		return "", nil
	}
	if err := os.Remove(path); err != nil {
		return "", fmt.Errorf("remove an earlier run's trajectories (this run draws none): %w", err)
	}
	fmt.Fprintf(stdout, "removed %s, an earlier run's trajectories (this run draws none)\n", path)
	return "", nil
}
