package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/sweep"
)

func init() {
	register(subcommand{name: "merge", order: 40, summary: "gather a sweep's results into one table (CSV, JSON, HTML)", run: runMerge})
}

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("fixedpoints merge", stderr)
	manifest := fs.String("manifest", "", "the sweep's manifest (default: DIR/manifest.jsonl, written by the sweep)")
	out := fs.String("out", "", "directory for the table and the page (default: DIR)")
	x := fs.String("x", "", `column first on the x axis of the page's scatter plot (default: the first meta column, else "n")`)
	title := fs.String("title", "Fixed points across a sweep", "title of the page")
	cli.SetUsage(fs, "fixedpoints merge [flags] DIR", fmt.Sprintf(`Gathers the results of the sweep in DIR into %s, %s and
%s (one row per job and input; failed and missing jobs listed).`, sweep.TableCSV, sweep.TableJSON, sweep.TableHTML))
	if err := cli.ParseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want one directory, the sweep's -out DIR")
	}
	dir := fs.Arg(0)
	var jobs []sweep.Job
	if *manifest != "" {
		var err error
		if jobs, err = sweep.ReadManifest(*manifest); err != nil {
			return err
		}
	}
	t, err := sweep.Merge(dir, jobs)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = dir
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	paths, err := t.Save(*out, *title, *x)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d jobs: %d done, %d failed, %d missing; %d rows\n", t.Jobs, t.Done, len(t.Failed), len(t.Missing), len(t.Rows))
	for _, p := range t.Failed {
		fmt.Fprintf(stdout, "failed  %s: %s\n", p.Job, p.Reason)
	}
	for _, p := range t.Missing {
		fmt.Fprintf(stdout, "missing %s: %s\n", p.Job, p.Reason)
	}
	for _, id := range t.Unknown {
		fmt.Fprintf(stdout, "not in the manifest: %s\n", id)
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", paths[0], paths[1], paths[2])
	return nil
}
