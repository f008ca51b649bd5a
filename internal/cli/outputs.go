package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/viz"
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

// WriteOutputs writes DIR/NAME-fixedpoints.json (format fixedpoints/v1,
// with the slow points and the unconverged candidates beside the fixed ones)
// and DIR/NAME-report.html, each atomically, and returns their paths.
func WriteOutputs(dir, name string, res *finder.Result, rep *viz.Report) (jsonPath, htmlPath string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("create output directory: %w", err)
	}
	jsonPath = filepath.Join(dir, name+"-fixedpoints.json")
	htmlPath = filepath.Join(dir, name+"-report.html")
	if err := fpjson.Save(jsonPath, res); err != nil { // fixed, slow and unconverged
		return "", "", err
	}
	if err := rep.WriteFile(htmlPath); err != nil {
		return "", "", err
	}
	return jsonPath, htmlPath, nil
}
