package cli

import (
	"fmt"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
)

// TrajectoriesSuffix ends the name of the trajectories a report drew:
// DIR/NAME-trajectories.npy beside DIR/NAME-fixedpoints.json.
const TrajectoriesSuffix = "-trajectories.npy"

// WriteTrajectories writes tr's states to DIR/NAME-trajectories.npy as a
// trials x steps x N float64 array, atomically, and returns its path: the
// trajectories a page drew (and fitted its principal components on), so
// that the page can be rebuilt from the saved files.
func WriteTrajectories(dir, name string, tr *finder.Trajectories) (string, error) {
	if tr == nil || tr.Trials*tr.Time*tr.N != len(tr.States) || len(tr.States) == 0 {
		return "", fmt.Errorf("write trajectories: no trials x steps x N states to write")
	}
	path := filepath.Join(dir, name+TrajectoriesSuffix)
	t := cells.Tensor{Shape: []int{tr.Trials, tr.Time, tr.N}, Data: tr.States}
	if err := cells.WriteNPY(path, t); err != nil {
		return "", fmt.Errorf("write trajectories: %w", err)
	}
	return path, nil
}
