package cli

import (
	"os"
	"path/filepath"
)

// Input is a file a run reads, named by its flag.
type Input struct{ Flag, Path string }

// CheckNotInputs refuses, as a UsageError, an output path that is one of
// the run's inputs (the same path, or the same file through a link): report
// -in k.json -out k.json replaced the JSON with HTML, and -out onto the
// trajectories or the model overwrote them. outFlag names the flag that
// chose the outputs.
func CheckNotInputs(outFlag string, outputs []string, inputs ...Input) error {
	for _, out := range outputs {
		fo, errO := os.Stat(out)
		ao, _ := filepath.Abs(out)
		for _, in := range inputs {
			if in.Path == "" {
				continue
			}
			ai, _ := filepath.Abs(in.Path)
			same := ai == ao
			if fi, err := os.Stat(in.Path); !same && err == nil && errO == nil {
				same = os.SameFile(fo, fi)
			}
			if same {
				return Usagef("%s: the output %s is the %s file: it would be overwritten; write elsewhere", outFlag, out, in.Flag)
			}
		}
	}
	return nil
}
