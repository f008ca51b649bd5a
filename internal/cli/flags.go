package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
)

// NewFlagSet returns a flag set that reports its errors (Parse maps them)
// and prints its usage on stderr.
func NewFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// Parse parses args, which must all be flags: a flag that cannot be parsed
// and an argument left over are a UsageError, -h is flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := ParseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q (every input is given by a flag)", fs.Arg(0))
	}
	return nil
}

// ParseArgs parses the flags of args and leaves the arguments after them
// in fs.Args(): a flag that cannot be parsed is a UsageError, -h is
// flag.ErrHelp.
func ParseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return UsageError{withSuggestion(fs, err)}
	}
	return nil
}

// Required refuses an empty value of the flag name (with its dash), saying
// what it wants: "missing -weights FILE (torch.save .pt, ...)".
func Required(name, value, want string) error {
	if value == "" {
		return Usagef("missing %s %s", name, want)
	}
	return nil
}

// Positive refuses n <= 0 for the flag name (with its dash), counting
// what: "-hidden 0: want a positive number of units".
func Positive(name string, n int, what string) error {
	if n <= 0 {
		return Usagef("%s %d: want a positive number of %s", name, n, what)
	}
	return nil
}

// NonNegative refuses a value of the flag name that is negative, NaN or
// infinite: "-noise -1: want a finite value >= 0".
func NonNegative(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return Usagef("%s %v: want a finite value >= 0", name, v)
	}
	return nil
}

// CellKind refuses a cell kind that cells.NewTorchCell does not know:
// `-cell: cells: unknown cell kind "elman" ...`.
func CellKind(name, kind string) error {
	if _, err := cells.NewTorchCell(kind, 1, 1); err != nil {
		return Usagef("%s: %v", name, err)
	}
	return nil
}

// SetUsage makes fs print, on -h or a bad flag, "usage: " and synopsis,
// then about (a paragraph or more, if any), then its flags.
func SetUsage(fs *flag.FlagSet, synopsis, about string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n", synopsis)
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(about, "\n"))
		}
		fmt.Fprintln(w)
		fs.PrintDefaults()
	}
}
