package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/cli"
	"github.com/rnnfp/fixedpoints/sweep"

	"github.com/rnnfp/fixedpoints/internal/plural"
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
	var rf cli.RunFlags
	rf.Register(fs, "the sweep's -seed: with -manifest, the seed of the jobs whose line gives none (DIR/manifest.jsonl has them filled)", "only the counts and the files written, not each failed or missing job")
	cli.SetUsage(fs, "fixedpoints merge [flags] DIR", fmt.Sprintf(`Gathers the results of the sweep in DIR into %s, %s and
%s (one row per job and input; failed and missing jobs listed).`, sweep.TableCSV, sweep.TableJSON, sweep.TableHTML))
	if err := cli.ParseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		for _, a := range fs.Args()[min(1, fs.NArg()):] {
			if strings.HasPrefix(a, "-") {
				return cli.Usagef("flags go before DIR: fixedpoints merge [flags] DIR (%s came after %s)", strconv.Quote(a), strconv.Quote(fs.Arg(0)))
			}
		}
		return cli.Usagef("want one directory, the sweep's -out DIR, after the flags (got %d arguments)", fs.NArg())
	}
	dir := fs.Arg(0)
	var jobs []sweep.Job
	if *manifest != "" {
		var err error
		// merge reads none of the files the manifest names
		if jobs, err = sweep.ReadManifestOptions(*manifest, sweep.ManifestOptions{AllowOutside: true}); err != nil {
			return err
		}
		cli.FillSeeds(jobs, rf.Seed)
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
	fmt.Fprintf(stdout, "%s: %d done, %d failed, %d missing; %s\n", plural.Of(t.Jobs, "job"), t.Done, len(t.Failed), len(t.Missing), plural.Of(len(t.Rows), "row"))
	if rf.Quiet {
		fmt.Fprintf(stdout, "wrote %s, %s and %s\n", paths[0], paths[1], paths[2])
		return nil
	}
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
