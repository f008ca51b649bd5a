package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/rnnfp/fixedpoints/cells"
)

// UsageError is a bad flag or argument. The programs exit with status 2
// on it, as package flag does on a flag it cannot parse, and with status 1
// on any other error.
type UsageError struct{ Err error }

// Error returns the message of the error inside.
func (e UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the error inside.
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// Status is the exit status for err: 0 for none or for -h (flag.ErrHelp),
// 2 for a UsageError, 130 for an interrupt (context.Canceled), 1 for any
// other error.
func Status(err error) int {
	var ue UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// Exit prints err on stderr after the program's name, unless it is nil or
// flag.ErrHelp (whose usage the flag set has printed), and returns its
// Status.
func Exit(stderr io.Writer, name string, err error) int {
	code := Status(err)
	if code != 0 {
		// Bounded: an error may quote a file's names or values.
		fmt.Fprintf(stderr, "%s: %v\n", name, cells.BoundError(err))
	}
	return code
}

// Program adapts a program that returns an error to Main: the error is
// printed after name and turned into the exit status (Exit).
func Program(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		return Exit(stderr, name, run(ctx, args, stdout, stderr))
	}
}

// Main runs a program: run gets the command line's arguments (without the
// program's name), the process's output streams and a context that an
// interrupt (Ctrl-C) cancels; the process exits with the status run
// returns.
func Main(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// ErrInterrupted is what a run returns when an interrupt (Ctrl-C, SIGINT)
// canceled it: it wraps context.Canceled, and the process exits with
// status 130, as a shell reports a command killed by SIGINT.
var ErrInterrupted = fmt.Errorf("interrupted (%w)", context.Canceled)
