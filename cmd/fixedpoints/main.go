// Command fixedpoints finds and analyzes the fixed points of recurrent
// networks trained elsewhere or here. It is one program with subcommands:
//
//	fixedpoints find     -weights FILE [flags]   find, certify and linearize fixed points
//	fixedpoints continue -weights FILE [flags]   follow them as the input changes
//	fixedpoints sweep    -manifest FILE [flags]  run one shard of many jobs (Slurm, Kubernetes)
//	fixedpoints merge    DIR                     gather a sweep's results into one table
//	fixedpoints report   -in FILE.json [flags]   rebuild the HTML report from saved results
//
// "fixedpoints help SUBCOMMAND" or "fixedpoints SUBCOMMAND -h" prints that
// subcommand's flags. Errors are printed and exit with status 1; bad flags
// or arguments exit with status 2.
//
// Install with
//
//	go install github.com/rnnfp/fixedpoints/cmd/fixedpoints@latest
package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/rnnfp/fixedpoints/internal/cli"
)

// subcommand is one verb of the command. Each lives in a file of its own
// and registers itself in an init function.
type subcommand struct {
	name    string
	order   int    // place in the usage listing
	summary string // one line for the usage listing
	// run parses args (the arguments after the verb) and does the work.
	// A cli.UsageError (or flag.ErrHelp) means bad or asked-for usage.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var subcommands = map[string]subcommand{}

// register adds a subcommand; it is called from init functions.
func register(c subcommand) {
	if _, dup := subcommands[c.name]; dup {
		panic("fixedpoints: subcommand registered twice: " + c.name)
	}
	subcommands[c.name] = c
}

func main() { cli.Main(run) }

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		if len(args) > 1 {
			if c, ok := subcommands[args[1]]; ok {
				_ = c.run(ctx, []string{"-h"}, stdout, stdout)
				return 0
			}
		}
		usage(stdout)
		return 0
	}
	c, ok := subcommands[name]
	if !ok {
		fmt.Fprintf(stderr, "fixedpoints: unknown subcommand %q\n", name)
		usage(stderr)
		return 2
	}
	return cli.Exit(stderr, "fixedpoints "+name, runGuarded(ctx, c, args[1:], stdout, stderr))
}

// runGuarded runs c, turning a panic into an error: the libraries return
// errors, and this is the last guard.
func runGuarded(ctx context.Context, c subcommand, args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return c.run(ctx, args, stdout, stderr)
}

// usage lists the subcommands.
func usage(w io.Writer) {
	list := make([]subcommand, 0, len(subcommands))
	for _, c := range subcommands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	fmt.Fprintln(w, "usage: fixedpoints SUBCOMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range list {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n\"fixedpoints help SUBCOMMAND\" lists a subcommand's flags.")
}
