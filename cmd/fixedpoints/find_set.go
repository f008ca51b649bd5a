package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/viz"
)

// writeFindSet writes find's files as one set (atomicfile.Set): the
// trajectories, the JSON and the page are written to a stage and renamed
// into -out together, so that a failure on the way (a full disk) leaves
// the earlier run's set whole. It returns the final paths; trajPath is ""
// when the run draws no trajectories (an earlier run's file of that name
// is then removed, after the commit).
func writeFindSet(o findOptions, stem string, res *finder.Result, rep *viz.Report, stdout io.Writer) (jsonPath, htmlPath, trajPath string, err error) {
	set, err := atomicfile.NewSet(o.out)
	if err != nil {
		return "", "", "", fmt.Errorf("output directory: %w", err)
	}
	defer set.Abort()
	if rep.Trajectories != nil {
		p, err := cli.WriteTrajectories(set.Stage(), stem, rep.Trajectories)
		if err != nil {
			return "", "", "", err
		}
		trajPath = set.Path(filepath.Base(p))
	}
	j, h, err := cli.WriteOutputs(set.Stage(), stem, res, rep)
	if err != nil {
		return "", "", "", err
	}
	if err := set.Commit(); err != nil {
		return "", "", "", fmt.Errorf("write outputs: %w", err)
	}
	if rep.Trajectories == nil {
		if _, err := saveTrajectories(o, stem, nil, stdout); err != nil {
			return "", "", "", err
		}
	}
	return set.Path(filepath.Base(j)), set.Path(filepath.Base(h)), trajPath, nil
}
